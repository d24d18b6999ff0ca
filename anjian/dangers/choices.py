"""Choice classes of 隐患排查治理 and the rectification loop's edges, declared once as data.

The loop (issue 10): 上报 → 核实定级 → 整改中 → 待验收 → 已销号, 驳回 back to 整改中, 不予认定 from 上报;
nothing else. The edges are ``workflows.DANGER_FLOW``; each has one action in ``actions.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "OPEN_STATES",
    "TERMINAL_STATES",
    "Cycle",
    "DangerEvents",
    "DangerGrade",
    "DangerSource",
    "DangerStatus",
    "ItemResult",
    "PhotoStage",
]


class DangerStatus(ColoredChoices):
    """Where a hidden danger stands (数据交换规范 dangerState: 0 整改中, 1 待验收, 9 已验收)."""

    REPORTED = "reported", _("已上报")
    VERIFIED = "verified", _("已核实定级")
    RECTIFYING = "rectifying", _("整改中")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收")
    CLOSED = "closed", _("已销号")
    DISMISSED = "dismissed", _("不予认定")

    __colours__ = {
        "reported": "secondary",
        "verified": "info",
        "rectifying": "warning",
        "awaiting_acceptance": "primary",
        "closed": "success",
        "dismissed": "dark",
    }


OPEN_STATES = frozenset({"reported", "verified", "rectifying", "awaiting_acceptance"})
TERMINAL_STATES = frozenset({"closed", "dismissed"})
#: States in which a deadline runs (after the 五到位 were set).
DEADLINE_STATES = frozenset({"rectifying", "awaiting_acceptance"})

# The loop's edges are the transition table ``workflows.DANGER_FLOW`` (``core.workflow``).


class DangerGrade(ColoredChoices):
    """隐患等级 (原国家安监总局令第16号 第三条; 数据交换规范 dangerLevel 0 一般, 1 重大)."""

    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")

    __colours__ = {"general": "warning", "major": "danger"}


class DangerSource(ColoredChoices):
    """Where a hidden danger was found; later modules report through ``actions.report_danger``."""

    INSPECTION = "inspection", _("隐患排查")
    SELF_CHECK = "self_check", _("企业自查")
    ENFORCEMENT = "enforcement", _("执法检查")
    COMPLAINT = "complaint", _("举报投诉")
    ALARM = "alarm", _("监测报警")
    INCIDENT = "incident", _("事故事件")
    SNAPSHOT = "snapshot", _("随手拍")
    OTHER = "other", _("其他")

    __colours__ = {
        "inspection": "primary",
        "self_check": "info",
        "enforcement": "danger",
        "complaint": "warning",
        "alarm": "danger",
        "incident": "dark",
        "snapshot": "secondary",
        "other": "secondary",
    }


class Cycle(ColoredChoices):
    """排查周期 of an inspection task (数据交换规范 checkCycle + checkCycleUnit)."""

    SHIFT = "shift", _("每班")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季")
    YEARLY = "yearly", _("每年")

    __colours__ = {
        "shift": "danger",
        "daily": "warning",
        "weekly": "primary",
        "monthly": "info",
        "quarterly": "secondary",
        "yearly": "secondary",
    }


class ItemResult(ColoredChoices):
    """One checklist item's result."""

    OK = "ok", _("正常")
    DANGER = "danger", _("发现隐患")
    NA = "na", _("不适用")

    __colours__ = {"ok": "success", "danger": "danger", "na": "secondary"}


class PhotoStage(ColoredChoices):
    """When a photo was taken: when found (整改前) or after rectification (整改后)."""

    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")

    __colours__ = {"before": "danger", "after": "success"}


class DangerEvents(models.IntegerChoices):
    """Audit events of 隐患排查治理 (9xx)."""

    DANGER_REPORTED = 901, _("上报隐患")
    DANGER_VERIFIED = 902, _("核实定级")
    DANGER_DISMISSED = 903, _("不予认定")
    DANGER_ASSIGNED = 904, _("下达整改（五到位）")
    DANGER_SUBMITTED = 905, _("申请验收")
    DANGER_ACCEPTED = 906, _("验收销号")
    DANGER_REJECTED = 907, _("驳回重新整改")
    DANGER_PHOTO_ADDED = 908, _("上传隐患照片")
    DANGER_ESCALATED = 910, _("逾期升级提醒")
    DANGER_SUPERVISOR_NOTIFIED = 911, _("通知监管部门")
    LISTING_OPENED = 920, _("挂牌督办")
    LISTING_MESSAGE = 921, _("督办通知/回复")
    LISTING_CLOSED = 922, _("摘牌")
    TASK_SAVED = 930, _("保存排查任务")
    TASK_DEACTIVATED = 931, _("停用排查任务")
    RECORD_SUBMITTED = 940, _("提交排查记录")
    COMPLETION_COMPUTED = 950, _("计算任务完成率")
    SETTINGS_CHANGED = 960, _("修改隐患治理设置")
