"""Actions: reports (submit, revise, late, lock), the 督办 state machine, target binding — each audited once."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.choices import AuditEvent
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair
from anjian.orgs.models import OrgUnit
from anjian.plans import actions
from anjian.plans.choices import ReportStatus
from anjian.plans.models import ProgressReport, SupervisionNotice
from anjian.plans.tests.fixtures import at
from anjian.plans.workflows import NOTICE_FLOW

pytestmark = pytest.mark.django_db


def _audits(event: AuditEvent) -> int:
    return AuditEntry.objects.filter(event_type=event).count()


# --- reports ---------------------------------------------------------------------------------------


def test_submit_then_revise_before_deadline_writes_one_audit_row_each(task_of, user_factory):
    # given a 腾格里镇 user (a member of the cooperating group 两镇 on task 1.1)
    task = task_of("1.1")
    town = OrgUnit.objects.get(name="腾格里镇")
    user = user_factory(org=town)
    # when they file 2024Q3 on time and revise it before the deadline
    report = actions.do_submit_report(
        task,
        town,
        2024,
        3,
        status=ReportStatus.IN_PROGRESS,
        text="已排查企业12家。",
        acting_user=user,
        now=at(dt.date(2024, 10, 8)),
    )
    revised = actions.do_submit_report(
        task,
        town,
        2024,
        3,
        status=ReportStatus.DONE,
        text="已完成排查整治。",
        acting_user=user,
        now=at(dt.date(2024, 10, 12)),
    )
    # then one report exists, revised, not late, with one SUBMITTED and one REVISED audit row
    assert revised.pk == report.pk and revised.revision == 1 and revised.status == "done"
    assert not revised.is_late and revised.due_date == dt.date(2024, 10, 15)
    assert _audits(AuditEvent.REPORT_SUBMITTED) == 1
    row = AuditEntry.objects.get(event_type=AuditEvent.REPORT_REVISED)
    assert (row.before["status"], row.after["status"]) == ("in_progress", "done")


def test_late_report_is_flagged_and_locked_after_deadline(task_of, user_factory):
    # given a report filed after its due date
    task = task_of("1.2")
    unit = OrgUnit.objects.get(name="综合执法局")
    user = user_factory(org=unit)
    report = actions.do_submit_report(
        task,
        unit,
        2022,
        1,
        status="behind",
        text="人员不足，进度滞后。",
        acting_user=user,
        now=at(dt.date(2022, 4, 20)),
    )
    assert report.is_late
    # when it is revised after the deadline; then it is refused and nothing is audited
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        actions.do_submit_report(
            task, unit, 2022, 1, status="done", text="完成。", acting_user=user, now=at(dt.date(2022, 4, 21))
        )
    assert exc.value.code == "report_locked"
    assert AuditEntry.objects.count() == before
    assert ProgressReport.objects.get(pk=report.pk).status == "behind"


def test_only_own_unit_on_own_task_may_file(task_of, user_factory):
    # given a 市监局 user; task 1.2 is 综合执法局's alone
    user = user_factory(org="市场监督管理局")
    market = OrgUnit.objects.get(name="市场监督管理局")
    law = OrgUnit.objects.get(name="综合执法局")
    # when filing for another unit, or on a task the unit is not part of; then refused
    with pytest.raises(PermissionDeniedError):
        actions.do_submit_report(
            task_of("1.1"),
            law,
            2024,
            1,
            status="done",
            text="x",
            acting_user=user,
            now=at(dt.date(2024, 4, 1)),
        )
    with pytest.raises(PermissionDeniedError):
        actions.do_submit_report(
            task_of("1.2"),
            market,
            2024,
            1,
            status="done",
            text="x",
            acting_user=user,
            now=at(dt.date(2024, 4, 1)),
        )
    assert ProgressReport.objects.count() == 0


@pytest.mark.parametrize(
    ("year", "quarter", "code"), [(2020, 4, "quarter_outside_plan"), (2024, 4, "future_quarter")]
)
def test_quarter_must_be_in_plan_and_started(task_of, user_factory, year, quarter, code):
    unit = OrgUnit.objects.get(name="应急管理局")
    user = user_factory(org=unit)
    with pytest.raises(ValidationFailed) as exc:
        actions.do_submit_report(
            task_of("1.1"),
            unit,
            year,
            quarter,
            status="done",
            text="x",
            acting_user=user,
            now=at(dt.date(2024, 8, 1)),
        )
    assert exc.value.code == code


def test_empty_text_is_refused_in_chinese(task_of, user_factory):
    unit = OrgUnit.objects.get(name="应急管理局")
    with pytest.raises(ValidationFailed) as exc:
        actions.do_submit_report(
            task_of("1.1"),
            unit,
            2024,
            1,
            status="done",
            text="  ",
            acting_user=user_factory(org=unit),
            now=at(dt.date(2024, 4, 2)),
        )
    assert exc.value.message == "请填写进展情况"


# --- 督办 notices ----------------------------------------------------------------------------------


def test_notice_table_has_exactly_these_edges():
    # the notice workflow, written out by hand: any added, removed or redirected edge fails here
    assert_edges(
        NOTICE_FLOW,
        {
            ("sent", "acknowledge", "acknowledged"),
            ("acknowledged", "answer", "answered"),
            ("answered", "close", "closed"),
        },
    )


def test_notice_every_state_verb_pair(notice_factory, user_factory, committee_user):
    # given notices in every state, the receiving unit's user and the committee office
    unit = OrgUnit.objects.get(name="应急管理局")
    unit_user = user_factory(org=unit)

    def make(state):
        notice = notice_factory(unit)
        SupervisionNotice.objects.filter(pk=notice.pk).update(status=state)
        notice.refresh_from_db()
        return notice

    def actor(edge, notice):
        return committee_user if edge is not None and edge.verb == "close" else unit_user

    # then every declared edge succeeds with one audit row and every other pair writes nothing
    tried = assert_every_pair(NOTICE_FLOW, make, actor=actor, data=lambda verb: {"answer": "已整改"})
    assert tried == 4 * 3


def test_notice_sent_is_audited_and_guards_hold(notice_factory, user_factory, committee_user):
    # given a notice to 应急管理局
    unit = OrgUnit.objects.get(name="应急管理局")
    notice = notice_factory(unit)
    assert _audits(AuditEvent.NOTICE_SENT) == 1
    other = user_factory(org="市场监督管理局")
    # then another unit cannot sign for it, the unit cannot close, a dept user cannot send
    with pytest.raises(PermissionDeniedError):
        actions.do_acknowledge_notice(notice, acting_user=other, reason="")
    own = user_factory(org=unit)
    actions.do_acknowledge_notice(notice, acting_user=own, reason="")
    with pytest.raises(ValidationFailed):
        actions.do_answer_notice(notice, answer=" ", acting_user=own, reason="")
    actions.do_answer_notice(notice, answer="已整改", acting_user=own, reason="")
    with pytest.raises(PermissionDeniedError):
        actions.do_close_notice(notice, acting_user=own, reason="")
    with pytest.raises(PermissionDeniedError):
        actions.do_send_notice(unit=unit, title="t", body="b", acting_user=own)
    with pytest.raises(ValidationFailed):
        actions.do_send_notice(
            unit=OrgUnit.objects.get(name="两镇"), title="t", body="b", acting_user=committee_user
        )
    assert SupervisionNotice.objects.get(pk=notice.pk).answer == "已整改"


# --- targets ---------------------------------------------------------------------------------------


def test_bind_target_is_audited_and_committee_only(task_of, committee_user, user_factory):
    # given the auto-bound target of task 2.1
    target = task_of("2.1").targets.get()
    assert target.metric_key == "people.special_training_coverage"
    # when a department user tries, then refused; when the office rebinds, one TARGET_BOUND row
    with pytest.raises(PermissionDeniedError):
        actions.do_bind_target(target, metric_key="x.y", acting_user=user_factory(org="工业和科技局"))
    actions.do_bind_target(
        target, metric_key="people.training_rate", acting_user=committee_user, reason="口径调整"
    )
    row = AuditEntry.objects.get(event_type=AuditEvent.TARGET_BOUND)
    assert (row.before, row.after, row.reason) == (
        {"metric_key": "people.special_training_coverage"},
        {"metric_key": "people.training_rate"},
        "口径调整",
    )
    # and a malformed key is refused without audit
    with pytest.raises(ValidationFailed):
        actions.do_bind_target(target, metric_key="不是键", acting_user=committee_user)
    assert _audits(AuditEvent.TARGET_BOUND) == 1
