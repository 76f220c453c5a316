"""Work items rendered so far, kept on disk (not in memory) until every form has rendered and they go to the store."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType
from typing import IO

from processors.forms.models import WorkItem


class WorkItemSpool:
    """An anonymous temporary file of work items: appended one at a time, read back in chunks, gone when closed.

    Only this process writes and reads it (pickle of our own dataclasses, never a file from outside).
    """

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="qa-work-items-")  # noqa: SIM115 (closed by close())
        self.count = 0

    def add(self, item: WorkItem) -> None:
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def chunks(self, size: int = 200) -> Iterator[list[WorkItem]]:
        """Everything added, in order, ``size`` items at a time."""
        self._file.flush()
        self._file.seek(0)
        chunk: list[WorkItem] = []
        for _ in range(self.count):
            chunk.append(pickle.load(self._file))
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WorkItemSpool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
