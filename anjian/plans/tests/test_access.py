"""Scoping: tasks by unit, private progress reports — by page, API and CLI (out of scope = absent/404)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from anjian.core.access import restrict
from anjian.plans.models import PlanTask, ProgressReport, SupervisionNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_report(task_of, report_factory):
    """腾格里镇's (via 两镇, cooperating) 2024Q1 report on task 1.1."""
    return report_factory(
        task_of("1.1"), "腾格里镇", 2024, 1, text="腾格里镇完成辖区企业排查。", on=dt.date(2024, 4, 3)
    )


def _cli_reports(username: str, task: str = "1.1") -> list[dict]:
    out = StringIO()
    call_command("plan", "reports", "--user", username, "--task", task, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_cooperating_unit_cannot_read_another_units_report(
    town_report, user_factory, client_for, api_client_for
):
    # given a user of 市监局, also cooperating on task 1.1
    market = user_factory(org="市场监督管理局", username="sjj")
    # then the page answers 404, the API 404 and absent from the list, the CLI does not list it
    assert client_for(market).get(town_report.get_absolute_url()).status_code == 404
    api = api_client_for(market)
    assert api.get(f"/api/v1/plans/reports/{town_report.pk}/").status_code == 404
    assert api.get("/api/v1/plans/reports/").json()["count"] == 0
    assert _cli_reports("sjj") == []
    # and the task page does not show the report or its audit rows
    html = client_for(market).get(f"/plans/tasks/{town_report.task_id}/").content.decode()
    assert "腾格里镇完成辖区企业排查" not in html and town_report.get_absolute_url() not in html


def test_filing_unit_lead_unit_and_office_read_the_report(
    town_report, user_factory, committee_user, api_client_for, client_for
):
    # given the filing unit, the lead unit (应急管理局) and the committee office
    town = user_factory(org="腾格里镇", username="tgl")
    lead = user_factory(org="应急管理局", username="yjj")
    for user in (town, lead, committee_user):
        # then each reads it by page, API and CLI
        assert client_for(user).get(town_report.get_absolute_url()).status_code == 200
        assert api_client_for(user).get(f"/api/v1/plans/reports/{town_report.pk}/").status_code == 200
        assert [r["id"] for r in _cli_reports(user.username)] == [town_report.pk]


def test_department_sees_only_its_tasks(small_plan, user_factory, committee_user):
    # 综合执法局 is responsible for 1.2 and a member of 安委会各成员单位 (2.1); 1.1 is not theirs
    law = user_factory(org="综合执法局")
    assert sorted(restrict(PlanTask.objects.all(), law).values_list("code", flat=True)) == ["1.2", "2.1"]
    # a town sees 1.1 (via 两镇) and 2.1 (via 安委会各成员单位)
    town = user_factory(org="孛井滩镇")
    assert sorted(restrict(PlanTask.objects.all(), town).values_list("code", flat=True)) == ["1.1", "2.1"]
    assert restrict(PlanTask.objects.all(), committee_user).count() == 3
    # an enterprise user sees none
    ent = user_factory(role="enterprise", org=None)
    assert restrict(PlanTask.objects.all(), ent).count() == 0


def test_task_page_out_of_scope_is_404(task_of, user_factory, client_for, api_client_for):
    law = user_factory(org="综合执法局")
    task = task_of("1.1")
    assert client_for(law).get(f"/plans/tasks/{task.pk}/").status_code == 404
    assert api_client_for(law).get(f"/api/v1/plans/tasks/{task.pk}/").status_code == 404


def test_notice_visible_to_recipient_and_office_only(
    task_of, notice_factory, user_factory, unit, committee_user
):
    notice = notice_factory(unit("应急管理局"), task=task_of("1.1"))
    assert restrict(SupervisionNotice.objects.all(), user_factory(org="应急管理局")).count() == 1
    assert restrict(SupervisionNotice.objects.all(), user_factory(org="市场监督管理局")).count() == 0
    assert restrict(SupervisionNotice.objects.all(), committee_user).get() == notice


def test_report_change_scope_is_the_filing_unit(town_report, user_factory):
    lead = user_factory(org="应急管理局")
    assert restrict(ProgressReport.objects.all(), lead, "change").count() == 0
    assert restrict(ProgressReport.objects.all(), user_factory(org="腾格里镇"), "change").count() == 1
