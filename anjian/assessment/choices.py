"""Choice classes of the assessment app: rule and veto kinds, grades, veto events, scheme states.

The kinds and grades mirror ``anjian.domain.assessment`` (where the scoring lives); a test keeps them equal.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "AccidentGrade",
    "Grade",
    "RuleKind",
    "SchemeState",
    "VetoEventKind",
    "VetoEventSource",
    "VetoKind",
]


class RuleKind(ColoredChoices):
    """What a scoring rule counts (see ``domain.assessment.RuleKind``)."""

    REPORTS_ON_TIME = "reports_on_time", _("进展报告按时报送")
    TARGETS_ON_TRACK = "targets_on_track", _("牵头指标进度")
    NOTICES_ANSWERED = "notices_answered", _("督办通知按期回复")
    BASE = "base", _("基础分")

    __colours__ = {
        "reports_on_time": "primary",
        "targets_on_track": "info",
        "notices_answered": "warning",
        "base": "secondary",
    }


class VetoKind(ColoredChoices):
    """What a veto (一票否决) condition looks for (see ``domain.assessment.VetoKind``)."""

    ACCIDENT_AT_LEAST = "accident_at_least", _("辖区发生一定等级以上生产安全事故")
    NOTICE_IGNORED = "notice_ignored", _("督办通知逾期未签收")
    REPORTS_MISSING_AT_LEAST = "reports_missing_at_least", _("缺报季度进展报告")

    __colours__ = {
        "accident_at_least": "danger",
        "notice_ignored": "warning",
        "reports_missing_at_least": "warning",
    }


class Grade(ColoredChoices):
    """The assessment grade; the thresholds are set per scheme."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")

    __colours__ = {"excellent": "success", "good": "primary", "pass": "info", "fail": "danger"}


class AccidentGrade(ColoredChoices):
    """Accident grades of 《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条."""

    GENERAL = "general", _("一般")
    LARGER = "larger", _("较大")
    MAJOR = "major", _("重大")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大")

    __colours__ = {"general": "yellow", "larger": "orange", "major": "red", "especially_major": "dark"}


class VetoEventKind(ColoredChoices):
    """What a recorded veto event is. Only accidents exist today; the incidents module will add its own."""

    ACCIDENT = "accident", _("生产安全事故")

    __colours__ = {"accident": "danger"}


class VetoEventSource(ColoredChoices):
    """Where a veto event came from: entered by the committee office, or created by a module."""

    MANUAL = "manual", _("安委办登记")
    INCIDENTS = "incidents", _("事故模块")

    __colours__ = {"manual": "secondary", "incidents": "info"}


class SchemeState(ColoredChoices):
    """Where a scheme stands (derived from ``is_final``, ``last_run_at`` and ``needs_rerun``; never stored)."""

    DRAFT = "draft", _("未计算")
    COMPUTED = "computed", _("已计算")
    STALE = "stale", _("待重新计算")
    FINAL = "final", _("已确认")

    __colours__ = {"draft": "secondary", "computed": "primary", "stale": "warning", "final": "success"}


# The scheme's edges are declared in ``assessment/workflows.py`` (``SCHEME_FLOW``).
