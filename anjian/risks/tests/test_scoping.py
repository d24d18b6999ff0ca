"""Scoping of the risk register's API lists, per role: committee office, the supervising department, another
department, the enterprise itself, another enterprise, a town (三个必须); the bands are the zone's."""

from __future__ import annotations

import pytest

from anjian.risks.tests.test_api import chain

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/risks/objects/",
    "/api/v1/risks/units/",
    "/api/v1/risks/events/",
    "/api/v1/risks/measures/",
    "/api/v1/risks/assessments/",
]


def test_every_list_per_role(danger_world, api_client_for, user_factory):
    # given one assessed chain in each enterprise
    w = danger_world
    for user, enterprise in ((w.manager, w.enterprise), (w.other_user, w.other_enterprise)):
        api = api_client_for(user)
        _obj, _unit, event, _measure = chain(api, enterprise)
        api.post(
            f"/api/v1/risks/events/{event['id']}/assess/",
            {"method": "ls", "likelihood": "2", "consequence": "3"},
            format="json",
        )
    market = user_factory(role="dept", org="市场监督管理局")
    both = {w.enterprise.pk, w.other_enterprise.pk}
    expected = {
        "committee": (w.committee, both),
        "supervising department": (w.dept_user, both),
        "other department": (market, set()),
        "enterprise": (w.manager, {w.enterprise.pk}),
        "other enterprise": (w.other_user, {w.other_enterprise.pk}),
        "town": (w.town_user, {w.other_enterprise.pk}),
    }
    # then every list shows exactly the enterprises the role may see
    for role, (user, enterprises) in expected.items():
        api = api_client_for(user)
        for url in COVERED_API_ROUTES:
            rows = api.get(url).json()["results"]
            if url.endswith("assessments/"):
                seen = {r["event"] for r in rows}
                assert len(seen) == len(enterprises), (role, url)
            else:
                assert {r["enterprise"] for r in rows} == enterprises, (role, url)
