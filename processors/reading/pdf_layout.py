"""A printed form read by where its text sits on the page, not by the order the PDF lists it.

Word's and LibreOffice's "Save as PDF" turn each form table into text with positions only. A label cell's
wrapped guidance and its answer cell interleave in plain extracted text, so the lines of each page are
split at the answer column (found from the rows whose left cell starts a field's label) and an answer is
the answer-column text from its label's first line down to the next label or section title, on the same
page or the next.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from processors.forms.definitions import FormDefinition
from processors.reading.lookup import FORM_REF, norm

SAME_LINE = 2.0  # points: fragments this close vertically are on one line
MIN_GAP = 40.0   # points: an answer column starts at least this far right of its label


@dataclass(frozen=True)
class Fragment:
    """A piece of text where a PDF page shows it (points from the bottom left)."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Line:
    """One printed line: its fragments left to right."""

    y: float
    fragments: tuple[Fragment, ...]

    @property
    def text(self) -> str:
        return " ".join(" ".join(f.text.split()) for f in self.fragments)

    def left_of(self, column: float) -> str:
        return " ".join(" ".join(f.text.split()) for f in self.fragments if f.x < column - SAME_LINE)

    def right_of(self, column: float) -> str:
        return " ".join(" ".join(f.text.split()) for f in self.fragments if f.x >= column - SAME_LINE)


def page_fragments(page: object) -> list[Fragment]:
    """A page's text pieces, top to bottom, then left to right."""
    found: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(Fragment(round(x, 1), round(y, 1), text))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return sorted(found, key=lambda f: (-f.y, f.x))


def page_lines(fragments: list[Fragment]) -> list[Line]:
    lines: list[list[Fragment]] = []
    for f in sorted(fragments, key=lambda f: (-f.y, f.x)):
        if lines and abs(lines[-1][0].y - f.y) <= SAME_LINE:
            lines[-1].append(f)
        else:
            lines.append([f])
    return [Line(group[0].y, tuple(sorted(group, key=lambda f: f.x))) for group in lines]


def body_lines(pages: list[list[Fragment]]) -> list[Line]:
    """Every page's lines in reading order, without the repeated page header and the 'Form ref' footer."""
    by_page = [page_lines(fragments) for fragments in pages]
    firsts = [lines[0].text if lines else "" for lines in by_page]
    header = firsts[0] if len(by_page) > 1 and firsts.count(firsts[0]) == len(by_page) else None
    body: list[Line] = []
    for lines in by_page:
        body += [line for n, line in enumerate(lines)
                 if not (n == 0 and line.text == header) and not FORM_REF.search(line.text)]
    return body


def answer_column(lines: list[Line], definition: FormDefinition) -> float | None:
    """The x where answers start: the most common start of the text right of a line that begins a label."""
    labels = [norm(f.label) for f in definition.fields if f.label]
    starts: Counter[float] = Counter()
    for line in lines:
        first = line.fragments[0]
        head = norm(first.text)
        if len(line.fragments) < 2 or not head or not any(label.startswith(head) or head.startswith(label)
                                                          for label in labels):
            continue
        right = [f.x for f in line.fragments[1:] if f.x >= first.x + MIN_GAP]
        if right:
            starts[min(right)] += 1
    if not starts:
        return None
    column, count = starts.most_common(1)[0]
    return column if count >= 2 else None


@dataclass(frozen=True)
class Columns:
    """The label column as one text (for finding labels) and, by line, what the answer column holds."""

    labels: str
    answers: tuple[str, ...]
    offsets: tuple[int, ...]  # where each line starts in `labels`

    @classmethod
    def split(cls, lines: list[Line], column: float) -> Columns:
        offsets, texts, position = [], [], 0
        for line in lines:
            offsets.append(position)
            left = line.left_of(column)
            texts.append(left)
            position += len(left) + 1
        return cls("\n".join(texts), tuple(line.right_of(column) for line in lines), tuple(offsets))

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self.offsets, offset) - 1

    def answer(self, first: int, stop: int) -> str:
        return " ".join(text for text in self.answers[first:stop] if text)
