"""A register sheet's rows kept on disk while they are made, so a full write never holds a whole sheet (issue 16).

The rows are pickled 2,000 at a time into a scratch file, with their number and the first few (to fit the column
widths); they are read back in order, as often as asked, a chunk at a time. A keyed sheet's fingerprints
(``edits.RowFingerprint``) go to a second file as the rows are made, and are joined into the stored state at the
end (``packed_fingerprints``), compressed.
"""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from processors.register.columns import WIDTH_SAMPLE, Sheet
from processors.register.edits import PACKED, RowFingerprint

CHUNK_ROWS = 2000
SAMPLE_ROWS = WIDTH_SAMPLE  # the rows the column widths are fitted to


class RowSpool:
    """One sheet's rows, on disk: ``add`` them in order, ``close``, then iterate as often as needed."""

    def __init__(self, spec: Sheet, folder: Path, keyed: bool) -> None:
        self.spec = spec
        self.count = 0
        self.first: list[tuple] = []
        name = "".join(c if c.isalnum() else "_" for c in spec.table)
        self.path = folder / f"{name}.rows"
        self._rows: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115  # closed by close()
        self._chunk: list[tuple] = []
        self._fingerprint = RowFingerprint(spec) if keyed else None
        self.prints_path = folder / f"{name}.prints"
        self._prints: TextIO | None = open(self.prints_path, "w", encoding="ascii") if keyed else None  # noqa: SIM115

    def add(self, row: tuple) -> None:
        if self._prints is not None and self._fingerprint is not None:
            self._prints.write(("," if self.count else "") + self._fingerprint(row))
        self.count += 1
        if len(self.first) < SAMPLE_ROWS:
            self.first.append(row)
        self._chunk.append(row)
        if len(self._chunk) >= CHUNK_ROWS:
            self._flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def _flush(self) -> None:
        if self._chunk and self._rows is not None:
            pickle.dump(self._chunk, self._rows, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def close(self) -> None:
        self._flush()
        for handle in (self._rows, self._prints):
            if handle is not None:
                handle.close()
        self._rows = self._prints = None

    def __iter__(self) -> Iterator[tuple]:
        if self.count <= len(self.first):
            yield from self.first
            return
        with open(self.path, "rb") as handle:
            while True:
                try:
                    chunk = pickle.load(handle)  # noqa: S301  # our own scratch file, written just now
                except EOFError:
                    return
                yield from chunk

    @property
    def keyed(self) -> bool:
        return self._fingerprint is not None


class _Packer:
    """Text compressed and put in base64 as it comes: only the result grows (a quarter of the text's size)."""

    def __init__(self) -> None:
        self._zip = zlib.compressobj(6)
        self._pending = b""  # compressed bytes not yet a multiple of 3 (base64 encodes 3 bytes at a time)
        self.encoded = bytearray(PACKED.encode("ascii"))

    def add(self, data: bytes) -> None:
        self._encode(self._zip.compress(data))

    def _encode(self, compressed: bytes, last: bool = False) -> None:
        data = self._pending + compressed
        cut = len(data) if last else len(data) - len(data) % 3
        self.encoded += base64.b64encode(data[:cut])
        self._pending = data[cut:]

    def finish(self) -> str:
        self._encode(self._zip.flush(), last=True)
        return self.encoded.decode("ascii")


def packed_fingerprints(spools: Iterable[RowSpool]) -> str:
    """Every keyed sheet's fingerprints as the state ``edits.decode_fingerprints`` reads: the JSON
    ``edits.encode_fingerprints`` makes, compressed and in base64, made a piece at a time."""
    packer = _Packer()
    packer.add(b"{")
    for n, spool in enumerate(s for s in spools if s.keyed):
        head = ("," if n else "") + json.dumps(spool.spec.title) + ":{"  # JSON text is ASCII (json.dumps escapes)
        packer.add(head.encode("ascii"))
        with open(spool.prints_path, "rb") as handle:
            while piece := handle.read(1 << 20):
                packer.add(piece)
        packer.add(b"}")
    packer.add(b"}")
    return packer.finish()
