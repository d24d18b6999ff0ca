"""Scoping of the dangers API lists, per role: committee office, the supervising department, the enterprise
itself, another enterprise, a town; another enterprise's objects answer 404 like absent ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/dangers/",
    "/api/v1/dangers/listings/",
    "/api/v1/dangers/tasks/",
    "/api/v1/dangers/records/",
]


@pytest.fixture
def scoped(danger_factory, danger_world, user_factory):
    from anjian.dangers import actions
    from anjian.dangers.models import InspectionTask

    w = danger_world
    mine = danger_factory(state="rectifying", grade="major", major_item=2, title="甲方重大隐患")
    theirs = actions.report_danger(enterprise=w.other_enterprise, title="乙方隐患", acting_user=w.other_user)
    listing = actions.do_open_listing(mine, acting_user=w.dept_user)
    tasks = {}
    for e, user in ((w.enterprise, w.reporter), (w.other_enterprise, w.other_user)):
        task = InspectionTask.objects.create(
            enterprise=e,
            title=f"{e.name}巡检",
            cycle="daily",
            assignee=user,
            valid_from=timezone.localdate() - dt.timedelta(days=1),
        )
        actions.submit_inspection(
            acting_user=user, client_token=f"t-{e.pk}", items=[{"content": "x", "result": "ok"}], task=task
        )
        tasks[e.pk] = task
    return {
        "mine": mine,
        "theirs": theirs,
        "listing": listing,
        "tasks": tasks,
        "market": user_factory(role="dept", org="市场监督管理局"),
    }


def _ids(api, url):
    return sorted(row["id"] for row in api.get(url).json()["results"])


def test_lists_per_role(scoped, danger_world, api_client_for):
    w, s = danger_world, scoped
    mine, theirs = s["mine"], s["theirs"]
    t_mine, t_theirs = s["tasks"][w.enterprise.pk], s["tasks"][w.other_enterprise.pk]
    expectations = {
        # role: (dangers, listings, tasks)
        "committee": (
            w.committee,
            sorted([mine.pk, theirs.pk]),
            [s["listing"].pk],
            sorted([t_mine.pk, t_theirs.pk]),
        ),
        "department": (
            w.dept_user,
            sorted([mine.pk, theirs.pk]),
            [s["listing"].pk],
            sorted([t_mine.pk, t_theirs.pk]),
        ),
        "other department": (s["market"], [], [], []),
        "enterprise": (w.manager, [mine.pk], [s["listing"].pk], [t_mine.pk]),
        "other enterprise": (w.other_user, [theirs.pk], [], [t_theirs.pk]),
        "town": (w.town_user, [theirs.pk], [], [t_theirs.pk]),
    }
    for role, (user, dangers, listings, tasks) in expectations.items():
        api = api_client_for(user)
        assert _ids(api, "/api/v1/dangers/") == dangers, role
        assert _ids(api, "/api/v1/dangers/listings/") == listings, role
        assert _ids(api, "/api/v1/dangers/tasks/") == tasks, role
        records = api.get("/api/v1/dangers/records/").json()["results"]
        assert sorted(r["task"] for r in records) == tasks, role


def test_other_enterprise_objects_answer_404(scoped, danger_world, api_client_for):
    api = api_client_for(danger_world.other_user)
    absent = api.get("/api/v1/dangers/999999/")
    for url in (
        f"/api/v1/dangers/{scoped['mine'].pk}/",
        f"/api/v1/dangers/listings/{scoped['listing'].pk}/",
        f"/api/v1/dangers/tasks/{scoped['tasks'][danger_world.enterprise.pk].pk}/",
    ):
        response = api.get(url)
        assert (response.status_code, response.json()) == (404, absent.json()), url
    assert api.post(f"/api/v1/dangers/{scoped['mine'].pk}/photos/", {}, format="multipart").status_code == 404
