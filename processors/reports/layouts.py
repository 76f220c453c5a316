"""What the default templates say and in which order: the quarterly report follows the framework's
Outcomes Based Accountability questions (QAF 1.8, Figure 2), then themes, escalations (6.2), workforce
development (3.4) and good practice (8.5); the briefing note shares the month's learning (8.2.1).
"""

from __future__ import annotations

from docx.document import Document as DocumentObject

from processors.reports.blocks import (
    GRADE_CELLS,
    GRADE_HEADERS,
    NO_DATA_STYLE,
    bullets,
    chart,
    page_break,
    para,
    table_block,
    tag,
)
from processors.reports.wordfields import toc_field_paragraph

GRADED = ["Forms", *GRADE_HEADERS, "Good or better"]
GRADED_CELLS = ["r.total", *GRADE_CELLS, "r.good_pct"]
GRADE_WIDTHS = [1.3, 1.9, 1.4, 2.2, 1.8, 1.6]


def cover(doc: DocumentObject) -> None:
    para(doc, "{{ title }}", "Title")
    para(doc, "{{ subtitle }}", "Subtitle")
    para(doc, "{{ organisation }}, {{ audience }}. Produced {{ generated }}.")
    para(doc, "{{ privacy_note }}", NO_DATA_STYLE)


def contents(doc: DocumentObject) -> None:
    para(doc, "Contents", "TOC Heading")
    toc_field_paragraph(doc.add_paragraph()._p)
    page_break(doc)


def summary(doc: DocumentObject) -> None:
    doc.add_heading("Summary", 1)
    tag(doc, "for line in headlines")
    para(doc, "{{ line }}", "List Bullet")
    tag(doc, "endfor")
    para(doc, "This report answers the Outcomes Based Accountability questions of the Quality Assurance Framework "
              "(section 1.8): how much did we do, how well did we do it, and is anyone better off?")


def commentary(doc: DocumentObject) -> None:
    """The QA Manager's analysis and the recommendations SMT agreed (QAF 2.5, 5.6.4-5.6.5)."""
    doc.add_heading("The QA Manager's analysis", 1)
    tag(doc, "if commentary.present")
    para(doc, "{{ commentary.analysis }}")
    doc.add_heading("Where we need to focus our improvement efforts", 2)
    para(doc, "{{ commentary.where_to_focus }}")
    doc.add_heading("Recommendations", 2)
    table_block(doc, "commentary.recommendations", ["Recommendation", "Led by", "By"],
                ["r.text", "r.owner", "r.due"], [10, 4.5, 2.5])
    doc.add_heading("Actions agreed at SMT", 2)
    table_block(doc, "commentary.actions", ["Action", "What", "Owner", "Due", "Status"],
                ["r.action_id", "r.text", "r.owner", "r.due", "r.status"], [3, 6.5, 3, 2.2, 2.3])
    tag(doc, "else")
    para(doc, "{{ commentary.missing }}", NO_DATA_STYLE)
    tag(doc, "endif")


def how_much(doc: DocumentObject) -> None:
    doc.add_heading("How much did we do?", 1)
    para(doc, "Thematic peer audits, observations of practice and supervision file audits due this quarter, "
              "how many were completed and how many came back by their return date.")
    headers = ["Due", "Completed", "%", "On time", "% on time", "Received this quarter"]
    cells = ["r.allocated", "r.completed", "r.completed_pct", "r.on_time", "r.on_time_pct", "r.received"]
    doc.add_heading("By type of activity", 2)
    table_block(doc, "how_much.types", ["Activity", *headers], ["r.label", *cells], [4.4, 1.6, 2, 1.4, 1.8, 1.8, 3],
                numeric=6)
    tag(doc, "if show_services")
    doc.add_heading("By service", 2)
    table_block(doc, "how_much.services", ["Service", *headers], ["r.label", *cells], [4.4, 1.6, 2, 1.4, 1.8, 1.8, 3],
                numeric=6)
    tag(doc, "endif")


def how_well(doc: DocumentObject) -> None:
    doc.add_heading("How well did we do it?", 1)
    doc.add_heading("Overall grades", 2)
    chart(doc, "charts.grades")
    table_block(doc, "how_well.grades", ["Grade", "Forms", "Share"], ["r.label", "r.count", "r.share"],
                [6, 3, 3], numeric=2)
    doc.add_heading("Compared with previous quarters", 2)
    chart(doc, "charts.trend")
    table_block(doc, "how_well.trend", ["Quarter", *GRADED, "Change"], ["r.label", *GRADED_CELLS, "r.change"],
                [2.2, *GRADE_WIDTHS, 2.2], numeric=7)
    doc.add_heading("By domain", 2)
    table_block(doc, "how_well.domains", ["Domain", "Form", *GRADED], ["r.label", "r.detail", *GRADED_CELLS],
                [4, 2.6, *GRADE_WIDTHS], numeric=6)
    tag(doc, "if show_services")
    doc.add_heading("By service", 2)
    chart(doc, "charts.services")
    table_block(doc, "how_well.services", ["Service", *GRADED], ["r.label", *GRADED_CELLS], [5.5, *GRADE_WIDTHS],
                numeric=6)
    tag(doc, "endif")
    doc.add_heading("By team", 2)
    table_block(doc, "how_well.teams", ["Team", "Service", *GRADED], ["r.label", "r.detail", *GRADED_CELLS],
                [3.6, 3, *GRADE_WIDTHS], numeric=6)


def better_off(doc: DocumentObject) -> None:
    doc.add_heading("Is anyone better off?", 1)
    doc.add_heading("Impact for children", 2)
    para(doc, "Grades auditors gave for the impact of our work on outcomes for the child, with the change on the "
              "previous quarter in the share Good or better.")
    table_block(doc, "better_off.impact", ["Domain", "Form", *GRADED, "Change"],
                ["r.label", "r.detail", *GRADED_CELLS, "r.change"], [2.8, 2.2, *GRADE_WIDTHS, 1.8], numeric=7)
    doc.add_heading("Actions completed on time", 2)
    para(doc, "The SMART actions set in audits that were due this quarter, and what became of them.")
    chart(doc, "charts.actions")
    table_block(doc, "better_off.actions", ["Outcome", "Actions", "Share"], ["r.label", "r.count", "r.share"],
                [7, 3, 3], numeric=2)
    doc.add_heading("Cases audited again", 2)
    para(doc, "Cases audited this quarter that had been audited before with the same form: did the grade improve?")
    table_block(doc, "better_off.reaudits", ["Activity", "Cases", "Improved", "Same", "Declined", "% improved"],
                ["r.label", "r.cases", "r.improved", "r.same", "r.declined", "r.improved_pct"],
                [5, 2, 2, 2, 2, 2.4], numeric=5)


def themes(doc: DocumentObject) -> None:
    doc.add_heading("Thematic audits", 1)
    tag(doc, "if themes")
    tag(doc, "for t in themes")
    doc.add_heading("Theme: {{ t.name }}", 2)
    para(doc, "{{ t.summary }}")
    chart(doc, "t.chart")
    doc.add_heading("Findings", 3)
    table_block(doc, "t.findings", ["Form", "Case ID", "Grade", "Findings on the theme"],
                ["r.form_id", "r.case_id", "r.grade", "r.text"], [3, 2.4, 2.6, 9])
    doc.add_heading("Strengths", 3)
    bullets(doc, "t.strengths")
    doc.add_heading("Areas for improvement", 3)
    bullets(doc, "t.areas")
    doc.add_heading("Recommendations", 3)
    bullets(doc, "t.recommendations")
    doc.add_heading("Actions and their status", 3)
    table_block(doc, "t.actions", ["Action", "Case ID", "What", "Owner", "Due", "Status"],
                ["r.action_id", "r.case_id", "r.text", "r.owner", "r.due", "r.status"], [3.4, 2, 5.2, 2.4, 2, 2])
    tag(doc, "endfor")
    tag(doc, "else")
    para(doc, "{{ no_themes }}", NO_DATA_STYLE)
    tag(doc, "endif")


def escalations(doc: DocumentObject) -> None:
    doc.add_heading("Escalations", 1)
    para(doc, "Immediate concerns that auditors escalated from QA activity (QAF 5.4, 5.5). Escalations by IROs "
              "and CP Chairs (QAF 6.2), from SQAS's log, are under Other sources of assurance in the Senior "
              "Leadership Team's report. "
              "{{ escalations.summary }}")
    doc.add_heading("By service and route", 2)
    table_block(doc, "escalations.services", ["Service", "Escalations", "Share"], ["r.label", "r.count", "r.share"],
                [8, 3, 3], numeric=2)
    table_block(doc, "escalations.routes", ["Escalation route", "Escalations", "Share"],
                ["r.label", "r.count", "r.share"], [8, 3, 3], numeric=2)
    doc.add_heading("Each escalation", 2)
    table_block(doc, "escalations.rows", ["Form", "Case ID", "Service", "Raised", "Status", "Concern"],
                ["r.form_id", "r.case_id", "r.service", "r.raised", "r.status", "r.details"],
                [2.8, 2, 2.8, 2, 2.4, 5])


def workforce(doc: DocumentObject) -> None:
    tag(doc, "if show_workforce")
    doc.add_heading("Workforce development themes", 1)
    para(doc, "Themes for learning and development that observers recorded in practice observations (QAF 3.4). "
              "{{ workforce.summary }}")
    table_block(doc, "workforce.themes", ["Theme", "Observations", "Services"], ["r.label", "r.count", "r.where"],
                [7, 2.5, 7.5])
    tag(doc, "endif")


def showcase(doc: DocumentObject) -> None:
    tag(doc, "if show_showcase")
    doc.add_heading("Good practice showcase", 1)
    para(doc, "Good practice recorded this quarter, shared so it is recognised and celebrated (QAF 8.5).")
    tag(doc, "if showcase.rows")
    tag(doc, "for g in showcase.rows")
    doc.add_heading("{{ g.who }}, {{ g.team }}", 3)
    para(doc, "{{ g.summary }}")
    tag(doc, "if g.difference")
    para(doc, "The difference it made: {{ g.difference }}")
    tag(doc, "endif")
    tag(doc, "if g.trust_values")
    para(doc, "Our values shown: {{ g.trust_values }}", NO_DATA_STYLE)
    tag(doc, "endif")
    para(doc, "Record {{ g.form_id }}, {{ g.service }}", "Caption")
    tag(doc, "endfor")
    tag(doc, "else")
    para(doc, "{{ showcase.empty }}", NO_DATA_STYLE)
    tag(doc, "endif")
    tag(doc, "endif")


def other_assurance(doc: DocumentObject) -> None:
    """What other systems report (imported with `python run.py import`): the trust-wide report only."""
    tag(doc, "if other")
    doc.add_heading("Other sources of assurance", 1)
    para(doc, "Quality assurance that happens outside these forms, imported from the systems that hold it.")
    doc.add_heading("IRO and CP Chair escalations (SQAS, QAF 6.2)", 2)
    para(doc, "{{ other.sqas_summary }}")
    tag(doc, "if other.sqas.rows")
    table_block(doc, "other.sqas_stages", ["Stage", "Escalations", "Share"], ["r.label", "r.count", "r.share"],
                [8, 3, 3], numeric=2)
    table_block(doc, "other.sqas", ["Raised", "Case ID", "Raised by", "Stage", "Issue", "Outcome"],
                ["r.raised", "r.case_id", "r.raised_by", "r.stage", "r.issue", "r.outcome"], [2, 2, 2.5, 2, 4, 4])
    tag(doc, "endif")
    doc.add_heading("Multi-agency audits (NSCP, QAF 5.7)", 2)
    table_block(doc, "other.nscp", ["Audited", "Theme", "Agencies", "Finding", "Recommendation"],
                ["r.audited", "r.theme", "r.agencies", "r.finding", "r.recommendation"], [2, 2.5, 3, 5, 4.5])
    doc.add_heading("The impact of quality assurance: staff survey (QAF 8.3)", 2)
    para(doc, "{{ other.survey_summary }}")
    table_block(doc, "other.survey", ["Impact test", "Questions", "Responses", "Agree"],
                ["r.label", "r.questions", "r.responses", "r.agree"], [8, 3, 3, 3], numeric=3)
    doc.add_heading("What children and families told us (QAF 1.7)", 2)
    para(doc, "{{ other.feedback_summary }}")
    table_block(doc, "other.feedback", ["Feedback", "Records", "Share"], ["r.label", "r.count", "r.share"],
                [8, 3, 3], numeric=2)
    doc.add_heading("Performance against statistical neighbours and the region (QAF 4.2.1, 4.2.5)", 2)
    para(doc, "{{ other.indicators_summary }}")
    chart(doc, "charts.indicators")
    table_block(doc, "other.indicators", ["Indicator", "Trust", "Neighbours", "Region", "England", "Compared"],
                ["r.label", "r.trust", "r.neighbours", "r.region", "r.england", "r.compared"],
                [5, 1.8, 2.2, 1.8, 1.8, 4.4])
    tag(doc, "endif")


def activities(doc: DocumentObject) -> None:
    """The framework's other activities (issue 14), each by the OBA questions, when any had work this quarter."""
    tag(doc, "if activities")
    doc.add_heading("The framework's other activities", 1)
    para(doc, "Leaders' observations, management audits, commissioned case audits, practice weeks and Young "
              "Inspectors: how much we did, how well, and what we found.")
    tag(doc, "for s in activities")
    doc.add_heading("{{ s.title }}", 2)
    para(doc, "{{ s.reference }}", NO_DATA_STYLE)
    para(doc, "How much did we do? {{ s.how_much }}")
    para(doc, "How well did we do it? {{ s.how_well }}")
    para(doc, "What did we find?")
    table_block(doc, "s.found", ["Form", "Team", "What they found"], ["r.form_id", "r.where", "r.said"],
                [3, 3.5, 10.5])
    tag(doc, "endfor")
    tag(doc, "endif")


REPORT_SECTIONS = (cover, contents, summary, commentary, how_much, how_well, better_off, themes, escalations,
                   activities, other_assurance, workforce, showcase)


def briefing(doc: DocumentObject) -> None:
    para(doc, "{{ title }}", "Title")
    para(doc, "{{ subtitle }}", "Subtitle")
    para(doc, "{{ organisation }}. Produced {{ generated }}. {{ privacy_note }}", NO_DATA_STYLE)
    para(doc, "A regular briefing note sharing what we are learning from audits and observations (QAF 8.2.1).")
    doc.add_heading("This month in numbers", 1)
    bullets(doc, "numbers")
    doc.add_heading("What is working well", 1)
    bullets(doc, "strongest")
    doc.add_heading("In auditors' words", 2)
    bullets(doc, "strengths")
    doc.add_heading("Where to focus", 1)
    bullets(doc, "weakest")
    doc.add_heading("In auditors' words", 2)
    bullets(doc, "areas")
    doc.add_heading("Workforce development themes", 1)
    bullets(doc, "workforce")
    doc.add_heading("Good practice to celebrate", 1)
    bullets(doc, "good_practice")
