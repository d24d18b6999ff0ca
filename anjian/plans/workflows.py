"""The 督办 notice workflow as a transition table (``core.workflow``): 已下发 → 已签收 → 已回复 → 已办结."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anjian.core.access import Scope
from anjian.core.choices import AuditEvent
from anjian.core.workflow import Edge, Workflow, register_workflow
from anjian.plans.choices import NoticeStatus
from anjian.plans.models import SupervisionNotice

__all__ = ["NOTICE_FLOW", "is_notice_recipient", "is_office"]


def is_notice_recipient(scope: Scope, notice: Any) -> bool:
    """被督办单位的用户"""
    return scope.org_id is not None and notice.unit_id in scope.unit_ids


def is_office(scope: Scope, notice: Any) -> bool:
    """安委办"""
    return scope.sees_all


def _set_answer(notice: Any, data: Mapping[str, Any]) -> list[str]:
    notice.answer = str(data["answer"]).strip()
    return ["answer"]


NOTICE_FLOW = register_workflow(
    Workflow(
        key="plans.notice",
        label="督办通知",
        model=SupervisionNotice,
        states=NoticeStatus,
        edges=(
            Edge(
                NoticeStatus.SENT,
                NoticeStatus.ACKNOWLEDGED,
                "acknowledge",
                "签收",
                may=is_notice_recipient,
                stamp_at="acknowledged_at",
                stamp_by="acknowledged_by",
                event=AuditEvent.NOTICE_ACKNOWLEDGED,
            ),
            Edge(
                NoticeStatus.ACKNOWLEDGED,
                NoticeStatus.ANSWERED,
                "answer",
                "回复",
                may=is_notice_recipient,
                requires=("answer",),
                effect=_set_answer,
                stamp_at="answered_at",
                stamp_by="answered_by",
                event=AuditEvent.NOTICE_ANSWERED,
            ),
            Edge(
                NoticeStatus.ANSWERED,
                NoticeStatus.CLOSED,
                "close",
                "办结",
                may=is_office,
                stamp_at="closed_at",
                stamp_by="closed_by",
                event=AuditEvent.NOTICE_CLOSED,
            ),
        ),
    )
)
