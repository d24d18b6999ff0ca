"""Monitoring is scoped like the enterprises: per role, lists show only what the role may see; others answer 404."""

from __future__ import annotations

import time

import pytest

from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, write_batch

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/monitoring/points/",
    "/api/v1/monitoring/alarms/",
    "/api/v1/monitoring/points/export/",
]


@pytest.fixture
def world(enterprise_factory, enterprise_user_factory, point_factory, user_factory, committee_user):
    """A: 危化生产 in 孛井滩镇 (应急管理局); B: 建筑施工 in 腾格里镇 (住建交通局); one point and one alarm each."""
    import json

    from django.db import transaction

    a = enterprise_factory(name="甲方监测化工", industry="hazchem_production", town="孛井滩镇")
    b = enterprise_factory(name="乙方监测建筑", industry="construction", town="腾格里镇")
    pa = point_factory(a, tag="GT-A-001")
    pb = point_factory(b, tag="GT-B-001")
    now = int(time.time() * 1000)
    registry = Registry.load()
    for ent, tag in ((a, "GT-A-001"), (b, "GT-B-001")):
        batch = Batch()
        decode_into(
            batch,
            ent.uscc,
            json.dumps({"ts": now, "readings": [{"tag": tag, "v": 60}]}).encode(),
            registry,
            Rejects(),
        )
        with transaction.atomic():
            write_batch(batch, registry, Rejects())
    assert a.supervising_unit.name == "应急管理局" and b.supervising_unit.name != "应急管理局"
    return {
        "a": a,
        "b": b,
        "pa": pa,
        "pb": pb,
        "alarm_a": pa.alarms.get(),
        "alarm_b": pb.alarms.get(),
        "users": {
            "committee": committee_user,
            "dept": user_factory(role="dept", org="应急管理局"),
            "ent_a": enterprise_user_factory(a),
            "ent_b": enterprise_user_factory(b),
            "town": user_factory(role="dept", org="孛井滩镇"),
        },
    }


# role → which sides it sees
EXPECTED = {
    "committee": {"a", "b"},
    "dept": {"a"},
    "ent_a": {"a"},
    "ent_b": {"b"},
    "town": {"a"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_api_lists_show_only_what_the_role_may_see(world, api_client_for, role):
    api = api_client_for(world["users"][role])
    tags = {p["tag"] for p in api.get("/api/v1/monitoring/points/").json()["results"]}
    alarms = {a["tag"] for a in api.get("/api/v1/monitoring/alarms/").json()["results"]}
    want = {f"GT-{side.upper()}-001" for side in EXPECTED[role]}
    assert tags == want
    assert alarms == want


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_excel_export_shows_only_what_the_role_may_see(world, api_client_for, role):
    import io

    from openpyxl import load_workbook

    content = api_client_for(world["users"][role]).get("/api/v1/monitoring/points/export/").content
    wb = load_workbook(io.BytesIO(content), read_only=True)
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert {t for t in cells if t.startswith("GT-")} == {f"GT-{side.upper()}-001" for side in EXPECTED[role]}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_other_sides_objects_answer_404_like_absent_ones(world, api_client_for, client_for, role):
    api = api_client_for(world["users"][role])
    for side in {"a", "b"} - EXPECTED[role]:
        point, alarm = world[f"p{side}"], world[f"alarm_{side}"]
        absent = api.get("/api/v1/monitoring/alarms/999999/")
        hidden = api.get(f"/api/v1/monitoring/alarms/{alarm.pk}/")
        assert (
            (hidden.status_code, hidden.json()) == (absent.status_code, absent.json()) == (404, absent.json())
        )
        assert api.get(f"/api/v1/monitoring/points/{point.pk}/").status_code == 404
        assert api.get(f"/api/v1/monitoring/points/{point.pk}/trend/").status_code == 404
        assert (
            api.post(f"/api/v1/monitoring/alarms/{alarm.pk}/acknowledge/", {}, format="json").status_code
            == 404
        )
        web = client_for(world["users"][role])
        assert web.get(f"/monitoring/points/{point.pk}/").status_code == 404
        assert web.get(f"/monitoring/alarms/{alarm.pk}/").status_code == 404
        assert web.post(f"/monitoring/alarms/{alarm.pk}/", {"verb": "acknowledge"}).status_code == 404


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pages_show_only_what_the_role_may_see(world, client_for, role):
    web = client_for(world["users"][role])
    names = {"a": "甲方监测化工", "b": "乙方监测建筑"}
    for url in (
        "/monitoring/",
        "/monitoring/console/",
        "/monitoring/alarms/",
        "/monitoring/points/",
        "/monitoring/quality/",
        "/monitoring/availability/",
    ):
        html = web.get(url).content.decode()
        for side in ("a", "b"):
            tag = f"GT-{side.upper()}-001"
            if side in EXPECTED[role]:
                if url not in ("/monitoring/quality/", "/monitoring/availability/"):
                    assert tag in html or names[side] in html, (url, side)
            else:
                assert tag not in html and names[side] not in html, (url, side)
    feed = web.get("/monitoring/console/feed/").json()
    assert set(feed["unacked"]) == {world[f"alarm_{s}"].pk for s in EXPECTED[role]}


def test_only_zone_wide_roles_see_ingest_counters_and_metrics(world, client_for, api_client_for):
    assert client_for(world["users"]["committee"]).get("/monitoring/metrics").status_code == 200
    assert client_for(world["users"]["dept"]).get("/monitoring/ingest/").status_code == 403
    assert client_for(world["users"]["ent_a"]).get("/monitoring/metrics").status_code == 403
    assert (
        api_client_for(world["users"]["ent_a"]).get("/api/v1/monitoring/ingest-counters/").status_code == 403
    )


def test_overview_counts_each_listed_enterprise_from_its_own_points(world, client_for, point_factory):
    # given: A has a second, quiet point and a disabled one; B's point alarms (v = 60 over the default H)
    point_factory(world["a"], tag="GT-A-002")
    point_factory(world["a"], tag="GT-A-OFF", enabled=False)
    # when
    response = client_for(world["users"]["committee"]).get("/monitoring/")
    # then: per enterprise, enabled points and those alarming; one open alarm each
    rows = {e.name: (e.points, e.alarming, e.offline, e.fault, n) for e, n in response.context["enterprises"]}
    assert rows == {"甲方监测化工": (2, 1, 0, 0, 1), "乙方监测建筑": (1, 1, 0, 0, 1)}
    assert response.context["total_points"] == 3
