"""Pages: the loop in the browser's forms (refusals shown, nothing changed), the phone report form that keeps
what was typed on a refused submit, the checklist (JSON resend idempotent), statistics and settings."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask

pytestmark = pytest.mark.django_db


def test_report_form_keeps_values_on_refusal_and_reports(danger_world, client_for, photo_upload):
    client = client_for(danger_world.reporter)
    page = client.get("/dangers/report/")
    assert page.status_code == 200 and "上报隐患" in page.content.decode()
    # a refused submit (no title) shows the form again with what was typed
    r = client.post(
        "/dangers/report/",
        {
            "enterprise": danger_world.enterprise.pk,
            "description": "阀门漏液",
            "source": "snapshot",
            "grade": "general",
        },
    )
    assert r.status_code == 400 and "阀门漏液" in r.content.decode()
    r = client.post(
        "/dangers/report/",
        {
            "enterprise": danger_world.enterprise.pk,
            "title": "阀门漏液",
            "source": "snapshot",
            "grade": "general",
            "major_item": "",
            "photo": photo_upload(),
        },
    )
    danger = HiddenDanger.objects.get()
    assert r.status_code == 302 and r["Location"].startswith(f"/dangers/{danger.pk}/")
    assert danger.photos.count() == 1


def test_detail_buttons_and_refused_step(danger_factory, danger_world, client_for):
    danger = danger_factory(state="verified")
    client = client_for(danger_world.manager)
    html = client.get(f"/dangers/{danger.pk}/").content.decode()
    assert "下达整改（五到位）" in html and "验收销号" not in html
    r = client.post(f"/dangers/{danger.pk}/assign/", {"assign-measures": ""}, follow=True)
    assert "五到位未落实，缺少：整改措施" in r.content.decode()
    assert HiddenDanger.objects.get(pk=danger.pk).status == "verified"
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client.post(
        f"/dangers/{danger.pk}/assign/",
        {
            "assign-measures": "修复",
            "assign-rectifier": danger_world.reporter.pk,
            "assign-funds": "10",
            "assign-deadline": deadline,
        },
    )
    assert HiddenDanger.objects.get(pk=danger.pk).status == "rectifying"


def test_other_enterprise_pages_404(danger_factory, danger_world, client_for):
    danger = danger_factory(state="reported")
    client = client_for(danger_world.other_user)
    assert client.get(f"/dangers/{danger.pk}/").status_code == 404
    assert client.post(f"/dangers/{danger.pk}/verify/", {"verify-grade": "general"}).status_code == 404
    assert danger.title not in client.get("/dangers/").content.decode()


def test_checklist_json_resend_and_form(danger_world, client_for):
    task = InspectionTask.objects.create(
        enterprise=danger_world.enterprise,
        title="巡检罐区",
        content="罐区排水阀",
        cycle="daily",
        assignee=danger_world.reporter,
        valid_from=timezone.localdate(),
    )
    client = client_for(danger_world.reporter)
    page = client.get(f"/dangers/check/task/{task.pk}/").content.decode()
    assert "罐区排水阀" in page and "offline.js" in page
    body = {
        "client_token": "phone-1",
        "items": [{"content": "罐区排水阀", "result": "danger", "note": "开启"}],
    }
    first = client.post(f"/dangers/check/task/{task.pk}/", json.dumps(body), content_type="application/json")
    again = client.post(f"/dangers/check/task/{task.pk}/", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert InspectionRecord.objects.count() == 1 and HiddenDanger.objects.count() == 1
    # without script: a refused form post shows the error and keeps the token
    r = client.post(
        f"/dangers/check/task/{task.pk}/", {"client_token": "phone-2", "result_0": "danger", "note_0": ""}
    )
    assert r.status_code == 400 and "请写明隐患情况" in r.content.decode() and "phone-2" in r.content.decode()
    bad = client.post(f"/dangers/check/task/{task.pk}/", "{not json", content_type="application/json")
    assert bad.status_code == 400


def test_stats_settings_listing_pages(danger_factory, danger_world, client_for, committee_user):
    danger = danger_factory(state="rectifying", grade="major", major_item=1)
    dept = client_for(danger_world.dept_user)
    assert "隐患整改率" in dept.get("/dangers/stats/?by=industry").content.decode()
    r = dept.post(f"/dangers/{danger.pk}/listing/", {"requirements": "限期整改"})
    listing = danger.listing
    assert r.status_code == 302 and r["Location"] == f"/dangers/listings/{listing.pk}/"
    assert "限期整改" in dept.get(f"/dangers/listings/{listing.pk}/").content.decode()
    assert dept.post("/dangers/settings/", {}).status_code == 403
    client = client_for(committee_user)
    r = client.post(
        "/dangers/settings/",
        {
            "principal_after_days": 1,
            "department_after_days": 4,
            "committee_after_days": 8,
            "major_listing_days": 30,
            "reason": "调整",
        },
    )
    assert r.status_code == 302
    assert "逾期几天提醒监管部门" in client.get("/dangers/settings/").content.decode()


def test_enterprise_tabs_and_todos(danger_factory, danger_world, client_for):
    danger_factory(state="rectifying")
    client = client_for(danger_world.reporter)
    html = client.get(f"/enterprises/{danger_world.enterprise.pk}/?tab=dangers").content.decode()
    assert "隐患排查治理" in html
    home = client.get("/").content.decode()
    assert "待整改隐患" in home
