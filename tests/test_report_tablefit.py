"""Table fitting gives every cell of a column its column's width, in one pass over the cells (issue 16, item 3:
a report's table of the quarter's actions has thousands of cells)."""

from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn

from processors.reports.tablefit import MAX_CHARS, fit_table, text_cm

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _table(rows: int, strip: tuple[tuple[int, int], ...] = ()) -> object:
    doc = Document()
    table = doc.add_table(rows=rows + 1, cols=3)
    for r, row in enumerate(table.rows):  # (table.cell(r, c) is slow: it walks the whole table)
        texts = ("Case", "Action", "Due") if r == 0 else (
            f"CF{1000000 + r}", "Update the chronology and share it with the family " * (1 + r % 2), "18/12/2026")
        for cell, text in zip(row.cells, texts):
            cell.text = text
    for r, c in strip:  # cells without a width of their own (a template edited by hand)
        tc = table.cell(r, c)._tc
        tc_pr = tc.find(qn("w:tcPr"))
        if c == 0:
            tc.remove(tc_pr)
        else:
            tc_pr.remove(tc_pr.find(qn("w:tcW")))
    return table._tbl


def _widths(tbl: object) -> tuple[list[str], list[list[str]]]:
    grid = [c.get(f"{W}w") for c in tbl.iter(f"{W}gridCol")]  # type: ignore[attr-defined]
    cells = [[tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w") for tc in tr.findall(f"{W}tc")]
             for tr in tbl.findall(f"{W}tr")]  # type: ignore[attr-defined]
    return grid, cells


def test_every_cell_gets_its_columns_width() -> None:
    tbl = _table(300)
    fit_table(tbl, 16.0, 10.0)
    grid, cells = _widths(tbl)
    assert len(set(grid)) == 3, grid  # each column its own width
    assert all(row == grid for row in cells)
    assert all(tc.get(f"{W}type") == "dxa" for tc in tbl.iter(f"{W}tcW"))
    case_cm = int(grid[0]) / 566.93
    assert case_cm > text_cm("CF1000300", 10.0)  # a case ID is never broken
    assert int(grid[1]) > int(grid[0]) and int(grid[1]) > int(grid[2])  # the words go to the column that has them
    assert len("Update the chronology and share it with the family " * 2) > MAX_CHARS


def test_cells_without_a_width_get_one_too() -> None:
    tbl = _table(20, strip=((3, 0), (7, 1), (20, 2)))
    fit_table(tbl, 16.0, 10.0)
    grid, cells = _widths(tbl)
    assert all(row == grid for row in cells)
    first = tbl.findall(f"{W}tr")[3].findall(f"{W}tc")[0]  # type: ignore[attr-defined]
    assert first[0].tag == f"{W}tcPr"  # the properties come first in the cell, as the schema requires


def test_a_table_with_merged_cells_is_left_as_its_author_made_it() -> None:
    tbl = _table(3)
    row = tbl.findall(f"{W}tr")[2]  # type: ignore[attr-defined]
    row.remove(row.findall(f"{W}tc")[2])
    before = _widths(tbl)
    fit_table(tbl, 16.0, 10.0)
    assert _widths(tbl) == before


WORD = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _cell(body: str) -> str:
    return f"<w:tc><w:tcPr><w:tcW w:w='1000' w:type='dxa'/></w:tcPr>{body}</w:tc>"


def test_cell_texts_are_read_as_word_shows_them_whatever_the_markup() -> None:
    """The texts the widths come from, read by one transform of the table, are each cell's own w:t texts, as
    reading the cells one by one gives them: split runs, tracked changes, a legacy field, a nested table, an
    empty cell; and a text holding the transform's own separator is read cell by cell instead."""
    from lxml import etree

    from processors.reports.tablefit import CELL_END, _cell_text, _texts

    split = "<w:p><w:r><w:t>CF10</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>00001</w:t></w:r></w:p>"
    tracked = ("<w:p><w:ins w:id='1' w:author='QA'><w:r><w:t>kept </w:t></w:r></w:ins>"
               "<w:del w:id='2' w:author='QA'><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>")
    field = ("<w:p><w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>"
             "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>18/12/2026</w:t></w:r>"
             "<w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>")
    nested = ("<w:tbl><w:tblGrid><w:gridCol w:w='500'/></w:tblGrid><w:tr>" + _cell("<w:p><w:r><w:t>inner</w:t>"
              "</w:r></w:p>") + "</w:tr></w:tbl><w:p/>")
    for odd in ("plain", f"holds {CELL_END} the separator"):
        rows = [[split, tracked, field], [nested, "<w:p/>", f"<w:p><w:r><w:t>{odd}</w:t></w:r></w:p>"]]
        xml = (f"<w:tbl {WORD}><w:tblGrid>" + "<w:gridCol w:w='1000'/>" * 3 + "</w:tblGrid>"
               + "".join("<w:tr>" + "".join(_cell(c) for c in row) + "</w:tr>" for row in rows) + "</w:tbl>")
        table = etree.fromstring(xml)
        one_by_one = [[_cell_text(tc) for tc in tr.findall(f"{W}tc")] for tr in table.findall(f"{W}tr")]
        assert _texts(table) == one_by_one
        assert one_by_one[0] == ["CF1000001", "kept ", "18/12/2026"] and one_by_one[1][:2] == ["inner", ""]
