"""Scoping of the 重大危险源 register per role: every API list and export shows only what the role may see,
and another enterprise's installations (and their lines, people, checks) answer 404 like absent ones.

Roles: the committee office (all), a department (the enterprises it supervises by 三个必须), another
department, the enterprise itself, another enterprise, and a town (the enterprises in its town).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from anjian.majorhazards import actions
from anjian.majorhazards.actions import refresh_gaps
from anjian.majorhazards.models import HazardInstallation, InventoryLine
from anjian.people.choices import RoleCategory

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/majorhazards/installations/",
    "/api/v1/majorhazards/installations/export/",
    "/api/v1/majorhazards/inventory/",
    "/api/v1/majorhazards/inventory/export/",
    "/api/v1/majorhazards/responsibilities/",
    "/api/v1/majorhazards/checks/",
    "/api/v1/majorhazards/gaps/",
    "/api/v1/majorhazards/gradings/",
]

LISTS = [r for r in COVERED_API_ROUTES if not r.endswith("export/")]
EXPORTS = [r for r in COVERED_API_ROUTES if r.endswith("export/")]


@pytest.fixture
def world(enterprise_factory, enterprise_user_factory, person_factory, user_factory, committee_user):
    """A: 危化生产 in 腾格里镇 (应急管理局); B: 电力 in 孛井滩镇 (发改统计局). One installation each with
    inventory, a 包保 person, a check and gaps."""
    data = {}
    for key, name, industry, town, inst_name, substance, person_name in (
        ("a", "甲化工有限公司", "hazchem_production", "腾格里镇", "甲液氯罐区", "氯", "甲厂长"),
        ("b", "乙电力有限公司", "power", "孛井滩镇", "乙液氨罐区", "氨", "乙厂长"),
    ):
        enterprise = enterprise_factory(name=name, industry=industry, town=town)
        user = enterprise_user_factory(enterprise)
        inst = actions.do_save_installation(
            HazardInstallation(
                enterprise=enterprise, code=f"ZDWXY-{key.upper()}", name=inst_name, unit_kind="storage"
            ),
            acting_user=user,
        )
        line = actions.do_save_inventory_line(
            InventoryLine(installation=inst, substance=substance, max_quantity_t=Decimal("50")),
            acting_user=user,
        )
        person = person_factory(enterprise, role=RoleCategory.PRINCIPAL, name=person_name)
        resp = actions.do_assign_responsibility(
            inst, "principal", person, since=dt.date(2025, 1, 1), acting_user=user
        )
        check = actions.do_log_check(inst, "principal", acting_user=user, findings=f"{inst_name}检查")
        data[key] = {
            "enterprise": enterprise,
            "user": user,
            "inst": inst,
            "line": line,
            "resp": resp,
            "check": check,
        }
    refresh_gaps()
    data["committee"] = committee_user
    data["yjj"] = user_factory(org="应急管理局")
    data["fgj"] = user_factory(org="发改统计局")
    data["town_a"] = user_factory(org="腾格里镇")
    return data


def _names(api, url):
    body = api.get(url).json()
    assert "results" in body, body
    return body["results"]


ROLE_SEES = {
    # role → which side's installation it sees
    "committee": {"a", "b"},
    "yjj": {"a"},
    "fgj": {"b"},
    "a_user": {"a"},
    "b_user": {"b"},
    "town_a": {"a"},
}


def _user(world, role):
    return {"a_user": world["a"]["user"], "b_user": world["b"]["user"]}.get(role) or world[role]


@pytest.mark.parametrize("role", sorted(ROLE_SEES))
def test_every_list_shows_only_what_the_role_may_see(world, api_client_for, role):
    api = api_client_for(_user(world, role))
    sees = ROLE_SEES[role]
    inst_ids = {world[k]["inst"].pk for k in sees}
    for url in LISTS:
        rows = _names(api, url)
        key = "id" if url.endswith("installations/") else "installation"
        got = {r[key] for r in rows}
        assert got == inst_ids, (role, url, got)


@pytest.mark.parametrize("role", sorted(ROLE_SEES))
def test_exports_contain_only_visible_rows(world, api_client_for, role):
    api = api_client_for(_user(world, role))
    sees = ROLE_SEES[role]
    for url in EXPORTS:
        response = api.get(url)
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        text = " ".join(str(v) for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v)
        for side in ("a", "b"):
            code = world[side]["inst"].code
            assert (code in text) == (side in sees), (role, url, side)


def test_another_enterprises_objects_answer_404(world, api_client_for, client_for):
    a, b = world["a"], world["b"]
    api = api_client_for(a["user"])
    for url in (
        f"/api/v1/majorhazards/installations/{b['inst'].pk}/",
        f"/api/v1/majorhazards/installations/{b['inst'].pk}/explanation/",
        f"/api/v1/majorhazards/inventory/{b['line'].pk}/",
        f"/api/v1/majorhazards/responsibilities/{b['resp'].pk}/",
        f"/api/v1/majorhazards/checks/{b['check'].pk}/",
    ):
        assert api.get(url).status_code == 404, url
    absent = api.get("/api/v1/majorhazards/installations/999999/")
    hidden = api.get(f"/api/v1/majorhazards/installations/{b['inst'].pk}/")
    assert absent.status_code == hidden.status_code == 404 and absent.json() == hidden.json()
    # writes to B's objects: 404, nothing changes
    assert (
        api.patch(
            f"/api/v1/majorhazards/installations/{b['inst'].pk}/", {"name": "x"}, format="json"
        ).status_code
        == 404
    )
    assert api.post(f"/api/v1/majorhazards/installations/{b['inst'].pk}/regrade/").status_code == 404
    assert api.delete(f"/api/v1/majorhazards/inventory/{b['line'].pk}/").status_code == 404
    assert (
        api.post(
            "/api/v1/majorhazards/inventory/",
            {"installation": b["inst"].pk, "substance": "氨", "max_quantity_t": "1"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/majorhazards/checks/",
            {"installation": b["inst"].pk, "level": "principal"},
            format="json",
        ).status_code
        == 404
    )
    assert api.post(f"/api/v1/majorhazards/responsibilities/{b['resp'].pk}/end/").status_code == 404
    # A cannot name B's person as its 包保 person either
    assert (
        api.post(
            f"/api/v1/majorhazards/installations/{a['inst'].pk}/assign/",
            {"level": "technical", "person": b["resp"].person_id},
            format="json",
        ).status_code
        == 404
    )
    b["inst"].refresh_from_db()
    assert b["inst"].name == "乙液氨罐区" and b["inst"].inventory.count() == 1
    # the pages answer the same
    client = client_for(a["user"])
    for url in (
        f"/majorhazards/{b['inst'].pk}/",
        f"/majorhazards/{b['inst'].pk}/edit/",
        f"/majorhazards/{b['inst'].pk}/check/",
        f"/majorhazards/inventory/{b['line'].pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/majorhazards/inventory/{b['line'].pk}/delete/").status_code == 404
    # and B's name appears on none of A's pages
    for url in (
        "/majorhazards/",
        "/majorhazards/gaps/",
        "/majorhazards/assessments/",
        "/majorhazards/checks/",
        "/",
    ):
        html = client.get(url).content.decode()
        assert "乙液氨罐区" not in html and "乙电力有限公司" not in html, url


def test_department_sees_but_other_department_cannot_change(world, api_client_for):
    fgj = api_client_for(world["fgj"])
    assert fgj.get(f"/api/v1/majorhazards/installations/{world['a']['inst'].pk}/").status_code == 404
    yjj = api_client_for(world["yjj"])
    response = yjj.patch(
        f"/api/v1/majorhazards/installations/{world['a']['inst'].pk}/",
        {"population_500m": 120},
        format="json",
    )
    assert response.status_code == 200 and response.json()["population_500m"] == 120
