"""Assessment pages: what the committee office and a department user see and may do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.assessment.models import AssessmentResult, AssessmentScheme, ScoringRule, VetoEvent
from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept_user(user_factory):
    """A user of 应急管理局."""
    return user_factory(org="应急管理局", username="yj")


def test_scheme_list_for_committee_shows_counts_and_the_create_form(run_2025, client_for, committee_user):
    html = client_for(committee_user).get(reverse("assessment:scheme_list")).content.decode()
    assert "2025年度安全生产考核" in html and "已计算" in html
    assert "新建年度考核方案" in html
    assert '<td data-label="一票否决"><span class="badge badge-danger">1</span></td>' in html


def test_scheme_list_for_a_department_shows_its_own_result(run_2025, client_for, dept_user, result_of):
    html = client_for(dept_user).get(reverse("assessment:scheme_list")).content.decode()
    own = result_of(run_2025, "应急管理局")
    assert f'href="{own.get_absolute_url()}">65.0 分</a>' in html
    assert "新建年度考核方案" not in html


def test_committee_creates_a_scheme_through_the_page(assessment_world, client_for, committee_user):
    response = client_for(committee_user).post(reverse("assessment:scheme_list"), {"year": 2025, "name": ""})
    scheme = AssessmentScheme.objects.get(year=2025)
    assert response.status_code == 302 and response["Location"] == scheme.get_absolute_url()
    again = client_for(committee_user).post(reverse("assessment:scheme_list"), {"year": 2025})
    assert again.status_code == 400 and "2025 年度已有考核方案" in again.content.decode()


def test_scheme_page_ranks_results_with_badges_and_a_run_button(
    run_2025, client_for, committee_user, django_assert_max_num_queries
):
    client = client_for(committee_user)
    with django_assert_max_num_queries(25):
        html = client.get(run_2025.get_absolute_url()).content.decode()
    assert html.index("孛井滩镇") < html.index("应急管理局") < html.index("住建交通局")
    assert '<span class="badge badge-success">优秀</span>' in html
    assert (
        '<span class="badge badge-danger">不合格</span> <span class="badge badge-danger">一票否决</span>'
        in html
    )
    assert "重新计算" in html and reverse("assessment:scheme_run", args=[run_2025.pk]) in html
    assert "考核年度内辖区（职责范围）发生较大及以上生产安全事故的，一票否决" in html


def test_department_sees_only_its_own_row_and_no_buttons(run_2025, client_for, dept_user):
    html = client_for(dept_user).get(run_2025.get_absolute_url()).content.decode()
    assert "本单位考核结果" in html and "应急管理局" in html
    assert "住建交通局" not in html and "孛井滩镇" not in html
    assert "重新计算" not in html and "变更记录" not in html


def test_result_page_explains_every_line_and_the_veto(run_2025, client_for, committee_user, result_of):
    result = result_of(run_2025, "住建交通局")
    html = client_for(committee_user).get(result.get_absolute_url()).content.decode()
    assert "一票否决" in html and "督办通知到期仍未签收 1 件（否决条件：≥ 1 件）" in html
    assert "应报 4 次，按时 0 次，逾期 0 次，缺报 4 次：按时率 0.0%，得 0.0/40 分" in html
    assert "本单位本年度无牵头指标；无可计分指标，本项按满分计：得 40/40 分" in html
    assert "1.2 关于两镇整治的督办通知（限期 2025-05-31，未签收）" in html


def test_department_reads_its_own_result_and_gets_404_for_others(run_2025, client_for, dept_user, result_of):
    client = client_for(dept_user)
    own = client.get(result_of(run_2025, "应急管理局").get_absolute_url())
    other = client.get(result_of(run_2025, "腾格里镇").get_absolute_url())
    absent = client.get(reverse("assessment:result_detail", args=[99999]))
    assert own.status_code == 200 and "牵头指标 3 项，1 项尚未接入指标，不计分" in own.content.decode()
    assert other.status_code == 404 and absent.status_code == 404


def test_department_may_not_run_or_edit(run_2025, client_for, dept_user):
    client = client_for(dept_user)
    rule = run_2025.rules.first()
    assert client.post(reverse("assessment:scheme_run", args=[run_2025.pk])).status_code == 403
    assert client.get(reverse("assessment:rule_edit", args=[rule.pk])).status_code == 403
    assert client.post(reverse("assessment:event_list"), {}).status_code == 403
    # only the fixture's run is audited
    assert AuditEntry.objects.filter(event_type=AuditEvent.ASSESSMENT_RUN).count() == 1


def test_committee_runs_from_the_page(scheme_2025, client_for, committee_user):
    response = client_for(committee_user).post(reverse("assessment:scheme_run", args=[scheme_2025.pk]))
    assert response.status_code == 302
    assert AssessmentResult.objects.filter(scheme=scheme_2025).count() == 4


def test_rule_edit_form_saves_and_audits(scheme_2025, client_for, committee_user):
    rule = scheme_2025.rules.get(kind="reports_on_time")
    client = client_for(committee_user)
    page = client.get(reverse("assessment:rule_edit", args=[rule.pk])).content.decode()
    assert "逾期折算系数" in page and "40 分 × 按时报送率" in page
    response = client.post(
        reverse("assessment:rule_edit", args=[rule.pk]),
        {
            "title": "报告按时报送",
            "max_points": "30",
            "late_factor": "0.25",
            "order": 1,
            "reason": "调整权重",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.title, rule.max_points, rule.params) == (
        "报告按时报送",
        Decimal(30),
        {"late_factor": "0.25"},
    )
    assert AuditEntry.objects.get(event_type=AuditEvent.RULE_CHANGED).reason == "调整权重"


def test_rule_form_shows_the_models_chinese_error(scheme_2025, client_for, committee_user):
    rule = scheme_2025.rules.get(kind="reports_on_time")
    response = client_for(committee_user).post(
        reverse("assessment:rule_edit", args=[rule.pk]),
        {"title": "报告", "max_points": "150", "late_factor": "0.5", "order": 1},
    )
    assert response.status_code == 400 and "分值须在 0 到 100 之间" in response.content.decode()
    assert ScoringRule.objects.get(pk=rule.pk).max_points == Decimal(40)


def test_veto_rule_add_and_scheme_edit_pages(scheme_2025, client_for, committee_user):
    client = client_for(committee_user)
    response = client.post(
        reverse("assessment:veto_add", args=[scheme_2025.pk]),
        {"kind": "accident_at_least", "title": "重大及以上事故", "grade": "major", "count": "", "order": 3},
    )
    assert response.status_code == 302
    assert scheme_2025.vetoes.get(order=3).params == {"grade": "重大"}
    response = client.post(
        reverse("assessment:scheme_edit", args=[scheme_2025.pk]),
        {"name": "2025年度考核", "excellent": "95", "good": "85", "passing": "60"},
    )
    scheme_2025.refresh_from_db()
    assert response.status_code == 302 and scheme_2025.grade_bands == {
        "excellent": "95",
        "good": "85",
        "pass": "60",
    }
    bad = client.post(
        reverse("assessment:scheme_edit", args=[scheme_2025.pk]),
        {"name": "x", "excellent": "70", "good": "85", "passing": "60"},
    )
    assert "等级分数线须满足" in bad.content.decode()


def test_veto_event_and_adjustment_pages(run_2025, client_for, committee_user, unit):
    client = client_for(committee_user)
    response = client.post(
        reverse("assessment:event_list"),
        {
            "unit": unit("腾格里镇").pk,
            "year": 2025,
            "grade": "larger",
            "occurred_on": "2025-08-03",
            "description": "某企业爆燃事故",
        },
    )
    assert response.status_code == 302
    assert VetoEvent.objects.get().recorded_by == committee_user
    listing = client.get(reverse("assessment:event_list"), {"year": 2025}).content.decode()
    assert "某企业爆燃事故" in listing and "较大" in listing
    response = client.post(
        reverse("assessment:adjustment_add", args=[run_2025.pk]),
        {"unit": unit("应急管理局").pk, "points": "1.5", "reason": "工作创新"},
    )
    assert response.status_code == 302
    html = client.get(run_2025.get_absolute_url()).content.decode()
    assert "计算后规则、否决事项或加减分有变更" in html and "+1.5 分" in html


def test_home_page_lists_the_stale_scheme_for_the_office(run_2025, client_for, committee_user):
    from anjian.assessment.actions import do_change_rule

    html = client_for(committee_user).get(reverse("home")).content.decode()
    assert "2025年度考核结果待确认" in html
    do_change_rule(run_2025.rules.first(), acting_user=committee_user, title="报告")
    html = client_for(committee_user).get(reverse("home")).content.decode()
    assert "2025年度考核需重新计算" in html
