"""Bad files a real inbox gets: each is refused before any XML is parsed, with a reason a person can act on."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from processors.errors import UnreadableFile
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.reading.parse import parse_file
from processors.word.safety import MB, FileKind, ZipLimits, cfb_stream_names, check_package, sniff

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LIMIT = 20 * MB


@pytest.fixture(scope="module")
def good_form() -> bytes:
    case = Case("CF0000001", "A.B.", 7, "Child in Need", "Safeguarding", "Team 1", "Pat Doe", "Sam Roe")
    item = WorkItem("thematic_audit", case, "2026-C09", form_id="2026-C09-TPA-001", due_date=date(2026, 5, 1))
    return FormGenerator(TEMPLATES, "Trust", 14).render(item)


def reason_for(path: Path, limits: ZipLimits | None = None) -> str:
    with pytest.raises(UnreadableFile) as caught:
        if limits is None:
            check_package(path, LIMIT)
        else:
            check_package(path, LIMIT, limits)
    return caught.value.reason


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def zip_bytes(members: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def with_members(form: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    replace = replace or {}
    with zipfile.ZipFile(io.BytesIO(form)) as source:
        members = {n: replace.get(n, source.read(n)) for n in source.namelist()}
    members.update(extra)
    return zip_bytes(members)


# --- OLE compound files, built by hand (512-byte sectors: header, one FAT sector, one directory) --------

def cfb(*stream_names: str) -> bytes:
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    entries = [_dir_entry("Root Entry", 5, child=1)]
    for n, name in enumerate(stream_names, start=1):
        entries.append(_dir_entry(name, 2, right=n + 1 if n < len(stream_names) else free))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + fat + directory


def _dir_entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    entry = bytearray(128)
    entry[0:len(encoded)] = encoded
    struct.pack_into("<HBBIII", entry, 0x40, len(encoded), kind, 1, 0xFFFFFFFF, right, child)
    struct.pack_into("<IQ", entry, 0x74, 0xFFFFFFFE, 0)
    return bytes(entry)


def test_the_hand_built_compound_file_is_walked_through_its_directory() -> None:
    assert cfb_stream_names(cfb("EncryptionInfo", "EncryptedPackage")) == {
        "Root Entry", "EncryptionInfo", "EncryptedPackage"}


def test_a_password_protected_word_document_says_remove_the_password(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "audit.docx", cfb("EncryptionInfo", "EncryptedPackage")))
    assert "password-protected" in reason and "remove the password" in reason
    assert ".doc file" not in reason


def test_an_old_doc_file_says_save_it_as_docx(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "audit.docx", cfb("WordDocument", "1Table", "\x05SummaryInformation")))
    assert "old Word 97-2003 .doc" in reason and "save it as .docx" in reason and "inbox" in reason


def test_a_compound_file_too_damaged_to_walk_names_both_possibilities(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "x.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024))
    assert ".doc file or a password-protected" in reason


def test_an_old_excel_file_is_named(tmp_path: Path) -> None:
    assert "Excel" in reason_for(write(tmp_path, "x.xls", cfb("Workbook")))


# --- the file as a whole ---------------------------------------------------------------------------

def test_an_empty_file_may_still_be_syncing(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "form.docx", b""))
    assert "empty" in reason and "syncing" in reason


def test_a_50_mb_file_is_refused_from_its_size_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge form.docx"
    with path.open("wb") as f:
        f.truncate(50 * MB)  # sparse: instant to make
    started = time.perf_counter()
    reason = reason_for(path)
    assert time.perf_counter() - started < 0.1
    assert "50.0 MB" in reason and "20 MB" in reason and "Compress Pictures" in reason


@pytest.mark.parametrize("magic, kind", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "PNG"),
    (bytes.fromhex("FFD8FFE000104A464946") + b"\0" * 64, "JPEG"),
    (b"GIF89a" + b"\0" * 64, "GIF"),
    (b"II*\x00" + b"\0" * 64, "TIFF"),
])
def test_a_picture_is_not_a_form(tmp_path: Path, magic: bytes, kind: str) -> None:
    reason = reason_for(write(tmp_path, "scan.docx", magic))
    assert "picture or scan" in reason and kind in reason and "Word form" in reason


def test_rtf_and_unknown_bytes_get_their_own_advice(tmp_path: Path) -> None:
    assert "Rich Text Format" in reason_for(write(tmp_path, "a.docx", b"{\\rtf1\\ansi hello}"))
    assert "not a Word document (.docx) or a PDF" in reason_for(write(tmp_path, "b.docx", b"hello world"))


def test_words_owner_file_is_explained(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "~$dit form.docx", b"\x05Alice" + b"\0" * 150))
    assert "temporary file Word makes" in reason


def test_the_kind_is_decided_by_content_not_by_name(good_form: bytes) -> None:
    assert sniff(good_form, "form.pdf") is FileKind.DOCX
    assert sniff(b"%PDF-1.7\n...", "form.docx") is FileKind.PDF


def test_a_generated_form_passes(tmp_path: Path, good_form: bytes) -> None:
    check_package(write(tmp_path, "form.docx", good_form), LIMIT)


# --- zip packages ------------------------------------------------------------------------------------

def test_a_half_copied_docx_is_incomplete(tmp_path: Path, good_form: bytes) -> None:
    reason = reason_for(write(tmp_path, "form.docx", good_form[: len(good_form) // 2]))
    assert "incomplete or damaged" in reason and "send it again" in reason


def test_a_zip_bomb_is_refused_from_the_directory_without_decompressing(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zip_bytes({"word/document.xml": b"<w:document/>", "word/media/image1.bin": b"\0" * (50 * MB)}, level=9)
    assert len(bomb) < 200_000
    path = write(tmp_path, "bomb.docx", bomb)

    def no_decompressing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompressing)
    started = time.perf_counter()
    reason = reason_for(path)
    assert time.perf_counter() - started < 0.2
    assert "zip bomb" in reason and "not opened, for safety" in reason


def test_too_many_members_or_too_much_in_total_is_refused(tmp_path: Path) -> None:
    many = write(tmp_path, "many.docx", zip_bytes({f"word/part{n}.xml": b"x" for n in range(2001)}))
    assert "2001 parts" in reason_for(many)
    big = write(tmp_path, "big.docx", zip_bytes({"word/document.xml": b"<w:document/>",
                                                 "word/a.bin": bytes(range(256)) * 4096}))
    assert "would unpack to" in reason_for(big, ZipLimits(total_bytes=512 * 1024))


def test_a_macro_enabled_document_is_refused(tmp_path: Path, good_form: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(good_form)) as z:
        types = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml")
    by_type = write(tmp_path, "a.docx", with_members(good_form, {}, {"[Content_Types].xml": types}))
    by_part = write(tmp_path, "b.docm", with_members(good_form, {"word/vbaProject.bin": b"\0" * 64}))
    for path in (by_type, by_part):
        reason = reason_for(path)
        assert "macro-enabled" in reason and "Word Document (*.docx)" in reason and "without macros" in reason


def test_zips_that_are_not_word_documents_say_what_they_are(tmp_path: Path) -> None:
    excel = write(tmp_path, "a.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}))
    assert "Excel workbook" in reason_for(excel)
    odt = write(tmp_path, "b.docx", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text",
                                               "content.xml": b"<x/>"}))
    assert "OpenDocument" in reason_for(odt)
    plain = write(tmp_path, "c.docx", zip_bytes({"notes.txt": b"hello"}))
    assert "zip file, not a Word document" in reason_for(plain)


def test_parse_file_gives_the_same_reasons(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="old Word 97-2003"):
        parse_file(write(tmp_path, "old.doc", cfb("WordDocument")))
    with pytest.raises(UnreadableFile, match="picture or scan"):
        parse_file(write(tmp_path, "photo.jpg", bytes.fromhex("FFD8FFE0") + b"\0" * 32))
    assert UnreadableFile("x").exit_code not in (0, 1)


# --- hostile values, addresses, damaged parts, borrowed references: add a row to a table -----------------

HOSTILE_HEADER_VALUES = [
    ("Rhys\nap Gwilym", "Rhys ap Gwilym"),
    ("Rhys\r\nBcc: attacker@elsewhere.example", "Rhys Bcc: attacker@elsewhere.example"),
    ("Rhys\u2028ap\u2029Gwilym", "Rhys ap Gwilym"),
    ("tab\there\x0bvt\x0cff\x00nul\x1besc\x85nel", "tab here vt ff nul esc nel"),
    ("right\u202eto-left override", "right to-left override"),
    ("  Siân   Llewelyn-O'Connor ", "Siân Llewelyn-O'Connor"),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE_HEADER_VALUES)
def test_a_header_value_is_one_clean_line(value: str, expected: str) -> None:
    from processors.mail.addresses import header_text
    from processors.mail.mailer import Message, build_email

    assert header_text(value) == expected
    mail = build_email(Message(to=("qa@example-trust.org.uk",), subject=value, body="x"), "qa@example-trust.org.uk")
    assert mail["Subject"] == expected


HOSTILE_ADDRESS_CELLS = [
    ("attacker@elsewhere.example, sam@example-trust.org.uk", "holds 2 addresses"),
    ("postmaster,x@example-trust.org.uk", "holds 2 addresses"),
    ("sam@example-trust.org.uk; pat@example-trust.org.uk", "holds 2 addresses"),
    ("postmaster", "has no '@domain'"),
    ("sam@", "is not an email address"),
    ("sam@example-trust", "is not an email address"),
    ("sam@@example-trust.org.uk", "addresses"),
    ("sam@example-trust.org.uk\nBcc: x@elsewhere.example", "line break"),
    ("sam@example-trust.org.uk\u2028x@elsewhere.example", "line break"),
]


@pytest.mark.parametrize(("cell", "expected"), HOSTILE_ADDRESS_CELLS)
def test_an_address_cell_that_is_not_one_address_is_refused(cell: str, expected: str) -> None:
    from processors.mail.addresses import AddressProblem, parse_address, refused_recipients

    with pytest.raises(AddressProblem, match=re.escape(expected)):
        parse_address(cell)
    assert refused_recipients([cell], ["example-trust.org.uk"])


OUTSIDE_DOMAINS = [("sam@elsewhere.example", ("example-trust.org.uk",)),
                   ("sam@example-trust.org.uk.elsewhere.example", ("example-trust.org.uk",)),
                   ("sam@mail.example-trust.org.uk", ("example-trust.org.uk",)),
                   ("sam@notexample-trust.org.uk", ("*.example-trust.org.uk",))]


@pytest.mark.parametrize(("address", "allowed"), OUTSIDE_DOMAINS)
def test_an_address_outside_the_allowed_domains_is_refused(address: str, allowed: tuple[str, ...]) -> None:
    from processors.mail.addresses import refused_recipients

    assert refused_recipients([address], allowed) == [address]
    assert refused_recipients(["Sam@EXAMPLE-trust.org.uk"], allowed) == []


DAMAGED_PARTS = ["word/styles.xml", "word/document.xml", "docProps/custom.xml", "word/footer1.xml",
                 "[Content_Types].xml"]


@pytest.mark.parametrize("part", DAMAGED_PARTS)
def test_a_part_that_fails_its_checksum_is_refused_as_damaged(tmp_path: Path, good_form: bytes, part: str) -> None:
    from tests.docx_edit import corrupt_member

    reason = reason_for(write(tmp_path, "form.docx", corrupt_member(good_form, part)))
    assert "damaged" in reason and "ask the sender to send it again" in reason


BORROWED_REFERENCES = [  # what the returned form says vs its work item -> what is said about it
    ({"case_id": "CF9999999"}, "its 'Case ID' is not the one allocated ('CF9999999', not 'CF0000001')"),
    ({"practitioner": "Someone Else"}, "its 'Practitioner' is not the one allocated"),
    ({"team": "Team 2"}, "its 'Team' is not the one allocated"),
    ({"form_type": "practice_observation"}, "was issued as the form type 'Thematic Peer Audit', but this file is "
                                            "the form type 'Observation of Practice'"),
]


@pytest.mark.parametrize(("changes", "expected"), BORROWED_REFERENCES)
def test_a_form_that_does_not_match_its_work_item_is_named_for_holding(changes: dict[str, str],
                                                                       expected: str) -> None:
    from dataclasses import replace

    from processors.forms.models import FormIdentity, ParsedForm
    from processors.intake.matching import mismatches

    case = Case("CF0000001", "A.B.", 7, "Child in Need", "Safeguarding", "Team 1", "Pat Doe", "Sam Roe")
    item = WorkItem("thematic_audit", case, "2026-C09", form_id="2026-C09-TPA-001")
    values = {"case_id": "CF0000001", "practitioner": "Pat  DOE", "team": "team 1", "child_age": "7"}
    values.update({k: v for k, v in changes.items() if k != "form_type"})
    form_type = changes.get("form_type", "thematic_audit")
    parsed = ParsedForm(Path("x.docx"), FormIdentity("2026-C09-TPA-001", form_type, "1.0"), form_type, values, "")
    assert any(expected in problem for problem in mismatches(parsed, item))
    assert mismatches(replace(parsed, values={**values, **{k: str(v) for k, v in
                                                            {"case_id": "CF0000001", "practitioner": "Pat Doe",
                                                             "team": "Team 1"}.items()}},
                              form_type="thematic_audit",
                              identity=FormIdentity("2026-C09-TPA-001", "thematic_audit", "1.0")), item) == []


SAVED_TIMES = [("2026-11-20T10:15:00Z", "2026-11-20 10:15:00+00:00"),
               ("2026-11-20T10:15:00+01:00", "2026-11-20 09:15:00+00:00"),
               ("not a time", None)]


@pytest.mark.parametrize(("text", "expected"), SAVED_TIMES)
def test_a_documents_saved_time_is_read_or_left_unknown(text: str, expected: str | None) -> None:
    from processors.reading.saved import pdf_datetime, w3c_datetime

    assert (str(w3c_datetime(text)) if w3c_datetime(text) else None) == expected
    assert str(pdf_datetime("D:20261120101500+01'00'")) == "2026-11-20 09:15:00+00:00"
