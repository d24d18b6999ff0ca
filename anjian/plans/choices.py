"""Choice classes of the plans app: unit roles, report statuses, the 督办 notice workflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "NOTICE_OPEN_STATES",
    "NOTICE_TERMINAL_STATES",
    "Comparator",
    "ComplianceState",
    "NoticeStatus",
    "ReportStatus",
    "TaskRole",
]


class TaskRole(ColoredChoices):
    """The part a unit plays in a task."""

    LEAD = "lead", _("牵头单位")
    COOPERATING = "cooperating", _("配合单位")
    RESPONSIBLE = "responsible", _("责任单位")

    __colours__ = {"lead": "danger", "cooperating": "info", "responsible": "primary"}


class Comparator(ColoredChoices):
    """How a target's value compares with the goal ("+=" means an increase by the value)."""

    AT_LEAST = ">=", _("不低于")
    AT_MOST = "<=", _("不高于")
    EQUAL = "==", _("达到")
    INCREASE = "+=", _("增加")

    __colours__ = {">=": "primary", "<=": "primary", "==": "primary", "+=": "info"}


class ReportStatus(ColoredChoices):
    """The progress a unit reports on a task for one quarter."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    BEHIND = "behind", _("滞后")

    __colours__ = {
        "not_started": "secondary",
        "in_progress": "primary",
        "done": "success",
        "behind": "danger",
    }


class ComplianceState(ColoredChoices):
    """Whether a quarterly report was filed on time (computed, never stored)."""

    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("逾期报送")
    MISSING = "missing", _("未报送")
    OPEN = "open", _("报送期内")

    __colours__ = {"on_time": "success", "late": "warning", "missing": "danger", "open": "info"}


class NoticeStatus(ColoredChoices):
    """The 督办 notice workflow: 已下发 → 已签收 → 已回复 → 已办结."""

    SENT = "sent", _("已下发")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已办结")

    __colours__ = {"sent": "danger", "acknowledged": "warning", "answered": "info", "closed": "success"}


NOTICE_OPEN_STATES = frozenset({NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED, NoticeStatus.ANSWERED})
NOTICE_TERMINAL_STATES = frozenset({NoticeStatus.CLOSED})

# The notice workflow's edges are declared in ``plans/workflows.py`` (``NOTICE_FLOW``).
