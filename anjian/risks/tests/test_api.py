"""The risk register by API: the whole chain created and assessed, levels read-only, history kept, tasks from
measures; scoped per role, another enterprise's rows answer 404 like absent ones."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anjian.core.audit import history_for
from anjian.risks.models import RiskAssessment, RiskObject, RiskUnit

pytestmark = pytest.mark.django_db


def chain(api, enterprise, installation=None):
    obj = api.post(
        "/api/v1/risks/objects/",
        {
            "enterprise": enterprise.pk,
            "name": "液氯罐区",
            "kind": "installation",
            "installation": installation,
        },
        format="json",
    )
    assert obj.status_code == 201, obj.content
    unit = api.post(
        "/api/v1/risks/units/",
        {"risk_object": obj.json()["id"], "name": "液氯储罐", "emergency_phones": "0483-8512345"},
        format="json",
    )
    assert unit.status_code == 201, unit.content
    event = api.post(
        "/api/v1/risks/events/",
        {"unit": unit.json()["id"], "name": "液氯泄漏", "consequence": "中毒"},
        format="json",
    )
    assert event.status_code == 201, event.content
    measure = api.post(
        "/api/v1/risks/measures/",
        {
            "event": event.json()["id"],
            "kind": "engineering",
            "description": "有毒气体报警联锁",
            "check_content": "报警器是否正常",
        },
        format="json",
    )
    assert measure.status_code == 201, measure.content
    return obj.json(), unit.json(), event.json(), measure.json()


def test_chain_by_api_assessed_with_history_and_audit(danger_world, api_client_for, installation_factory):
    w = danger_world
    api = api_client_for(w.manager)
    inst = installation_factory(w.enterprise, name="液氯储罐区", is_major=True, grade=1)
    obj, unit, event, _measure = chain(api, w.enterprise, installation=inst.pk)
    # the enterprise follows the parent; a major installation makes the object a 重大危险源
    assert unit["enterprise"] == event["enterprise"] == w.enterprise.pk
    assert RiskObject.objects.get(pk=obj["id"]).is_major_hazard is True
    # levels are not writable: a 400 naming the field (never silently ignored)
    r = api.patch(f"/api/v1/risks/units/{unit['id']}/", {"level": "major"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "level"
    assert RiskUnit.objects.get(pk=unit["id"]).level == ""
    # assess by LEC, then by LS: the unit and object take the event's level; the history keeps both
    r = api.post(
        f"/api/v1/risks/events/{event['id']}/assess/",
        {"method": "lec", "likelihood": "6", "exposure": "6", "consequence": "7"},
        format="json",
    )
    assert r.status_code == 201 and (r.json()["score"], r.json()["level"]) == ("252.00", "larger")
    r = api.post(
        f"/api/v1/risks/events/{event['id']}/assess/",
        {"method": "ls", "likelihood": "4", "consequence": "5"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["level"] == "major"
    assert api.get(f"/api/v1/risks/units/{unit['id']}/").json()["level_colour"] == "红"
    assert api.get(f"/api/v1/risks/objects/{obj['id']}/").json()["level"] == "major"
    history = api.get(f"/api/v1/risks/assessments/?event={event['id']}").json()["results"]
    assert [h["level"] for h in history] == ["major", "larger"]
    # off the scale: 400 with the Chinese message, nothing stored
    r = api.post(
        f"/api/v1/risks/events/{event['id']}/assess/",
        {"method": "lec", "likelihood": "5", "exposure": "6", "consequence": "7"},
        format="json",
    )
    assert r.status_code == 400 and "不在标准分值中" in r.json()["detail"]
    assert RiskAssessment.objects.filter(event_id=event["id"]).count() == 2
    events = [e.get_event_type_display() for e in history_for(RiskObject.objects.get(pk=obj["id"]))]
    assert "保存风险分析对象" in events


def test_other_enterprise_answers_404_and_cannot_hang_rows_on_it(danger_world, api_client_for):
    w = danger_world
    obj, unit, event, measure = chain(api_client_for(w.manager), w.enterprise)
    other = api_client_for(w.other_user)
    absent = other.get("/api/v1/risks/objects/999999/")
    assert absent.status_code == 404
    for url in (
        f"/api/v1/risks/objects/{obj['id']}/",
        f"/api/v1/risks/units/{unit['id']}/",
        f"/api/v1/risks/events/{event['id']}/",
        f"/api/v1/risks/measures/{measure['id']}/",
    ):
        response = other.get(url)
        assert (response.status_code, response.json()) == (404, absent.json()), url
    assert other.post(f"/api/v1/risks/events/{event['id']}/assess/", {}, format="json").status_code == 404
    # a unit under another enterprise's object: the parent answers 404, nothing is created
    r = other.post("/api/v1/risks/units/", {"risk_object": obj["id"], "name": "x"}, format="json")
    assert r.status_code == 404 and RiskUnit.objects.count() == 1
    r = other.post("/api/v1/risks/objects/", {"enterprise": w.enterprise.pk, "name": "x"}, format="json")
    assert r.status_code == 404
    for url in ("/api/v1/risks/objects/", "/api/v1/risks/units/", "/api/v1/risks/measures/"):
        assert other.get(url).json()["results"] == [], url


def test_installation_of_another_enterprise_is_refused(danger_world, api_client_for, installation_factory):
    w = danger_world
    foreign = installation_factory(w.other_enterprise)
    r = api_client_for(w.committee).post(
        "/api/v1/risks/objects/",
        {"enterprise": w.enterprise.pk, "name": "罐区", "installation": foreign.pk},
        format="json",
    )
    assert r.status_code == 400 and "同一企业" in str(r.json())


def test_tasks_from_a_units_measures(danger_world, api_client_for):
    w = danger_world
    api = api_client_for(w.manager)
    _obj, unit, _event, measure = chain(api, w.enterprise)
    today = timezone.localdate().isoformat()
    r = api.post(
        f"/api/v1/risks/units/{unit['id']}/tasks/",
        {"cycle": "daily", "assignee": w.reporter.pk, "valid_from": today},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert [t["measure"] for t in r.json()] == [measure["id"]]
    from anjian.dangers.models import InspectionTask

    task = InspectionTask.objects.get()
    assert (task.assignee, task.content, task.unit_id) == (w.reporter, "报警器是否正常", unit["id"])
    # an assignee of another enterprise is refused
    r = api_client_for(w.committee).post(
        f"/api/v1/risks/units/{unit['id']}/tasks/",
        {"cycle": "daily", "assignee": w.other_user.pk, "valid_from": today},
        format="json",
    )
    assert r.status_code == 400 and InspectionTask.objects.count() == 1


def test_bands_endpoint(danger_world, api_client_for):
    body = api_client_for(danger_world.manager).get("/api/v1/risks/bands/").json()
    assert (body["lec_major"], body["ls_larger"]) == ("320.00", 10)
