"""The second gate's transition tables (``core.workflow``), issue 13.

* Visitor/contractor registrations: 待培训 → (入厂安全教育测验全对) 待审批 → 已批准 (a pass and a card are
  issued), or 已驳回 from either waiting state.
* Emergency roll calls: 进行中 → 已结束, only once nobody is missing (it also ends by itself when the last
  person is accounted for).
* A person on a roll call: 未确认 → 集合点已确认 (an operator sees them at the muster point), or → 已刷卡离开
  (their exit swipe; taken in bulk by the gate decision, ``actions._leave``, which selects exactly this
  edge's source state — the access log is its record, not one audit row per person).

Who may take a step: the enterprise's own staff and the gate operators (``permissions.may_operate``); the
visitor's quiz and the exit swipe are taken by the system.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anjian.core.access import Scope
from anjian.core.workflow import Edge, Refusal, Workflow, register_workflow
from anjian.gates.choices import GateEvent, RegistrationStatus, RollCallEntryStatus, RollCallStatus
from anjian.gates.models import Registration, RollCall, RollCallEntry
from anjian.gates.permissions import may_operate

__all__ = ["REGISTRATION_FLOW", "ROLL_CALL_ENTRY_FLOW", "ROLL_CALL_FLOW"]


def operator(scope: Scope, obj: Any) -> bool:
    """本企业人员和门岗操作员"""
    return may_operate(scope, obj)


def system_only(scope: Scope, obj: Any) -> bool:
    """系统（访客凭登记链接答题 / 出门刷卡）"""
    return False


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


def quiz_all_right(registration: Any, data: Mapping[str, Any]) -> str | None:
    """测验全部答对"""
    if data.get("score") != 100:
        return Refusal("入厂安全教育测验未全部答对", "quiz_failed")
    return None


def _trained(registration: Any, data: Mapping[str, Any]) -> list[str]:
    registration.quiz_score = data["score"]
    return ["quiz_score"]


def _approved(registration: Any, data: Mapping[str, Any]) -> list[str]:
    registration.access_pass = data["access_pass"]
    registration.credential_code = data["credential_code"]
    registration.decision_note = str(data.get("reason") or "")[:200]
    return ["access_pass", "credential_code", "decision_note"]


def _rejected(registration: Any, data: Mapping[str, Any]) -> list[str]:
    registration.decision_note = str(data["note"]).strip()[:200]
    return ["decision_note"]


_REJECT: dict[str, Any] = {
    "may": operator,
    "requires": ("note",),
    "messages": {"note": "驳回须填写意见"},
    "effect": _rejected,
    "stamp_at": "decided_at",
    "stamp_by": "decided_by",
    "event": GateEvent.REGISTRATION_REJECTED,
    "style": "danger",
}

REGISTRATION_FLOW = register_workflow(
    Workflow(
        key="gates.registration",
        label="访客/承包商登记",
        model=Registration,
        states=RegistrationStatus,
        edges=(
            Edge(
                RegistrationStatus.SUBMITTED,
                RegistrationStatus.TRAINED,
                "pass_induction",
                "通过入厂安全教育",
                may=system_only,
                guard=quiz_all_right,
                effect=_trained,
                stamp_at="induction_passed_at",
                event=GateEvent.INDUCTION_PASSED,
            ),
            Edge(
                RegistrationStatus.TRAINED,
                RegistrationStatus.APPROVED,
                "approve",
                "批准并发放凭证",
                may=operator,
                effect=_approved,
                stamp_at="decided_at",
                stamp_by="decided_by",
                event=GateEvent.REGISTRATION_APPROVED,
            ),
            Edge(RegistrationStatus.SUBMITTED, RegistrationStatus.REJECTED, "reject", "驳回", **_REJECT),
            Edge(RegistrationStatus.TRAINED, RegistrationStatus.REJECTED, "reject", "驳回", **_REJECT),
        ),
        refusals={
            "pass_induction": "该登记已完成安全教育",
            "approve": "须先完成入厂安全教育测验才能审批",
            "reject": "该登记已审批",
        },
    )
)


# ---------------------------------------------------------------------------------------------
# Roll calls
# ---------------------------------------------------------------------------------------------


def nobody_missing(roll_call: Any, user: Any) -> str | None:
    """在场人员已全部确认（刷卡离开或集合点确认）"""
    missing = RollCallEntry.objects.filter(roll_call=roll_call, status=RollCallEntryStatus.MISSING).count()
    if missing:
        return Refusal(f"仍有 {missing} 人未确认，不能结束点名", "people_missing")
    return None


ROLL_CALL_FLOW = register_workflow(
    Workflow(
        key="gates.roll_call",
        label="应急点名",
        model=RollCall,
        states=RollCallStatus,
        edges=(
            Edge(
                RollCallStatus.OPEN,
                RollCallStatus.CLOSED,
                "close",
                "结束点名",
                may=operator,
                ready=nobody_missing,
                stamp_at="closed_at",
                stamp_by="closed_by",
                event=GateEvent.ROLL_CALL_CLOSED,
            ),
        ),
        refusals={"close": "点名已结束"},
    )
)


def roll_call_open(entry: Any, user: Any) -> str | None:
    """点名进行中"""
    if entry.roll_call.status != RollCallStatus.OPEN:
        return Refusal("点名已结束", "roll_call_closed")
    return None


ROLL_CALL_ENTRY_FLOW = register_workflow(
    Workflow(
        key="gates.roll_call_entry",
        label="点名人员",
        model=RollCallEntry,
        states=RollCallEntryStatus,
        edges=(
            Edge(
                RollCallEntryStatus.MISSING,
                RollCallEntryStatus.MUSTERED,
                "muster",
                "集合点确认",
                may=operator,
                ready=roll_call_open,
                stamp_at="accounted_at",
                stamp_by="accounted_by",
                event=GateEvent.ROLL_CALL_CHECKED,
            ),
            Edge(
                RollCallEntryStatus.MISSING,
                RollCallEntryStatus.EXITED,
                "exit",
                "刷卡离开",
                may=system_only,
                stamp_at="accounted_at",
                event=GateEvent.ROLL_CALL_CHECKED,
            ),
        ),
        refusals={"muster": "该人员已确认", "exit": "该人员已确认"},
    )
)
