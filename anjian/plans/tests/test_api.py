"""Plans API: tasks (filters, query bound), targets (bind), reports (create own), notices (workflow), export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.models import ProgressReport

pytestmark = pytest.mark.django_db


def test_task_list_filters_and_query_bound(
    small_plan, committee_user, api_client_for, unit, django_assert_max_num_queries
):
    api = api_client_for(committee_user)
    with django_assert_max_num_queries(12):
        data = api.get("/api/v1/plans/tasks/").json()
    assert [t["code"] for t in data["results"]] == ["1.1", "1.2", "2.1"]
    assert [t["code"] for t in api.get("/api/v1/plans/tasks/", {"chapter": "二"}).json()["results"]] == [
        "2.1"
    ]
    town = unit("腾格里镇")
    codes = [t["code"] for t in api.get("/api/v1/plans/tasks/", {"unit_id": town.pk}).json()["results"]]
    assert codes == ["1.1", "2.1"]
    detail = api.get("/api/v1/plans/tasks/", {"code": "1.1"}).json()["results"][0]
    assert [(u["unit"]["name"], u["role"]) for u in detail["units"]] == [
        ("应急管理局", "lead"),
        ("市场监督管理局", "cooperating"),
        ("两镇", "cooperating"),
    ]
    assert detail["targets"][0]["indicator"] == "规模以上企业安全生产标准化达标率"


def test_target_patch_binds_metric_for_committee_only(task_of, committee_user, user_factory, api_client_for):
    target = task_of("2.1").targets.get()
    dept = api_client_for(user_factory(org="工业和科技局"))
    assert (
        dept.patch(f"/api/v1/plans/targets/{target.pk}/", {"metric_key": "a.b"}, format="json").status_code
        == 403
    )
    response = api_client_for(committee_user).patch(
        f"/api/v1/plans/targets/{target.pk}/",
        {"metric_key": "fire.unknown_rate", "reason": "测试"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["metric_key"] == "fire.unknown_rate"
    assert body["metric_registered"] is False and body["current"] is None and body["on_track"] is None
    assert AuditEntry.objects.filter(event_type=AuditEvent.TARGET_BOUND).count() == 1


def test_report_create_for_own_unit_with_evidence(task_of, user_factory, api_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = user_factory(org="应急管理局")
    task = task_of("1.1")
    response = api_client_for(user).post(
        "/api/v1/plans/reports/",
        {
            "task": task.pk,
            "year": 2021,
            "quarter": 1,
            "status": "in_progress",
            "text": "召开专题会议部署。",
            "evidence": [SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 test")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"]["name"] == "应急管理局" and body["is_late"] is True  # 2021Q1 filed today: late
    assert [e["name"] for e in body["evidence"]] == ["会议纪要.pdf"]
    assert AuditEntry.objects.filter(event_type=AuditEvent.REPORT_SUBMITTED).count() == 1


def test_report_create_on_foreign_task_is_refused(task_of, user_factory, api_client_for):
    user = user_factory(org="综合执法局")
    response = api_client_for(user).post(
        "/api/v1/plans/reports/",
        {"task": task_of("1.1").pk, "year": 2021, "quarter": 1, "status": "done", "text": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert ProgressReport.objects.count() == 0


def test_notice_workflow_over_api(task_of, committee_user, user_factory, api_client_for, unit):
    office = api_client_for(committee_user)
    target_unit = unit("应急管理局")
    created = office.post(
        "/api/v1/plans/notices/",
        {
            "unit": target_unit.pk,
            "task": task_of("1.1").pk,
            "title": "督办：标准化建设进度",
            "body": "请说明滞后原因。",
            "due_date": "2030-01-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    member = api_client_for(user_factory(org="应急管理局"))
    outsider = api_client_for(user_factory(org="市场监督管理局"))
    assert outsider.post(f"/api/v1/plans/notices/{pk}/acknowledge/", {}, format="json").status_code == 404
    assert (
        member.post(f"/api/v1/plans/notices/{pk}/answer/", {"answer": "x"}, format="json").status_code == 409
    )
    assert (
        member.post(f"/api/v1/plans/notices/{pk}/acknowledge/", {}, format="json").json()["status"]
        == "acknowledged"
    )
    assert (
        member.post(f"/api/v1/plans/notices/{pk}/answer/", {"answer": "已完成整改"}, format="json").json()[
            "status"
        ]
        == "answered"
    )
    assert member.post(f"/api/v1/plans/notices/{pk}/close/", {}, format="json").status_code == 403
    closed = office.post(f"/api/v1/plans/notices/{pk}/close/", {"reason": "整改到位"}, format="json").json()
    assert closed["status"] == "closed" and closed["answer"] == "已完成整改"
    assert (
        member.post(
            "/api/v1/plans/notices/", {"unit": target_unit.pk, "title": "t", "body": "b"}, format="json"
        ).status_code
        == 403
    )


def test_export_endpoint_returns_workbook(small_plan, committee_user, api_client_for):
    response = api_client_for(committee_user).get("/api/v1/plans/tasks/export/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["任务分解清单"]
    assert [c.value for c in ws[2]] == [
        "编号",
        "章节",
        "任务",
        "任务内容",
        "牵头单位",
        "配合单位",
        "责任单位",
        "指标",
        "完成时限",
    ]
    assert ws.max_row == 5


def test_reports_import_endpoint(small_plan, user_factory, api_client_for):
    from anjian.plans.tests.test_excel import workbook

    data = workbook([["1.2", "综合执法局", 2021, 1, "推进中", "开展执法检查。"]])
    user = user_factory(org="综合执法局")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client_for(user).post(
        "/api/v1/plans/reports/import/", {"file": SimpleUploadedFile("r.xlsx", data)}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert ProgressReport.objects.get().due_date == dt.date(2021, 4, 15)


def test_report_and_notice_lists_have_bounded_queries(
    task_of,
    report_factory,
    notice_factory,
    committee_user,
    api_client_for,
    unit,
    django_assert_max_num_queries,
):
    # given several reports and notices
    for quarter in (1, 2, 3, 4):
        report_factory(task_of("1.1"), "应急管理局", 2022, quarter)
        report_factory(task_of("1.2"), "综合执法局", 2022, quarter)
        notice_factory(unit("应急管理局"), task=task_of("1.1"), title=f"督办{quarter}")
    api = api_client_for(committee_user)
    # then the lists take a fixed number of queries
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/plans/reports/").json()["count"] == 8
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/plans/notices/", {"status": "sent"}).json()["count"] == 4
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/plans/targets/").json()["count"] == 2
