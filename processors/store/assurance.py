"""The assurance table: rows imported from other systems' exports (processors.assurance), one JSON object each.

Importing a file again replaces the rows that file gave before, so a corrected export can simply be imported
again. The table is created by migration 6 (processors.store.schema).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from processors.store.database import Store


@dataclass(frozen=True)
class AssuranceRow:
    kind: str
    source_file: str
    row_number: int
    period: date
    values: dict[str, object]


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def replace_rows(store: Store, kind: str, source_file: str, rows: list[AssuranceRow]) -> int:
    now = datetime.now().isoformat(timespec="seconds")
    with store.transaction():
        store.execute("DELETE FROM assurance WHERE kind = ? AND source_file = ?", (kind, source_file))
        for row in rows:
            store.execute("INSERT INTO assurance (kind, source_file, row_number, period, values_json, imported_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (kind, source_file, row.row_number, row.period.isoformat(),
                           json.dumps({k: _json(v) for k, v in row.values.items()}, ensure_ascii=False), now))
    return len(rows)


def assurance_rows(store: Store, kind: str | None = None) -> list[AssuranceRow]:
    where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
    rows = store.query(f"SELECT kind, source_file, row_number, period, values_json FROM assurance {where} "
                       "ORDER BY period, source_file, row_number", params)
    return [AssuranceRow(k, f, n, date.fromisoformat(p), json.loads(v)) for k, f, n, p, v in rows]
