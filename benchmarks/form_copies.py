"""Many returned forms, quickly: a handful rendered by our generator and filled as an auditor would
(processors/demo/fill.py), then each further form a copy of one of them with only its identity changed.

A form carries its identity in three places (DESIGN.md): the form ID in the document's custom properties and in
its footer, and the case it is about in a pre-filled control. Each copy changes those three parts at the zip
level (the other parts copied as they are, already compressed), so rendering and filling happen a handful of
times instead of once per form; the copies are written by worker processes. Every copy is a distinct form that
ingest identifies against its own work item and records (bench_memory checks the count recorded).
"""

from __future__ import annotations

import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.common import ANSWERS, CASE, ROOT
from processors.forms.models import WorkItem

FORM_TYPE = "thematic_audit"
PLACEHOLDER_FORM = "TPA-99999"      # the masters' form ID ends so; a copy's ends with its own 5 digits
PLACEHOLDER_CASE = "CF3999999"      # the masters' case ID; a copy's is CF3000000 + its number
IDENTITY_PARTS = ("docProps/custom.xml", "word/footer1.xml", "word/document.xml")
GRADES = ("Good", "Outstanding", "Requires Improvement", "Good", "Inadequate")  # one master per grade given


def form_id(cycle: str, n: int) -> str:
    return f"{cycle}-TPA-{n:05d}"


def case_id(n: int) -> str:
    return f"CF{3000000 + n}"


def work_item(cycle: str, n: int) -> WorkItem:
    """The work item the n-th returned form answers (seeded in the store before ingest)."""
    return WorkItem(FORM_TYPE, replace(CASE, case_id=case_id(n)), cycle, form_id=form_id(cycle, n))


def masters(cycle: str) -> list[bytes]:
    """A handful of real returned forms (rendered, then filled), one per grade in GRADES."""
    from processors.demo.fill import fill_form
    from processors.generate.forms import FormGenerator

    generator = FormGenerator(ROOT / "templates", "Trust", 14)
    item = WorkItem(FORM_TYPE, replace(CASE, case_id=PLACEHOLDER_CASE), cycle,
                    form_id=f"{cycle}-{PLACEHOLDER_FORM}")
    rendered = generator.render(item)
    return [fill_form(rendered, {**ANSWERS, "overall_grade": grade, "planning": grade}) for grade in GRADES]


@dataclass(frozen=True)
class _Master:
    infos: list[zipfile.ZipInfo]
    raw: dict[str, bytes]        # the compressed bytes of each part a copy keeps as it is
    identity: dict[str, bytes]   # the uncompressed parts a copy changes


def _split(path: Path) -> _Master:
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        identity = {name: z.read(name) for name in IDENTITY_PARTS}
    raw = {}
    with open(path, "rb") as handle:
        for info in infos:
            if info.filename in identity:
                continue
            handle.seek(info.header_offset)
            header = handle.read(30)
            skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
            handle.seek(info.header_offset + 30 + skip)
            raw[info.filename] = handle.read(info.compress_size)
    for part, text in identity.items():
        if part != "word/document.xml" and PLACEHOLDER_FORM.encode() not in text:
            raise ValueError(f"the master form has no form ID in {part}")
    if identity["word/document.xml"].count(PLACEHOLDER_CASE.encode()) != 1:
        raise ValueError("the master form must name its case once")
    return _Master(infos, raw, identity)


def _write_copy(master: _Master, target: Path, cycle: str, n: int) -> None:
    new_form, new_case = form_id(cycle, n).encode(), case_id(n).encode()
    old_form = f"{cycle}-{PLACEHOLDER_FORM}".encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in master.infos:
            name = info.filename
            if name in master.identity:
                text = master.identity[name].replace(old_form, new_form).replace(PLACEHOLDER_CASE.encode(), new_case)
                out.writestr(zipfile.ZipInfo(name, info.date_time), text, compress_type=zipfile.ZIP_DEFLATED,
                             compresslevel=1)
            else:
                _write_raw(out, info, master.raw[name])


def _write_raw(out: zipfile.ZipFile, info: zipfile.ZipInfo, compressed: bytes) -> None:
    """A part copied still compressed (zipfile has no public call for it: its local header written by hand)."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type, copy.CRC = info.compress_type, info.CRC
    copy.compress_size, copy.file_size = len(compressed), info.file_size
    copy.flag_bits = info.flag_bits & ~0x08  # sizes are in the local header, no data descriptor
    copy.external_attr, copy.create_system = info.external_attr, info.create_system
    copy.header_offset = out.fp.tell()  # type: ignore[union-attr]
    out.fp.write(copy.FileHeader(False))  # type: ignore[union-attr]
    out.fp.write(compressed)  # type: ignore[union-attr]
    out.filelist.append(copy)
    out.NameToInfo[copy.filename] = copy
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]


_MASTERS: list[_Master] = []


def _init(paths: list[Path]) -> None:
    _MASTERS[:] = [_split(p) for p in paths]


def _write_range(inbox: Path, cycle: str, start: int, stop: int) -> int:
    for n in range(start, stop):
        _write_copy(_MASTERS[n % len(_MASTERS)], inbox / f"{form_id(cycle, n)}.docx", cycle, n)
    return stop - start


def write_forms(inbox: Path, cycle: str, count: int, workers: int | None = None) -> int:
    """``count`` returned forms in ``inbox`` (numbered 0 to count - 1); returns how many were written."""
    inbox.mkdir(parents=True, exist_ok=True)
    scratch = inbox.parent / ".masters"
    scratch.mkdir(exist_ok=True)
    paths = []
    for k, data in enumerate(masters(cycle)):
        paths.append(scratch / f"master-{k}.docx")
        paths[-1].write_bytes(data)
    workers = workers or os.cpu_count() or 1
    step = 2000
    ranges = [(start, min(count, start + step)) for start in range(0, count, step)]
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(paths,)) as pool:
        done = sum(pool.map(_write_range, *zip(*[(inbox, cycle, a, b) for a, b in ranges])))
    return done
