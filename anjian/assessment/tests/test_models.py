"""Models and choices of the assessment: they mirror the pure domain, and validate like it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anjian.assessment.choices import Grade, RuleKind, VetoKind
from anjian.assessment.models import AssessmentScheme, ScoringRule, VetoRule
from anjian.domain import assessment as scoring


def test_choices_mirror_the_domain():
    assert set(RuleKind.values) == {k.value for k in scoring.RuleKind}
    assert set(VetoKind.values) == {k.value for k in scoring.VetoKind}
    assert dict(Grade.choices) == dict(scoring.GRADE_LABELS)


@pytest.mark.django_db
def test_model_validation_uses_the_domain_checks(scheme_2025):
    with pytest.raises(ValidationError) as exc:
        ScoringRule(
            scheme=scheme_2025, kind="targets_on_track", title="x", max_points=10, params={"late_factor": 1}
        ).full_clean()
    assert exc.value.messages == ["该规则不支持参数：late_factor"]
    with pytest.raises(ValidationError) as exc:
        VetoRule(scheme=scheme_2025, kind="notice_ignored", title="x", params={"count": "zero"}).full_clean()
    assert exc.value.messages == ["次数须为不小于 1 的整数"]
    with pytest.raises(ValidationError) as exc:
        AssessmentScheme(year=2030, name="x", grade_bands={"excellent": "abc"}).full_clean()
    assert exc.value.message_dict == {"grade_bands": ["等级分数线须为数字"]}


@pytest.mark.django_db
def test_str_and_descriptions(run_2025, result_of):
    rule = run_2025.rules.first()
    assert str(run_2025) == "2025年度安全生产考核"
    assert str(rule) == "季度进展报告按时报送（40 分）"
    assert rule.description == "40 分 × 按时报送率；逾期报送按 0.5 次计，缺报不计；报送期内的不计入应报"
    assert str(result_of(run_2025, "应急管理局")) == "2025年 应急管理局 65.0 分 合格"
