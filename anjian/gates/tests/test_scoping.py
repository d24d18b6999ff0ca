"""Scoping of the gates module: every API list per role, detail 404 for others' objects, pages and operations.

Side A is a chemical plant in 腾格里镇 (supervised by 应急管理局), side B a construction firm in 孛井滩镇
(supervised by 住建交通局). Each side has a zone, gate, a person inside, an event, a roll call and a
visitor registration. ``COVERED_API_ROUTES`` tells the cross-app matrix these lists are proven here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from anjian.gates import actions
from anjian.gates.models import AccessEvent, Gate, Presence, Registration, RollCall, Zone

COVERED_API_ROUTES = [
    "/api/v1/gates/zones/",
    "/api/v1/gates/gates/",
    "/api/v1/gates/events/",
    "/api/v1/gates/presence/",
    "/api/v1/gates/roll-calls/",
    "/api/v1/gates/registrations/",
]

MODELS = {
    "/api/v1/gates/zones/": Zone,
    "/api/v1/gates/gates/": Gate,
    "/api/v1/gates/events/": AccessEvent,
    "/api/v1/gates/presence/": Presence,
    "/api/v1/gates/roll-calls/": RollCall,
    "/api/v1/gates/registrations/": Registration,
}

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    site: Any
    ids: dict[str, set[int]]


def _side(gate_site_factory, resident_id, **enterprise) -> Side:
    site = gate_site_factory(**enterprise)
    _p, code = site.enrol()
    at = int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000)
    actions.do_decide_event(site.gate, credential=code, direction="in", ts=at)
    actions.do_decide_event(site.gate, credential="UNKNOWN", direction="in", ts=at + 1)
    actions.do_start_roll_call(site.enterprise, zone=site.zone, acting_user=site.operator, reason="演练")
    now = timezone.now()
    reg = Registration(
        enterprise=site.enterprise,
        name="访客",
        id_number=resident_id(),
        phone="13800000000",
        purpose="参观",
        valid_from=now,
        valid_until=now + dt.timedelta(hours=4),
    )
    actions.do_submit_registration(reg, [site.zone], acting_user=site.owner)
    ent = site.enterprise
    ids = {
        url: set(model.objects.filter(enterprise=ent).values_list("pk", flat=True))
        for url, model in MODELS.items()
    }
    return Side(site, ids)


@pytest.fixture
def sides(gate_site_factory, resident_id):
    a = _side(gate_site_factory, resident_id, industry="hazchem_production", town="腾格里镇")
    b = _side(gate_site_factory, resident_id, industry="construction", town="孛井滩镇")
    return a, b


def _listed(client, url) -> set[int]:
    response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, (url, response.status_code)
    return {row["id"] for row in response.json()["results"]}


def test_lists_per_role_show_only_what_the_role_may_see(sides, api_client_for, user_factory):
    a, b = sides
    roles = {
        "committee": (user_factory(role="committee", org="安委会办公室"), {"a", "b"}),
        "dept_yjj": (user_factory(role="dept", org="应急管理局"), {"a"}),
        "dept_zjj": (user_factory(role="dept", org="住建交通局"), {"b"}),
        "town_b": (user_factory(role="dept", org="孛井滩镇"), {"b"}),
        "enterprise_a": (a.site.owner, {"a"}),
        "gate_a": (a.site.operator, {"a"}),
        "enterprise_b": (b.site.owner, {"b"}),
    }
    for role, (user, visible) in roles.items():
        client = api_client_for(user)
        for url in COVERED_API_ROUTES:
            expected: set[int] = set()
            for key, side in (("a", a), ("b", b)):
                assert side.ids[url], (url, key)  # the check cannot pass on an empty list
                if key in visible:
                    expected |= side.ids[url]
            assert _listed(client, url) == expected, (role, url)


def test_another_enterprises_objects_answer_404(sides, api_client_for):
    a, b = sides
    client = api_client_for(a.site.owner)
    for url in COVERED_API_ROUTES:
        for pk in b.ids[url]:
            assert client.get(f"{url}{pk}/").status_code == 404, url
        for pk in a.ids[url]:
            assert client.get(f"{url}{pk}/").status_code == 200, url
    refused = AccessEvent.objects.get(enterprise=b.site.enterprise, credential="UNKNOWN")
    assert (
        client.post(
            f"/api/v1/gates/events/{refused.pk}/override/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    rc = RollCall.objects.get(enterprise=b.site.enterprise)
    assert client.post(f"/api/v1/gates/roll-calls/{rc.pk}/close/", {}, format="json").status_code == 404
    response = client.post("/api/v1/gates/roll-calls/start/", {"zone": b.site.zone.pk}, format="json")
    assert response.status_code == 404
    response = client.post(
        "/api/v1/gates/roll-calls/start/", {"enterprise": b.site.enterprise.pk}, format="json"
    )
    assert response.status_code == 404


def test_the_supervising_department_watches_but_does_not_operate(sides, api_client_for, user_factory):
    a, _b = sides
    dept = api_client_for(user_factory(role="dept", org="应急管理局"))
    rc = RollCall.objects.get(enterprise=a.site.enterprise)
    assert dept.get(f"/api/v1/gates/roll-calls/{rc.pk}/").status_code == 200
    assert dept.post(f"/api/v1/gates/roll-calls/{rc.pk}/close/", {}, format="json").status_code == 403
    assert (
        dept.post("/api/v1/gates/roll-calls/start/", {"zone": a.site.zone.pk}, format="json").status_code
        == 403
    )


def test_headcount_api_is_scoped(sides, api_client_for):
    a, _b = sides
    body = api_client_for(a.site.owner).get("/api/v1/gates/headcount/").json()
    assert [e["enterprise_id"] for e in body["enterprises"]] == [a.site.enterprise.pk]
    assert body["total"] == 1


def test_pages_answer_404_for_another_enterprise(sides, client_for):
    a, b = sides
    client = client_for(a.site.owner)
    rc_b = RollCall.objects.get(enterprise=b.site.enterprise)
    reg_b = Registration.objects.get(enterprise=b.site.enterprise)
    for path in (
        f"/gates/zones/{b.site.zone.pk}/",
        f"/gates/roll-calls/{rc_b.pk}/",
        f"/gates/registrations/{reg_b.pk}/",
        f"/gates/events/{AccessEvent.objects.filter(enterprise=b.site.enterprise).first().pk}/override/",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("/gates/", "/gates/zones/", "/gates/events/", "/gates/roll-calls/", "/gates/registrations/"):
        html = client.get(path).content.decode()
        assert b.site.zone.name not in html and b.site.enterprise.name not in html, path
    assert client.get(f"/gates/zones/{a.site.zone.pk}/").status_code == 200
