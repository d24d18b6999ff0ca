"""Every change people make in monitoring: alarm handling (acknowledge, assign, handle, close, to hidden danger),
gateway tokens, and the HTTP telemetry ingest.

Alarm edges live in ``choices.ALARM_EDGES`` (one action per edge, assessment style) so that they move onto
``anjian.core.workflow`` in one step once it is on main. Each action is atomic, locks the alarm, checks the
edge and its guard, stamps who and when, and writes exactly one audit row.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import scope_of
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.monitoring.choices import ALARM_EDGES, VERB_LABELS, MonitoringEvent
from anjian.monitoring.models import Alarm, GatewayToken

__all__ = [
    "allowed_verbs",
    "do_acknowledge_alarm",
    "do_assign_alarm",
    "do_close_alarm",
    "do_handle_alarm",
    "do_issue_gateway_token",
    "do_revoke_gateway_token",
    "do_turn_alarm_into_danger",
    "lock_alarm",
]


def lock_alarm(alarm: Alarm) -> Alarm:
    """Re-read ``alarm`` with a row lock."""
    locked: Alarm = Alarm.objects.select_for_update().select_related("point", "enterprise").get(pk=alarm.pk)
    return locked


def _may_change(alarm: Alarm, user: Any) -> bool:
    q = Alarm.scope_q(scope_of(user), "change")
    return q is not None and Alarm.objects.filter(q, pk=alarm.pk).exists()


def _guard(alarm: Alarm, verb: str) -> str | None:
    """A Chinese reason to refuse an edge that is declared but not possible now."""
    if verb == "close" and alarm.active:
        return _("报警尚未消除（数值仍在报警区间），不能关闭")
    return None


def allowed_verbs(alarm: Alarm, user: Any) -> list[tuple[str, str]]:
    """The (verb, label) edges ``user`` may take on ``alarm`` now (drives buttons and API actions)."""
    if not _may_change(alarm, user):
        return []
    out: list[tuple[str, str]] = []
    for (source, verb), _target in ALARM_EDGES.items():
        if source == alarm.status and _guard(alarm, verb) is None and verb not in {v for v, _l in out}:
            out.append((verb, VERB_LABELS[verb]))
    return out


_EVENTS = {
    "acknowledge": MonitoringEvent.ALARM_ACKNOWLEDGED,
    "assign": MonitoringEvent.ALARM_ASSIGNED,
    "handle": MonitoringEvent.ALARM_HANDLED,
    "close": MonitoringEvent.ALARM_CLOSED,
}


def _transition(alarm: Alarm, verb: str, *, acting_user: Any, reason: str, apply: Any) -> Alarm:
    with transaction.atomic():
        locked = lock_alarm(alarm)
        if not _may_change(locked, acting_user):
            raise PermissionDeniedError(_("无权处置该报警"))
        target = ALARM_EDGES.get((locked.status, verb))
        if target is None:
            raise TransitionNotAllowed(
                _("报警当前为“%(state)s”，不能%(verb)s")
                % {"state": locked.get_status_display(), "verb": VERB_LABELS[verb]},
                code=f"alarm_{verb}_not_allowed",
            )
        refusal = _guard(locked, verb)
        if refusal:
            raise TransitionNotAllowed(refusal, code=f"alarm_{verb}_refused")
        before = snapshot(locked)
        fields = apply(locked)
        locked.status = target
        locked.save(update_fields=[*fields, "status", "updated_at"])
        record(
            _EVENTS[verb],
            locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        return locked


def do_acknowledge_alarm(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """待确认 → 已确认: a named person takes notice (stops the escalation)."""

    def apply(a: Alarm) -> list[str]:
        a.acknowledged_at = timezone.now()
        a.acknowledged_by = acting_user
        return ["acknowledged_at", "acknowledged_by"]

    return _transition(alarm, "acknowledge", acting_user=acting_user, reason=reason, apply=apply)


def do_assign_alarm(alarm: Alarm, *, acting_user: Any, assignee: Any, reason: str = "") -> Alarm:
    """已确认/已指派 → 已指派: make ``assignee`` (a user who may handle it) responsible."""
    if assignee is None:
        raise ValidationFailed(_("请选择处置人"), field="assignee")
    if not _may_change(alarm, assignee):
        raise ValidationFailed(_("该用户无权处置这家企业的报警"), field="assignee")

    def apply(a: Alarm) -> list[str]:
        a.assigned_to = assignee
        a.assigned_at = timezone.now()
        return ["assigned_to", "assigned_at"]

    return _transition(alarm, "assign", acting_user=acting_user, reason=reason, apply=apply)


def do_handle_alarm(
    alarm: Alarm, *, acting_user: Any, cause: str, measures: str, false_alarm: bool, reason: str = ""
) -> Alarm:
    """已确认/已指派 → 已处置 with the disposal record: cause, measures, false alarm or not."""
    cause, measures = (cause or "").strip(), (measures or "").strip()
    if not cause:
        raise ValidationFailed(_("请填写报警原因"), field="cause")
    if not measures:
        raise ValidationFailed(_("请填写处置措施"), field="measures")

    def apply(a: Alarm) -> list[str]:
        a.cause, a.measures, a.false_alarm = cause[:2000], measures[:2000], bool(false_alarm)
        a.handled_at = timezone.now()
        a.handled_by = acting_user
        return ["cause", "measures", "false_alarm", "handled_at", "handled_by"]

    return _transition(alarm, "handle", acting_user=acting_user, reason=reason, apply=apply)


def do_close_alarm(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """已处置 → 已关闭 (销警), only once the value has cleared."""

    def apply(a: Alarm) -> list[str]:
        a.closed_at = timezone.now()
        a.closed_by = acting_user
        return ["closed_at", "closed_by"]

    return _transition(alarm, "close", acting_user=acting_user, reason=reason, apply=apply)


def do_turn_alarm_into_danger(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """Report a hidden danger from this alarm in one step, keeping the link (``Alarm.danger_id``).

    Integration point with the dangers module (issue 11): it calls ``anjian.dangers.actions`` when that
    module offers a report action; until then it refuses with a clear message and changes nothing.
    """
    try:
        import importlib

        danger_actions: Any = importlib.import_module("anjian.dangers.actions")
    except ImportError:
        danger_actions = None
    report = getattr(danger_actions, "do_report_danger", None) if danger_actions is not None else None
    if report is None:
        raise TransitionNotAllowed(
            _("隐患排查治理模块尚未上线，暂不能转为隐患"), code="dangers_not_installed"
        )
    with transaction.atomic():
        locked = lock_alarm(alarm)
        if not _may_change(locked, acting_user):
            raise PermissionDeniedError(_("无权处置该报警"))
        if locked.danger_id:
            raise TransitionNotAllowed(_("该报警已转为隐患"), code="alarm_already_danger")
        danger = report(
            enterprise=locked.enterprise,
            acting_user=acting_user,
            title=f"监测报警：{locked}",
            description=f"{locked.point.name}（{locked.point.tag}）于{timezone.localtime(locked.raised_at):%Y-%m-%d %H:%M:%S}"
            f"报警，报警值 {locked.value}。{reason}",
            source_object=locked,
        )
        before = snapshot(locked)
        locked.danger_id = danger.pk
        locked.save(update_fields=["danger_id", "updated_at"])
        record(
            MonitoringEvent.ALARM_TO_DANGER,
            locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        return locked


# ---------------------------------------------------------------------------------------------
# Gateway tokens
# ---------------------------------------------------------------------------------------------


def do_issue_gateway_token(enterprise: Any, *, name: str, acting_user: Any) -> tuple[GatewayToken, str]:
    """Create a token for one enterprise's gateway; return it and the key (shown once, only its hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写网关名称"), field="name")
    key = "agw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = GatewayToken.objects.create(
            enterprise=enterprise, name=name[:100], prefix=key[:12], key_hash=GatewayToken.hash_key(key)
        )
        record(
            MonitoringEvent.TOKEN_ISSUED,
            token,
            acting_user=acting_user,
            after={"name": token.name, "prefix": token.prefix},
        )
    return token, key


def do_revoke_gateway_token(token: GatewayToken, *, acting_user: Any, reason: str = "") -> GatewayToken:
    """Revoke a gateway token (its gateway can no longer post)."""
    with transaction.atomic():
        locked = GatewayToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at", "updated_at"])
            record(MonitoringEvent.TOKEN_REVOKED, locked, acting_user=acting_user, reason=reason)
        return locked
