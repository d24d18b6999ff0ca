"""Controlled values of the second gate: directions, categories, reasons, roll calls, registrations, audit events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices
from anjian.domain.gate_rules import MESSAGES, Reason

__all__ = [
    "GATE_TRAININGS",
    "Category",
    "DenialReason",
    "Direction",
    "EventSource",
    "GateDirections",
    "GateEvent",
    "RegistrationStatus",
    "RollCallEntryStatus",
    "RollCallStatus",
]


class Direction(models.TextChoices):
    """Which way a person passes."""

    IN = "in", _("进入")
    OUT = "out", _("离开")


class GateDirections(models.TextChoices):
    """Which directions a gate's controller reports."""

    BOTH = "both", _("进出双向")
    IN = "in", _("仅进入")
    OUT = "out", _("仅离开")


class Category(ColoredChoices):
    """Who the person is, as the plan's statistics count them (企业人员 / 承包商 / 访客)."""

    EMPLOYEE = "employee", _("企业人员")
    CONTRACTOR = "contractor", _("承包商")
    VISITOR = "visitor", _("访客")

    __colours__ = {"employee": "primary", "contractor": "warning", "visitor": "info"}


class DenialReason(ColoredChoices):
    """The published reason codes of ``domain/gate_rules.py``, labelled with the gate's message."""

    UNKNOWN_CREDENTIAL = "unknown_credential", _("未登记或已停用")
    BLACKLISTED = "blacklisted", _("黑名单")
    TRAINING_MISSING = "training_missing", _("未完成培训")
    CERTIFICATE_MISSING = "certificate_missing", _("缺少证书")
    CERTIFICATE_EXPIRED = "certificate_expired", _("证书过期")
    NOT_AUTHORIZED = "not_authorized", _("未授权/不在时段")
    ZONE_FULL = "zone_full", _("区域满员")
    ALREADY_INSIDE = "already_inside", _("防折返")

    __colours__ = {
        "unknown_credential": "secondary",
        "blacklisted": "dark",
        "training_missing": "warning",
        "certificate_missing": "warning",
        "certificate_expired": "danger",
        "not_authorized": "secondary",
        "zone_full": "danger",
        "already_inside": "info",
    }


# Every published reason has a choice (a test keeps them in step).
assert {c.value for c in DenialReason} == {r.value for r in Reason}
assert set(MESSAGES) == set(Reason)


class EventSource(models.TextChoices):
    """How an access event reached the platform."""

    HTTP = "http", _("控制器接口")
    MQTT = "mqtt", _("MQTT")
    SIMULATOR = "simulator", _("模拟器")


class RollCallStatus(ColoredChoices):
    """State of an emergency roll call (应急点名)."""

    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")

    __colours__ = {"open": "danger", "closed": "success"}


class RollCallEntryStatus(ColoredChoices):
    """One person's state in a roll call."""

    MISSING = "missing", _("未确认")
    EXITED = "exited", _("已刷卡离开")
    MUSTERED = "mustered", _("集合点已确认")

    __colours__ = {"missing": "danger", "exited": "success", "mustered": "success"}


class RegistrationStatus(ColoredChoices):
    """A visitor's or contractor's registration: filled in, induction passed, approved or rejected."""

    SUBMITTED = "submitted", _("待培训")
    TRAINED = "trained", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")

    __colours__ = {"submitted": "secondary", "trained": "warning", "approved": "success", "rejected": "dark"}


# Training requirements a zone may state, mapped onto the people register's TrainingRecord kinds
# (``people.choices.TrainingKind``). 安全教育 is met by 三级安全教育 (employees) or by the 入厂安全教育
# course and quiz of a visitor/contractor registration.
GATE_TRAININGS: dict[str, str] = {
    "safety": "安全教育（三级安全教育或入厂安全教育）",
    "special_topic": "专题业务培训",
    "rotation": "轮训",
    "continuing": "继续教育",
}


class GateEvent(models.IntegerChoices):
    """Audit events of the gates module (11xx). Allowed swipes are not audited one by one (see docs/gates.md)."""

    ZONE_SAVED = 1101, _("保存区域")
    GATE_SAVED = 1102, _("保存门禁")
    GATE_TOKEN_ISSUED = 1103, _("签发控制器令牌")
    PASS_SAVED = 1104, _("保存通行授权")
    CREDENTIAL_SAVED = 1105, _("保存卡/人脸凭证")
    DENIAL_OVERRIDDEN = 1110, _("人工放行")
    ROLL_CALL_STARTED = 1120, _("启动应急点名")
    ROLL_CALL_CHECKED = 1121, _("集合点确认")
    ROLL_CALL_CLOSED = 1122, _("结束应急点名")
    REGISTRATION_SUBMITTED = 1130, _("访客/承包商登记")
    REGISTRATION_APPROVED = 1131, _("批准访客/承包商")
    REGISTRATION_REJECTED = 1132, _("驳回访客/承包商")
    INDUCTION_PASSED = 1133, _("通过入厂安全教育")
    INDUCTION_FAILED = 1134, _("入厂安全教育测验未通过")
    PRESENCE_CLEARED = 1140, _("清除在场记录")
