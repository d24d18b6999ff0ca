"""Choice classes with a Chinese label and a display colour per value (NetBox ``utilities/choices.py``).

Declare status values once, with their colour, and group them (``OPEN_STATES``) next to the class::

    class ReportStatus(ColoredChoices):
        NOT_STARTED = "not_started", _("未开始")
        DONE = "done", _("已完成")
        __colours__ = {"not_started": "secondary", "done": "success"}
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEvent", "ColoredChoices"]


class ColoredChoices(models.TextChoices):
    """TextChoices with a display colour per value, declared in a ``__colours__`` mapping.

    Enum ignores dunder attributes, so the mapping does not become a member.
    """

    @classmethod
    def colour_of(cls, value: str) -> str:
        """Return the colour of ``value`` (``secondary`` for unknown values)."""
        colours: dict[str, str] = getattr(cls, "__colours__", {})
        return colours.get(str(value), "secondary")

    @property
    def colour(self) -> str:
        """The colour of this member."""
        return self.colour_of(self.value)


class AuditEvent(models.IntegerChoices):
    """Audit event types, grouped by domain and numbered by hundreds (Zulip ``RealmAuditLog``).

    0xx generic CRUD, 1xx orgs and accounts, 2xx plans, 3xx enterprises, 4xx people and certificates.
    Later modules take the next free hundred. Values are stored; never renumber.
    """

    OBJECT_CREATED = 1, _("新建")
    OBJECT_UPDATED = 2, _("修改")
    OBJECT_DELETED = 3, _("删除")
    IMPORTED = 10, _("导入")
    EXPORTED = 11, _("导出")
    ATTACHMENT_ADDED = 20, _("上传附件")
    ATTACHMENT_REMOVED = 21, _("删除附件")

    USER_CREATED = 101, _("新建用户")
    USER_ROLE_CHANGED = 102, _("变更用户角色")
    USER_LOGGED_IN = 103, _("登录")
    API_TOKEN_ISSUED = 104, _("签发接口令牌")
    API_TOKEN_REVOKED = 105, _("吊销接口令牌")
    LOGIN_FAILED = 106, _("登录失败")
    ORG_CREATED = 110, _("新建单位")

    PLAN_IMPORTED = 201, _("导入规划")
    PLAN_REVISED = 202, _("修订规划")
    REPORT_SUBMITTED = 210, _("提交进展报告")
    REPORT_REVISED = 211, _("修改进展报告")
    REPORT_RETURNED = 212, _("退回进展报告")
    NOTICE_SENT = 220, _("下发督办通知")
    NOTICE_ACKNOWLEDGED = 221, _("签收督办通知")
    NOTICE_ANSWERED = 222, _("回复督办通知")
    NOTICE_CLOSED = 223, _("办结督办通知")
    TARGET_BOUND = 230, _("绑定指标")
    ASSESSMENT_RUN = 240, _("计算年度考核")
    ASSESSMENT_FINALISED = 241, _("确认年度考核")
    RULE_CHANGED = 242, _("修改考核规则")

    ENTERPRISE_CREATED = 301, _("新建企业")
    ENTERPRISE_UPDATED = 302, _("修改企业")
    ENTERPRISE_STATUS_CHANGED = 303, _("变更企业状态")
    LICENCE_CHANGED = 310, _("变更许可证")
    STANDARDIZATION_CHANGED = 320, _("变更标准化等级")
    SUPERVISION_RULE_CHANGED = 330, _("修改监管部门规则")

    PERSON_CREATED = 401, _("新建人员")
    PERSON_UPDATED = 402, _("修改人员")
    CERTIFICATE_CHANGED = 410, _("变更证书")
    TRAINING_RECORDED = 420, _("登记培训")

    ASSESSMENT_SCHEME_CREATED = 501, _("新建考核方案")
    VETO_EVENT_RECORDED = 510, _("登记否决事项")
    VETO_EVENT_REMOVED = 511, _("撤销否决事项")
    SCORE_ADJUSTED = 520, _("考核加减分")
    SCORE_ADJUSTMENT_REMOVED = 521, _("撤销考核加减分")


#: Audit event classes that modules register from their ``AppConfig.ready`` (each in its own hundreds).
_MODULE_EVENTS: list[type[models.IntegerChoices]] = []

#: The hundreds each module app owns for its audit events (value // 100); checked when it registers.
EVENT_RANGES: dict[str, range] = {
    "geo": range(6, 7),
    "majorhazards": range(7, 8),
    "risks": range(8, 9),
    "dangers": range(9, 10),
    "monitoring": range(10, 11),
    "gates": range(11, 12),
    "emergency": range(12, 13),
    "fire": range(13, 14),
    "cockpit": range(14, 15),
    "notifications": range(15, 16),
}


def register_audit_events(module: str, events: type[models.IntegerChoices]) -> None:
    """Register a module's audit events (a ``models.IntegerChoices`` in its own hundreds, see ``EVENT_RANGES``)."""
    allowed = EVENT_RANGES[module]
    for value in events.values:
        if int(value) // 100 not in allowed:
            raise ValueError(f"audit event {value} of {module} is outside its range {allowed}")
    if events not in _MODULE_EVENTS:
        _MODULE_EVENTS.append(events)


def audit_event_label(value: int) -> str | None:
    """The Chinese label of audit event ``value`` (core or a registered module), ``None`` if unknown."""
    try:
        return str(AuditEvent(value).label)
    except ValueError:
        pass
    for events in _MODULE_EVENTS:
        try:
            return str(events(value).label)
        except ValueError:
            continue
    return None
