"""Declarative transition tables: one shape for every workflow, one ``apply`` that changes state.

A workflow is data: its states (a ``ColoredChoices``) and its edges. Each ``Edge`` names the state it
leaves, the state it reaches, the verb (``"acknowledge"``), a Chinese label for buttons, who may take it
(``may(scope, obj)``), the data it requires (``"reason"``, ``"evidence"``, …), a ``guard(obj, data)``
returning a Chinese reason to refuse the submitted data (or ``None``), a ``ready(obj, acting_user)``
returning a Chinese reason why the step cannot be taken now whatever the data (an after-photo missing,
the acceptor being the rectifier), the timestamp/actor fields it stamps, the audit event, an
``effect(obj, data)`` that sets other fields, and an optional ``notify(obj, acting_user)`` run after commit.
A reason may be a :class:`Refusal` to carry its own error code.

``apply(workflow, obj, verb, acting_user=…, reason=…, data=…)`` locks the row, finds the edge, checks the
permission, the required data, the guard and readiness, runs the effect, stamps, saves, writes exactly one
audit row and schedules the notification — or raises ``WorkflowError`` and changes nothing. ``allowed_verbs``
returns the edges a user may take now (permission and readiness), so pages and the API offer only what the
server would accept; ``blocked_steps`` gives the ones the user could take but not yet, with the reason::

    NOTICE_FLOW = register_workflow(Workflow(
        key="plans.notice", label="督办通知", model=SupervisionNotice, states=NoticeStatus,
        edges=(Edge("sent", "acknowledged", "acknowledge", "签收", may=is_recipient,
                    stamp_at="acknowledged_at", stamp_by="acknowledged_by",
                    event=AuditEvent.NOTICE_ACKNOWLEDGED),),
    ))
    apply(NOTICE_FLOW, notice, "acknowledge", acting_user=request.user)

``acting_user=None`` is the system (CLI, jobs, demo data): it passes every ``may`` check, as the
committee office would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from anjian.core.access import Scope, scope_of
from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import AnjianError, PermissionDeniedError, TransitionNotAllowed, ValidationFailed

__all__ = [
    "Edge",
    "EdgeRefused",
    "Refusal",
    "StepDataMissing",
    "StepNotPermitted",
    "Workflow",
    "WorkflowError",
    "allowed_verbs",
    "apply",
    "blocked_steps",
    "check",
    "get_workflow",
    "may_change",
    "register_workflow",
    "workflows",
]

#: Chinese names of the data an edge may require (a model field's verbose name is used otherwise).
REQUIRED_LABELS: dict[str, str] = {
    "reason": "原因",
    "evidence": "证据材料",
    "acceptor": "验收人",
    "answer": "回复内容",
    "comment": "意见",
    "opinion": "验收意见",
    "note": "意见",
    "assignee": "处置人",
}


class WorkflowError(AnjianError):
    """A refused step: ``code`` for machines, ``message`` in Chinese; nothing was changed.

    ``apply`` raises one of the subclasses, which are also the existing error kinds, so views and the API
    answer as before: ``EdgeRefused`` (409, also ``TransitionNotAllowed``) for an undeclared edge or a failed
    guard, ``StepNotPermitted`` (403, also ``PermissionDeniedError``) when the user may not take the edge,
    ``StepDataMissing`` (400, also ``ValidationFailed``) when required data is missing.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)


class EdgeRefused(WorkflowError, TransitionNotAllowed):
    """No such edge from the current state, or its guard refused (409)."""


class StepNotPermitted(WorkflowError, PermissionDeniedError):
    """The user may not take this edge (403)."""


class StepDataMissing(WorkflowError, ValidationFailed):
    """Data the edge requires is missing (400)."""


class Refusal(str):
    """A guard's (or ``ready``'s) Chinese reason with its own error code (``guard_refused`` otherwise)."""

    code: str

    def __new__(cls, message: str, code: str = "guard_refused") -> Refusal:
        made = super().__new__(cls, message)
        made.code = code
        return made


def _refused(reason: str) -> EdgeRefused:
    return EdgeRefused(getattr(reason, "code", "guard_refused"), str(reason))


@dataclass(frozen=True)
class Edge:
    """One allowed step: from ``source`` by ``verb`` to ``target``."""

    source: str
    target: str
    verb: str
    label: str
    may: Callable[[Scope, Any], bool] | None = None
    guard: Callable[[Any, Mapping[str, Any]], str | None] | None = None
    ready: Callable[[Any, Any], str | None] | None = None
    requires: tuple[str, ...] = ()
    stamp_at: str = ""
    stamp_by: str = ""
    event: int | None = None
    effect: Callable[[Any, Mapping[str, Any]], list[str]] | None = None
    notify: Callable[[Any, Any], None] | None = None
    who: str = ""  # who may take it, in words, for the workflow page (``may``'s docstring otherwise)
    style: str = "primary"  # button style: primary | danger | secondary
    #: The Chinese message per missing required datum of this edge (the workflow's, or "请填写<label>").
    messages: Mapping[str, str] = field(default_factory=dict)

    @property
    def conditions(self) -> str:
        """What the step needs besides permission, in words (the workflow page): ``guard``/``ready``
        docstrings' first lines."""
        parts = []
        for func in (self.guard, self.ready):
            doc = (getattr(func, "__doc__", None) or "").strip()
            if doc:
                parts.append(doc.splitlines()[0])
        return "；".join(parts)

    @property
    def who_label(self) -> str:
        """Who may take this edge, in Chinese."""
        if self.who:
            return self.who
        doc = (getattr(self.may, "__doc__", None) or "").strip()
        return doc.splitlines()[0] if doc else ("可修改该对象的用户" if self.may is None else "")


@dataclass(frozen=True)
class Workflow:
    """A model's states and the edges between them."""

    key: str
    label: str
    model: type[models.Model]
    states: Any  # a ColoredChoices class
    edges: tuple[Edge, ...]
    state_field: str = "status"
    default_event: int = int(AuditEvent.OBJECT_UPDATED)
    #: For a state derived from other fields (never stored): ``state_of(obj)``; the edges' effects then
    #: set those fields, and ``apply`` checks that the object really reached the edge's target.
    state_of: Callable[[Any], str] | None = None
    #: The Chinese refusal per verb when no edge leaves the current state (a generic one otherwise).
    refusals: Mapping[str, str] = field(default_factory=dict)
    #: The generic refusal, formatted with ``label`` (the workflow's), ``state`` and ``verb`` (labels).
    refusal_format: str = "{label}当前为“{state}”，不能{verb}"
    #: Fields the audit row's before/after show (every concrete field when empty).
    audit_fields: tuple[str, ...] = ()
    #: The Chinese message per missing required datum ("请填写<label>" otherwise).
    required_messages: Mapping[str, str] = field(default_factory=dict)
    edge_index: dict[tuple[str, str], Edge] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], Edge] = {}
        values = {str(v) for v in self.states.values}
        for edge in self.edges:
            for state in (edge.source, edge.target):
                if str(state) not in values:
                    raise ValueError(f"workflow {self.key}: unknown state {state!r}")
            key = (str(edge.source), edge.verb)
            if key in index:
                raise ValueError(f"workflow {self.key}: two edges leave {edge.source!r} by {edge.verb!r}")
            index[key] = edge
        object.__setattr__(self, "edge_index", index)

    @property
    def verbs(self) -> list[str]:
        """Every verb of the table, in declaration order."""
        return list(dict.fromkeys(e.verb for e in self.edges))

    def edge(self, state: str, verb: str) -> Edge | None:
        """The edge leaving ``state`` by ``verb``, if declared."""
        return self.edge_index.get((str(state), verb))

    def edge_to(self, state: str, target: str) -> Edge | None:
        """The edge from ``state`` to ``target`` (for forms that pick the next state rather than a verb)."""
        return next(
            (e for e in self.edges if str(e.source) == str(state) and str(e.target) == str(target)), None
        )

    def current(self, obj: Any) -> str:
        """``obj``'s state in this table."""
        return str(self.state_of(obj) if self.state_of is not None else getattr(obj, self.state_field))

    def state_label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return str(value)

    def verb_label(self, verb: str) -> str:
        return next((e.label for e in self.edges if e.verb == verb), verb)

    def pinned(self) -> set[tuple[str, str, str]]:
        """The table as ``{(source, verb, target)}`` (what the pin-the-edges tests compare)."""
        return {(str(e.source), e.verb, str(e.target)) for e in self.edges}


_WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    """Register ``workflow`` (for the workflow page and checks); returns it so modules can keep a name."""
    _WORKFLOWS[workflow.key] = workflow
    return workflow


def workflows() -> list[Workflow]:
    """Every registered workflow, by key."""
    return [_WORKFLOWS[k] for k in sorted(_WORKFLOWS)]


def get_workflow(key: str) -> Workflow:
    return _WORKFLOWS[key]


def may_change(scope: Scope, obj: Any) -> bool:
    """可修改该对象的用户"""
    from anjian.core.access import restrict

    return bool(restrict(type(obj)._default_manager.filter(pk=obj.pk), scope, "change").exists())


def _may(edge: Edge, obj: Any, acting_user: Any) -> bool:
    if acting_user is None:
        return True
    scope = acting_user if isinstance(acting_user, Scope) else scope_of(acting_user)
    if scope.user_id is None and not scope.is_superuser:
        return False
    return bool((edge.may or may_change)(scope, obj))


def _missing(edge: Edge, obj: Any, reason: str, data: Mapping[str, Any]) -> tuple[str, str] | None:
    for name in edge.requires:
        value = reason if name == "reason" else data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], (), {}):
            label = REQUIRED_LABELS.get(name)
            if label is None:
                try:
                    label = str(obj._meta.get_field(name).verbose_name)
                except Exception:
                    label = name
            return name, label
    return None


def allowed_verbs(workflow: Workflow, obj: Any, user: Any) -> list[Edge]:
    """The edges ``user`` may take on ``obj`` now: permitted, and ``ready`` has no objection (drives the
    buttons on pages and the POST actions the API offers)."""
    state = workflow.current(obj)
    result = []
    for edge in workflow.edges:
        if str(edge.source) != state or not _may(edge, obj, user):
            continue
        if edge.ready is not None and edge.ready(obj, user):
            continue
        result.append(edge)
    return result


def blocked_steps(workflow: Workflow, obj: Any, user: Any) -> list[tuple[Edge, str]]:
    """The edges ``user`` is permitted to take from ``obj``'s state but not yet, with ``ready``'s reason
    (pages show it where the button would be)."""
    state = workflow.current(obj)
    result = []
    for edge in workflow.edges:
        if str(edge.source) != state or edge.ready is None or not _may(edge, obj, user):
            continue
        reason = edge.ready(obj, user)
        if reason:
            result.append((edge, str(reason)))
    return result


def _audit_view(workflow: Workflow, obj: Any) -> dict[str, Any]:
    data = snapshot(obj)
    return {k: v for k, v in data.items() if k in workflow.audit_fields} if workflow.audit_fields else data


def check(
    workflow: Workflow,
    obj: Any,
    verb: str,
    *,
    acting_user: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> Edge:
    """The edge ``verb`` from ``obj``'s current state if ``acting_user`` may take it now with ``data``;
    otherwise raise ``WorkflowError``. ``apply`` calls it under the row lock; an action that writes more
    than one row itself (a bulk computation) may call it directly on the locked object and audit itself."""
    reason = (reason or "").strip()
    data = {"reason": reason, **(data or {})}
    state = workflow.current(obj)
    edge = workflow.edge(state, verb)
    if edge is None:
        if verb not in workflow.verbs:
            raise EdgeRefused("unknown_verb", f"{workflow.label}没有“{verb}”这一步")
        raise EdgeRefused(
            "transition_not_allowed",
            workflow.refusals.get(verb)
            or workflow.refusal_format.format(
                label=workflow.label, state=workflow.state_label(state), verb=workflow.verb_label(verb)
            ),
        )
    if not _may(edge, obj, acting_user):
        raise StepNotPermitted(
            "not_permitted", f"您无权{edge.label}该{workflow.label}（仅限{edge.who_label}）"
        )
    missing = _missing(edge, obj, reason, data)
    if missing is not None:
        text = (
            edge.messages.get(missing[0])
            or workflow.required_messages.get(missing[0])
            or f"请填写{missing[1]}"
        )
        raise StepDataMissing(f"{missing[0]}_required", text, field=missing[0])
    if edge.guard is not None:
        refusal = edge.guard(obj, data)
        if refusal:
            raise _refused(refusal)
    if edge.ready is not None:
        refusal = edge.ready(obj, acting_user)
        if refusal:
            raise _refused(refusal)
    return edge


def apply(
    workflow: Workflow,
    obj: Any,
    verb: str,
    *,
    acting_user: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
    message: str = "",
) -> Any:
    """Take the edge ``verb`` from ``obj``'s current state; return the changed (locked, saved) object.

    Raises ``WorkflowError`` (nothing written) when the edge is not declared from the current state, the
    user may not take it, required data is missing, or its guard refuses.
    """
    reason = (reason or "").strip()
    data = {"reason": reason, **(data or {})}
    with transaction.atomic():
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        state = workflow.current(locked)
        edge = check(workflow, locked, verb, acting_user=acting_user, reason=reason, data=data)
        before = _audit_view(workflow, locked)
        changed = list(edge.effect(locked, data)) if edge.effect is not None else []
        if workflow.state_of is None:
            setattr(locked, workflow.state_field, edge.target)
            changed.append(workflow.state_field)
        elif workflow.current(locked) != str(edge.target):
            raise AssertionError(f"{workflow.key}: {verb} left the object in {workflow.current(locked)}")
        if edge.stamp_at:
            setattr(locked, edge.stamp_at, now or timezone.now())
            changed.append(edge.stamp_at)
        if edge.stamp_by:
            setattr(locked, edge.stamp_by, acting_user if getattr(acting_user, "pk", None) else None)
            changed.append(edge.stamp_by)
        if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
            changed.append("updated_at")
        update_fields = list(dict.fromkeys(changed))
        locked.save(update_fields=update_fields)
        record(
            edge.event if edge.event is not None else workflow.default_event,
            locked,
            acting_user=acting_user,
            before=before,
            after=_audit_view(workflow, locked),
            reason=reason,
            message=message
            or f"{edge.label}：{workflow.state_label(state)} → {workflow.state_label(edge.target)}",
        )
        if edge.notify is not None:
            hook = edge.notify
            transaction.on_commit(lambda: hook(locked, acting_user))
    for name in update_fields:
        attname = getattr(locked._meta.get_field(name), "attname", name)
        setattr(obj, attname, getattr(locked, attname))
    return locked


def edges_by_source(workflow: Workflow) -> dict[str, list[Edge]]:
    """The table grouped by the state each edge leaves (for pages)."""
    grouped: dict[str, list[Edge]] = {str(v): [] for v in workflow.states.values}
    for edge in workflow.edges:
        grouped[str(edge.source)].append(edge)
    return grouped


def reachable(workflow: Workflow, start: str) -> list[str]:
    """States reachable from ``start`` (breadth first; ``start`` first)."""
    seen = [str(start)]
    queue = [str(start)]
    while queue:
        state = queue.pop(0)
        for edge in workflow.edges:
            if str(edge.source) == state and str(edge.target) not in seen:
                seen.append(str(edge.target))
                queue.append(str(edge.target))
    return seen


def ordered_states(workflow: Workflow) -> list[str]:
    """All states, those reachable from the first declared one first (the page's drawing order)."""
    values: Iterable[str] = [str(v) for v in workflow.states.values]
    first = next(iter(values))
    order = reachable(workflow, first)
    return order + [v for v in values if v not in order]
