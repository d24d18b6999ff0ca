"""The rectification loop: the pinned edge table, every (state, verb) pair, guards and the report interface.

The table is ``workflows.DANGER_FLOW`` on ``core.workflow`` (it was ``choices.DANGER_EDGES``): the pinned
table below is written out by hand and checked with ``assert_edges``; every pair is tried both on the table
(``assert_every_pair``) and through the actions.
"""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest
from django.utils import timezone

from anjian.core.errors import AnjianError, PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair, assert_refused
from anjian.dangers import actions
from anjian.dangers.choices import DangerEvents, DangerStatus
from anjian.dangers.models import HiddenDanger
from anjian.dangers.workflows import DANGER_FLOW

pytestmark = pytest.mark.django_db

STATES = list(DangerStatus.values)
VERBS = ["verify", "dismiss", "assign", "submit", "accept", "reject"]


def test_edge_table_is_pinned():
    assert_edges(
        DANGER_FLOW,
        {
            ("reported", "verify", "verified"),
            ("reported", "dismiss", "dismissed"),
            ("verified", "assign", "rectifying"),
            ("rectifying", "submit", "awaiting_acceptance"),
            ("awaiting_acceptance", "accept", "closed"),
            ("awaiting_acceptance", "reject", "rectifying"),
        },
    )


def test_every_pair_of_the_table(danger_factory, danger_world, photo_upload):
    w = danger_world

    def make(state):
        danger = danger_factory(state=state)
        if state == "rectifying":
            actions.add_danger_photo(danger, photo_upload(), acting_user=w.reporter, stage="after")
        return danger

    def data(verb):
        return {
            "verify": {"grade": "general"},
            "assign": {
                "measures": "整改",
                "rectifier": w.reporter,
                "funds": "1",
                "deadline": timezone.localdate() + dt.timedelta(days=3),
            },
            "submit": {"statement": "已整改"},
            "accept": {"opinion": "同意"},
        }.get(verb, {})

    tried = assert_every_pair(
        DANGER_FLOW,
        make,
        actor=lambda edge, obj: w.dept_user if edge and edge.verb == "accept" else w.manager,
        data=data,
    )
    assert tried == len(STATES) * len(VERBS)


def test_guards_keep_their_chinese_reasons(danger_factory, danger_world):
    w = danger_world
    verified = danger_factory(state="verified", grade="major", major_item=5)
    assert_refused(DANGER_FLOW, verified, "assign", acting_user=w.manager, code="five_in_place_missing")
    rectifying = danger_factory(state="rectifying")
    assert_refused(DANGER_FLOW, rectifying, "submit", acting_user=w.reporter, code="submission_incomplete")
    # the button is not offered before an after-photo exists, and the page says why
    assert "submit" not in actions.allowed_verbs(rectifying, w.reporter)
    waiting = danger_factory(state="awaiting_acceptance")
    assert_refused(
        DANGER_FLOW,
        waiting,
        "accept",
        acting_user=w.reporter,
        code="acceptance_not_allowed",
        data={"opinion": "好"},
    )


def _try(verb, danger, w):
    acting = w.dept_user if verb == "accept" else w.manager
    kwargs = {
        "verify": {"grade": "general"},
        "dismiss": {"reason": "不构成隐患"},
        "assign": {
            "measures": "整改",
            "rectifier": w.reporter,
            "funds": "1",
            "deadline": timezone.localdate() + dt.timedelta(days=3),
            "contingency_plan": "预案",
        },
        "submit": {"statement": "已整改"},
        "accept": {"opinion": "同意"},
        "reject": {"reason": "未整改到位"},
    }[verb]
    return actions.VERB_ACTIONS[verb](danger, acting_user=acting, **kwargs)


@pytest.mark.parametrize(("state", "verb"), list(product(STATES, VERBS)))
def test_every_state_verb_pair(state, verb, danger_factory, danger_world, photo_upload):
    # given a danger in ``state`` (after-photo present where it matters)
    danger = danger_factory(state=state)
    if state == "rectifying":
        actions.add_danger_photo(danger, photo_upload(), acting_user=danger_world.reporter, stage="after")
    before_rows = AuditEntry.objects.count()
    declared = {e.verb: str(e.target) for e in DANGER_FLOW.edges if e.source == state}
    # when the verb is tried
    if verb in declared:
        result = _try(verb, danger, danger_world)
        # then the declared edge succeeds with exactly one audit row
        assert result.status == declared[verb]
        assert AuditEntry.objects.count() == before_rows + 1
    else:
        snapshot = HiddenDanger.objects.filter(pk=danger.pk).values().get()
        with pytest.raises(TransitionNotAllowed):
            _try(verb, danger, danger_world)
        # and an undeclared one changes nothing
        assert HiddenDanger.objects.filter(pk=danger.pk).values().get() == snapshot
        assert AuditEntry.objects.count() == before_rows


def test_report_danger_from_another_module_keeps_source(danger_world, user_factory):
    # given an object of another module (here: a user row stands in for an alarm)
    source = danger_world.dept_user
    # when a system job reports a danger through the interface
    danger = actions.report_danger(
        enterprise=danger_world.enterprise,
        title="可燃气体报警未处置",
        description="GT-101 高报 30 分钟未确认",
        source="alarm",
        source_object=source,
        acting_user=None,
    )
    # then it is stored with its source and one audit row by 系统
    assert danger.status == "reported" and danger.source == "alarm"
    assert danger.source_type.model == "user" and danger.source_id == str(source.pk)
    assert (
        danger.code.startswith("YH") and danger.supervising_unit == danger_world.enterprise.supervising_unit
    )
    [row] = AuditEntry.objects.filter(event_type=DangerEvents.DANGER_REPORTED)
    assert row.user_name == "系统" and row.related_id == str(danger_world.enterprise.pk)


def test_report_for_an_enterprise_out_of_scope_is_refused(danger_world):
    with pytest.raises(PermissionDeniedError):
        actions.report_danger(
            enterprise=danger_world.enterprise,
            title="x",
            source="snapshot",
            acting_user=danger_world.other_user,
        )
    assert not HiddenDanger.objects.exists()


def test_major_item_makes_it_major_and_notifies_supervisor_at_once(
    danger_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        danger = actions.report_danger(
            enterprise=danger_world.enterprise,
            title="安全阀未投用",
            source="enforcement",
            major_item=15,
            acting_user=danger_world.dept_user,
        )
    assert danger.grade == "major" and danger.major_item == 15
    [message] = Notification.objects.filter(kind="dangers")
    assert message.recipient == danger_world.dept_user
    assert message.target == danger
    assert "第15项" in message.body and "监管部门" in message.why
    assert AuditEntry.objects.filter(event_type=DangerEvents.DANGER_SUPERVISOR_NOTIFIED).count() == 1


def test_major_item_out_of_range_is_refused(danger_world):
    with pytest.raises(ValidationFailed) as exc:
        actions.report_danger(enterprise=danger_world.enterprise, title="x", major_item=21, acting_user=None)
    assert "1–20" in exc.value.message


def test_rectifying_without_five_in_place_names_what_is_missing(danger_factory, danger_world):
    danger = danger_factory(state="verified", grade="major", major_item=5)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_assign_rectification(
            danger, acting_user=danger_world.manager, measures=" ", rectifier=None, funds=None, deadline=None
        )
    assert (
        exc.value.message
        == "五到位未落实，缺少：整改措施、整改责任人、整改资金、整改期限、应急预案（重大隐患）"
    )
    assert HiddenDanger.objects.get(pk=danger.pk).status == "verified"


def test_submit_needs_after_photo_and_statement(danger_factory, danger_world):
    danger = danger_factory(state="rectifying")
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_submit_for_acceptance(danger, acting_user=danger_world.reporter, statement="")
    assert exc.value.message == "不能申请验收，缺少：整改情况说明、整改后照片"


def test_rectifier_cannot_accept_own_work(danger_factory, danger_world):
    danger = danger_factory(state="awaiting_acceptance")
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_accept_danger(danger, acting_user=danger_world.reporter, opinion="好")
    assert "不能是整改责任人" in exc.value.message
    assert HiddenDanger.objects.get(pk=danger.pk).status == "awaiting_acceptance"
    assert "accept" not in actions.allowed_verbs(danger, danger_world.reporter)
    assert "accept" in actions.allowed_verbs(danger, danger_world.manager)


def test_major_needs_supervising_department_acceptance(danger_factory, danger_world):
    danger = danger_factory(state="awaiting_acceptance", grade="major", major_item=12)
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_accept_danger(danger, acting_user=danger_world.manager, opinion="好")
    assert exc.value.message == "重大隐患须由监管部门验收销号"
    closed = actions.do_accept_danger(danger, acting_user=danger_world.dept_user, opinion="同意销号")
    assert closed.status == "closed" and closed.closed_at is not None


def test_other_enterprise_cannot_act(danger_factory, danger_world):
    danger = danger_factory(state="reported")
    with pytest.raises(AnjianError):
        actions.do_verify_danger(danger, acting_user=danger_world.other_user, grade="general")
    assert actions.allowed_verbs(danger, danger_world.other_user) == []


def test_photo_keeps_exif_time_and_gps(danger_factory, danger_world, photo_upload):
    danger = danger_factory(state="reported")
    when = dt.datetime(2026, 5, 3, 9, 15, 0, tzinfo=dt.UTC)
    photo = actions.add_danger_photo(
        danger, photo_upload(when=when, lat=39.25, lon=105.5), acting_user=danger_world.reporter
    )
    assert timezone.localtime(photo.captured_at).replace(tzinfo=None) == when.replace(tzinfo=None)
    assert abs(float(photo.lat) - 39.25) < 0.001 and abs(float(photo.lon) - 105.5) < 0.001
    assert len(photo.sha256) == 64


def test_non_image_upload_is_refused(danger_factory, danger_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    danger = danger_factory(state="reported")
    with pytest.raises(ValidationFailed) as exc:
        actions.add_danger_photo(
            danger,
            SimpleUploadedFile("x.jpg", b"<html>not a photo</html>"),
            acting_user=danger_world.reporter,
        )
    assert exc.value.message == "文件不是有效的照片"


def test_a_monitoring_alarm_turned_into_a_danger_enters_the_loop(
    enterprise_factory, enterprise_user_factory, point_factory
):
    import time

    from anjian.monitoring import actions as monitoring_actions
    from anjian.monitoring.models import Alarm
    from anjian.monitoring.tests.test_actions import feed

    # given an alarm of a combustible gas detector (monitoring's 转为隐患 reports it through ``report_danger``)
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    feed(ent, [{"tag": "GT-1", "v": 30, "ts": int(time.time() * 1000) - 5000}])
    alarm = Alarm.objects.get()
    # when
    monitoring_actions.do_turn_alarm_into_danger(
        alarm, acting_user=enterprise_user_factory(ent), reason="探头附近有泄漏"
    )
    # then: a danger of the enterprise, source 监测报警, pointing back at the alarm, which links to it
    danger = HiddenDanger.objects.get()
    assert (danger.enterprise, danger.source, danger.status) == (ent, "alarm", "reported")
    assert danger.source_type.model == "alarm" and danger.source_id == str(alarm.pk)
    assert Alarm.objects.get().danger_id == danger.pk
