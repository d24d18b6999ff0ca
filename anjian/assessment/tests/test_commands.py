"""``anjian assessment run|show`` and the demo part."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from anjian.assessment.models import AssessmentResult, AssessmentScheme, ManualAdjustment, VetoEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("assessment", *args, stdout=out)
    return out.getvalue()


def test_run_creates_and_prints_the_ranking(assessment_world):
    text = run("run", "2025", "--create", "--as-of", "2026-01-16")
    assert text.splitlines()[0] == "2025年度安全生产考核（已计算，数据截至 2026-01-16）"
    assert "住建交通局" in text and "一票否决：督办通知到期仍未签收 1 件（否决条件：≥ 1 件）" in text
    assert AssessmentScheme.objects.get(year=2025).last_run_at is not None


def test_show_one_unit_as_json(run_2025):
    data = json.loads(run("show", "2025", "--unit", "应急局", "--json"))
    assert (data["unit"], data["total"], data["grade_label"]) == ("应急管理局", "65.0", "合格")
    assert len(data["lines"]) == 3 and len(data["checks"]) == 2


def test_unknown_year_is_an_error(db):
    with pytest.raises(CommandError, match="2031 年度没有考核方案"):
        run("run", "2031")


def test_demo_part_runs_the_last_full_year_with_a_veto(assessment_world):
    from anjian.demo import assessment as demo
    from anjian.demo.context import DemoContext

    # given the 2025 plan data and a demo day in late 2026
    ctx = DemoContext(seed=7, today=dt.date(2026, 11, 28))
    # when the demo part builds
    demo.build(ctx)
    # then 2025 is assessed, 腾格里镇 fails by veto with its reason, 应急管理局 has its bonus line
    scheme = AssessmentScheme.objects.get(year=2025)
    town = AssessmentResult.objects.get(scheme=scheme, unit__name="腾格里镇")
    assert town.vetoed and town.grade == "fail" and "反应釜爆燃事故" in town.veto_reason
    assert VetoEvent.objects.get().occurred_on.month == 8
    assert ManualAdjustment.objects.get().unit.name == "应急管理局"
    assert ctx.refs["assessment_scheme"] == scheme
    # and building again changes nothing
    demo.build(ctx)
    assert VetoEvent.objects.count() == 1
