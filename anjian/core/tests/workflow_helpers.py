"""Test helpers for transition tables (``anjian.core.workflow``).

``assert_edges(workflow, {...})`` pins a table's exact edges, written out by hand in the test, so a wrong
edge fails even though the every-pair test reads its expectations from the table.

``assert_every_pair(workflow, make, ...)`` tries every (state, verb) pair on a fresh object: a declared
edge must succeed, reach its target and write exactly one audit row (with the edge's event); every other
pair must raise ``WorkflowError`` and leave the row and the audit table untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from anjian.core.audit import snapshot
from anjian.core.models import AuditEntry
from anjian.core.workflow import Edge, Workflow, WorkflowError, apply

__all__ = ["assert_edges", "assert_every_pair", "assert_refused"]


def assert_edges(workflow: Workflow, expected: set[tuple[str, str, str]]) -> None:
    """The table is exactly ``{(source, verb, target), ...}``."""
    actual = workflow.pinned()
    expected = {(str(s), v, str(t)) for s, v, t in expected}
    assert actual == expected, (
        f"{workflow.key}: unexpected edges {sorted(actual - expected)}, missing edges {sorted(expected - actual)}"
    )


def assert_refused(
    workflow: Workflow, obj: Any, verb: str, *, acting_user: Any, code: str = "", **kw: Any
) -> None:
    """``verb`` on ``obj`` by ``acting_user`` raises ``WorkflowError`` (with ``code``) and writes nothing."""
    obj.refresh_from_db()
    before_row = snapshot(obj)
    before_audit = AuditEntry.objects.count()
    with pytest.raises(WorkflowError) as info:
        apply(workflow, obj, verb, acting_user=acting_user, **kw)
    if code:
        assert info.value.code == code, info.value.message
    assert info.value.message
    obj.refresh_from_db()
    assert snapshot(obj) == before_row
    assert AuditEntry.objects.count() == before_audit


def assert_every_pair(
    workflow: Workflow,
    make: Callable[[str], Any],
    *,
    actor: Callable[[Edge | None, Any], Any] | None = None,
    data: Callable[[str], Mapping[str, Any]] | None = None,
    reason: str = "测试原因",
) -> int:
    """Try every (state, verb) pair; return how many pairs were tried.

    ``make(state)`` returns a fresh saved object in ``state``; ``actor(edge, obj)`` the user to act (the
    system, ``None``, by default; ``edge`` is ``None`` for an undeclared pair); ``data(verb)`` the data the
    verb needs.
    """
    tried = 0
    for state in workflow.states.values:
        for verb in workflow.verbs:
            obj = make(str(state))
            edge = workflow.edge(str(state), verb)
            user = actor(edge, obj) if actor is not None else None
            payload = dict(data(verb)) if data is not None else {}
            tried += 1
            if edge is None:
                assert_refused(
                    workflow,
                    obj,
                    verb,
                    acting_user=user,
                    code="transition_not_allowed",
                    reason=reason,
                    data=payload,
                )
                continue
            before_audit = AuditEntry.objects.count()
            result = apply(workflow, obj, verb, acting_user=user, reason=reason, data=payload)
            result.refresh_from_db()
            assert workflow.current(result) == str(edge.target), (state, verb)
            assert AuditEntry.objects.count() == before_audit + 1, (state, verb)
            entry = AuditEntry.objects.order_by("-id").first()
            assert entry is not None
            assert entry.event_type == (edge.event if edge.event is not None else workflow.default_event)
            assert entry.object_id == str(result.pk)
            if edge.stamp_at:
                assert getattr(result, edge.stamp_at) is not None, (state, verb, edge.stamp_at)
    return tried
