"""Query-count bounds on the main lists (API and pages) with 30 rows each, so an N+1 regression fails.

The bounds were measured with these data (and hold on SQLite and PostgreSQL): a list costs a fixed number
of queries whatever its length — a per-row query would add at least 30.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from anjian.assessment.actions import do_create_scheme, do_record_veto_event
from anjian.assessment.models import AssessmentResult
from anjian.orgs.models import OrgUnit
from anjian.people.choices import RoleCategory
from anjian.plans.choices import Comparator, ReportStatus, TaskRole
from anjian.plans.models import Plan, PlanTask, ProgressReport, Target, TaskUnit

pytestmark = pytest.mark.django_db

ROWS = 30


@pytest.fixture
def thirty(
    unit: Any,
    committee_user: Any,
    enterprise_factory: Any,
    grid_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
    training_factory: Any,
    licence_factory: Any,
    standardization_factory: Any,
    notice_factory: Any,
) -> dict[str, Any]:
    """30 enterprises (应急管理局's, with a grid, licence, grading, person, certificate, training each),
    30 tasks (应急管理局 leads, 两镇 cooperate; a target bound to a metric, a report, a notice each),
    30 assessment results and veto events over three yearly schemes."""
    lead, towns = unit("应急管理局"), unit("两镇")
    plan = Plan.objects.create(
        code="bulk",
        title="批量规划",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2030, 12, 31),
        source_sha256="0" * 64,
        source_text="测试",
    )
    soon = timezone.localdate() + dt.timedelta(days=20)
    for i in range(ROWS):
        enterprise = enterprise_factory(town="孛井滩镇", grid=grid_factory(town="孛井滩镇"))
        person = person_factory(enterprise, role=RoleCategory.SPECIAL_WORKER)
        certificate_factory(person, expires_on=soon)
        training_factory(person)
        licence_factory(enterprise)
        standardization_factory(enterprise)
        task = PlanTask.objects.create(
            plan=plan, code=f"1.{i + 1}", position=i, chapter="一", section=i + 1, title=f"批量任务{i}"
        )
        TaskUnit.objects.create(task=task, unit=lead, role=TaskRole.LEAD, position=1)
        TaskUnit.objects.create(task=task, unit=towns, role=TaskRole.COOPERATING, position=2)
        Target.objects.create(
            task=task,
            indicator=f"批量指标{i}",
            comparator=Comparator.AT_LEAST,
            value=Decimal(100),
            unit="%",
            metric_key="people.three_types_certified_rate",
        )
        ProgressReport.objects.create(
            task=task,
            unit=lead,
            year=2024,
            quarter=1,
            status=ReportStatus.IN_PROGRESS,
            text="进展",
            due_date=dt.date(2024, 4, 15),
            submitted_at=timezone.now(),
        )
        notice_factory(lead, task=task, title=f"批量督办{i}")
    units = list(OrgUnit.objects.filter(kind__in=["department", "town"]).order_by("code"))
    pairs = [(year, u) for year in (2021, 2022, 2023) for u in units][:ROWS]
    schemes = {year: do_create_scheme(year, acting_user=committee_user) for year in (2021, 2022, 2023)}
    for year, u in pairs:
        AssessmentResult.objects.create(
            scheme=schemes[year],
            unit=u,
            rank=1,
            total=Decimal(60),
            max_points=Decimal(100),
            grade="pass",
            computed_at=timezone.now(),
        )
        do_record_veto_event(
            unit=u, year=year, grade="larger", description="批量事故", acting_user=committee_user
        )
    return {"plan": plan}


#: (url, max queries for the committee office, rows the API must list)
API_BOUNDS = [
    ("/api/v1/enterprises/enterprises/", 4, ROWS),
    ("/api/v1/enterprises/licences/", 4, ROWS),
    ("/api/v1/enterprises/standardizations/", 4, ROWS),
    ("/api/v1/enterprises/grids/", 4, ROWS),
    ("/api/v1/people/persons/", 4, ROWS),
    ("/api/v1/people/certificates/", 4, ROWS),
    ("/api/v1/people/certificates/expiring/?days=30", 4, ROWS),
    ("/api/v1/people/trainings/", 4, ROWS),
    ("/api/v1/plans/tasks/", 7, ROWS),
    ("/api/v1/plans/targets/", 5, ROWS),
    ("/api/v1/plans/reports/", 5, ROWS),
    ("/api/v1/plans/notices/", 4, ROWS),
    ("/api/v1/assessment/results/", 4, ROWS),
    ("/api/v1/assessment/veto-events/", 4, ROWS),
]

#: (url, max queries for a logged-in page view, including session, user and scope)
PAGE_BOUNDS = [
    ("/enterprises/", 12),
    ("/enterprises/licences/", 13),
    ("/enterprises/standardization/", 14),
    ("/enterprises/grids/", 9),
    ("/enterprises/supervision-rules/", 11),
    ("/people/persons/", 10),
    ("/people/certificates/", 9),
    ("/people/expiring/?tab=30", 13),
    ("/people/trainings/", 9),
    ("/plans/", 13),
    ("/plans/tasks/", 17),
    ("/plans/targets/", 11),
    ("/plans/notices/", 9),
    ("/assessment/", 9),
    ("/assessment/events/", 10),
    # the home page gathers every module's to-dos (one or two fixed queries each) and the user's overview
    ("/", 32),
]

EXPORT_BOUNDS = [
    ("/api/v1/enterprises/enterprises/export/", 3),
    ("/api/v1/enterprises/licences/export/", 3),
    ("/api/v1/people/persons/export/", 3),
    ("/api/v1/people/certificates/export/", 3),
    ("/api/v1/plans/tasks/export/", 6),
    ("/plans/export.xlsx", 11),
]


def test_api_lists_have_a_fixed_query_count(
    thirty: Any, committee_user: Any, api_client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given
    api = api_client_for(committee_user)
    for url, bound, rows in API_BOUNDS:
        api.get(url)  # content types and the user's scope are cached after the first request
        # when
        with django_assert_max_num_queries(bound, info=url):
            response = api.get(url)
        # then: the bound held over a full list
        assert response.status_code == 200, url
        assert response.json()["count"] >= rows, url


def test_list_pages_have_a_fixed_query_count(
    thirty: Any, committee_user: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given
    client = client_for(committee_user)
    for url, bound in PAGE_BOUNDS:
        client.get(url)
        # when
        with django_assert_max_num_queries(bound, info=url):
            response = client.get(url)
        # then
        assert response.status_code == 200, url


def test_exports_have_a_fixed_query_count(
    thirty: Any, committee_user: Any, client_for: Any, api_client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given
    api, client = api_client_for(committee_user), client_for(committee_user)
    for url, bound in EXPORT_BOUNDS:
        c = api if url.startswith("/api/") else client
        c.get(url)
        # when
        with django_assert_max_num_queries(bound, info=url):
            response = c.get(url)
        # then
        assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"], url


def test_scoped_lists_cost_the_same_for_a_department(
    thirty: Any, user_factory: Any, api_client_for: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given: a department user, whose lists are filtered by scope in the same query
    dept = user_factory(org="应急管理局")
    api, client = api_client_for(dept), client_for(dept)
    for url, bound, rows in API_BOUNDS[:9]:
        api.get(url)
        with django_assert_max_num_queries(bound, info=url):
            response = api.get(url)
        assert response.json()["count"] >= rows, url
    for url, bound in PAGE_BOUNDS:
        client.get(url)
        with django_assert_max_num_queries(bound + 1, info=url):
            assert client.get(url).status_code == 200, url
