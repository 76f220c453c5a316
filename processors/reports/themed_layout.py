"""The themed report's template, for the Senior Management Team: only the theme's audits (QAF 5.6.4)."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from processors.reports.blocks import NO_DATA_STYLE, bullets, chart, para, table_block, tag
from processors.reports.layouts import GRADE_WIDTHS, GRADED, GRADED_CELLS, commentary, contents, cover


def summary(doc: DocumentObject) -> None:
    doc.add_heading("Summary", 1)
    tag(doc, "for line in headlines")
    para(doc, "{{ line }}", "List Bullet")
    tag(doc, "endfor")


def grades(doc: DocumentObject) -> None:
    doc.add_heading("How the audits were graded", 1)
    para(doc, "{{ theme.summary }}")
    chart(doc, "charts.grades")
    doc.add_heading("By question of the audit tool", 2)
    chart(doc, "charts.domains")
    table_block(doc, "domains", ["Question", *GRADED], ["r.label", *GRADED_CELLS], [5.5, *GRADE_WIDTHS], numeric=6)


def recurring(doc: DocumentObject) -> None:
    doc.add_heading("What recurs across the audits", 1)
    para(doc, "What auditors wrote in the strengths and areas for development, grouped by topic: how many of "
              "the audits mention it, with a short example (children are not identified).")
    for key, title in (("strengths", "Strengths"), ("areas", "Areas for development")):
        doc.add_heading(title, 2)
        table_block(doc, key, ["Topic", "Audits", "Share", "For example"], ["r.label", "r.audits", "r.share",
                                                                           "r.excerpt"], [4.5, 1.5, 1.5, 9.5])


def compared(doc: DocumentObject) -> None:
    doc.add_heading("Compared with the last audit on this theme", 1)
    tag(doc, "if comparison.rows")
    para(doc, "{{ comparison_note }}")
    table_block(doc, "comparison", ["", "Then", "Now", "Change"], ["r.label", "r.then", "r.now", "r.change"],
                [7, 3, 3, 4], numeric=3)
    tag(doc, "else")
    para(doc, "{{ comparison_note }}", NO_DATA_STYLE)
    tag(doc, "endif")


def findings(doc: DocumentObject) -> None:
    doc.add_heading("Findings by case", 1)
    table_block(doc, "theme.findings", ["Form", "Case ID", "Grade", "Findings on the theme"],
                ["r.form_id", "r.case_id", "r.grade", "r.text"], [3, 2.4, 2.6, 9])
    doc.add_heading("Recommendations", 2)
    bullets(doc, "theme.recommendations")
    doc.add_heading("Actions set in these audits", 2)
    table_block(doc, "theme.actions", ["Action", "Case ID", "What", "Owner", "Due", "Status"],
                ["r.action_id", "r.case_id", "r.text", "r.owner", "r.due", "r.status"], [3.4, 2, 5.2, 2.4, 2, 2])


THEMED_SECTIONS = (cover, contents, summary, commentary, grades, recurring, compared, findings)
