"""The loop by API: every step a POST action, with its audit trail; illegal steps refused with a Chinese
message and nothing changed; another enterprise's danger answers 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.audit import history_for
from anjian.dangers.models import HiddenDanger

pytestmark = pytest.mark.django_db


def test_whole_loop_by_api_with_audit_trail(danger_world, api_client_for, photo_upload):
    w = danger_world
    reporter, manager = api_client_for(w.reporter), api_client_for(w.manager)
    # report (随手拍)
    r = reporter.post(
        "/api/v1/dangers/",
        {"enterprise": w.enterprise.pk, "title": "消防通道堆放物料", "source": "snapshot"},
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "reported"
    # verify
    r = manager.post(f"/api/v1/dangers/{pk}/verify/", {"grade": "general"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "verified"
    # 整改中 without the 五到位 is refused and changes nothing
    r = manager.post(f"/api/v1/dangers/{pk}/assign/", {"measures": ""}, format="json")
    assert r.status_code == 409 and r.json()["detail"].startswith("五到位未落实，缺少：整改措施")
    assert HiddenDanger.objects.get(pk=pk).status == "verified"
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = manager.post(
        f"/api/v1/dangers/{pk}/assign/",
        {"measures": "清理通道", "rectifier": w.reporter.pk, "funds": "0", "deadline": deadline},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    # closing without acceptance: accept is not an edge from 整改中
    r = manager.post(f"/api/v1/dangers/{pk}/accept/", {"opinion": "好"}, format="json")
    assert r.status_code == 409 and "不能执行“验收销号”" in r.json()["detail"]
    # submit needs the after-photo
    r = reporter.post(f"/api/v1/dangers/{pk}/submit/", {"statement": "已清理"}, format="json")
    assert r.status_code == 409 and "整改后照片" in r.json()["detail"]
    r = reporter.post(
        f"/api/v1/dangers/{pk}/photos/", {"file": photo_upload(), "stage": "after"}, format="multipart"
    )
    assert r.status_code == 201 and r.json()["photos"][0]["stage"] == "after"
    r = reporter.post(f"/api/v1/dangers/{pk}/submit/", {"statement": "已清理"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "awaiting_acceptance"
    # the rectifier accepting their own work is refused
    r = reporter.post(f"/api/v1/dangers/{pk}/accept/", {"opinion": "好"}, format="json")
    assert r.status_code == 409 and "验收人不能是整改责任人" in r.json()["detail"]
    assert r.json()["code"] == "acceptance_not_allowed"
    r = manager.post(f"/api/v1/dangers/{pk}/accept/", {"opinion": "整改到位"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["danger_state"] == 9
    # audit trail: report, verify, assign, photo, submit, accept
    events = [e.get_event_type_display() for e in history_for(HiddenDanger.objects.get(pk=pk)).order_by("id")]
    assert events == ["上报隐患", "核实定级", "下达整改（五到位）", "上传隐患照片", "申请验收", "验收销号"]


def test_status_is_not_writable_and_other_enterprise_gets_404(danger_factory, danger_world, api_client_for):
    danger = danger_factory(state="reported")
    other = api_client_for(danger_world.other_user)
    absent = other.get("/api/v1/dangers/999999/")
    hidden = other.get(f"/api/v1/dangers/{danger.pk}/")
    assert hidden.status_code == absent.status_code == 404 and hidden.json() == absent.json()
    assert (
        other.post(f"/api/v1/dangers/{danger.pk}/verify/", {"grade": "general"}, format="json").status_code
        == 404
    )
    own = api_client_for(danger_world.manager)
    assert own.patch(f"/api/v1/dangers/{danger.pk}/", {"status": "closed"}, format="json").status_code == 405
    # reporting for another enterprise answers 404 like an absent one
    r = other.post(
        "/api/v1/dangers/", {"enterprise": danger_world.enterprise.pk, "title": "x"}, format="json"
    )
    assert r.status_code == 404


def test_listing_by_api(danger_factory, danger_world, api_client_for):
    danger = danger_factory(state="rectifying", grade="major", major_item=6)
    ent = api_client_for(danger_world.manager)
    assert ent.post(f"/api/v1/dangers/{danger.pk}/listing/", {}, format="json").status_code == 403
    dept = api_client_for(danger_world.dept_user)
    r = dept.post(f"/api/v1/dangers/{danger.pk}/listing/", {"requirements": "限期整改"}, format="json")
    assert r.status_code == 201
    lid = r.json()["id"]
    r = ent.post(f"/api/v1/dangers/listings/{lid}/messages/", {"body": "已制定整改方案"}, format="json")
    assert r.status_code == 201 and r.json()["messages"][0]["from_department"] is False
    assert api_client_for(danger_world.other_user).get(f"/api/v1/dangers/listings/{lid}/").status_code == 404


def test_task_records_by_api_idempotent(danger_world, api_client_for):
    from anjian.dangers.models import InspectionTask

    task = InspectionTask.objects.create(
        enterprise=danger_world.enterprise,
        title="巡检罐区",
        cycle="daily",
        assignee=danger_world.reporter,
        valid_from=timezone.localdate(),
    )
    api = api_client_for(danger_world.reporter)
    body = {"client_token": "abc", "items": [{"content": "罐区", "result": "ok"}]}
    first = api.post(f"/api/v1/dangers/tasks/{task.pk}/records/", body, format="json")
    second = api.post(f"/api/v1/dangers/tasks/{task.pk}/records/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]


def test_lists_cost_the_same_queries_for_3_or_12_dangers(
    danger_factory, danger_world, api_client_for, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(get):
        with CaptureQueriesContext(connection) as ctx:
            assert get().status_code == 200
        return len(ctx.captured_queries)

    api, page = api_client_for(danger_world.dept_user), client_for(danger_world.dept_user)
    for _ in range(3):
        danger_factory(state="rectifying")
    api.get("/api/v1/dangers/"), page.get("/dangers/")  # warm: session, content types
    few = (count(lambda: api.get("/api/v1/dangers/")), count(lambda: page.get("/dangers/")))
    for _ in range(9):
        danger_factory(state="rectifying")
    many = (count(lambda: api.get("/api/v1/dangers/")), count(lambda: page.get("/dangers/")))
    assert many == few
    assert "allowed_verbs" not in api.get("/api/v1/dangers/").json()["results"][0]
    pk = HiddenDanger.objects.first().pk
    assert "allowed_verbs" in api.get(f"/api/v1/dangers/{pk}/").json()
