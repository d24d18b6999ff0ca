"""The enterprise operating-status table (``core.workflow``): 筹建 → 在营 ⇄ 停产 → 关闭; 关闭 is final."""

from __future__ import annotations

from typing import Any

from anjian.core.access import Scope
from anjian.core.choices import AuditEvent
from anjian.core.workflow import Edge, Workflow, may_change, register_workflow
from anjian.enterprises.choices import EnterpriseStatus as S
from anjian.enterprises.models import Enterprise

__all__ = ["ENTERPRISE_FLOW", "government_may_change"]


def government_may_change(scope: Scope, enterprise: Any) -> bool:
    """可修改该企业档案的政府部门用户（企业自身不能变更经营状态）"""
    return not scope.is_enterprise and may_change(scope, enterprise)


_COMMON: dict[str, Any] = {
    "may": government_may_change,
    "requires": ("reason",),
    "event": AuditEvent.ENTERPRISE_STATUS_CHANGED,
}

ENTERPRISE_FLOW = register_workflow(
    Workflow(
        key="enterprises.status",
        label="企业经营状态",
        model=Enterprise,
        states=S,
        edges=(
            Edge(S.PREPARING, S.OPERATING, "commission", "投产", **_COMMON),
            Edge(S.PREPARING, S.CLOSED, "close", "关闭", style="danger", **_COMMON),
            Edge(S.OPERATING, S.SUSPENDED, "suspend", "停产", **_COMMON),
            Edge(S.OPERATING, S.CLOSED, "close", "关闭", style="danger", **_COMMON),
            Edge(S.SUSPENDED, S.OPERATING, "resume", "复产", **_COMMON),
            Edge(S.SUSPENDED, S.CLOSED, "close", "关闭", style="danger", **_COMMON),
        ),
        audit_fields=("status",),
        required_messages={"reason": "变更企业状态必须填写原因"},
    )
)
