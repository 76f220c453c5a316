"""A second process that draws a run's charts while this one renders the documents (issue 16, item 3).

Drawing a chart (laying out its text, rasterising, encoding the PNG) is about a third of a quarterly report's
time, and a document needs the PNG's bytes only when it is saved. So the run hands each chart's drawing (the
function and the data it shows, both small) to a worker forked at the start of the run, and carries on: it still
works out what it needs now (whether there is a chart, its alt text, its size), the document is rendered with a
stand-in picture of that size (python-docx reads only a PNG's header), and the stand-in's bytes are swapped for
the chart's before the document is saved (build.py). The worker keeps its own figures to draw again (charts.py
``Figures``), and a chart drawn on a kept figure is the same picture, pixel for pixel, as on a new one; so the
documents are the same, byte for byte, as when the charts are drawn here. On a machine with two cores the
charts then cost the run little more than handing them over. While the run reads the quarter, before any chart,
the worker compiles the run's templates (compiled.py ``compile_elsewhere``) and draws a chart of each common kind
once (charts.py ``warm_up``), so that fonts and text layouts are ready.

The worker is forked, so it starts at once with the libraries already imported. Where forking is unsafe or not
possible (another thread is running, such as a watcher's, or on Windows) there is no painter and the charts are
drawn in this process, as before. A chart the worker fails to draw is drawn here.
"""

from __future__ import annotations

import multiprocessing
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import count
from typing import Any

_PLACEHOLDERS = count(1)


class Painter:
    """One worker process drawing a run's charts, in the order they are handed over."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        self._pool.submit(int).result()  # forked now, while the process is small (before the quarter is read)

    def submit(self, work: Callable[..., bytes], *args: Any) -> Future[bytes]:
        """``work(*args)`` in the worker (a module-level function, and immutable arguments: they are pickled
        after this returns)."""
        return self._pool.submit(work, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@contextmanager
def painting(enabled: bool = True) -> Iterator[Painter | None]:
    """A painter for the block (None where forking is not safe, or not ``enabled``), stopped after it."""
    painter = Painter() if enabled and can_fork() else None
    try:
        yield painter
    finally:
        if painter is not None:
            painter.close()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def placeholder_png(width: int, height: int, dpi: float) -> bytes:
    """A PNG header, distinct from every other one made in this process, that says the size and resolution of
    the picture to come: all python-docx reads to place a picture (its size on the page follows from them). Never
    saved: the picture's own bytes replace it before the document is written."""
    per_metre = int(dpi / 0.0254 + 0.5)  # as Pillow writes matplotlib's dpi
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + _chunk(b"tEXt", b"placeholder\x00" + str(next(_PLACEHOLDERS)).encode()) + _chunk(b"IEND", b""))
