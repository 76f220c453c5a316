"""Reading people's edits back from the register, and noticing changes typed into computed columns.

Edits are found by a row's key (Action ID, Form ID) and by header name, so sorted rows and moved columns
are fine. A change to a computed column (a grade, a due date) is never used and never silently put back:
each run remembers a fingerprint of the computed cells it wrote, and the next run lists every row whose
computed cells differ, with what the store says.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from datetime import date, datetime, timedelta
from itertools import chain, islice
from pathlib import Path

from python_calamine import CalamineWorkbook

from processors.dates import uk_date
from processors.register.columns import (
    ACTION_ID,
    ACTIONS,
    COMPLETED_ON,
    ESCALATIONS,
    FORM_ID,
    NOTES,
    OUTCOME,
    RESOLVED_ON,
    SHEETS,
    STATUS_HEADER,
    Sheet,
)
from processors.register.sheet_rows import cell_value, clean_text
from processors.store.records import (
    ACTION_STATUSES,
    ActionEdit,
    ActionRecord,
    EscalationEdit,
    EscalationRecord,
    normalise_status,
)

Fingerprints = dict[str, dict[str, str]]  # sheet title -> row key -> fingerprint of its computed cells
KEYED: tuple[Sheet, ...] = tuple(s for s in SHEETS if s.key)
PACKED = "zlib:"  # the stored fingerprints, compressed (spool.packed_fingerprints); plain JSON otherwise
HEADER_SEARCH = 10  # rows searched for a sheet's header row


# --- values as typed ----------------------------------------------------------------------------

def as_date(value: object) -> date | None:
    """A date typed in the register (any form the one UK-date reader takes); ValueError when it is not one."""
    found = uk_date(value)
    if found is None:
        raise ValueError(str(value).strip())
    return found


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _shown(value: object) -> str:
    """A cell's value as compared between what was written and what is read back."""
    kind = value.__class__
    if value is None:
        return ""
    if kind is str:
        return clean_text(value).strip()  # type: ignore[arg-type]
    if kind is int:
        return str(value)
    value = cell_value(value)
    if isinstance(value, datetime):
        return (value + timedelta(microseconds=500_000)).replace(microsecond=0).isoformat(" ")
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time()).isoformat(" ")
    return as_text(value)


def header_map(rows: list[tuple], key: str) -> tuple[int, dict[str, int]] | None:
    """(row index, {header lower-case: column index}) of the header row (the one naming `key`) among the first rows."""
    for r, row in enumerate(rows):
        names = {as_text(v).lower(): i for i, v in enumerate(row) if v is not None}
        if key.lower() in names:
            return r, names
    return None


def after_header(rows: Iterable[tuple], key: str) -> tuple[dict[str, int], Iterator[tuple[int, tuple]]] | None:
    """({header lower-case: column index}, (row number, row) for each row below the header), the header being the
    row naming ``key`` among the first rows; None without one. ``rows`` is read once, as it comes."""
    rows = iter(rows)
    head = list(islice(rows, HEADER_SEARCH))
    found = header_map(head, key)
    if found is None:
        return None
    header_row, cols = found
    return cols, enumerate(chain(head[header_row + 1:], rows), start=header_row + 2)


class LazySheets(Mapping[str, Iterable[tuple]]):
    """Named sheets of a workbook, each read (one at a time) only when iterated: its rows from cell A1, blank
    cells None, as ``read_sheets`` gives them, but never all of a workbook's rows at once. The workbook is
    opened here (CalamineError for a file that is not one); ``close`` when done."""

    def __init__(self, path: Path, titles: Iterable[str]) -> None:
        self._workbook = CalamineWorkbook.from_path(str(path))
        self._closed = False
        names = set(self._workbook.sheet_names)
        self._titles = [t for t in titles if t in names]

    def __getitem__(self, title: str) -> Iterable[tuple]:
        if title not in self._titles:
            raise KeyError(title)
        return _SheetRows(self._workbook, title)

    def __iter__(self) -> Iterator[str]:
        return iter(self._titles)

    def __len__(self) -> int:
        return len(self._titles)

    def close(self) -> None:
        """Let the file go (again: nothing)."""
        if not self._closed:
            self._closed = True
            self._workbook.close()


class _SheetRows:
    def __init__(self, workbook: CalamineWorkbook, title: str) -> None:
        self._workbook, self._title = workbook, title

    def __iter__(self) -> Iterator[tuple]:
        sheet = self._workbook.get_sheet_by_name(self._title)
        top, left = sheet.start or (0, 0)
        for _ in range(top):
            yield ()
        pad = (None,) * left
        for row in sheet.iter_rows():
            yield pad + tuple(None if v == "" else v for v in row)


def read_sheets(path: Path, titles: Iterable[str] | None = None,
                known: Mapping[str, Iterable[tuple]] | None = None) -> dict[str, list[tuple]]:
    """Every row of each named sheet the workbook has (every sheet, in order, when ``titles`` is None), from
    cell A1 whatever size the file claims (people add rows and columns); blank cells are None. ``known``: sheets
    of this same file already read, taken from there instead of read again.

    Read with python-calamine (Rust): 1.8 s for a 10,000-form register where openpyxl's read-only mode takes
    16.5 s (benchmarks/bench_register_writers.py). Raises CalamineError for a file it cannot read."""
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        wanted = workbook.sheet_names if titles is None else [t for t in titles if t in workbook.sheet_names]
        known = known or {}
        return {title: list(known[title]) if title in known else
                [tuple(None if v == "" else v for v in row)
                 for row in workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)]
                for title in wanted}
    finally:
        workbook.close()


def _typed_date(raw: object, keep: date | None, what: str, where: str, warnings: list[str]) -> date | None:
    """A date people typed (blank clears it); anything else keeps the earlier value, with a warning."""
    try:
        return None if raw is None or as_text(raw) == "" else as_date(raw)
    except (ValueError, OverflowError):
        warnings.append(f"{where}: {what} '{as_text(raw)}' is not a date (use dd/mm/yyyy); kept the earlier value")
        return keep


# --- Actions and Escalations: the edited columns ---------------------------------------------

def _edit_from_row(row: tuple, cols: dict[str, int], current: ActionRecord, where: str,
                   warnings: list[str]) -> ActionEdit:
    def cell(name: str) -> object:
        i = cols.get(name.lower())
        return row[i] if i is not None and i < len(row) else None

    status, completed_on, notes = current.status, current.completed_on, current.notes
    typed = as_text(cell(STATUS_HEADER))
    if typed:
        canonical = normalise_status(typed)
        if canonical is None:
            warnings.append(f"{where}: Status '{typed}' is not one of {', '.join(ACTION_STATUSES)}; "
                            f"kept '{current.status}'")
        status = canonical or status
    if COMPLETED_ON.lower() in cols:
        completed_on = _typed_date(cell(COMPLETED_ON), completed_on, COMPLETED_ON, where, warnings)
    if NOTES.lower() in cols:
        notes = as_text(cell(NOTES))
    return ActionEdit(status, completed_on, notes)


def action_edits(rows: Iterable[tuple] | None, name: str, current: dict[str, ActionRecord]) -> tuple[
        dict[str, ActionEdit], list[str]]:
    if rows is None:
        return {}, [f"{name} has no {ACTIONS} sheet: no edits read back"]
    found = after_header(rows, ACTION_ID)
    if found is None:
        return {}, [f"{name}: the {ACTIONS} sheet has no '{ACTION_ID}' column: no edits read back"]
    cols, below = found
    key = cols[ACTION_ID.lower()]
    edits: dict[str, ActionEdit] = {}
    warnings: list[str] = []
    for number, row in below:
        action_id = as_text(row[key]) if key < len(row) else ""
        if not action_id:
            continue
        if action_id not in current:
            warnings.append(f"{ACTIONS} row {number}: {ACTION_ID} '{action_id}' is not in the store; row ignored")
            continue
        if action_id in edits:
            warnings.append(f"{ACTIONS} row {number}: {ACTION_ID} '{action_id}' appears twice; the lower row is used")
        edits[action_id] = _edit_from_row(row, cols, current[action_id], f"{ACTIONS} row {number}", warnings)
    return edits, warnings


def read_action_edits(path: Path, current: dict[str, ActionRecord]) -> tuple[dict[str, ActionEdit], list[str]]:
    """People's edits in the register's Actions sheet, by Action ID, with warnings about rows not used."""
    return action_edits(read_sheets(path, [ACTIONS]).get(ACTIONS), path.name, current)


def escalation_edits(rows: Iterable[tuple] | None, current: dict[str, EscalationRecord]) -> tuple[
        dict[str, EscalationEdit], list[str]]:
    """People's Resolved on / Outcome in the Escalations sheet, by Form ID, with warnings about rows not used."""
    found = after_header(rows, FORM_ID) if rows is not None else None
    if found is None or RESOLVED_ON.lower() not in found[0]:
        return {}, []  # an older register without the columns: nothing to read back
    cols, below = found
    edits: dict[str, EscalationEdit] = {}
    warnings: list[str] = []
    for number, row in below:
        key = cols[FORM_ID.lower()]
        form_id = as_text(row[key]) if key < len(row) else ""
        if not form_id or form_id not in current:
            continue
        where = f"{ESCALATIONS} row {number}"
        cell = {name: row[i] if i < len(row) else None for name, i in cols.items()}
        resolved = _typed_date(cell.get(RESOLVED_ON.lower()), current[form_id].resolved_on, RESOLVED_ON, where,
                               warnings)
        outcome = as_text(cell.get(OUTCOME.lower())) if OUTCOME.lower() in cols else current[form_id].outcome
        edits[form_id] = EscalationEdit(resolved, outcome)
    return edits, warnings


# --- computed columns: fingerprints of what was written -------------------------------------

def _digest(values: Iterable[str]) -> str:
    """Four hex digits per cell, so a changed row also tells which of its cells changed."""
    return "".join(f"{zlib.crc32(v.encode('utf-8', 'surrogatepass')) & 0xFFFF:04x}" for v in values)


def _key_of(values: Iterable[object]) -> str:
    return "\x1f".join(_shown(v) for v in values)


class RowFingerprint:
    """A keyed sheet's row as it is remembered: '"row key":"fingerprint of its computed cells"' (JSON), made
    once per row and joined by ``encode_fingerprints``."""

    def __init__(self, spec: Sheet) -> None:
        self.keys = [spec.headers.index(h) for h in spec.key]
        self.computed = [i for i, c in enumerate(spec.columns) if not c.edited]

    def __call__(self, row: tuple) -> str:
        key = _key_of(row[i] for i in self.keys)
        return f"{json.dumps(key)}:{json.dumps(_digest(_shown(row[i]) for i in self.computed))}"


def encode_fingerprints(by_sheet: dict[str, list[str]]) -> str:
    """{sheet: {row key: fingerprint}} as JSON, from each sheet's rows (``RowFingerprint``)."""
    return "{" + ",".join(f"{json.dumps(title)}:{{{','.join(rows)}}}" for title, rows in by_sheet.items()) + "}"


def decode_fingerprints(text: str | None) -> Fingerprints:
    with suppress(ValueError, TypeError, binascii.Error, zlib.error):
        if text and text.startswith(PACKED):
            text = zlib.decompress(base64.b64decode(text[len(PACKED):])).decode("ascii")
        found = json.loads(text or "")
        if isinstance(found, dict):
            return found
    return {}


def computed_changes(sheets: Mapping[str, Iterable[tuple]], written: Fingerprints,
                     current: Mapping[str, Iterable[tuple]]) -> list[str]:
    """Warnings for rows whose computed cells differ from what was last written, with what the store says now
    (``current``: each sheet's rows as they will be written). Each sheet is read once, row by row."""
    warnings: list[str] = []
    for spec in KEYED:
        rows, seen = sheets.get(spec.title), written.get(spec.title)
        found = after_header(rows, spec.key[0]) if rows is not None and seen is not None else None
        if found is None:
            continue
        cols, below = found
        computed = spec.computed
        missing = [c.header for c in computed if c.header.lower() not in cols] + \
            [h for h in spec.key if h.lower() not in cols]
        if missing:
            warnings.append(f"{spec.title}: the column(s) {', '.join(missing)} were removed; they are put back "
                            "and changes in that sheet were not checked")
            continue
        key_at = [cols[h.lower()] for h in spec.key]
        at = [cols[c.header.lower()] for c in computed]
        store_rows = None
        for number, row in below:
            def cell(i: int, row: tuple = row) -> object:
                return row[i] if i < len(row) else None
            key = _key_of(cell(i) for i in key_at)
            shown = _digest(_shown(cell(i)) for i in at)
            if key not in seen or seen[key] == shown:
                continue
            if store_rows is None:
                keys = [spec.headers.index(h) for h in spec.key]
                store_rows = {_key_of(r[i] for i in keys): r for r in current.get(spec.title, [])}
            now = store_rows.get(key)
            for n, (column, i) in enumerate(zip(computed, at)):
                if seen[key][4 * n:4 * n + 4] == shown[4 * n:4 * n + 4]:
                    continue
                typed = _shown(cell(i))
                says = _shown(now[spec.columns.index(column)]) if now else ""
                if typed != says:
                    warnings.append(f"{spec.title} row {number} ({key.replace(chr(31), ', ')}): {column.header} "
                                    f"was changed to '{typed}' in the register; the store says '{says}', which "
                                    "is shown again (correct the form and return it to change it)")
    return warnings


def read_back_sheets(path: Path) -> LazySheets:
    """The sheets a rewrite reads back: the edited ones and every keyed sheet, each read when it is iterated."""
    return LazySheets(path, [s.title for s in KEYED])

