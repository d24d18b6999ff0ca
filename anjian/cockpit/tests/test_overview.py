"""The overview: each audience sees its own scope; every number equals the count behind its link; cache."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from anjian.cockpit.overview import Overview, build_overview, overview_for
from anjian.geo.tests.fixtures import GeoWorld

pytestmark = pytest.mark.django_db

ROLES = ["committee", "dept", "other_dept", "town", "enterprise", "other_enterprise"]


@pytest.fixture
def cockpit_world(
    geo_world: GeoWorld,
    small_plan: Any,
    task_of: Any,
    report_factory: Any,
    licence_factory: Any,
    standardization_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
) -> GeoWorld:
    """The geo world plus a plan with reports, licences expiring over the year, grades and certificates."""
    today = timezone.localdate()
    last_year = today.year - 1
    report_factory(task_of("1.1"), "应急管理局", last_year, 4, status="behind")
    report_factory(task_of("1.2"), "综合执法局", last_year, 4, status="done")
    licence_factory(geo_world.a, valid_until=today + dt.timedelta(days=20))
    licence_factory(geo_world.a, kind="hazchem_trade", valid_until=today + dt.timedelta(days=95))
    licence_factory(geo_world.b, valid_until=today + dt.timedelta(days=40))
    licence_factory(geo_world.b, kind="hazchem_trade", valid_until=today - dt.timedelta(days=3))
    standardization_factory(geo_world.a, grade="level2")
    standardization_factory(geo_world.b, grade="level3")
    person = person_factory(geo_world.a)
    certificate_factory(person, expires_on=today + dt.timedelta(days=50))
    return geo_world


def _count_behind(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    ctx = response.context
    if "page_obj" in ctx:
        return ctx["page_obj"].paginator.count
    if urlsplit(url).path == "/plans/tasks/":
        return len(ctx["rows"])
    return ctx


def _compliance_count(ctx: Any, state: str, *, unit_id: int | None = None, quarter: int | None = None) -> int:
    total = 0
    for row in ctx["rows"]:
        if unit_id is not None and row.unit.pk != unit_id:
            continue
        total += sum(1 for i in row.items if i.state == state and (quarter is None or i.quarter == quarter))
    return total


def _checked(overview: Overview, client: Any) -> int:
    """Follow every link of the overview and compare; return how many numbers were checked."""
    checked = 0
    for stat in overview.stats:
        if not stat.is_count:
            assert client.get(stat.url).status_code == 200, stat.url
            continue
        behind = _count_behind(client, stat.url)
        if isinstance(behind, int):
            assert behind == stat.value, (stat.label, stat.url)
        else:
            assert _compliance_count(behind, "missing") == stat.value
        checked += 1
    for chart in overview.charts:
        for s_index, series in enumerate(chart.series):
            for d_index, datum in enumerate(series.data):
                if not datum.is_count or not datum.url:
                    continue
                behind = _count_behind(client, datum.url)
                if chart.key == "compliance":
                    state = ["on_time", "late", "missing"][s_index]
                    unit_id = int(re.search(r"#unit-(\d+)", datum.url).group(1))  # type: ignore[union-attr]
                    behind = _compliance_count(behind, state, unit_id=unit_id)
                elif chart.key == "compliance_quarter":
                    behind = _compliance_count(
                        behind, ["on_time", "late", "missing"][s_index], quarter=d_index + 1
                    )
                assert behind == datum.value, (chart.key, series.name, chart.categories[d_index], datum.url)
                checked += 1
    return checked


@pytest.mark.parametrize("role", ROLES)
def test_every_overview_number_equals_the_count_behind_its_link(
    cockpit_world: GeoWorld, client_for: Any, role: str
) -> None:
    # given
    user = cockpit_world.users[role]
    client = client_for(user)
    # when
    overview = build_overview(user)
    # then
    assert _checked(overview, client) >= 5


def test_each_audience_sees_its_own_scope(cockpit_world: GeoWorld) -> None:
    def stat(role: str, label: str) -> int:
        return next(s.value for s in build_overview(cockpit_world.users[role]).stats if s.label == label)

    assert stat("committee", "企业") == 2
    assert stat("dept", "企业") == 1 and stat("town", "企业") == 1
    assert stat("committee", "重大危险源企业") == 1 and stat("other_dept", "重大危险源企业") == 0
    audiences = {role: build_overview(cockpit_world.users[role]).audience for role in ROLES}
    assert audiences == {
        "committee": "committee",
        "dept": "department",
        "other_dept": "department",
        "town": "town",
        "enterprise": "enterprise",
        "other_enterprise": "enterprise",
    }
    committee_keys = {c.key for c in build_overview(cockpit_world.users["committee"]).charts}
    assert {"tasks", "compliance", "industry", "department", "grade", "expiry"} <= committee_keys
    own = build_overview(cockpit_world.users["enterprise"])
    assert {c.key for c in own.charts} == {"expiry"}
    # an enterprise sees its own card instead of counts and distributions of one enterprise
    assert "企业" not in {s.label for s in own.stats}
    facts = {f.label: f.value for f in own.facts}
    assert facts["行业"] == "危险化学品生产" and facts["安全生产标准化"].startswith("二级")
    assert facts["两重点一重大"] == "重大危险源" and own.map_focus.startswith("105.25")
    assert build_overview(cockpit_world.users["committee"]).targets


def test_plan_progress_counts_tasks_by_chapter_and_status(cockpit_world: GeoWorld) -> None:
    tasks = next(c for c in build_overview(cockpit_world.users["committee"]).charts if c.key == "tasks")
    totals = {s.name: sum(d.value or 0 for d in s.data) for s in tasks.series}
    assert totals == {"未开始": 1, "推进中": 0, "已完成": 1, "滞后": 1}


def test_overview_is_cached_and_dropped_when_a_register_changes(
    cockpit_world: GeoWorld, enterprise_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = cockpit_world.users["committee"]

    def enterprises() -> int:
        return next(s.value for s in overview_for(user).stats if s.label == "企业")

    assert enterprises() == 2
    # A change that bypasses the signals (a raw update) is not seen while the cache holds…
    from anjian.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=cockpit_world.b.pk).update(major_hazard=True)
    assert next(s.value for s in overview_for(user).stats if s.label == "重大危险源企业") == 1
    # …while a registered change drops the cache on commit.
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_factory(name="新登记企业", industry="construction", town="孛井滩镇")
    assert enterprises() == 3
    assert next(s.value for s in overview_for(user).stats if s.label == "重大危险源企业") == 2


def test_an_excel_import_drops_the_cached_overview(
    cockpit_world: GeoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    """An import writes enterprises in bulk (no ``post_save``): the cockpit listens to ``bulk_saved`` too."""
    from anjian.enterprises.sheets import import_enterprises
    from anjian.enterprises.tests.fixtures import make_uscc
    from anjian.people.tests.fixtures import xlsx_bytes

    user = cockpit_world.users["committee"]

    def enterprises() -> int:
        return next(s.value for s in overview_for(user).stats if s.label == "企业")

    assert enterprises() == 2
    header = ["统一社会信用代码", "企业名称", "所在镇", "状态", "规模", "行业"]
    rows = [
        [make_uscc(700 + i), f"导入驾驶舱{i}有限公司", "腾格里镇", "在营", "小微", "建筑施工"]
        for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = import_enterprises(xlsx_bytes(header, rows), user)
    assert report.created == 3
    assert enterprises() == 5


def test_pages_render_for_every_role(cockpit_world: GeoWorld, client_for: Any) -> None:
    for role in ROLES:
        client = client_for(cockpit_world.users[role])
        for url in ("/cockpit/", "/cockpit/screen/", "/cockpit/print/", "/"):
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert 'id="cockpit-data"' in response.content.decode()
        data = client.get("/cockpit/data.json").json()
        assert data["stats"][0]["label"] == ("已过期许可证" if role.endswith("enterprise") else "企业")
        assert all(s["unit"] for s in data["stats"]) and all(c["unit"] for c in data["charts"])
    home = client_for(cockpit_world.users["committee"]).get("/").content.decode()
    assert home.index("cockpit-stats") < home.index("需要您处理的事项")


def test_assessment_ranking_is_a_chart_for_the_office_and_a_score_for_a_unit(
    run_2025: Any, committee_user: Any, user_factory: Any, result_of: Any, client_for: Any
) -> None:
    # given the 2025 assessment has been run
    office = build_overview(committee_user)
    ranking = next(c for c in office.charts if c.key == "assessment")
    assert len(ranking.categories) == len(ranking.series[0].data) >= 2
    assert ranking.unit == "分" and not any(d.is_count for d in ranking.series[0].data)
    # when a department opens its overview
    dept = user_factory(role="dept", org="应急管理局")
    own = build_overview(dept)
    # then its own score is a headline linking to the explanation, not a ranking of one bar
    assert "assessment" not in {c.key for c in own.charts}
    score = next(s for s in own.stats if s.label.startswith("2025年度考核得分"))
    result = result_of(run_2025, "应急管理局")
    assert score.value == float(result.total) and not score.is_count
    assert score.url == f"/assessment/results/{result.pk}/" or str(result.pk) in score.url
    # and every count on both overviews still equals its list
    assert _checked(office, client_for(committee_user)) >= 5
    _checked(own, client_for(dept))
