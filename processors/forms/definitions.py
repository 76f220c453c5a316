"""The one definition of each form type.

Every field a person fills in (and every case detail we pre-fill) is named here once. Generation,
template checks, parsing, validation, the register and the reports all read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from processors.dates import DATE_FORMAT_PY as DATE_FORMAT_PY
from processors.dates import DATE_FORMAT_WORD as DATE_FORMAT_WORD
from processors.forms import vocabulary as vocab
from processors.forms.routing import ROUTES
from processors.forms.vocabulary import GRADES, YES, YES_NO, YES_NO_PARTLY, ActionPart, action_key, action_label


class Kind(str, Enum):
    TEXT = "text"          # one line of plain text
    LONGTEXT = "longtext"  # narrative, several lines
    GRADE = "grade"        # dropdown of GRADES
    CHOICE = "choice"      # dropdown of the field's own choices
    DATE = "date"          # date picker, UK format
    CHECKBOX = "checkbox"  # ticked or not


def version_key(version: str) -> tuple[int, ...]:
    """'1.10' -> (1, 10), so versions compare as numbers; text that is not a version sorts last."""
    try:
        return tuple(int(part) for part in version.strip().split("."))
    except ValueError:
        return (10**6,)


# What each grade means, shown beside every graded area of the forms (reworded in Word freely: `templates check`
# looks at the controls, not at this text). Written for this framework: the child's experience comes first.
GRADE_DESCRIPTORS: dict[str, str] = {
    vocab.OUTSTANDING: "consistently strong practice that clearly improves the child's life; an example for others",
    vocab.GOOD: "what we expect: the child's needs are understood and met, and progress is evident",
    vocab.REQUIRES_IMPROVEMENT: "not yet good: gaps or drift, though the child is not left unsafe; actions needed",
    vocab.INADEQUATE: "serious gaps that leave the child at risk or without help: escalate and act now",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    prefilled: bool = False   # filled from the case or allocation list when the form is generated
    domain: bool = False      # a graded practice domain: goes to the Grades sheet and reports
    hint: str = ""            # guidance shown to the person filling the form
    required_if: tuple[str, str] | None = None  # (other key, value): required when other == value
    since: str = "1.0"        # the template version that added this field: older forms are not asked for it

    def asked_in(self, version: str) -> bool:
        """Whether a form made from template `version` has this field (an unknown version: assume it does)."""
        return version_key(version) >= version_key(self.since) if version else True

    @property
    def allowed(self) -> tuple[str, ...]:
        if self.kind is Kind.GRADE:
            return GRADES
        return self.choices


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    fields: tuple[Field, ...]
    table: str = "fields"  # "fields": label | control rows; "actions": the SMART actions grid


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    code: str             # three letters used in form IDs and file names
    version: str          # template version, embedded in every generated form
    framework_ref: str
    purpose: str
    sections: tuple[Section, ...]
    action_rows: int = 0
    subject_key: str = "case_id"  # what a returned form must name when its form reference is not one we issued
    fields: tuple[Field, ...] = field(init=False)

    def __post_init__(self) -> None:
        all_fields = tuple(f for s in self.sections for f in s.fields)
        keys = [f.key for f in all_fields]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"{self.key}: field keys defined twice: {sorted(dupes)}")
        object.__setattr__(self, "fields", all_fields)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def prefilled(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.prefilled)

    @property
    def fillable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.prefilled)

    @property
    def domains(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.domain)

    @property
    def filename(self) -> str:
        return f"{self.key}.docx"


# --- building blocks -------------------------------------------------------------------------

def _pre(key: str, label: str) -> Field:
    return Field(key, label, Kind.TEXT, prefilled=True)


CASE_DETAILS = (
    _pre("case_id", "Case ID"),
    _pre("child_initials", "Child's initials"),
    _pre("child_age", "Age"),
    _pre("legal_status", "Legal status"),
    _pre("service", "Service"),
    _pre("team", "Team"),
    _pre("practitioner", "Practitioner"),
    _pre("team_manager", "Team manager"),
)
AUDITOR = (_pre("auditor", "Auditor"), _pre("due_date", "Return by"))


def _graded(key: str, label: str, hint: str) -> tuple[Field, Field]:
    """A graded domain: the grade dropdown and its evidence box."""
    return (
        Field(key, label, Kind.GRADE, required=True, domain=True, hint=hint),
        Field(f"{key}_evidence", f"{label}: evidence", Kind.LONGTEXT),
    )


ACTION_KINDS = {ActionPart.TEXT: Kind.LONGTEXT, ActionPart.OWNER: Kind.TEXT, ActionPart.DUE: Kind.DATE}


def action_fields(rows: int) -> tuple[Field, ...]:
    out: list[Field] = []
    for n in range(1, rows + 1):
        out += [Field(action_key(n, part), action_label(n, part), kind) for part, kind in ACTION_KINDS.items()]
    return tuple(out)


def _actions(rows: int) -> Section:
    return Section(
        "SMART actions",
        "Specific, measurable, achievable, relevant and time-bound. One action per row, with an owner "
        "and a due date. Service and Strategic Managers make sure they are completed (QAF 5.3).",
        action_fields(rows),
        table="actions",
    )


def _concern(route_since: str = "1.0") -> tuple[Field, ...]:
    """Every form that can raise a concern asks which route it took (QAF 5.4, 5.5); `route_since`: the
    template version that added that question to the form."""
    fields = [
        Field("immediate_concern", "Immediate concern needing escalation?", Kind.CHOICE, required=True,
              choices=YES_NO, hint="Concerns serious enough to need immediate attention (QAF 5.4, 5.5)."),
        Field("immediate_concern_details", "Details of the concern and action taken", Kind.LONGTEXT,
              required_if=("immediate_concern", YES)),
    ]
    fields.append(Field("escalation_route", "Escalation route", Kind.CHOICE, choices=ROUTES,
                        required_if=("immediate_concern", YES),
                        hint="Social care cases: IRO / CP Chair escalation in Care First; Early Help: the Service "
                             "Manager (QAF 5.4).", since=route_since))
    return tuple(fields)


ACTION_ROWS = 5

SUPERVISION_AUDIT = FormDefinition(
    key=vocab.SUPERVISION,
    title="Supervision File Audit",
    code="SFA",
    version="1.1",
    framework_ref="QAF section 2 (Supervision)",
    purpose="Audit of a practitioner's supervision file by a Service or Strategic Manager within their "
            "own service (QAF 2.3). Findings are fed back to the supervising manager (QAF 2.4).",
    action_rows=ACTION_ROWS,
    sections=(
        Section("Supervision file", "Pre-filled from the allocation.",
                (_pre("case_id", "Case ID (file sampled)"), _pre("practitioner", "Supervisee"),
                 _pre("team_manager", "Supervisor"), _pre("team", "Team"), _pre("service", "Service"),
                 *AUDITOR)),
        Section("Supervision record", "Is supervision happening as the supervision policy expects?",
                (Field("audit_date", "Date of audit", Kind.DATE, required=True),
                 Field("last_supervision_date", "Date of most recent supervision", Kind.DATE),
                 Field("frequency_in_line_with_policy", "Supervision frequency in line with policy?",
                       Kind.CHOICE, required=True, choices=YES_NO_PARTLY),
                 Field("decisions_on_case_file", "Comments and decisions recorded on the child's case file?",
                       Kind.CHOICE, required=True, choices=YES_NO_PARTLY, hint="QAF 2.1"))),
        Section("Quality of supervision", "Grade each area and give the evidence you saw (QAF 2.2).",
                (*_graded("reflection_challenge", "Reflection and challenge",
                          "Does supervision show reflective discussion and challenge?"),
                 *_graded("guidance_support", "Clear guidance and support",
                          "Is the direction given to the practitioner clear?"),
                 *_graded("smart_actions", "SMART actions which are followed up",
                          "Are actions specific and time-bound, and were earlier ones followed up?"),
                 *_graded("signs_of_safety", "Signs of Safety and evidence-informed practice",
                          "Use of the Signs of Safety practice model and other evidence-informed models."),
                 *_graded("voice_of_child", "Views of the child, family and advocates",
                          "The child's experiences and how they informed practice and interventions."),
                 *_graded("quality_of_practice", "Quality of practice, decision making, assessments and plans", ""),
                 *_graded("timeliness", "Timeliness and appropriateness of support", ""),
                 *_graded("impact_on_outcomes", "Impact on outcomes for the child", ""))),
        Section("Overall judgement", "",
                (Field("overall_grade", "Overall grade", Kind.GRADE, required=True),
                 Field("strengths", "Strengths", Kind.LONGTEXT, required=True),
                 Field("areas_for_development", "Areas for development", Kind.LONGTEXT, required=True),
                 Field("feedback_to_manager", "Findings fed back to the supervising manager?", Kind.CHOICE,
                       choices=YES_NO, hint="QAF 2.4"),
                 *_concern(route_since="1.1"))),
        _actions(ACTION_ROWS),
    ),
)

OBSERVATION_SETTINGS = ("Home visit", "Direct work with the child", "Family meeting", "Child protection conference",
                        "Core group", "Child looked after review", "Virtual meeting", "Other")

PRACTICE_OBSERVATION = FormDefinition(
    key=vocab.OBSERVATION,
    title="Observation of Practice",
    code="OBS",
    version="1.1",
    framework_ref="QAF section 3 (Practice Observations)",
    purpose="A Team Manager accompanies a team member delivering direct work with a family and gives "
            "feedback on strengths, good practice and areas for development (QAF 3.1).",
    action_rows=ACTION_ROWS,
    sections=(
        Section("Observation details", "Pre-filled from the allocation.",
                (*CASE_DETAILS, _pre("auditor", "Observer"), _pre("due_date", "Return by"))),
        Section("The observation", "",
                (Field("observation_date", "Date of observation", Kind.DATE, required=True),
                 Field("observation_setting", "Setting", Kind.CHOICE, required=True, choices=OBSERVATION_SETTINGS),
                 Field("family_consent", "Family agreed to the observation?", Kind.CHOICE, required=True,
                       choices=YES_NO),
                 Field("what_was_observed", "What was observed", Kind.LONGTEXT, required=True,
                       hint="Who was there, the purpose of the visit or meeting, what happened."))),
        Section("Quality of practice", "Grade each area and give the evidence you saw.",
                (*_graded("relationship_with_family", "Relationship and communication with the family", ""),
                 *_graded("voice_of_child", "The child's voice and lived experience", ""),
                 *_graded("signs_of_safety", "Use of Signs of Safety", ""),
                 *_graded("analysis_of_risk", "Analysis of risk, needs and strengths", ""),
                 *_graded("professionalism", "Professionalism and the trust's values", ""))),
        Section("Feedback", "Feedback to the practitioner, reviewed in supervision and appraisal (QAF 3.1).",
                (Field("strengths", "Strengths", Kind.LONGTEXT, required=True),
                 Field("good_practice", "Good practice seen", Kind.LONGTEXT),
                 Field("areas_for_development", "Areas for development", Kind.LONGTEXT, required=True),
                 Field("family_feedback", "The family's feedback", Kind.LONGTEXT),
                 Field("practitioner_reflection", "The practitioner's reflection", Kind.LONGTEXT),
                 Field("workforce_development_theme", "Workforce development theme", Kind.TEXT,
                       hint="A theme for learning and development (QAF 3.4), if any."),
                 Field("overall_grade", "Overall grade", Kind.GRADE, required=True),
                 *_concern())),
        _actions(ACTION_ROWS),
    ),
)

THEMATIC_AUDIT = FormDefinition(
    key=vocab.THEMATIC,
    title="Thematic Peer Audit",
    code="TPA",
    version="1.1",
    framework_ref="QAF section 5.6 (Thematic Peer Audits)",
    purpose="A peer audit of a case the auditor has not been involved in nor had management oversight of "
            "(QAF 5.6.1). Wherever possible audit alongside the practitioner (QAF 5.2).",
    action_rows=ACTION_ROWS,
    sections=(
        Section("Case details", "Pre-filled from the allocation.",
                (*CASE_DETAILS, _pre("theme", "Audit theme"), *AUDITOR)),
        Section("About this audit", "",
                (Field("audit_date", "Date of audit", Kind.DATE, required=True),
                 Field("audited_alongside_practitioner", "Audited alongside the practitioner?", Kind.CHOICE,
                       required=True, choices=YES_NO_PARTLY, hint="QAF 5.2"),
                 Field("not_alongside_reason", "If not, why not", Kind.TEXT),
                 Field("period_reviewed", "Period of the record reviewed", Kind.TEXT))),
        Section("Findings by domain", "Grade each domain and give the evidence from the file.",
                (*_graded("voice_of_child", "Voice of the child", "Is the child seen, heard and understood?"),
                 *_graded("assessment", "Assessment", "Is the assessment current, analytical and child-focused?"),
                 *_graded("planning", "Planning", "Is the plan SMART and driving change?"),
                 *_graded("management_oversight", "Management oversight",
                          "Is supervision and management direction evident and effective?"),
                 *_graded("timeliness", "Timeliness", "Were visits, assessments and reviews on time?"),
                 *_graded("multi_agency", "Multi-agency work", "Are partners engaged and sharing information?"),
                 *_graded("impact_for_child", "Impact for the child", "Is the child better off?"),
                 Field("theme_findings", "Findings on the audit theme", Kind.LONGTEXT, required=True))),
        Section("Overall judgement", "",
                (Field("overall_grade", "Overall grade", Kind.GRADE, required=True),
                 Field("strengths", "Strengths", Kind.LONGTEXT, required=True),
                 Field("areas_for_improvement", "Areas for improvement", Kind.LONGTEXT, required=True),
                 Field("team_manager_informed", "Practitioner's Team Manager made aware of findings?", Kind.CHOICE,
                       required=True, choices=YES_NO, hint="QAF 5.3"),
                 Field("summary_on_record", "Summary recorded on the child's record?", Kind.CHOICE,
                       choices=YES_NO, hint="QAF 5.4"),
                 *_concern())),
        _actions(ACTION_ROWS),
    ),
)

TRUST_VALUES = (
    ("value_child_focussed", "Child focussed"),
    ("value_trust_integrity", "Trust and integrity"),
    ("value_solution_focussed", "Solution focussed and forward thinking"),
    ("value_inspiration", "Inspiration, energy and motivation"),
    ("value_good_communicators", "Good communicators"),
)

GOOD_PRACTICE = FormDefinition(
    key=vocab.GOOD_PRACTICE,
    title="Good Practice Evidence Record",
    code="GPR",
    subject_key="practitioner",
    version="1.1",
    framework_ref="QAF section 8.5 (Celebrating Good Practice)",
    purpose="Anyone can record a colleague's good practice. The record is shared with the practitioner, their "
            "line manager and the QA Manager, and the practitioner's senior leader says thank you (QAF 8.5.4).",
    sections=(
        Section("Whose practice", "Pre-filled where known.",
                (Field("practitioner", "Practitioner", Kind.TEXT, prefilled=True, required=True),
                 _pre("team", "Team"), _pre("service", "Service"),
                 _pre("team_manager", "Line manager"), _pre("case_id", "Case ID (if any)"))),
        Section("Nominated by", "",
                (Field("nominated_by", "Your name", Kind.TEXT, required=True),
                 Field("nominator_role", "Your role and team", Kind.TEXT, required=True),
                 Field("date_of_practice", "When the practice took place", Kind.DATE, required=True))),
        Section("The good practice", "",
                (Field("what_was_done", "What was done", Kind.LONGTEXT, required=True),
                 Field("difference_for_child", "The difference it made for the child or family", Kind.LONGTEXT,
                       required=True),
                 *(Field(key, label, Kind.CHECKBOX) for key, label in TRUST_VALUES))),
        Section("Recognition", "",
                (Field("senior_leader", "Senior leader who will say thank you", Kind.TEXT, required=True),
                 Field("share_across_workforce", "Share across the workforce?", Kind.CHOICE, required=True,
                       choices=YES_NO),
                 Field("practitioner_aware", "Practitioner knows it has been shared?", Kind.CHOICE, choices=YES_NO))),
    ),
)

RECOMMENDATION_ROWS = 5


def recommendation_fields(rows: int) -> tuple[Field, ...]:
    out: list[Field] = []
    for n in range(1, rows + 1):
        out += [
            Field(f"recommendation_{n}", f"Recommendation {n}", Kind.LONGTEXT),
            Field(f"recommendation_{n}_owner", f"Recommendation {n}: who will lead it", Kind.TEXT),
            Field(f"recommendation_{n}_due", f"Recommendation {n}: by when", Kind.DATE),
        ]
    return tuple(out)


QA_COMMENTARY = FormDefinition(
    key=vocab.QA_COMMENTARY,
    title="QA Manager's Quarterly Commentary",
    code="QMC",
    subject_key="quarter",
    version="1.0",
    framework_ref="QAF sections 2.5 and 5.6.4-5.6.5 (quarterly reports, recommendations agreed at SMT)",
    purpose="The QA Manager's analysis of the quarter for the quarterly and themed reports: what the findings "
            "mean, where to focus our improvement efforts, the recommendations, and the actions SMT agreed. "
            "The key figures are filled in from the QA data.",
    action_rows=ACTION_ROWS,
    sections=(
        Section("The quarter", "Pre-filled from the QA data.",
                (_pre("quarter", "Quarter"), Field("key_figures", "Key figures", Kind.LONGTEXT, prefilled=True),
                 _pre("auditor", "QA Manager"), _pre("due_date", "Return by"))),
        Section("Analysis", "",
                (Field("analysis", "What the quarter's findings tell us", Kind.LONGTEXT, required=True,
                       hint="The QA Manager's analysis of themes and patterns (QAF 2.5)."),
                 Field("where_to_focus", "Where do we need to focus our improvement efforts?", Kind.LONGTEXT,
                       required=True))),
        Section("Recommendations", "One recommendation per row, each with who will lead it and by when "
                "(QAF 5.6.4).", recommendation_fields(RECOMMENDATION_ROWS)),
        Section("Actions agreed at SMT", "The actions the Senior Management Team agreed (QAF 5.6.5): one per row, "
                "with an owner and a due date. They join the register's Actions sheet and are chased like others.",
                action_fields(ACTION_ROWS), table="actions"),
    ),
)

# --- the framework's other activities (issue 14): leaders, managers, commissioned audits, practice weeks --------

LEADER_ROLES = ("Team Manager", "Service Manager", "Strategic Manager", "Head of Service", "Director",
                "Director of Children's Services", "Other")
OBSERVATION_KINDS = ("Service observation", "Thematic observation")

LEADER_OBSERVATION = FormDefinition(
    key=vocab.LEADER_OBSERVATION,
    title="Leader's Practice Observation",
    code="LPO",
    subject_key="auditor",
    version="1.0",
    framework_ref="QAF sections 3.3-3.4 (leaders' practice observations)",
    purpose="Every leader from Team Manager to the DCS observes practice once a year, in a service or on a theme, "
            "never in their own line. The report goes to the QA Manager, who gathers the themes (QAF 3.4).",
    sections=(
        Section("The observation", "Pre-filled from the observation plan where known.",
                (_pre("auditor", "Leader"), _pre("service", "Service observed"), _pre("team", "Team observed"),
                 _pre("theme", "Theme (a thematic observation)"), _pre("due_date", "Return by"),
                 Field("leader_role", "Your role", Kind.CHOICE, required=True, choices=LEADER_ROLES),
                 Field("observation_kind", "Kind of observation", Kind.CHOICE, required=True,
                       choices=OBSERVATION_KINDS),
                 Field("observation_date", "Date of observation", Kind.DATE, required=True))),
        Section("What you saw", "",
                (Field("what_was_seen", "What was seen", Kind.LONGTEXT, required=True,
                       hint="Who you were with, what happened, what it was like for the child or family."),
                 Field("strengths", "Strengths", Kind.LONGTEXT, required=True),
                 Field("areas_for_development", "Areas for development", Kind.LONGTEXT, required=True),
                 Field("themes_for_qa", "Themes for the QA Manager", Kind.LONGTEXT,
                       hint="Learning for the workforce or the service the QA Manager should gather (QAF 3.4)."),
                 *_concern())),
    ),
)

MANAGEMENT_AUDIT = FormDefinition(
    key=vocab.MANAGEMENT_AUDIT,
    title="Management Audit",
    code="MGA",
    version="1.0",
    framework_ref="QAF sections 5.5.1 and 5.5.3 (management audits)",
    purpose="Team, Service and Strategic Managers audit cases and supervision in their own service. Findings and "
            "themes are reviewed in the service's performance clinic; wider issues go to the QA Manager (QAF 5.5.3).",
    action_rows=ACTION_ROWS,
    sections=(
        Section("Case audited", "Fill in the case you audited (your own service is filled in where known).",
                (*CASE_DETAILS, _pre("auditor", "Manager auditing"), _pre("due_date", "Return by"))),
        Section("The audit", "",
                (Field("audit_date", "Date of audit", Kind.DATE, required=True),
                 Field("audit_focus", "Focus of the audit", Kind.TEXT, hint="e.g. the plan, supervision, visits."),
                 *_graded("voice_of_child", "Voice of the child", "Is the child seen, heard and understood?"),
                 *_graded("assessment_and_planning", "Assessment and planning", ""),
                 *_graded("management_oversight", "Management oversight and supervision", ""),
                 *_graded("impact_for_child", "Impact for the child", "Is the child better off?"))),
        Section("Findings", "",
                (Field("overall_grade", "Overall grade", Kind.GRADE, required=True),
                 Field("findings", "Findings", Kind.LONGTEXT, required=True),
                 Field("clinic_issues", "Issues for the performance clinic", Kind.LONGTEXT,
                       hint="Themes for the service's performance clinic (QAF 5.5.3)."),
                 Field("wider_issues", "Wider issues for the QA Manager", Kind.LONGTEXT,
                       hint="Anything beyond your service the QA Manager should know (QAF 5.5.3)."),
                 *_concern())),
        _actions(ACTION_ROWS),
    ),
)

COMMISSIONERS = ("SLT", "Service Manager", "Strategic Manager", "NSCP", "Other")

COMMISSIONED_AUDIT = FormDefinition(
    key=vocab.COMMISSIONED_AUDIT,
    title="Commissioned Case Audit",
    code="CCA",
    version="1.0",
    framework_ref="QAF section 5.8.1 (case audits commissioned for cases causing concern)",
    purpose="An audit of a case causing concern, commissioned by SLT, a Service or Strategic Manager or the NSCP "
            "and undertaken by an operational manager or a member of SQAS with no involvement in the case. "
            "Findings and lessons feed the quarterly report.",
    action_rows=ACTION_ROWS,
    sections=(
        Section("Case details", "Pre-filled from the commission.",
                (*CASE_DETAILS, _pre("commissioned_by", "Commissioned by"), _pre("commission_reason", "Reason"),
                 *AUDITOR)),
        Section("The audit", "",
                (Field("audit_date", "Date of audit", Kind.DATE, required=True),
                 Field("period_reviewed", "Period of the record reviewed", Kind.TEXT),
                 *_graded("safety_and_risk", "Safety and management of risk", ""),
                 *_graded("assessment_and_planning", "Assessment and planning", ""),
                 *_graded("management_oversight", "Management oversight", ""),
                 *_graded("multi_agency", "Multi-agency work", ""))),
        Section("Findings", "",
                (Field("overall_grade", "Overall grade", Kind.GRADE, required=True),
                 Field("findings", "Findings", Kind.LONGTEXT, required=True),
                 Field("lessons", "Lessons for the service and the trust", Kind.LONGTEXT, required=True,
                       hint="They feed the quarterly report (QAF 5.8.1)."),
                 *_concern())),
        _actions(ACTION_ROWS),
    ),
)

PRACTICE_WEEK_REVIEW = FormDefinition(
    key=vocab.PRACTICE_WEEK_REVIEW,
    title="Practice Week Review",
    code="PWR",
    version="1.0",
    framework_ref="QAF sections 7.3-7.5 (practice weeks)",
    purpose="A member of the practice-week team from outside the service comes alongside a practitioner and "
            "records what they saw. The week ends with findings and recommendations (QAF 7.5).",
    sections=(
        Section("The visit", "Pre-filled from the practice-week plan.",
                (*CASE_DETAILS, _pre("auditor", "Reviewer"), _pre("due_date", "Return by"))),
        Section("What you saw", "",
                (Field("visit_date", "Date of the visit", Kind.DATE, required=True),
                 Field("visit_setting", "Setting", Kind.CHOICE, required=True, choices=OBSERVATION_SETTINGS),
                 Field("what_was_seen", "What you saw", Kind.LONGTEXT, required=True),
                 Field("strengths", "Strengths", Kind.LONGTEXT, required=True),
                 Field("areas_to_develop", "Areas to develop", Kind.LONGTEXT, required=True),
                 Field("recommendation", "Your recommendation for the week's findings", Kind.LONGTEXT),
                 *_concern())),
    ),
)

YOUNG_INSPECTOR_FEEDBACK = FormDefinition(
    key=vocab.YOUNG_INSPECTOR_FEEDBACK,
    title="Young Inspectors' Feedback",
    code="YIF",
    version="1.0",
    framework_ref="QAF section 7.4 (Young Inspectors)",
    purpose="Your views as a Young Inspector. There are no right or wrong answers: tell us in your own words.",
    sections=(
        Section("About the visit", "We have filled this in for you.",
                (_pre("case_id", "Visit reference"), _pre("practitioner", "Worker"), _pre("team", "Team"),
                 _pre("service", "Service"), _pre("auditor", "Young Inspector"), _pre("due_date", "Please send by"))),
        Section("What you think", "",
                (Field("would_want_help", "Would you want this worker to help you?", Kind.CHOICE, required=True,
                       choices=YES_NO_PARTLY),
                 Field("why", "Why?", Kind.LONGTEXT, required=True),
                 Field("did_well", "What did they do well?", Kind.LONGTEXT, required=True),
                 Field("could_be_better", "What could be better?", Kind.LONGTEXT),
                 Field("listened", "Did the worker listen to the young person?", Kind.CHOICE, choices=YES_NO_PARTLY),
                 Field("anything_else", "Anything else you want to tell us?", Kind.LONGTEXT),
                 # a worry is an immediate concern: it alerts the service's managers and the QA Manager at once
                 Field("immediate_concern", "Did anything worry you?", Kind.CHOICE, required=True, choices=YES_NO,
                       hint="If yes, tell the adult you are with today as well."),
                 Field("immediate_concern_details", "What worried you?", Kind.LONGTEXT,
                       required_if=("immediate_concern", YES)))),
    ),
)

FORM_TYPES: dict[str, FormDefinition] = {
    d.key: d for d in (SUPERVISION_AUDIT, PRACTICE_OBSERVATION, THEMATIC_AUDIT, GOOD_PRACTICE, QA_COMMENTARY,
                       LEADER_OBSERVATION, MANAGEMENT_AUDIT, COMMISSIONED_AUDIT, PRACTICE_WEEK_REVIEW,
                       YOUNG_INSPECTOR_FEEDBACK)
}
BY_CODE: dict[str, FormDefinition] = {d.code: d for d in FORM_TYPES.values()}


def form_type(name: str) -> FormDefinition:
    """Look a form type up by key, code or title (any case)."""
    wanted = name.strip().lower().replace("-", "_")
    for d in FORM_TYPES.values():
        if wanted in (d.key, d.code.lower(), d.title.lower(), d.title.lower().replace(" ", "_")):
            return d
    raise KeyError(name)
