"""The pure scoring of ``anjian.domain.assessment``: hand-computed points for small sets of facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anjian.domain.assessment import (
    AdjustmentFact,
    Grade,
    GradeBands,
    NoticeFact,
    ReportFact,
    ReportState,
    RuleKind,
    ScoringRule,
    TargetFact,
    UnitFacts,
    VetoEventFact,
    VetoKind,
    VetoRule,
    accident_grade,
    check_rule,
    check_veto,
    describe_rule,
    describe_veto,
    score_unit,
)

AS_OF = dt.date(2026, 1, 20)
D = Decimal


def reports(on_time: int = 0, late: int = 0, missing: int = 0, open_: int = 0) -> tuple[ReportFact, ...]:
    states = [ReportState.ON_TIME] * on_time + [ReportState.LATE] * late + [ReportState.MISSING] * missing
    states += [ReportState.OPEN] * open_
    return tuple(
        ReportFact(task=f"1.{i + 1}", year=2025, quarter=i % 4 + 1, state=s) for i, s in enumerate(states)
    )


def facts(**kwargs) -> UnitFacts:
    return UnitFacts(unit="腾格里镇", year=2025, as_of=AS_OF, **kwargs)


REPORTS_20 = ScoringRule(RuleKind.REPORTS_ON_TIME, "进展报告按时报送", D(20))
TARGETS_40 = ScoringRule(RuleKind.TARGETS_ON_TRACK, "牵头指标进度", D(40))
NOTICES_20 = ScoringRule(RuleKind.NOTICES_ANSWERED, "督办通知按期回复", D(20))
# For one-rule schemes worth 20 points.
SMALL_BANDS = GradeBands(excellent=D(18), good=D(16), passing=D(12))
ACCIDENT = VetoRule(VetoKind.ACCIDENT_AT_LEAST, "较大及以上事故", {"grade": "较大"})


def test_reports_on_time_counts_late_as_half_by_default():
    # given 16 reports due: 14 on time, 1 late, 1 missing (and 2 still in their window)
    unit = facts(reports=reports(on_time=14, late=1, missing=1, open_=2))
    # when scored with 20 points and the default late factor 0.5
    line = score_unit(unit, [REPORTS_20], []).lines[0]
    # then (14 + 0.5) / 16 = 90.625 % of 20 = 18.125 -> 18.1
    assert line.earned == D("18.1")
    assert line.explanation == (
        "应报 16 次，按时 14 次，逾期 1 次（按 0.5 次计），缺报 1 次（另有 2 次尚在报送期内，不计）："
        "折算按时率 90.6%，得 18.1/20 分"
    )
    assert line.items == ("缺报：任务 1.16 2025 年第 4 季度", "逾期：任务 1.15 2025 年第 3 季度")


def test_reports_late_factor_is_a_parameter():
    # given the same reports and a rule where a late report earns nothing
    rule = ScoringRule(RuleKind.REPORTS_ON_TIME, "进展报告按时报送", D(20), {"late_factor": "0"})
    # when scored
    line = score_unit(facts(reports=reports(on_time=14, late=1, missing=1)), [rule], []).lines[0]
    # then 14 / 16 = 87.5 % of 20 = 17.5
    assert line.earned == D("17.5")
    assert (
        line.explanation
        == "应报 16 次，按时 14 次，逾期 1 次（不得分），缺报 1 次：按时率 87.5%，得 17.5/20 分"
    )


def test_nothing_due_gives_full_points_and_says_so():
    # given a unit with no report due, no target and no notice
    score = score_unit(facts(reports=reports(open_=1)), [REPORTS_20, TARGETS_40, NOTICES_20], [])
    # then every rule gives full points with the reason
    assert [line.earned for line in score.lines] == [D(20), D(40), D(20)]
    assert (
        score.lines[0].explanation
        == "本年度无应报的季度进展报告（另有 1 次尚在报送期内，不计），本项按满分计：得 20/20 分"
    )
    assert score.lines[1].explanation == "本单位本年度无牵头指标；无可计分指标，本项按满分计：得 40/40 分"
    assert score.lines[2].explanation == "本年度无到期的督办通知，本项按满分计：得 20/20 分"
    assert score.total == D(80) and score.max_points == D(80)


def test_targets_without_metric_are_listed_and_excluded():
    # given 4 targets led by the unit: 2 on track, 1 behind, 1 without a live metric
    targets = (
        TargetFact("2.1", "规模以上企业安全生产标准化达标率不低于100%", True, True, "当前 100.0%"),
        TargetFact("2.2", "三类人员持证上岗率不低于100%", True, False, "当前 92.0%"),
        TargetFact("2.3", "小微企业规范化达标率不低于80%", True, True, "当前 85.0%"),
        TargetFact("4.1", "较大事故起数为0", False, None),
    )
    # when scored with 40 points
    line = score_unit(facts(targets=targets), [TARGETS_40], []).lines[0]
    # then 2 of the 3 scored targets are on track: 40 × 2/3 = 26.67 -> 26.7
    assert line.earned == D("26.7")
    assert line.explanation == (
        "牵头指标 4 项，1 项尚未接入指标，不计分，计分 3 项：达标 2 项，未达标 1 项：达标率 66.7%，得 26.7/40 分"
    )
    assert "任务 4.1 较大事故起数为0：尚未接入指标，不计分" in line.items
    assert "任务 2.2 三类人员持证上岗率不低于100%：当前 92.0%：未达标" in line.items


def test_only_unbound_targets_give_full_points_and_say_why():
    # given two targets, neither with a metric
    targets = (TargetFact("4.1", "较大事故起数为0", False), TargetFact("4.2", "亿元GDP死亡率下降", False))
    # when scored
    line = score_unit(facts(targets=targets), [TARGETS_40], []).lines[0]
    # then nothing is scored and the line says so
    assert line.earned == D(40)
    assert line.explanation.startswith("牵头指标 2 项，2 项尚未接入指标，不计分；无可计分指标")


def test_notices_answered_by_due_date():
    # given notices: one answered in time, one answered late, one ignored, one not yet due
    notices = (
        NoticeFact("督办一", dt.date(2025, 3, 1), dt.date(2025, 2, 10), dt.date(2025, 2, 20)),
        NoticeFact("督办二", dt.date(2025, 6, 1), dt.date(2025, 5, 20), dt.date(2025, 6, 10)),
        NoticeFact("督办三", dt.date(2025, 9, 1)),
        NoticeFact("督办四", dt.date(2026, 2, 1)),
    )
    # when scored with 20 points (late answers earn nothing by default)
    line = score_unit(facts(notices=notices), [NOTICES_20], []).lines[0]
    # then 1 of 3 due notices counts: 20 / 3 = 6.67 -> 6.7
    assert line.earned == D("6.7")
    assert line.explanation == (
        "到期督办通知 3 件，按期回复 1 件，逾期回复 1 件（不得分），逾期未回复 1 件（另有 1 件未到期，不计）："
        "按期回复率 33.3%，得 6.7/20 分"
    )
    assert line.items == (
        "逾期未回复：督办三（限期 2025-09-01）",
        "逾期回复：督办二（限期 2025-06-01，2025-06-10 回复）",
    )


def test_total_grade_and_custom_bands():
    # given 15/16 reports on time and everything else clean (20 + 40 + 20 = 80 points at most)
    unit = facts(reports=reports(on_time=15, missing=1))
    rules = [ScoringRule(RuleKind.BASE, "基础分", D(20)), REPORTS_20, TARGETS_40, NOTICES_20]
    # when scored with the default bands and with stricter ones
    default = score_unit(unit, rules, [])
    strict = score_unit(unit, rules, [], bands=GradeBands.from_mapping({"excellent": 99, "good": 95}))
    # then 20 + 18.8 + 40 + 20 = 98.8: 优秀 by default, 良好 when 优秀 needs 99
    assert default.total == D("98.8")
    assert default.grade == Grade.EXCELLENT and default.grade_label == "优秀"
    assert strict.grade == Grade.GOOD
    assert (
        default.summary
        == "得分 98.8/100 分，评定为优秀（优秀 ≥ 90 分，良好 ≥ 80 分，合格 ≥ 60 分，其余不合格）"
    )


@pytest.mark.parametrize(
    ("points", "grade"), [(90, Grade.EXCELLENT), (89.9, Grade.GOOD), (60, Grade.PASS), (59.9, Grade.FAIL)]
)
def test_grade_band_edges(points, grade):
    assert GradeBands().grade_for(D(str(points))) == grade


def test_veto_overrides_points():
    # given a unit with full points and a 较大 accident in its remit
    event = VetoEventFact("accident", "较大", "某化工企业爆燃事故，3 人死亡", dt.date(2025, 6, 3))
    unit = facts(reports=reports(on_time=4), events=(event,))
    # when scored with the accident veto
    score = score_unit(unit, [REPORTS_20], [ACCIDENT])
    # then the points stay but the grade is 不合格 with the reason
    assert score.total == D(20)
    assert score.vetoed is True
    assert score.grade == Grade.FAIL
    assert (
        score.veto_reason
        == "2025 年辖区发生较大及以上生产安全事故 1 起：2025-06-03 某化工企业爆燃事故，3 人死亡（较大）"
    )
    assert score.summary.endswith("评定为不合格")
    assert "一票否决" in score.summary


def test_accident_below_threshold_does_not_veto():
    # given an 一般 accident and a veto from 较大 upwards (the grade given by its code)
    unit = facts(events=(VetoEventFact("accident", "general", "一般事故"),))
    veto = VetoRule(VetoKind.ACCIDENT_AT_LEAST, "较大及以上事故", {"grade": "larger"})
    # when scored
    score = score_unit(unit, [REPORTS_20], [veto], bands=SMALL_BANDS)
    # then it is checked and said, but not triggered
    assert score.vetoed is False
    assert score.checks[0].explanation == "2025 年记录生产安全事故 1 起，均低于较大，未触发"
    assert score.grade == Grade.EXCELLENT


def test_notice_ignored_veto_counts_unacknowledged_notices():
    # given one notice never acknowledged, one acknowledged late, one acknowledged in time
    notices = (
        NoticeFact("督办一", dt.date(2025, 5, 1)),
        NoticeFact("督办二", dt.date(2025, 6, 1), dt.date(2025, 6, 5)),
        NoticeFact("督办三", dt.date(2025, 7, 1), dt.date(2025, 6, 5)),
    )
    at_least_2 = VetoRule(VetoKind.NOTICE_IGNORED, "督办不签收", {"count": 2})
    at_least_3 = VetoRule(VetoKind.NOTICE_IGNORED, "督办不签收", {"count": 3})
    # when checked with thresholds 2 and 3
    triggered = score_unit(facts(notices=notices), [], [at_least_2]).checks[0]
    quiet = score_unit(facts(notices=notices), [], [at_least_3]).checks[0]
    # then two notices count as ignored
    assert triggered.triggered and not quiet.triggered
    assert triggered.explanation == "督办通知到期仍未签收 2 件（否决条件：≥ 2 件）"
    assert triggered.items == (
        "督办一（限期 2025-05-01，未签收）",
        "督办二（限期 2025-06-01，2025-06-05 才签收）",
    )


def test_reports_missing_veto():
    veto = VetoRule(VetoKind.REPORTS_MISSING_AT_LEAST, "缺报", {"count": 3})
    score = score_unit(facts(reports=reports(on_time=10, missing=3)), [REPORTS_20], [veto])
    assert score.vetoed and score.veto_reason == "缺报季度进展报告 3 次（否决条件：≥ 3 次）"


def test_manual_adjustments_form_a_line_and_total_is_clamped():
    # given full report points and adjustments of +2 and -0.5
    adjustments = (
        AdjustmentFact(D(2), "主动开展专项排查", "王主任"),
        AdjustmentFact(D("-0.5"), "材料报送不规范"),
    )
    score = score_unit(facts(reports=reports(on_time=4), adjustments=adjustments), [REPORTS_20], [])
    # then the line lists each adjustment and the total stays within 0..max
    line = score.lines[-1]
    assert (line.title, line.earned) == ("人工调整", D("1.5"))
    assert line.items == ("+2.0 分：主动开展专项排查（王主任）", "-0.5 分：材料报送不规范")
    assert score.total == D(20)
    assert score.summary.startswith("得分 20.0/20 分（各项合计 21.5 分，按 0–20 分计）")


def test_score_as_dict_is_json_ready():
    score = score_unit(facts(reports=reports(on_time=3, late=1)), [REPORTS_20], [ACCIDENT], bands=SMALL_BANDS)
    data = score.as_dict()
    assert data["total"] == "17.5" and data["grade"] == "good"
    assert data["lines"][0]["earned"] == "17.5" and data["lines"][0]["max_points"] == "20.0"
    assert data["checks"][0] == {
        "kind": "accident_at_least",
        "title": "较大及以上事故",
        "triggered": False,
        "explanation": "2025 年未记录较大及以上生产安全事故，未触发",
        "items": [],
    }


def test_rule_and_veto_checks_speak_chinese():
    assert check_rule("reports_on_time", 20, {"late_factor": 0.5}) == []
    assert check_rule("reports_on_time", 120, {"late_factor": 2}) == [
        "分值须在 0 到 100 之间",
        "逾期折算系数须在 0 到 1 之间",
    ]
    assert check_rule("targets_on_track", 40, {"late_factor": 1}) == ["该规则不支持参数：late_factor"]
    assert check_rule("nonsense", 1, {}) == ["未知的计分规则类型：nonsense"]
    assert check_veto("accident_at_least", {"grade": "较大"}) == []
    assert check_veto("accident_at_least", {"grade": "大"}) == ["事故等级须为一般、较大、重大或特别重大"]
    assert check_veto("notice_ignored", {"count": 0}) == ["次数须为不小于 1 的整数"]
    assert GradeBands.from_mapping({"excellent": 70, "good": 80}).errors() == [
        "等级分数线须满足：100 ≥ 优秀 ≥ 良好 ≥ 合格 ≥ 0"
    ]


def test_descriptions_and_grade_names():
    assert (
        describe_rule(REPORTS_20) == "20 分 × 按时报送率；逾期报送按 0.5 次计，缺报不计；报送期内的不计入应报"
    )
    assert describe_veto(ACCIDENT) == "考核年度内辖区（职责范围）发生较大及以上生产安全事故的，一票否决"
    assert [accident_grade(v) for v in ("重大事故", "especially_major", "严重")] == ["重大", "特别重大", None]
