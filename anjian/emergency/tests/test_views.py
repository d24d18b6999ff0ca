"""Pages: the phone report form grades and redirects; the detail shows clocks; other enterprises' pages are 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.emergency.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def ent_world(enterprise_factory, enterprise_user_factory, incident_factory, resource_factory):
    a = enterprise_factory(name="甲化工有限公司")
    b = enterprise_factory(name="乙化工有限公司")
    return {
        "a": a,
        "user_a": enterprise_user_factory(a),
        "incident_b": incident_factory(
            title="乙事故", enterprise=b, lon=Decimal("105.02"), lat=Decimal("37.88")
        ),
        "incident_a": incident_factory(
            title="甲事故", enterprise=a, deaths=3, lon=Decimal("105.02"), lat=Decimal("37.88")
        ),
        "resource": resource_factory(name="园区救援队"),
    }


def test_every_page_renders_for_the_committee(ent_world, client_for, user_factory):
    client = client_for(user_factory(role="committee", org="安委会办公室"))
    incident = ent_world["incident_a"]
    for url in (
        "/emergency/",
        "/emergency/incidents/new/",
        f"/emergency/incidents/{incident.pk}/",
        "/emergency/plans/",
        "/emergency/plans/new/",
        "/emergency/resources/",
        "/emergency/resources/?lon=105.02&lat=37.88&kind=team",
        "/emergency/resources/new/",
        "/emergency/drills/",
        "/emergency/drills/new/",
        f"/emergency/footprints/new/?incident={incident.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/emergency/incidents/{incident.pk}/").content.decode()
    assert "较大事故" in html and "市级上报省级安全监管部门" in html and "园区救援队" in html


def test_phone_report_creates_a_graded_incident_for_the_own_enterprise(ent_world, client_for):
    client = client_for(ent_world["user_a"])
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    response = client.post(
        "/emergency/incidents/new/",
        {
            "title": "罐区泄漏",
            "kind": "hazchem",
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
            "known_at": now.strftime("%Y-%m-%dT%H:%M"),
            "place": "罐区",
            "enterprise": ent_world["a"].pk,
            "deaths": 0,
            "injuries": 12,
            "loss_cny": "0",
        },
    )
    incident = Incident.objects.get(title="罐区泄漏")
    assert response.status_code == 302 and response.url == f"/emergency/incidents/{incident.pk}/"
    assert incident.grade == "larger" and incident.enterprise == ent_world["a"]


def test_report_with_bad_numbers_shows_the_form_again(ent_world, client_for):
    client = client_for(ent_world["user_a"])
    response = client.post("/emergency/incidents/new/", {"title": "x", "deaths": -1})
    assert response.status_code == 200
    assert not Incident.objects.filter(title="x").exists()


def test_other_enterprise_pages_answer_404(ent_world, client_for):
    client = client_for(ent_world["user_a"])
    other = ent_world["incident_b"]
    assert client.get(f"/emergency/incidents/{other.pk}/").status_code == 404
    assert client.post(f"/emergency/incidents/{other.pk}/respond/").status_code == 404
    assert "乙事故" not in client.get("/emergency/").content.decode()


def test_checklist_tick_and_edge_from_the_page(ent_world, client_for):
    client = client_for(ent_world["user_a"])
    incident = ent_world["incident_a"]
    client.post(f"/emergency/incidents/{incident.pk}/mark/", {"key": "unit"})
    client.post(f"/emergency/incidents/{incident.pk}/respond/")
    incident.refresh_from_db()
    assert "unit" in incident.reports_done
    assert incident.status == "responding"
    client.post(
        f"/emergency/incidents/{incident.pk}/casualties/",
        {"deaths": 10, "injuries": 0, "loss_cny": "0", "reason": "伤亡增加"},
    )
    incident.refresh_from_db()
    assert incident.grade == "major"


def test_plan_links_installations_of_its_own_enterprise(ent_world, client_for, user_factory):
    from anjian.emergency.models import EmergencyPlan
    from anjian.majorhazards.models import HazardInstallation

    a = ent_world["a"]
    own = HazardInstallation.objects.create(enterprise=a, code="A-01", name="甲罐区", unit_kind="storage")
    client = client_for(user_factory(role="committee", org="安委会办公室"))
    data = {
        "title": "甲预案",
        "kind": "comprehensive",
        "level": "enterprise",
        "enterprise": a.pk,
        "version": "1.0",
        "installations": [own.pk],
    }
    response = client.post("/emergency/plans/new/", data)
    plan = EmergencyPlan.objects.get(title="甲预案")
    assert response.status_code == 302
    assert list(plan.installations.all()) == [own]
    assert "甲罐区" in client.get(plan.get_absolute_url()).content.decode()


def test_home_lists_overdue_reports(ent_world, client_for):
    # the 较大 incident of 甲 was known 1 h 50 min ago: its unit report (1 h) is overdue
    html = client_for(ent_world["user_a"]).get("/").content.decode()
    assert "事故报告已超时限" in html
