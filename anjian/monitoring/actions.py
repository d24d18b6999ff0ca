"""Every change people make in monitoring: alarm handling (acknowledge, assign, handle, close, to hidden danger),
gateway tokens, and the HTTP telemetry ingest.

Alarm handling is the transition table ``workflows.ALARM_FLOW`` (``core.workflow``): one action per edge,
each taking it through ``core.workflow.apply`` — the alarm locked, the edge, the permission, the required
data and the guard checked, who and when stamped, exactly one audit row.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import record, record_many, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import allowed_verbs as workflow_allowed_verbs
from anjian.core.workflow import apply
from anjian.monitoring.choices import AlarmStatus, MonitoringEvent
from anjian.monitoring.models import Alarm, Escalation, GatewayToken, MonitoringPoint
from anjian.monitoring.workflows import ALARM_FLOW, may_handle

__all__ = [
    "allowed_verbs",
    "do_acknowledge_alarm",
    "do_assign_alarm",
    "do_close_alarm",
    "do_create_points",
    "do_escalate_alarm",
    "do_handle_alarm",
    "do_issue_gateway_token",
    "do_purge_expired_telemetry",
    "do_revoke_gateway_token",
    "do_turn_alarm_into_danger",
    "lock_alarm",
    "touch_gateway_token",
]


def lock_alarm(alarm: Alarm) -> Alarm:
    """Re-read ``alarm`` with a row lock."""
    locked: Alarm = Alarm.objects.select_for_update().select_related("point", "enterprise").get(pk=alarm.pk)
    return locked


def _may_change(alarm: Alarm, user: Any) -> bool:
    return may_handle(alarm, user)


def allowed_verbs(alarm: Alarm, user: Any) -> list[tuple[str, str]]:
    """The (verb, label) edges ``user`` may take on ``alarm`` now (``core.workflow.allowed_verbs`` on
    ``ALARM_FLOW``: drives the buttons and the API's ``allowed_verbs``)."""
    out: list[tuple[str, str]] = []
    for edge in workflow_allowed_verbs(ALARM_FLOW, alarm, user):
        if edge.verb not in {v for v, _l in out}:
            out.append((edge.verb, edge.label))
    return out


def _step(alarm: Alarm, verb: str, *, acting_user: Any, reason: str = "", **data: Any) -> Alarm:
    result: Alarm = apply(ALARM_FLOW, alarm, verb, acting_user=acting_user, reason=reason, data=data)
    return result


def do_acknowledge_alarm(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """待确认 → 已确认: a named person takes notice (stops the escalation)."""
    return _step(alarm, "acknowledge", acting_user=acting_user, reason=reason)


def do_assign_alarm(alarm: Alarm, *, acting_user: Any, assignee: Any, reason: str = "") -> Alarm:
    """已确认/已指派 → 已指派: make ``assignee`` (a user who may handle it) responsible."""
    return _step(alarm, "assign", acting_user=acting_user, reason=reason, assignee=assignee)


def do_handle_alarm(
    alarm: Alarm, *, acting_user: Any, cause: str, measures: str, false_alarm: bool, reason: str = ""
) -> Alarm:
    """已确认/已指派 → 已处置 with the disposal record: cause, measures, false alarm or not."""
    return _step(
        alarm,
        "handle",
        acting_user=acting_user,
        reason=reason,
        cause=cause,
        measures=measures,
        false_alarm=false_alarm,
    )


def do_close_alarm(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """已处置 → 已关闭 (销警), only once the value has cleared."""
    return _step(alarm, "close", acting_user=acting_user, reason=reason)


def do_turn_alarm_into_danger(alarm: Alarm, *, acting_user: Any, reason: str = "") -> Alarm:
    """Report a hidden danger from this alarm in one step, keeping the link (``Alarm.danger_id``).

    Integration point with the dangers module: it calls ``anjian.dangers.actions.report_danger`` (source
    监测报警, the alarm kept as the source object); without that module it refuses with a clear message and
    changes nothing.
    """
    try:
        import importlib

        danger_actions: Any = importlib.import_module("anjian.dangers.actions")
    except ImportError:
        danger_actions = None
    report = getattr(danger_actions, "report_danger", None) if danger_actions is not None else None
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
            source="alarm",
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


def touch_gateway_token(token: GatewayToken) -> None:
    """Stamp when a gateway token was last used (bookkeeping of every accepted post, like a last login:
    not an audited change)."""
    GatewayToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Points in bulk (the demo plants, the simulator's scratch plants)
# ---------------------------------------------------------------------------------------------


def do_create_points(points: list[MonitoringPoint], *, acting_user: Any = None) -> list[MonitoringPoint]:
    """Create many points at once (bulk insert); one POINT_CREATED audit row each, written in bulk."""
    with transaction.atomic():
        created = MonitoringPoint.objects.bulk_create(points, batch_size=2000)
        if created and created[0].pk is None:  # a backend that does not return keys
            tags = {(p.enterprise_id, p.tag) for p in points}
            created = [
                p
                for p in MonitoringPoint.objects.filter(
                    enterprise_id__in={e for e, _t in tags}, tag__in={t for _e, t in tags}
                )
                if (p.enterprise_id, p.tag) in tags
            ]
        record_many(MonitoringEvent.POINT_CREATED, created, acting_user=acting_user)
    return created


# ---------------------------------------------------------------------------------------------
# Escalation and retention (run by ``maintenance.tick`` and the worker)
# ---------------------------------------------------------------------------------------------


def do_escalate_alarm(alarm: Alarm, steps: Any, now: Any, *, notify: Any = None) -> int:
    """Take every escalation step now due on an unacknowledged ``alarm`` (one ``Escalation`` row and one
    audit row per step; ``notify(alarm, step, unit)`` after commit). Returns the number of steps taken."""
    from functools import partial

    taken = 0
    with transaction.atomic():
        locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if locked.status != AlarmStatus.RAISED:
            return 0
        age_min = (now - locked.raised_at).total_seconds() / 60
        while locked.escalation_step < len(steps) and age_min >= steps[locked.escalation_step].after_minutes:
            step = steps[locked.escalation_step]
            unit = None
            if step.target == "department":
                unit = alarm.enterprise.supervising_unit
            elif step.target in {"duty", "principal"}:
                unit = alarm.enterprise.org_unit
            locked.escalation_step += 1
            Escalation.objects.create(
                alarm=locked, step=locked.escalation_step, target=step.label, org_unit=unit, at=now
            )
            locked.escalated_at = now
            locked.save(update_fields=["escalation_step", "escalated_at", "updated_at"])
            record(
                MonitoringEvent.ALARM_ESCALATED,
                locked,
                acting_user=None,
                after={"escalation_step": locked.escalation_step, "target": step.label},
                message=f"超过{step.after_minutes:g}分钟未确认，升级至{step.label}",
            )
            if notify is not None:
                transaction.on_commit(partial(notify, locked, step, unit))
            taken += 1
    return taken


def do_purge_expired_telemetry(cutoff_ms: int, *, readings: bool) -> int:
    """Retention: delete the rollups (and, where readings are not partitioned, the readings) older than
    ``cutoff_ms``. Telemetry is not audited row by row; returns the readings deleted."""
    from anjian.monitoring.models import Reading, ReadingRollup

    deleted = 0
    with transaction.atomic():
        if readings:
            deleted, _ = Reading.objects.filter(ts__lt=cutoff_ms).delete()
        ReadingRollup.objects.filter(minute__lt=cutoff_ms).delete()
    return deleted
