"""Python's cyclic garbage collector kept off a report run's data (issue 16 item 3).

Reading a quarter builds ~35,000 records (forms, grades, actions), none of them in a reference cycle; every 700
allocations the collector runs, and its older generations walk every object the process holds, the snapshot
included, again and again while the documents are made: ~0.1 s of the load and ~0.2 s of each report measured.
The records are freed by reference counting as before; only the collector's walks over them are skipped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection while building many objects that hold no cycles (the collector is on again after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def held_out_of_collections() -> Iterator[None]:
    """What the process holds now (the run's snapshot, the libraries) is left out of the collector's walks until
    the block ends (``gc.freeze``); what the block makes is collected as usual. A cycle that becomes garbage
    among the held objects is collected after the block (``gc.unfreeze``)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
