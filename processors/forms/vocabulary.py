"""The words the forms, the register and the reports share, each written here once.

Grades, answers, form-type keys, roles, legal statuses, action statuses, how the rows of a form's actions
table are named, and how a generated form names itself (its document properties and the 'Form ref:' line
in its footer). Everything else imports these; a test fails if a grade is spelled out anywhere else.
The form definitions (``definitions.py``) use this vocabulary; dates are in ``processors.dates``.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Literal, get_args

# --- grades and answers -----------------------------------------------------------------------

Grade = Literal["Outstanding", "Good", "Requires Improvement", "Inadequate"]
GRADES: tuple[str, ...] = get_args(Grade)
OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = GRADES

Answer = Literal["Yes", "No", "Partly"]
YES, NO, PARTLY = get_args(Answer)
YES_NO: tuple[str, ...] = (YES, NO)
YES_NO_PARTLY: tuple[str, ...] = (YES, NO, PARTLY)

# --- form types (their definitions: processors.forms.definitions) ----------------------------

AuditType = Literal["supervision_audit", "practice_observation", "thematic_audit"]
ActivityType = Literal["leader_observation", "management_audit", "commissioned_audit", "practice_week_review",
                       "young_inspector_feedback"]
FormTypeKey = Literal[AuditType, "good_practice", "qa_commentary", ActivityType]
AUDIT_TYPES: tuple[str, ...] = get_args(AuditType)       # allocated each cycle, graded, chased
FORM_TYPE_KEYS: tuple[str, ...] = get_args(FormTypeKey)
ACTIVITY_TYPES: tuple[str, ...] = get_args(ActivityType)  # the framework's other activities (QAF 3.3, 5.5, 5.8, 7)
(SUPERVISION, OBSERVATION, THEMATIC, GOOD_PRACTICE, QA_COMMENTARY, LEADER_OBSERVATION, MANAGEMENT_AUDIT,
 COMMISSIONED_AUDIT, PRACTICE_WEEK_REVIEW, YOUNG_INSPECTOR_FEEDBACK) = FORM_TYPE_KEYS

# --- people and cases -------------------------------------------------------------------------

ROLES: tuple[str, ...] = ("Team Manager", "Service Manager", "Strategic Manager", "IRO", "CP Chair", "Senior Leader")
TEAM_MANAGER, SERVICE_MANAGER, STRATEGIC_MANAGER, IRO, CP_CHAIR, SENIOR_LEADER = ROLES
LEGAL_STATUSES: tuple[str, ...] = ("Child in Need", "Child Protection", "Child Looked After", "Early Help")
CHILD_IN_NEED, CHILD_PROTECTION, CHILD_LOOKED_AFTER, EARLY_HELP = LEGAL_STATUSES

# --- actions ----------------------------------------------------------------------------------

ActionStatus = Literal["Open", "In progress", "Completed", "Not required"]
ACTION_STATUSES: tuple[str, ...] = get_args(ActionStatus)
OPEN, IN_PROGRESS, COMPLETED, NOT_REQUIRED = ACTION_STATUSES
CLOSED_STATUSES: frozenset[str] = frozenset({COMPLETED, NOT_REQUIRED})


class ActionPart(Enum):
    """The three cells of a row of a form's actions table: value = the field key's suffix."""

    TEXT = ""
    OWNER = "_owner"
    DUE = "_due"

    @property
    def heading(self) -> str:
        """The column's heading in the actions table."""
        return {ActionPart.TEXT: "Action", ActionPart.OWNER: "Owner", ActionPart.DUE: "Due date"}[self]

    @property
    def label_suffix(self) -> str:
        """What follows 'Action N' in the field's label."""
        return {ActionPart.TEXT: "", ActionPart.OWNER: " owner", ActionPart.DUE: " due date"}[self]


ACTION_NUMBER_HEADING = "No."
_ACTION_KEY = re.compile(r"^action_(\d+)(_owner|_due)?$")
_ACTION_LABEL = re.compile(r"^action (\d+)( owner| due date)?$", re.IGNORECASE)


def action_key(row: int, part: ActionPart = ActionPart.TEXT) -> str:
    """The field key of one cell of the actions table: action_3, action_3_owner, action_3_due."""
    return f"action_{row}{part.value}"


def action_label(row: int, part: ActionPart = ActionPart.TEXT) -> str:
    """The label people see for that cell: 'Action 3', 'Action 3 owner', 'Action 3 due date'."""
    return f"Action {row}{part.label_suffix}"


def parse_action_key(key: str) -> tuple[int, ActionPart] | None:
    """(row, part) of an action field key; None when the key is not one."""
    match = _ACTION_KEY.match(key)
    return (int(match[1]), ActionPart(match[2] or "")) if match else None


def parse_action_label(label: str) -> tuple[int, ActionPart] | None:
    """(row, part) of an action field's label, any case ('action 3 due date'); None when it is not one."""
    match = _ACTION_LABEL.match(label)
    if not match:
        return None
    suffix = (match[2] or "").lower()
    return int(match[1]), next(p for p in ActionPart if p.label_suffix == suffix)


def action_heading_part(heading: str) -> ActionPart | None:
    """The part a column heading of the actions table stands for ('Due date' -> DUE), any case."""
    wanted = heading.strip().lower()
    return next((p for p in ActionPart if p.heading.lower() == wanted), None)


# --- how a generated form names itself ------------------------------------------------------

# FormIdentity attribute -> the Word custom document property that carries it
IDENTITY_PROPERTIES: dict[str, str] = {"form_id": "QA form ID", "form_type": "QA form type",
                                       "template_version": "QA template version", "cycle_id": "QA cycle"}
FORM_REF_LABEL = "Form ref:"
FORM_REF = re.compile(r"Form\s*ref:?\s*((\d{4}-C\d{2})-([A-Z]{3})-\d{3,})")
TEMPLATE_VERSION_LABEL = "template v"
TEMPLATE_VERSION = re.compile(r"template\s+v(\d+(?:\.\d+)*)")


def form_ref_line(form_ref: str) -> str:
    """The printed form reference, as the footer shows it: 'Form ref: 2026-C09-TPA-001'."""
    return f"{FORM_REF_LABEL} {form_ref}"
