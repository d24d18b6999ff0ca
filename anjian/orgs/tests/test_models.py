"""The seeded units: every unit the plan names resolves, aliases and groups included."""

import re
from pathlib import Path

import pytest

from anjian.orgs.models import registry_from_db
from anjian.orgs.seed import registry as seed_registry

PLAN = Path(__file__).resolve().parents[2] / "plans" / "data" / "safety-plan-2021-2025.txt"


def plan_unit_names() -> set[str]:
    text = PLAN.read_text(encoding="utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        m = re.match(r"^\s*(牵头单位|配合单位|责任单位)[:：](.*)$", line)
        if m:
            names |= {n.strip() for n in m.group(2).split("、") if n.strip()}
    return names


@pytest.mark.django_db
def test_every_unit_named_by_the_plan_resolves_in_seed_and_db():
    names = plan_unit_names()
    assert len(names) >= 18
    seed, db = seed_registry(), registry_from_db()
    assert sorted(n for n in names if seed.resolve(n) is None) == []
    assert sorted(n for n in names if db.resolve(n) is None) == []
    # the seed data and the database agree on canonical names
    assert {n: seed.resolve(n).name for n in names} == {n: db.resolve(n).name for n in names}


@pytest.mark.django_db
def test_aliases_and_groups(unit):
    db = registry_from_db()
    assert db.resolve("市监局").name == "市场监督管理局"
    assert db.resolve("社会事务局(文旅办)").name == "社会事务局（文旅办）"
    assert db.resolve("腾镇").name == "腾格里镇"
    assert db.resolve("两镇").is_group and set(db.members("两镇")) == {"腾格里镇", "孛井滩镇"}
    assert "应急管理局" in db.members("安委会各成员单位")
    assert set(unit("两镇").members.values_list("name", flat=True)) == {"腾格里镇", "孛井滩镇"}


@pytest.mark.django_db
def test_units_page_and_api(client_for, api_client_for, user_factory):
    user = user_factory()
    assert "市场监督管理局" in client_for(user).get("/orgs/").content.decode()
    data = api_client_for(user).get("/api/v1/orgs/units/", {"search": "市监局"}).json()
    assert [u["name"] for u in data["results"]] == ["市场监督管理局"]
    me = api_client_for(user).get("/api/v1/me/").json()
    assert me["org"]["name"] == "应急管理局" and me["role"] == "dept"


@pytest.mark.django_db
def test_login_is_audited(client, user_factory):
    from anjian.core.choices import AuditEvent
    from anjian.core.models import AuditEntry

    user = user_factory(username="li")
    assert client.login(username="li", password="pw-12345678")
    entry = AuditEntry.objects.get(event_type=AuditEvent.USER_LOGGED_IN)
    assert entry.user == user and entry.object_id == str(user.pk)
