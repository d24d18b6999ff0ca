"""Inspection records item by item (idempotent resend), dangers from a checklist, the completion job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.errors import ValidationFailed
from anjian.dangers import actions, inspections
from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask, TaskCompletionStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk_chain(danger_world):
    from anjian.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskUnit

    e = danger_world.enterprise
    obj = RiskObject.objects.create(enterprise=e, name="罐区", kind="installation")
    unit = RiskUnit.objects.create(enterprise=e, risk_object=obj, name="甲醇储罐组")
    event = RiskEvent.objects.create(enterprise=e, unit=unit, name="储罐泄漏", consequence="火灾爆炸")
    m1 = ControlMeasure.objects.create(
        enterprise=e,
        event=event,
        kind="engineering",
        description="液位联锁",
        check_content="液位联锁是否投用",
    )
    m2 = ControlMeasure.objects.create(
        enterprise=e, event=event, kind="management", description="排水阀常闭", check_content="排水阀是否关闭"
    )
    return unit, [m1, m2]


def make_task(danger_world, measure, cycle="daily", days_back=10):
    return InspectionTask.objects.create(
        enterprise=danger_world.enterprise,
        measure=measure,
        unit=measure.event.unit,
        title=measure.description,
        cycle=cycle,
        assignee=danger_world.reporter,
        valid_from=timezone.localdate() - dt.timedelta(days=days_back),
    )


def test_record_with_a_danger_item_reports_it_and_resend_is_idempotent(danger_world, risk_chain):
    unit, (m1, m2) = risk_chain
    task = make_task(danger_world, m1)
    items = [
        {"measure": m1.pk, "content": "液位联锁是否投用", "result": "ok"},
        {"measure": m2.pk, "content": "排水阀是否关闭", "result": "danger", "note": "东侧排水阀开启"},
    ]
    rec, created = actions.submit_inspection(
        acting_user=danger_world.reporter, client_token="tok-1", items=items, task=task
    )
    again, created_again = actions.submit_inspection(
        acting_user=danger_world.reporter, client_token="tok-1", items=items, task=task
    )
    assert created and not created_again and again.pk == rec.pk
    assert InspectionRecord.objects.count() == 1 and rec.dangers_found == 1
    [danger] = HiddenDanger.objects.all()
    assert danger.source == "inspection" and danger.record_id == rec.pk and danger.measure_id == m2.pk
    assert danger.risk_unit_id == unit.pk and "东侧排水阀开启" in danger.title
    assert rec.on_time and rec.period_start is not None
    # the task is no longer due in this period
    assert task not in inspections.due_tasks(danger_world.reporter)


def test_danger_item_needs_a_note(danger_world, risk_chain):
    _unit, (m1, _m2) = risk_chain
    with pytest.raises(ValidationFailed) as exc:
        actions.submit_inspection(
            acting_user=danger_world.reporter,
            client_token="t2",
            items=[{"content": "液位", "result": "danger"}],
            task=make_task(danger_world, m1),
        )
    assert "请写明隐患情况" in exc.value.message
    assert not InspectionRecord.objects.exists()


def test_other_enterprise_cannot_inspect(danger_world, risk_chain):
    unit, _ = risk_chain
    from anjian.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        actions.submit_inspection(
            acting_user=danger_world.other_user,
            client_token="t3",
            items=[{"content": "x", "result": "ok"}],
            unit=unit,
        )


def test_completion_job_counts_on_time_late_and_missed(danger_world, risk_chain):
    # given two daily tasks over three days, in local time
    _unit, (m1, m2) = risk_chain
    t1, t2 = make_task(danger_world, m1), make_task(danger_world, m2)
    tz = timezone.get_current_timezone()
    day = timezone.localdate() - dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    # t1 done on time on day; t2 done in the period but received late; nothing on the next day
    InspectionRecord.objects.create(
        enterprise=danger_world.enterprise,
        task=t1,
        checked_at=start + dt.timedelta(hours=9),
        period_start=start,
        on_time=True,
    )
    InspectionRecord.objects.create(
        enterprise=danger_world.enterprise,
        task=t2,
        checked_at=start + dt.timedelta(hours=22),
        period_start=start,
        on_time=False,
    )
    # when the job runs for day and the day after
    totals = actions.compute_completion(day)
    actions.compute_completion(day + dt.timedelta(days=1))
    # then: hand count — day: 2 due, 1 on time, 1 late; next day: 2 due, 2 missed
    assert totals == {"enterprises": 1, "due": 2, "on_time": 1, "late": 1, "missed": 0}
    stats = {s.day: (s.due, s.on_time, s.late, s.missed) for s in TaskCompletionStat.objects.all()}
    assert stats == {day: (2, 1, 1, 0), day + dt.timedelta(days=1): (2, 0, 0, 2)}
    # and running it again changes nothing
    actions.compute_completion(day)
    assert TaskCompletionStat.objects.count() == 2


def test_completion_counts_weekly_only_on_the_period_end(danger_world, risk_chain):
    _unit, (m1, _m2) = risk_chain
    make_task(danger_world, m1, cycle="weekly", days_back=30)
    today = timezone.localdate()
    sunday = today - dt.timedelta(days=today.weekday() + 1)
    assert actions.compute_completion(sunday)["due"] == 1
    assert actions.compute_completion(sunday - dt.timedelta(days=1))["due"] == 0
