"""Assessment actions: creating a scheme, running it over real plan data, rule changes, veto events,
adjustments and finalisation — each with its one audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

import pytest

from anjian.assessment import actions
from anjian.assessment.choices import SchemeState
from anjian.assessment.models import AssessmentResult, AssessmentScheme, ManualAdjustment, VetoEvent
from anjian.assessment.tests.fixtures import AS_OF
from anjian.assessment.workflows import SCHEME_FLOW
from anjian.core.choices import AuditEvent
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair

pytestmark = pytest.mark.django_db


def audit_rows(event: AuditEvent) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event_type=event).order_by("id"))


# ---------------------------------------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------------------------------------


def test_create_scheme_has_default_rules_vetoes_and_one_audit_row(db, committee_user):
    # when the committee office creates the 2025 scheme
    scheme = actions.do_create_scheme(2025, acting_user=committee_user)
    # then it carries the default rules (100 points) and vetoes
    assert scheme.name == "2025年度安全生产考核"
    assert [(r.kind, r.max_points) for r in scheme.rules.all()] == [
        ("reports_on_time", Decimal(40)),
        ("targets_on_track", Decimal(40)),
        ("notices_answered", Decimal(20)),
    ]
    assert [(v.kind, v.params) for v in scheme.vetoes.all()] == [
        ("accident_at_least", {"grade": "较大"}),
        ("notice_ignored", {"count": 1}),
    ]
    assert scheme.state == SchemeState.DRAFT
    [row] = audit_rows(AuditEvent.ASSESSMENT_SCHEME_CREATED)
    assert row.user == committee_user and len(row.after["rules"]) == 3 and len(row.after["vetoes"]) == 2


def test_second_scheme_for_a_year_is_refused(scheme_2025, committee_user):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_create_scheme(2025, acting_user=committee_user)
    assert exc.value.message == "2025 年度已有考核方案" and exc.value.field == "year"


# ---------------------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------------------


def test_run_scores_every_department_and_town_with_tasks(run_2025, result_of):
    # given the fixture world run as of 2026-01-16 (hand-computed in fixtures.assessment_world)
    results = AssessmentResult.objects.filter(scheme=run_2025).select_related("unit")
    # then the four units with tasks are ranked; vetoed units come last whatever their points
    assert [(r.rank, r.unit.name, r.total, r.grade, r.vetoed) for r in results] == [
        (1, "孛井滩镇", Decimal("100.0"), "excellent", False),
        (1, "腾格里镇", Decimal("100.0"), "excellent", False),
        (3, "应急管理局", Decimal("65.0"), "pass", False),
        (4, "住建交通局", Decimal("40.0"), "fail", True),
    ]
    # and each line explains its numbers
    yjj = result_of(run_2025, "应急管理局")
    assert [line["explanation"] for line in yjj.lines] == [
        "应报 4 次，按时 2 次，逾期 1 次（按 0.5 次计），缺报 1 次：折算按时率 62.5%，得 25.0/40 分",
        "牵头指标 3 项，1 项尚未接入指标，不计分，计分 2 项：达标 1 项，未达标 1 项：达标率 50.0%，得 20.0/40 分",
        "到期督办通知 1 件，按期回复 1 件，逾期回复 0 件，逾期未回复 0 件：按期回复率 100.0%，得 20.0/20 分",
    ]
    assert "任务 1.1 较大事故起数（不低于100%）：尚未接入指标，不计分" in yjj.lines[1]["items"]
    assert (
        "任务 1.1 三类人员持证上岗率（不低于100%）：截至 2025-12-31 为 80%（80/100）：未达标"
        in yjj.lines[1]["items"]
    )
    assert run_2025.as_of == AS_OF and run_2025.state == SchemeState.COMPUTED


def test_a_veto_fails_a_unit_whatever_its_points(run_2025, result_of):
    zj = result_of(run_2025, "住建交通局")
    assert zj.veto_reason == "督办通知到期仍未签收 1 件（否决条件：≥ 1 件）"
    assert zj.checks[1]["items"] == ["1.2 关于两镇整治的督办通知（限期 2025-05-31，未签收）"]
    assert zj.lines[1]["explanation"] == "本单位本年度无牵头指标；无可计分指标，本项按满分计：得 40/40 分"
    assert zj.summary.startswith("得分 40.0/100 分；一票否决：")


def test_run_writes_one_audit_row_with_the_counts(run_2025, committee_user):
    [row] = audit_rows(AuditEvent.ASSESSMENT_RUN)
    assert row.object_id == str(run_2025.pk) and row.user == committee_user
    assert (
        row.message
        == "计算 4 个单位（数据截至 2026-01-16）：优秀 2、良好 0、合格 1、不合格 1；一票否决：住建交通局"
    )
    assert row.after["grades"] == {"excellent": 2, "pass": 1, "fail": 1}


def test_rerun_updates_results_in_place(run_2025, committee_user, result_of):
    # given a result's id
    before = result_of(run_2025, "应急管理局").pk
    # when the scheme is run again
    actions.do_run_assessment(run_2025, acting_user=committee_user, as_of=AS_OF)
    # then the result keeps its id (links stay valid) and there are still four results
    assert result_of(run_2025, "应急管理局").pk == before
    assert AssessmentResult.objects.filter(scheme=run_2025).count() == 4


def test_answers_after_the_cut_off_are_not_seen(scheme_2025, committee_user, result_of):
    # given 应急管理局 answered its notice (due 2025-06-30) late, on 07-10, and a cut-off of 07-05
    from anjian.assessment.tests.fixtures import aware
    from anjian.plans.models import SupervisionNotice

    SupervisionNotice.objects.filter(unit__name="应急管理局").update(answered_at=aware(dt.date(2025, 7, 10)))
    actions.do_run_assessment(scheme_2025, acting_user=committee_user, as_of=dt.date(2025, 7, 5))
    # then, as of 2025-07-05, the notice is overdue and unanswered; Q1 was due, Q2's report is still open
    yjj = result_of(scheme_2025, "应急管理局")
    assert yjj.lines[2]["explanation"].startswith(
        "到期督办通知 1 件，按期回复 0 件，逾期回复 0 件，逾期未回复 1 件"
    )
    assert yjj.lines[0]["explanation"].startswith(
        "应报 1 次，按时 1 次，逾期 0 次，缺报 0 次（另有 1 次尚在报送期内，不计）"
    )


# ---------------------------------------------------------------------------------------------------------
# Rules, veto events and adjustments
# ---------------------------------------------------------------------------------------------------------


def test_rule_change_is_audited_and_makes_results_stale(run_2025, committee_user, result_of):
    # given the report rule
    rule = run_2025.rules.get(kind="reports_on_time")
    # when late reports stop counting
    actions.do_change_rule(rule, acting_user=committee_user, params={"late_factor": "0"}, reason="从严")
    # then one RULE_CHANGED row holds before and after, and the scheme needs a rerun
    [row] = audit_rows(AuditEvent.RULE_CHANGED)
    assert row.before["params"] == {"late_factor": "0.5"} and row.after["params"] == {"late_factor": "0"}
    assert row.reason == "从严" and row.related_id == str(run_2025.pk)
    run_2025.refresh_from_db()
    assert run_2025.state == SchemeState.STALE
    # and after the rerun 应急管理局 earns 2/4 × 40 = 20 for reports
    actions.do_run_assessment(run_2025, acting_user=committee_user, as_of=AS_OF)
    assert result_of(run_2025, "应急管理局").total == Decimal("60.0")


def test_an_invalid_rule_is_refused_in_chinese(scheme_2025, committee_user):
    rule = scheme_2025.rules.get(kind="reports_on_time")
    with pytest.raises(ValidationFailed) as exc:
        actions.do_change_rule(rule, acting_user=committee_user, params={"late_factor": "3"})
    assert exc.value.message == "逾期折算系数须在 0 到 1 之间"
    assert audit_rows(AuditEvent.RULE_CHANGED) == []


def test_rules_and_vetoes_can_be_added_and_removed_with_audit(scheme_2025, committee_user):
    rule = actions.do_add_rule(
        scheme_2025, acting_user=committee_user, kind="base", title="基础分", max_points=Decimal(10), order=9
    )
    veto = actions.do_add_veto_rule(
        scheme_2025,
        acting_user=committee_user,
        kind="reports_missing_at_least",
        title="缺报 4 次",
        params={"count": 4},
    )
    actions.do_remove_rule(rule, acting_user=committee_user)
    actions.do_remove_veto_rule(veto, acting_user=committee_user, reason="不适用")
    rows = audit_rows(AuditEvent.RULE_CHANGED)
    assert [r.message for r in rows] == ["新增：基础分", "新增：缺报 4 次", "删除：基础分", "删除：缺报 4 次"]
    assert scheme_2025.rules.count() == 3 and scheme_2025.vetoes.count() == 2


def test_a_recorded_accident_fails_the_town(run_2025, committee_user, unit, result_of):
    # given 腾格里镇 with 100 points
    # when a 较大 accident in its remit is recorded and the scheme rerun
    event = actions.do_record_veto_event(
        unit=unit("腾格里镇"),
        year=2025,
        grade="larger",
        description="某化工企业爆燃事故，3 人死亡",
        occurred_on=dt.date(2025, 8, 3),
        acting_user=committee_user,
    )
    [row] = audit_rows(AuditEvent.VETO_EVENT_RECORDED)
    assert row.object_id == str(event.pk) and row.related_id == str(run_2025.pk)
    actions.do_run_assessment(run_2025, acting_user=committee_user, as_of=AS_OF)
    # then it keeps its points but is 不合格 with the reason
    tz = result_of(run_2025, "腾格里镇")
    assert (tz.total, tz.grade, tz.vetoed) == (Decimal("100.0"), "fail", True)
    assert (
        tz.veto_reason
        == "2025 年辖区发生较大及以上生产安全事故 1 起：2025-08-03 某化工企业爆燃事故，3 人死亡（较大）"
    )
    assert tz.rank == 3  # after the units without a veto


def test_an_accident_below_the_threshold_does_not_veto(run_2025, committee_user, unit, result_of):
    actions.do_record_veto_event(
        unit=unit("孛井滩镇"), year=2025, grade="general", description="一般事故", acting_user=committee_user
    )
    actions.do_run_assessment(run_2025, acting_user=committee_user, as_of=AS_OF)
    bz = result_of(run_2025, "孛井滩镇")
    assert not bz.vetoed and bz.checks[0]["explanation"] == "2025 年记录生产安全事故 1 起，均低于较大，未触发"


def test_veto_event_validation_and_withdrawal(run_2025, committee_user, unit):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_record_veto_event(
            unit=unit("腾格里镇"),
            year=2025,
            grade="larger",
            description="事故",
            occurred_on=dt.date(2024, 12, 30),
            acting_user=committee_user,
        )
    assert exc.value.message == "发生日期须在考核年度内"
    event = actions.do_record_veto_event(
        unit=unit("腾格里镇"), year=2025, grade="major", description="事故", acting_user=committee_user
    )
    with pytest.raises(ValidationFailed):
        actions.do_remove_veto_event(event, acting_user=committee_user, reason=" ")
    actions.do_remove_veto_event(event, acting_user=committee_user, reason="登记错误")
    [row] = audit_rows(AuditEvent.VETO_EVENT_REMOVED)
    assert row.reason == "登记错误" and row.before["grade"] == "major"
    assert not VetoEvent.objects.exists()


def test_adjustment_is_audited_and_counted(run_2025, committee_user, unit, result_of):
    # when the office takes 2.5 points off 应急管理局 with a reason
    adjustment = actions.do_add_adjustment(
        run_2025,
        unit=unit("应急管理局"),
        points=Decimal("-2.5"),
        reason="迟报事故信息",
        acting_user=committee_user,
    )
    actions.do_run_assessment(run_2025, acting_user=committee_user, as_of=AS_OF)
    # then the result has a 人工调整 line and 65 - 2.5 = 62.5
    result = result_of(run_2025, "应急管理局")
    assert result.total == Decimal("62.5")
    assert result.lines[-1]["title"] == "人工调整"
    assert result.lines[-1]["items"] == ["-2.5 分：迟报事故信息（测试用户）"]
    [row] = audit_rows(AuditEvent.SCORE_ADJUSTED)
    assert row.object_id == str(adjustment.pk) and row.reason == "迟报事故信息"
    # and it can be withdrawn with a reason
    actions.do_remove_adjustment(adjustment, acting_user=committee_user, reason="核实后撤销")
    assert not ManualAdjustment.objects.exists() and len(audit_rows(AuditEvent.SCORE_ADJUSTMENT_REMOVED)) == 1


def test_adjustment_limits(scheme_2025, committee_user, unit):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_add_adjustment(
            scheme_2025,
            unit=unit("应急管理局"),
            points=Decimal(25),
            reason="表扬",
            acting_user=committee_user,
        )
    assert exc.value.message == "调整分值须在 -20 到 +20 之间且不为 0"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_add_adjustment(
            scheme_2025, unit=unit("两镇"), points=Decimal(1), reason="表扬", acting_user=committee_user
        )
    assert exc.value.message == "只能对职能部门或镇加减分"


# ---------------------------------------------------------------------------------------------------------
# Finalising and the scheme's edges
# ---------------------------------------------------------------------------------------------------------


def test_finalise_locks_the_scheme(run_2025, committee_user, unit):
    # when the results are confirmed
    actions.do_finalise(run_2025, acting_user=committee_user, reason="经安委会审议")
    run_2025.refresh_from_db()
    # then the scheme is final, audited once, and nothing may change it any more
    assert run_2025.is_final and run_2025.finalised_by == committee_user
    assert len(audit_rows(AuditEvent.ASSESSMENT_FINALISED)) == 1
    audit_count = AuditEntry.objects.count()
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_run_assessment(run_2025, acting_user=committee_user)
    assert exc.value.message == "该年度考核已确认，不能重新计算"
    with pytest.raises(TransitionNotAllowed):
        actions.do_change_rule(run_2025.rules.first(), acting_user=committee_user, title="新名称")
    with pytest.raises(TransitionNotAllowed):
        actions.do_record_veto_event(
            unit=unit("腾格里镇"), year=2025, grade="larger", description="事故", acting_user=committee_user
        )
    assert AuditEntry.objects.count() == audit_count


def test_stale_results_cannot_be_finalised(run_2025, committee_user):
    actions.do_change_rule(run_2025.rules.first(), acting_user=committee_user, title="报告按时")
    with pytest.raises(TransitionNotAllowed) as exc:
        actions.do_finalise(run_2025, acting_user=committee_user)
    assert exc.value.message == "只有已计算且计算后未再变更的考核才能确认"


def _put_in_state(scheme: AssessmentScheme, state: str) -> None:
    from django.utils import timezone

    scheme.is_final = state == SchemeState.FINAL
    scheme.last_run_at = None if state == SchemeState.DRAFT else timezone.now()
    scheme.needs_rerun = state == SchemeState.STALE
    scheme.save()


@pytest.mark.parametrize(
    ("state", "action"), list(product(SchemeState.values, ["run", "change", "finalise"]))
)
def test_every_state_and_action_pair(state, action, scheme_2025, committee_user):
    # given the scheme in ``state``
    _put_in_state(scheme_2025, state)
    rows_before = AuditEntry.objects.count()
    do = {
        "run": lambda: actions.do_run_assessment(scheme_2025, acting_user=committee_user, as_of=AS_OF),
        "change": lambda: actions.do_change_rule(
            scheme_2025.rules.first(), acting_user=committee_user, order=7
        ),
        "finalise": lambda: actions.do_finalise(scheme_2025, acting_user=committee_user),
    }[action]
    edge = SCHEME_FLOW.edge(state, action)
    allowed = {(edge.source, edge.target)} if edge is not None else set()
    if allowed:
        # then a declared edge succeeds, lands in its target state and writes one audit row
        do()
        scheme_2025.refresh_from_db()
        assert (state, scheme_2025.state) in allowed
        assert AuditEntry.objects.count() == rows_before + 1
    else:
        # and any other pair is refused and writes nothing
        with pytest.raises(TransitionNotAllowed):
            do()
        assert AuditEntry.objects.count() == rows_before


def test_scheme_table_has_exactly_these_edges():
    # the scheme's table, written out by hand: a wrong edge fails here even though the pair test reads the table
    assert_edges(
        SCHEME_FLOW,
        {
            ("draft", "run", "computed"),
            ("computed", "run", "computed"),
            ("stale", "run", "computed"),
            ("draft", "change", "draft"),
            ("computed", "change", "stale"),
            ("stale", "change", "stale"),
            ("computed", "finalise", "final"),
        },
    )


def test_scheme_every_pair_through_the_engine(scheme_2025, committee_user):
    # every (state, verb) pair through core.workflow.apply: declared edges reach their target with one row
    def make(state):
        _put_in_state(scheme_2025, state)
        return scheme_2025

    assert assert_every_pair(SCHEME_FLOW, make, actor=lambda edge, obj: committee_user) == 4 * 3


def test_only_the_office_finalises(run_2025, user_factory):
    with pytest.raises(PermissionDeniedError):
        actions.do_finalise(run_2025, acting_user=user_factory(org="应急管理局"))
