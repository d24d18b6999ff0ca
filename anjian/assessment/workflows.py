"""The yearly assessment scheme's transition table (``core.workflow``).

The state is derived (``AssessmentScheme.state``: 未计算 / 已计算 / 待重新计算 / 已确认), never stored:
each edge's effect sets the fields the state is read from. ``run`` (the computation, which writes the
results in bulk) and ``change`` (a rule, veto event or adjustment edit, audited on that object) check the
table with ``core.workflow.check``; ``finalise`` goes through ``core.workflow.apply``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from anjian.assessment.choices import SchemeState
from anjian.assessment.models import AssessmentScheme
from anjian.core.access import Scope
from anjian.core.choices import AuditEvent
from anjian.core.workflow import Edge, Workflow, register_workflow

__all__ = ["SCHEME_FLOW", "is_office"]


def is_office(scope: Scope, scheme: Any) -> bool:
    """安委办"""
    return scope.sees_all


def _ran(scheme: Any, data: Mapping[str, Any]) -> list[str]:
    scheme.last_run_at = data.get("now") or timezone.now()
    scheme.needs_rerun = False
    return ["last_run_at", "needs_rerun"]


def _changed(scheme: Any, data: Mapping[str, Any]) -> list[str]:
    scheme.needs_rerun = scheme.last_run_at is not None
    return ["needs_rerun"]


def _final(scheme: Any, data: Mapping[str, Any]) -> list[str]:
    scheme.is_final = True
    return ["is_final"]


_RUN: dict[str, Any] = {"label": "计算", "may": is_office, "effect": _ran, "event": AuditEvent.ASSESSMENT_RUN}
_CHANGE: dict[str, Any] = {
    "label": "修改规则/否决/加减分",
    "may": is_office,
    "effect": _changed,
    "event": AuditEvent.RULE_CHANGED,
}

SCHEME_FLOW = register_workflow(
    Workflow(
        key="assessment.scheme",
        label="年度考核",
        model=AssessmentScheme,
        states=SchemeState,
        state_of=lambda scheme: str(scheme.state),
        edges=(
            Edge(SchemeState.DRAFT, SchemeState.COMPUTED, "run", **_RUN),
            Edge(SchemeState.COMPUTED, SchemeState.COMPUTED, "run", **_RUN),
            Edge(SchemeState.STALE, SchemeState.COMPUTED, "run", **_RUN),
            Edge(SchemeState.DRAFT, SchemeState.DRAFT, "change", **_CHANGE),
            Edge(SchemeState.COMPUTED, SchemeState.STALE, "change", **_CHANGE),
            Edge(SchemeState.STALE, SchemeState.STALE, "change", **_CHANGE),
            Edge(
                SchemeState.COMPUTED,
                SchemeState.FINAL,
                "finalise",
                "确认",
                may=is_office,
                effect=_final,
                stamp_at="finalised_at",
                stamp_by="finalised_by",
                event=AuditEvent.ASSESSMENT_FINALISED,
            ),
        ),
        refusals={
            "run": "该年度考核已确认，不能重新计算",
            "change": "该年度考核已确认，不能再修改规则、否决事项或加减分",
            "finalise": "只有已计算且计算后未再变更的考核才能确认",
        },
    )
)
