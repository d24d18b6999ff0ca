"""Issue 2's browser test: a department user logs in, opens a task and files a progress report."""

import pytest
from playwright.sync_api import expect

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.models import ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_user_files_a_progress_report(
    page, live_server, user_factory, plan_importer, seed_plan_text
):
    # given the seed plan and a user of 应急管理局, which leads task 2.3
    plan = plan_importer(seed_plan_text, code="plan-2021-2025").plan
    user_factory(username="yingji", name="李明", org="应急管理局")
    # when they log in
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("yingji")
    page.get_by_label("密码").fill("pw-12345678")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    # and open task 2.3 from their unit's task list
    page.goto(f"{live_server.url}/plans/mine/")
    page.get_by_role("link", name="大力开展安全生产标准化规范建设").first.click()
    page.wait_for_url("**/plans/tasks/*/")
    expect(page.get_by_role("heading", name="大力开展安全生产标准化规范建设")).to_be_visible()
    # and file a report for the first open quarter
    page.get_by_role("link", name="报送进展").click()
    page.get_by_label("状态").select_option(label="推进中")
    page.get_by_label("进展情况").fill("已完成规模以上企业标准化现场评审12家，剩余3家计划下季度完成。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交报告").click()
    # then the report is stored for their unit, shown on the task page and audited
    report = ProgressReport.objects.get(task__plan=plan, task__code="2.3", unit__name="应急管理局")
    assert report.status == "in_progress" and report.submitted_by.username == "yingji"
    page.goto(f"{live_server.url}{report.task.get_absolute_url()}")
    expect(page.get_by_text("推进中").first).to_be_visible()
    assert (
        AuditEntry.objects.filter(event_type=AuditEvent.REPORT_SUBMITTED, object_id=str(report.pk)).count()
        == 1
    )
