"""The overdue ladder on a simulated clock: principal → supervising department → committee office, each step
one notification and one audit row, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.models import AuditEntry, Notification
from anjian.dangers import actions
from anjian.dangers.choices import DangerEvents
from anjian.dangers.models import HiddenDanger

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_ladder_walks_on_a_simulated_clock(danger_factory, danger_world, django_capture_on_commit_callbacks):
    danger = danger_factory(state="rectifying")
    deadline = danger.deadline
    fired = []
    for offset in range(0, 12):
        with django_capture_on_commit_callbacks(execute=True):
            taken = actions.run_escalation(at(deadline + dt.timedelta(days=offset)))
        if taken:
            fired.append((offset, HiddenDanger.objects.get(pk=danger.pk).escalation_step))
    # then: day 1 principal (0 days configured → first overdue day), day 3 department, day 7 committee office
    assert fired == [(1, 1), (3, 2), (7, 3)]
    messages = Notification.objects.filter(kind="dangers", title__contains="逾期").order_by("id")
    units = [m.recipient.org for m in messages]
    assert units[0] == danger_world.enterprise.org_unit
    assert danger_world.enterprise.supervising_unit in units
    assert units[-1].code == "AWB"
    rows = AuditEntry.objects.filter(event_type=DangerEvents.DANGER_ESCALATED).order_by("id")
    assert [r.after["audience"] for r in rows] == ["principal", "department", "committee"]
    assert "逾期" in messages[0].why


def test_configured_ladder_and_closed_dangers(danger_factory, danger_world, committee_user):
    actions.do_change_settings(
        acting_user=committee_user,
        reason="试行",
        principal_after_days=2,
        department_after_days=2,
        committee_after_days=10,
    )
    open_one = danger_factory(state="rectifying")
    closed = danger_factory(state="closed")
    HiddenDanger.objects.filter(pk=closed.pk).update(deadline=open_one.deadline)
    # day 1: nothing (principal after 2 days); day 2: principal and department at once → the highest due rung
    assert actions.run_escalation(at(open_one.deadline + dt.timedelta(days=1))) == 0
    assert actions.run_escalation(at(open_one.deadline + dt.timedelta(days=2))) == 1
    assert HiddenDanger.objects.get(pk=open_one.pk).escalation_step == 2
    assert HiddenDanger.objects.get(pk=closed.pk).escalation_step == 0
    # running again the same day changes nothing
    assert actions.run_escalation(at(open_one.deadline + dt.timedelta(days=2))) == 0


def test_ladder_settings_must_not_decrease(committee_user):
    from anjian.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        actions.do_change_settings(
            acting_user=committee_user,
            reason="x",
            principal_after_days=5,
            department_after_days=3,
            committee_after_days=7,
        )
