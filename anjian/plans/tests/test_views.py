"""Pages: lists, task page, report form (labelled for the browser test), notices, targets, to-dos."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.models import ProgressReport, SupervisionNotice
from anjian.plans.todos import plan_todos

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/plans/",
        "/plans/tasks/",
        "/plans/mine/",
        "/plans/notices/",
        "/plans/targets/",
        "/plans/compliance/",
        "/plans/reports/import/",
        "/plans/notices/new/",
    ],
)
def test_pages_render_for_the_office(small_plan, committee_user, client_for, url):
    assert client_for(committee_user).get(url).status_code == 200


def test_plan_page_shows_chapters_and_warnings(plan_importer, seed_plan_text, committee_user, client_for):
    plan_importer(seed_plan_text, code="seed")
    html = client_for(committee_user).get("/plans/").content.decode()
    assert "一、健全落实安全责任，构建更加严密的责任体系" in html
    assert "解析警告" in html and "conflicting_targets" in html


def test_task_list_filters_by_chapter_and_flags_missing(task_of, user_factory, client_for):
    user = user_factory(org="综合执法局")
    client = client_for(user)
    html = client.get("/plans/tasks/", {"chapter": "一"}).content.decode()
    assert "严格执法检查" in html and "加强人员培训" not in html
    # 综合执法局 never reported: 2021 quarters are missing
    assert "缺报" in html
    assert client.get("/plans/tasks/", {"status": "done"}).context["rows"] == []


def test_task_page_says_no_metric_when_unregistered(task_of, committee_user, client_for):
    from anjian.plans.actions import do_bind_target

    target = task_of("2.1").targets.get()
    do_bind_target(target, metric_key="people.not_registered_rate", acting_user=committee_user)
    html = client_for(committee_user).get(f"/plans/tasks/{target.task_id}/").content.decode()
    assert "尚未接入指标" in html and "专题业务培训覆盖率" in html


def test_report_form_is_labelled_and_files_a_report(task_of, user_factory, client_for):
    # given a 应急管理局 user on task 1.1
    user = user_factory(org="应急管理局")
    client = client_for(user)
    task = task_of("1.1")
    html = client.get(f"/plans/tasks/{task.pk}/report/").content.decode()
    assert '<label for="id_text">进展情况</label>' in html and '<label for="id_status">状态</label>' in html
    assert "提交报告" in html
    # when the form is posted
    response = client.post(
        f"/plans/tasks/{task.pk}/report/",
        {"period": "2021-1", "status": "in_progress", "text": "印发实施方案。"},
    )
    # then the report is stored (late: 2021Q1 is long past) and the user lands on it
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert (report.unit.name, report.year, report.quarter, report.is_late) == ("应急管理局", 2021, 1, True)


def test_report_form_refuses_users_not_on_the_task(task_of, user_factory, client_for):
    user = user_factory(org="综合执法局")
    assert client_for(user).get(f"/plans/tasks/{task_of('1.2').pk}/report/").status_code == 200
    assert client_for(user).get(f"/plans/tasks/{task_of('1.1').pk}/report/").status_code == 404


def test_notice_pages_walk_the_workflow(task_of, committee_user, user_factory, client, unit):
    # the office sends a notice by the page
    client.force_login(committee_user)
    response = client.post(
        "/plans/notices/new/",
        {
            "unit": unit("应急管理局").pk,
            "task": task_of("1.1").pk,
            "title": "督办通知",
            "body": "请加快进度。",
        },
    )
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302
    # the unit signs and answers with the buttons
    member = user_factory(org="应急管理局")
    client.force_login(member)
    html = client.get(f"/plans/notices/{notice.pk}/").content.decode()
    assert ">签收</button>" in html
    client.post(f"/plans/notices/{notice.pk}/acknowledge/", {"reason": ""})
    client.post(f"/plans/notices/{notice.pk}/answer/", {"answer": "已部署整改。"})
    # the office closes it
    client.force_login(committee_user)
    assert ">办结</button>" in client.get(f"/plans/notices/{notice.pk}/").content.decode()
    client.post(f"/plans/notices/{notice.pk}/close/", {"reason": "同意办结"})
    notice.refresh_from_db()
    assert notice.status == "closed" and notice.answer == "已部署整改。"
    from anjian.core.audit import history_for

    events = sorted(history_for(notice).values_list("event_type", flat=True))
    assert events == [
        AuditEvent.NOTICE_SENT,
        AuditEvent.NOTICE_ACKNOWLEDGED,
        AuditEvent.NOTICE_ANSWERED,
        AuditEvent.NOTICE_CLOSED,
    ]


def test_target_bind_page(task_of, committee_user, client_for):
    target = task_of("1.1").targets.get()
    client = client_for(committee_user)
    client.post(f"/plans/targets/{target.pk}/bind/", {"metric_key": "standardization.small_rate"})
    target.refresh_from_db()
    assert target.metric_key == "standardization.small_rate"
    assert AuditEntry.objects.filter(event_type=AuditEvent.TARGET_BOUND).count() == 1


def test_target_list_shows_progress_and_binding_is_an_edit_page_of_the_office(
    task_of, committee_user, user_factory, client_for
):
    """指标进度 reads as progress (a bar, the value, 已达标/未达标), never a metric key; only the committee office
    gets the 数据来源 page, where metrics are offered by name and a change needs no key typed (issue 7)."""
    target = task_of("1.1").targets.get()
    office = client_for(committee_user)
    # when the office binds the target on its page, with a reason
    page = office.get(f"/plans/targets/{target.pk}/bind/").content.decode()
    assert "新增二级安全生产标准化企业" in page and "（不绑定）" in page
    office.post(
        f"/plans/targets/{target.pk}/bind/", {"metric_key": "standardization.level2_added", "reason": "口径"}
    )
    target.refresh_from_db()
    assert target.metric_key == "standardization.level2_added"
    entry = AuditEntry.objects.get(event_type=AuditEvent.TARGET_BOUND)
    assert entry.reason == "口径"
    # then the list shows a progress bar and a link to that page, and no metric key anywhere
    html = office.get("/plans/targets/").content.decode()
    assert 'role="progressbar"' in html and f"/plans/targets/{target.pk}/bind/" in html
    assert "standardization.level2_added" not in html and "<select" not in html
    # a department reads the same progress, without the edit link, and may not open or post the page
    dept = client_for(user_factory(org="应急管理局"))
    html = dept.get("/plans/targets/").content.decode()
    assert "standardization.level2_added" not in html and f"/plans/targets/{target.pk}/bind/" not in html
    assert dept.get(f"/plans/targets/{target.pk}/bind/").status_code == 403
    assert dept.post(f"/plans/targets/{target.pk}/bind/", {"metric_key": ""}).status_code == 403
    target.refresh_from_db()
    assert target.metric_key == "standardization.level2_added"


def test_home_todos_for_unit_and_office(
    task_of, report_factory, notice_factory, committee_user, user_factory, unit, client_for
):
    from anjian.plans.actions import do_acknowledge_notice, do_answer_notice

    # given 综合执法局 filed only 2021Q1 on task 1.2, and has a notice waiting to be signed
    user = user_factory(org="综合执法局")
    report_factory(task_of("1.2"), "综合执法局", 2021, 1, user=user)
    notice_factory(unit("综合执法局"))
    answered = notice_factory(unit("综合执法局"), title="第二份")
    do_acknowledge_notice(answered, acting_user=user, reason="")
    do_answer_notice(answered, answer="已办", acting_user=user, reason="")
    # when to-dos are computed on 2021-10-20 (2021Q2 and Q3 missing on 1.2; Q1-Q3 on 2.1)
    items = plan_todos(user, as_of=dt.date(2021, 10, 20))
    titles = [i.title for i in items]
    # then the unit sees its missing reports and the notice to sign; the office sees one to close
    assert "综合执法局有5份季度进展报告逾期未报" in titles
    assert "1份督办通知待签收" in titles
    assert [i.title for i in plan_todos(committee_user)] == ["1份督办通知已回复，待办结"]
    assert "待签收" in client_for(user).get("/").content.decode()


def test_evidence_is_served_only_to_report_readers(task_of, user_factory, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anjian.plans.actions import do_submit_report
    from anjian.plans.tests.fixtures import at

    # given a 腾格里镇 report with an evidence file
    settings.MEDIA_ROOT = tmp_path
    town_user = user_factory(org="腾格里镇")
    report = do_submit_report(
        task_of("1.1"),
        town_user.org,
        2024,
        1,
        status="done",
        text="完成。",
        files=[SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0jpeg-bytes")],
        acting_user=town_user,
        now=at(dt.date(2024, 4, 2)),
    )
    evidence = report.evidence.get()
    # then the filing unit downloads it and a cooperating unit gets 404
    response = client_for(town_user).get(evidence.get_absolute_url())
    assert (
        response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0jpeg-bytes"
    )
    assert client_for(user_factory(org="市场监督管理局")).get(evidence.get_absolute_url()).status_code == 404


def test_task_list_flags_only_the_recent_quarters(task_of, user_factory, client_for, report_factory):
    """The list shows what needs attention now (issue 7): missing and late reports of the last two quarters
    that came due; the years before are on the task page."""
    from anjian.plans.views import recent_quarters

    user = user_factory(org="综合执法局")
    client = client_for(user)
    task = task_of("1.2")
    recent = recent_quarters([task])
    assert len(recent) == 2 and recent[0] < recent[1]
    row = next(r for r in client.get("/plans/tasks/").context["rows"] if r["task"].pk == task.pk)
    assert row["missing"] == 2  # never reported: only the two recent quarters count, not every year's
    for year, quarter in recent:
        report_factory(task, "综合执法局", year, quarter, user=user)
    row = next(r for r in client.get("/plans/tasks/").context["rows"] if r["task"].pk == task.pk)
    assert row["missing"] == 0
    html = client.get(f"/plans/tasks/{task.pk}/").content.decode()
    assert "未报" in html  # the history (earlier quarters never filed) stays on the task page
