"""A register sheet for each kind of import, built with the register's own sheet and column types (passed in,
so this module does not import the register)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from processors.assurance.kinds import DATE, KINDS, ImportKind
from processors.store.assurance import assurance_rows
from processors.store.database import Store


def _rows(kind: ImportKind) -> Callable[[Store], list[tuple]]:
    def rows(store: Store) -> list[tuple]:
        out = []
        for r in assurance_rows(store, kind.key):
            cells = [date.fromisoformat(v) if c.kind == DATE and isinstance(v := r.values.get(c.name), str) and v
                     else r.values.get(c.name) for c in kind.columns]
            out.append((*cells, r.source_file, r.row_number))
        return out
    return rows


def assurance_sheets(sheet: Callable[..., Any], column: Callable[..., Any]) -> tuple[Any, ...]:
    return tuple(sheet(k.sheet, k.key.capitalize() + "Import",
                       (*(column(c.name) for c in k.columns), column("Source file"), column("Row")), _rows(k))
                 for k in KINDS.values())
