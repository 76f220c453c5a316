"""Compiled report templates kept on disk between runs, as Python keeps compiled modules in ``__pycache__``.

Making a report template renderable costs a sixth of a second for the quarterly report (docxtpl's clean-up of
the Jinja tags in Word's runs, then Jinja's compile of the 110 kB ``document.xml``), on every run, although the
templates change only when someone edits one in Word. So each part's patched XML, Jinja source and compiled code
are kept in a file named by the SHA-256 of the part's XML and of the versions of Python, Jinja and docxtpl that
made them: an edited template, or an upgrade, is simply not found and is compiled again. A file that cannot be
read (half-written, damaged, from elsewhere) is treated as not there; one that cannot be written (a full disk, a
read-only folder) only means the next run compiles again. The folder is the run's ``generated/`` folder, whose
trust is the templates' own: whoever can write either can already change what a report runs.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType

import docxtpl
import jinja2

from processors.files import sha256_bytes

log = logging.getLogger("qa.reports")

FORMAT = 1  # raise when what is kept, or how the parts are patched (compiled.py), changes
_VERSIONS = f"{FORMAT}|{sys.version}|{jinja2.__version__}|{docxtpl.__version__}|".encode()

Made = tuple[str, str, CodeType]  # a part's patched XML, its Jinja source, its compiled code


class TemplateCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # None: nothing kept
        self.hits = 0

    def _file(self, xml: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"{sha256_bytes(_VERSIONS + xml.encode())}.bin"

    def get(self, xml: str) -> Made | None:
        path = self._file(xml)
        if path is None or not path.is_file():
            return None
        try:
            patched, source, code = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not (isinstance(patched, str) and isinstance(source, str) and isinstance(code, CodeType)):
            return None
        self.hits += 1
        return patched, source, code

    def put(self, xml: str, made: Made) -> None:
        path = self._file(xml)
        if path is None:
            return
        partial: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(prefix=path.stem[:16], suffix=".partial", dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(made))
            os.replace(partial, path)
        except OSError as exc:
            log.info("a compiled report template was not kept (%s): the next run compiles it again", exc)
            if partial is not None:
                Path(partial).unlink(missing_ok=True)
