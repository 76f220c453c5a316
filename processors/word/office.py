"""Headless LibreOffice: our stand-in for Word when a document must really open, or become a PDF.

LibreOffice runs one conversion per user profile at a time, so each call gets its own profile folder.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from processors.errors import OfficeError


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: list[Path], target: str, outdir: Path, timeout: float = 180) -> list[Path]:
    """Convert files with LibreOffice (target e.g. 'pdf', 'docx', 'csv'); returns the outputs in order.

    Raises OfficeError when LibreOffice is missing or any file did not convert.
    """
    binary = soffice()
    if binary is None:
        raise OfficeError("LibreOffice is not installed: install it (Debian: apt-get install libreoffice-writer-nogui) "
                          "to convert documents")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        command = [binary, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation=file://{profile}",
                   "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice took longer than {timeout:.0f} s converting {len(files)} file(s)") from None
    extension = target.split(":")[0]
    outputs = [outdir / f"{f.stem}.{extension}" for f in files]
    missing = [f.name for f, out in zip(files, outputs) if not out.exists() or out.stat().st_size == 0]
    if missing:
        raise OfficeError(f"LibreOffice could not convert {', '.join(missing)}")
    return outputs
