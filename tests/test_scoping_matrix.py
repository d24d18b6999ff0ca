"""Cross-app scoping matrix: for every role, lists, searches and exports never show the other side's
objects; the other side's objects answer 404 (like absent ones) on every detail page, API and write;
anonymous requests get a login redirect or 401/403 and no data.

The world (``tests/world.py``) has two sides, A and B; each object carries a unique marker, and
``HIDDEN`` states, per role, which markers must never appear. Every other marker of a listed kind must
appear (so the checks cannot pass on an empty page).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import Workbook

from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise, Grid
from anjian.people.models import Certificate, Person
from anjian.plans.models import ProgressReport
from anjian.plans.selectors import current_quarter
from tests.world import World, response_text

pytestmark = pytest.mark.django_db

ENTERPRISE_KINDS = ("enterprise", "uscc", "person", "certificate", "training", "licence", "grading")
STAFF_KINDS = ("staff", "staff_certificate")
PLAN_KINDS = ("task", "target", "own_report", "shared_report", "notice")
ASSESSMENT_KINDS = ("veto_event", "result")
GOV_KINDS = ENTERPRISE_KINDS + STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS
#: Grids are read by every government user; an enterprise user reads its own enterprise's grid only.
ALL_KINDS = (*GOV_KINDS, "grid")
#: Markers of the shared task (not of a side).
SHARED = {"task": "甲乙协同任务", "target": "协同指标"}

#: role → {side: kinds that role must never see}; "shared" lists the shared task's kinds.
HIDDEN: dict[str, dict[str, tuple[str, ...]]] = {
    "admin": {},
    "committee": {},
    # the lead department reads the cooperating unit's report on the shared task, nothing else of B's
    "dept_a": {
        "b": ENTERPRISE_KINDS + STAFF_KINDS + ("task", "target", "own_report", "notice") + ASSESSMENT_KINDS
    },
    # the cooperating department never reads the lead's report
    "dept_b": {"a": GOV_KINDS},
    "ent_a": {"a": STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS, "b": ALL_KINDS, "shared": ("task", "target")},
    "ent_b": {"b": STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS, "a": ALL_KINDS, "shared": ("task", "target")},
    "gate_a": {
        "a": STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS,
        "b": ALL_KINDS,
        "shared": ("task", "target"),
    },
    "commander": {
        "a": STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS,
        "b": STAFF_KINDS + PLAN_KINDS + ASSESSMENT_KINDS,
        "shared": ("task", "target"),
    },
}
ROLES = list(HIDDEN)

#: (url, kinds it lists, lists every visible object of those kinds)
API_LISTS: list[tuple[str, tuple[str, ...], bool]] = [
    ("/api/v1/enterprises/enterprises/", ("enterprise", "uscc"), True),
    ("/api/v1/enterprises/licences/", ("licence",), True),
    ("/api/v1/enterprises/standardizations/", ("grading",), True),
    ("/api/v1/enterprises/grids/", ("grid",), True),
    ("/api/v1/enterprises/supervision-rules/", ("enterprise",), False),
    ("/api/v1/people/persons/", ("person", "staff"), True),
    ("/api/v1/people/certificates/", ("certificate", "staff_certificate"), True),
    ("/api/v1/people/certificates/expiring/?days=30", ("certificate",), True),
    ("/api/v1/people/trainings/", ("training",), True),
    ("/api/v1/plans/plans/", ("task",), False),
    ("/api/v1/plans/tasks/", ("task",), True),
    ("/api/v1/plans/targets/", ("target",), True),
    ("/api/v1/plans/reports/", ("own_report", "shared_report"), True),
    ("/api/v1/plans/notices/", ("notice",), True),
    ("/api/v1/assessment/schemes/", ("result",), False),
    ("/api/v1/assessment/results/", ("result",), True),
    ("/api/v1/assessment/veto-events/", ("veto_event",), True),
    ("/api/v1/orgs/units/?page_size=500", ("enterprise",), True),
    ("/api/v1/me/", ALL_KINDS, False),
]

PAGE_LISTS: list[tuple[str, tuple[str, ...], bool]] = [
    ("/", ALL_KINDS, False),
    ("/enterprises/", ("enterprise",), True),
    ("/enterprises/licences/", ("licence",), True),
    ("/enterprises/standardization/", ("grading",), True),
    ("/enterprises/grids/", ("grid",), True),
    ("/enterprises/supervision-rules/", ("enterprise",), False),
    ("/people/persons/", ("person", "staff"), True),
    ("/people/certificates/", ("certificate", "staff_certificate"), True),
    ("/people/expiring/?tab=30", ("certificate",), True),
    ("/people/trainings/", ("training",), True),
    ("/plans/", ("task",), True),
    ("/plans/tasks/", ("task",), True),
    ("/plans/mine/", PLAN_KINDS, False),
    ("/plans/compliance/", PLAN_KINDS, False),
    ("/plans/targets/", ("target",), True),
    ("/plans/notices/", ("notice",), True),
    ("/assessment/", ("result",), False),
    ("/assessment/events/", ("veto_event",), True),
    ("/orgs/", ("enterprise",), True),
    ("/core/audit/", (), False),
]

#: (url, kinds it lists); every visible object of the first kind must be in the file
EXPORTS: list[tuple[str, tuple[str, ...]]] = [
    ("/api/v1/enterprises/enterprises/export/", ("enterprise", "uscc")),
    ("/api/v1/enterprises/grids/export/", ("grid",)),
    ("/enterprises/excel/grids/export/", ("grid",)),
    ("/api/v1/enterprises/licences/export/", ("licence", "enterprise")),
    ("/api/v1/enterprises/standardizations/export/", ("grading", "enterprise")),
    ("/enterprises/excel/enterprises/export/", ("enterprise", "uscc")),
    ("/enterprises/excel/licences/export/", ("licence", "enterprise")),
    ("/enterprises/excel/standardizations/export/", ("grading", "enterprise")),
    ("/api/v1/people/persons/export/", ("person", "staff")),
    ("/api/v1/people/certificates/export/", ("certificate", "staff_certificate", "person", "staff")),
    ("/api/v1/people/trainings/export/", ("training", "person")),
    ("/people/excel/persons/export/", ("person", "staff")),
    ("/people/excel/certificates/export/", ("certificate", "staff_certificate")),
    ("/people/excel/trainings/export/", ("training",)),
    ("/api/v1/plans/tasks/export/", ("task", "target")),
    ("/plans/export.xlsx", ("task", "target")),
]


def _markers(world: World, role: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(hidden, visible) markers of ``role``, each by kind."""
    hidden: dict[str, set[str]] = {k: set() for k in ALL_KINDS}
    visible: dict[str, set[str]] = {k: set() for k in ALL_KINDS}
    rules = HIDDEN[role]
    for side in (world.a, world.b):
        for kind, marker in side.markers.items():
            (hidden if kind in rules.get(side.key, ()) else visible)[kind].add(marker)
    for kind, marker in SHARED.items():
        (hidden if kind in rules.get("shared", ()) else visible)[kind].add(marker)
    return hidden, visible


def _check_listing(
    failures: list[str], where: str, text: str, kinds: Iterable[str], complete: bool, world: World, role: str
) -> None:
    hidden, visible = _markers(world, role)
    for kind in kinds:
        for marker in hidden[kind]:
            if marker in text:
                failures.append(f"{role} {where}: leaks {kind} “{marker}”")
        if complete:
            for marker in visible[kind]:
                if marker not in text:
                    failures.append(f"{role} {where}: misses visible {kind} “{marker}”")


def _sees_any(world: World, role: str, kinds: Iterable[str]) -> bool:
    _hidden, visible = _markers(world, role)
    return any(visible[k] for k in kinds)


# ---------------------------------------------------------------------------------------------
# Lists, searches and exports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_what_the_role_may_see(
    world: World, role: str, client_for: Any, api_client_for: Any
) -> None:
    # given
    user = world.users[role]
    api, client = api_client_for(user), client_for(user)
    failures: list[str] = []
    # when / then: every API list and page list
    for url, kinds, complete in API_LISTS:
        response = api.get(url)
        if response.status_code == 200:
            _check_listing(failures, url, response_text(response), kinds, complete, world, role)
        elif complete and _sees_any(world, role, kinds):
            failures.append(f"{role} {url}: {response.status_code} although some rows are visible")
    for url, kinds, complete in PAGE_LISTS:
        response = client.get(url)
        if response.status_code == 200:
            _check_listing(failures, url, response_text(response), kinds, complete, world, role)
        elif response.status_code not in (403, 404) or (complete and _sees_any(world, role, kinds)):
            failures.append(f"{role} {url}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_exports_contain_only_visible_rows(
    world: World, role: str, client_for: Any, api_client_for: Any
) -> None:
    # given
    user = world.users[role]
    api, client = api_client_for(user), client_for(user)
    failures: list[str] = []
    for url, kinds in EXPORTS:
        # when
        response = (api if url.startswith("/api/") else client).get(url)
        # then: a workbook (or a refusal), never a hidden marker
        if response.status_code != 200:
            if _sees_any(world, role, kinds[:1]):
                failures.append(f"{role} {url}: {response.status_code}")
            continue
        assert "spreadsheetml" in response["Content-Type"], url
        _check_listing(failures, url, response_text(response), kinds[:1], True, world, role)
        _check_listing(failures, url, response_text(response), kinds[1:], False, world, role)
    assert failures == []


#: (list url, search parameter, kind searched, kind that must then be absent)
SEARCHES = [
    ("/api/v1/enterprises/enterprises/", "search", "enterprise", "uscc"),
    ("/api/v1/enterprises/enterprises/", "q", "uscc", "enterprise"),
    ("/api/v1/enterprises/licences/", "search", "licence", "licence"),
    ("/api/v1/enterprises/standardizations/", "search", "grading", "grading"),
    ("/api/v1/people/persons/", "search", "person", "person"),
    ("/api/v1/people/persons/", "search", "staff", "staff"),
    ("/api/v1/people/certificates/", "search", "certificate", "certificate"),
    ("/api/v1/people/trainings/", "search", "training", "training"),
    ("/api/v1/plans/tasks/", "search", "task", "task"),
    ("/api/v1/orgs/units/", "search", "enterprise", "enterprise"),
    ("/enterprises/", "q", "enterprise", "uscc"),
    ("/enterprises/licences/", "q", "licence", "enterprise"),
    ("/enterprises/standardization/", "q", "grading", "enterprise"),
    ("/people/persons/", "q", "person", "certificate"),
    ("/people/certificates/", "q", "certificate", "person"),
    ("/people/trainings/", "q", "training", "person"),
]


@pytest.mark.parametrize("role", ["dept_a", "dept_b", "ent_a", "commander"])
def test_search_never_finds_hidden_rows(
    world: World, role: str, client_for: Any, api_client_for: Any
) -> None:
    # given
    user = world.users[role]
    api, client = api_client_for(user), client_for(user)
    hidden_kinds = HIDDEN[role]
    failures: list[str] = []
    for url, param, kind, shown in SEARCHES:
        for side in (world.a, world.b):
            if kind not in hidden_kinds.get(side.key, ()):
                continue
            # when: searching for the hidden object's own words
            response = (api if url.startswith("/api/") else client).get(url, {param: side.markers[kind]})
            if response.status_code != 200:
                continue
            text = response_text(response)
            # then: nothing of it comes back (pages echo the search words, so look for another marker)
            if url.startswith("/api/") and response.json().get("count") != 0:
                failures.append(
                    f"{role} {url}?{param}={side.markers[kind]}: count {response.json()['count']}"
                )
            if side.markers[shown] in text and (shown != kind or url.startswith("/api/")):
                failures.append(f"{role} {url}?{param}: leaks {shown}")
    assert failures == []


# ---------------------------------------------------------------------------------------------
# Detail pages, API details and writes on hidden objects: 404
# ---------------------------------------------------------------------------------------------


def _detail_urls(world: World, side: Any, kind: str) -> list[str]:
    """API and page URLs that show (or act on) one object of ``side``."""
    e, p, s = side.enterprise, side.person, side.staff
    urls = {
        "enterprise": [
            f"/api/v1/enterprises/enterprises/{e.pk}/",
            f"/enterprises/{e.pk}/",
            f"/enterprises/{e.pk}/edit/",
            f"/enterprises/{e.pk}/create-user/",
            f"/api/v1/orgs/units/{e.org_unit_id}/",
            f"/orgs/{e.org_unit_id}/",
        ],
        "grid": [f"/api/v1/enterprises/grids/{side.grid.pk}/"],
        "licence": [
            f"/api/v1/enterprises/licences/{side.licence.pk}/",
            f"/enterprises/licences/{side.licence.pk}/edit/",
        ],
        "grading": [
            f"/api/v1/enterprises/standardizations/{side.grading.pk}/",
            f"/enterprises/standardization/{side.grading.pk}/edit/",
        ],
        "person": [
            f"/api/v1/people/persons/{p.pk}/",
            f"/people/persons/{p.pk}/",
            f"/people/persons/{p.pk}/edit/",
            f"/people/persons/{p.pk}/certificates/new/",
            f"/people/persons/{p.pk}/trainings/new/",
        ],
        "staff": [
            f"/api/v1/people/persons/{s.pk}/",
            f"/people/persons/{s.pk}/",
            f"/people/persons/{s.pk}/edit/",
        ],
        "certificate": [
            f"/api/v1/people/certificates/{side.certificate.pk}/",
            f"/people/certificates/{side.certificate.pk}/edit/",
            f"/core/files/people.certificate/{side.certificate.pk}/file/",
        ],
        "staff_certificate": [
            f"/api/v1/people/certificates/{side.staff_certificate.pk}/",
            f"/people/certificates/{side.staff_certificate.pk}/edit/",
        ],
        "training": [
            f"/api/v1/people/trainings/{side.training.pk}/",
            f"/people/trainings/{side.training.pk}/edit/",
        ],
        "task": [
            f"/api/v1/plans/tasks/{side.task.pk}/",
            f"/plans/tasks/{side.task.pk}/",
            f"/plans/tasks/{side.task.pk}/report/",
        ],
        "target": [f"/api/v1/plans/targets/{side.target.pk}/"],
        "own_report": [
            f"/api/v1/plans/reports/{side.own_report.pk}/",
            f"/plans/reports/{side.own_report.pk}/",
        ],
        "shared_report": [
            f"/api/v1/plans/reports/{side.shared_report.pk}/",
            f"/plans/reports/{side.shared_report.pk}/",
            f"/plans/evidence/{side.evidence.pk}/",
        ],
        "notice": [f"/api/v1/plans/notices/{side.notice.pk}/", f"/plans/notices/{side.notice.pk}/"],
        "veto_event": [f"/api/v1/assessment/veto-events/{side.veto_event.pk}/"],
        "result": [f"/api/v1/assessment/results/{side.result.pk}/", f"/assessment/results/{side.result.pk}/"],
    }
    return urls.get(kind, [])


def _hidden_objects(world: World, role: str) -> list[tuple[Any, str]]:
    rules = HIDDEN[role]
    return [(side, kind) for side in (world.a, world.b) for kind in rules.get(side.key, ())]


@pytest.mark.parametrize("role", [r for r in ROLES if HIDDEN[r]])
def test_hidden_objects_answer_404(world: World, role: str, client_for: Any, api_client_for: Any) -> None:
    # given
    user = world.users[role]
    api, client = api_client_for(user), client_for(user)
    failures = []
    for side, kind in _hidden_objects(world, role):
        for url in _detail_urls(world, side, kind):
            # when
            response = (api if url.startswith("/api/") else client).get(url)
            # then: exactly like an absent object
            if response.status_code != 404:
                failures.append(f"{role} GET {url} ({side.key} {kind}): {response.status_code}")
    shared = world.shared_task
    if "task" in HIDDEN[role].get("shared", ()):
        for url in (f"/api/v1/plans/tasks/{shared.pk}/", f"/plans/tasks/{shared.pk}/"):
            response = (api if url.startswith("/api/") else client).get(url)
            if response.status_code != 404:
                failures.append(f"{role} GET {url} (shared task): {response.status_code}")
    assert failures == []


def _writes(side: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Write requests aimed at ``side``'s objects: (method, url, body)."""
    e = side.enterprise
    return [
        ("patch", f"/api/v1/enterprises/enterprises/{e.pk}/", {"phone": "000"}),
        (
            "post",
            f"/api/v1/enterprises/enterprises/{e.pk}/change-status/",
            {"status": "suspended", "reason": "x"},
        ),
        (
            "post",
            f"/api/v1/enterprises/enterprises/{e.pk}/create-user/",
            {"username": "intruder", "password": "pw-12345678"},
        ),
        ("patch", f"/api/v1/enterprises/licences/{side.licence.pk}/", {"issuer": "x"}),
        ("delete", f"/api/v1/enterprises/licences/{side.licence.pk}/", {}),
        ("patch", f"/api/v1/enterprises/standardizations/{side.grading.pk}/", {"note": "x"}),
        ("patch", f"/api/v1/people/persons/{side.person.pk}/", {"job": "x"}),
        ("patch", f"/api/v1/people/certificates/{side.certificate.pk}/", {"issuer": "x"}),
        ("delete", f"/api/v1/people/certificates/{side.certificate.pk}/", {}),
        ("delete", f"/api/v1/people/trainings/{side.training.pk}/", {}),
        ("post", f"/api/v1/plans/notices/{side.notice.pk}/acknowledge/", {}),
        ("patch", f"/api/v1/plans/targets/{side.target.pk}/", {"metric_key": "people.x"}),
        ("post", f"/enterprises/{e.pk}/status/", {"status": "suspended", "reason": "x"}),
        ("post", f"/enterprises/{e.pk}/edit/", {"phone": "000"}),
        ("post", f"/people/certificates/{side.certificate.pk}/delete/", {}),
        ("post", f"/people/trainings/{side.training.pk}/delete/", {}),
        ("post", f"/plans/notices/{side.notice.pk}/acknowledge/", {}),
        ("post", f"/plans/targets/{side.target.pk}/bind/", {"metric_key": "", "reason": "x"}),
    ]


@pytest.mark.parametrize("role", ["dept_a", "dept_b", "ent_a", "ent_b"])
def test_writes_to_the_other_side_answer_404_and_change_nothing(
    world: World, role: str, client_for: Any, api_client_for: Any
) -> None:
    # given: the side the role may not see at all
    other = world.b if role.endswith("_a") else world.a
    user = world.users[role]
    api, client = api_client_for(user), client_for(user)
    audit_rows = AuditEntry.objects.count()
    failures = []
    for method, url, body in _writes(other):
        # when
        if url.startswith("/api/"):
            response = getattr(api, method)(url, body, format="json")
        else:
            response = client.post(url, body)
        # then
        if response.status_code != 404:
            failures.append(f"{role} {method.upper()} {url}: {response.status_code}")
    assert failures == []
    assert AuditEntry.objects.count() == audit_rows
    other.enterprise.refresh_from_db()
    assert other.enterprise.status == "operating" and other.enterprise.phone == ""


# ---------------------------------------------------------------------------------------------
# Writes naming an out-of-scope object in the body
# ---------------------------------------------------------------------------------------------


def test_enterprise_user_cannot_register_people_or_records_for_another_enterprise(
    world: World, api_client_for: Any, resident_id: Any
) -> None:
    # given
    api = api_client_for(world.a.ent_user)
    b = world.b
    person = {
        "name": "冒名者",
        "id_type": "resident",
        "id_number": resident_id(),
        "role_category": "other_worker",
    }
    before = AuditEntry.objects.count()
    # when / then: another enterprise, another enterprise's person: 404, exactly like an absent id
    for url, body in (
        ("/api/v1/people/persons/", {**person, "employer_enterprise": b.enterprise.pk}),
        ("/api/v1/people/persons/", {**person, "employer_enterprise": 999999}),
        (
            "/api/v1/people/certificates/",
            {
                "person": b.person.pk,
                "kind": "other",
                "number": "X-1",
                "issuer": "某局",
                "issued_on": "2024-01-01",
            },
        ),
        (
            "/api/v1/people/certificates/",
            {"person": 999999, "kind": "other", "number": "X-1", "issuer": "某局", "issued_on": "2024-01-01"},
        ),
        (
            "/api/v1/people/trainings/",
            {"person": b.person.pk, "course": "冒名培训", "hours": "8", "date": "2024-01-01"},
        ),
        (
            "/api/v1/enterprises/licences/",
            {"enterprise": b.enterprise.pk, "kind": "other", "number": "X", "valid_until": "2030-01-01"},
        ),
        (
            "/api/v1/enterprises/licences/",
            {"enterprise": 999999, "kind": "other", "number": "X", "valid_until": "2030-01-01"},
        ),
        (
            "/api/v1/enterprises/standardizations/",
            {
                "enterprise": b.enterprise.pk,
                "grade": "level3",
                "certificate_no": "X",
                "issued_on": "2024-01-01",
            },
        ),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 404, (url, body, response.content)
        assert b.enterprise.name not in response.content.decode()
    # the enterprise's own register works (the refusals are not a blanket denial)
    response = api.post(
        "/api/v1/people/persons/", {**person, "employer_enterprise": world.a.enterprise.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    # licences are the departments': visible enterprise, no change right → 403
    response = api.post(
        "/api/v1/enterprises/licences/",
        {"enterprise": world.a.enterprise.pk, "kind": "other", "number": "X", "valid_until": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before + 1
    assert not Person.objects.filter(name="冒名者", employer_enterprise=b.enterprise).exists()


def test_department_cannot_write_into_another_departments_enterprise(
    world: World, api_client_for: Any
) -> None:
    # given
    api = api_client_for(world.a.dept_user)
    # when
    response = api.post(
        "/api/v1/enterprises/licences/",
        {"enterprise": world.b.enterprise.pk, "kind": "other", "number": "X", "valid_until": "2030-01-01"},
        format="json",
    )
    # then
    assert response.status_code == 404
    assert not world.b.enterprise.licences.filter(number="X").exists()


def test_enterprise_user_cannot_change_supervision_industry_or_status(
    world: World, api_client_for: Any
) -> None:
    # given
    api = api_client_for(world.a.ent_user)
    enterprise = world.a.enterprise
    before = AuditEntry.objects.count()
    # when: the read-only fields are sent with a permitted one
    response = api.patch(
        f"/api/v1/enterprises/enterprises/{enterprise.pk}/",
        {
            "supervising_unit": world.b.dept.pk,
            "supervision_overridden": True,
            "supervision_override_reason": "自行指定",
            "industry": "construction",
            "status": "closed",
            "uscc": world.b.enterprise.uscc,
            "phone": "0483-1234567",
        },
        format="json",
    )
    # then: refused with a 400 naming the read-only fields (issue 7: never silently ignored), nothing changed
    assert response.status_code == 400, response.content
    body = response.json()
    assert {"supervising_unit", "industry", "status", "uscc"} <= set(body), body
    enterprise.refresh_from_db()
    assert (enterprise.supervising_unit, enterprise.industry, enterprise.status) == (
        world.a.dept,
        "hazchem_production",
        "operating",
    )
    assert enterprise.phone != "0483-1234567" and enterprise.supervision_overridden is False
    assert AuditEntry.objects.count() == before
    # the permitted field alone (with read-only ones sent back unchanged, as a GET returned them) is saved
    current = api.get(f"/api/v1/enterprises/enterprises/{enterprise.pk}/").json()
    response = api.patch(
        f"/api/v1/enterprises/enterprises/{enterprise.pk}/",
        {"phone": "0483-1234567", "industry": current["industry"], "status": current["status"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    enterprise.refresh_from_db()
    assert enterprise.phone == "0483-1234567"
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert [f for f, _b, _a in entry.changed_fields()] == ["phone"]
    # and the status edge is not theirs either
    response = api.post(
        f"/api/v1/enterprises/enterprises/{enterprise.pk}/change-status/",
        {"status": "suspended", "reason": "x"},
    )
    assert response.status_code == 403


def test_department_files_reports_only_for_its_own_unit(world: World, api_client_for: Any) -> None:
    # given
    year, quarter = current_quarter(timezone.localdate())
    api = api_client_for(world.a.dept_user)
    body = {"year": year, "quarter": quarter, "status": "in_progress", "text": "本季度进展"}
    # when: a task of the other department's only
    response = api.post("/api/v1/plans/reports/", {**body, "task": world.b.task.pk}, format="json")
    # then
    assert response.status_code == 404
    assert api.post("/api/v1/plans/reports/", {**body, "task": 999999}, format="json").status_code == 404
    # when: the shared task, naming the other unit in the body
    response = api.post(
        "/api/v1/plans/reports/",
        {**body, "task": world.shared_task.pk, "unit": world.b.dept.pk},
        format="json",
    )
    # then: filed for the user's own unit, never for the named one
    assert response.status_code == 201, response.content
    assert not ProgressReport.objects.filter(unit=world.b.dept, year=year, quarter=quarter).exists()
    assert ProgressReport.objects.filter(unit=world.a.dept, year=year, quarter=quarter).count() == 1


def _xlsx(header: list[str], rows: list[list[Any]], title: str) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "import.xlsx"
    return buffer


def test_report_import_refuses_another_units_rows(world: World, api_client_for: Any) -> None:
    # given: the cooperating department names the lead in the unit column
    year, quarter = current_quarter(timezone.localdate())
    upload = _xlsx(
        ["任务编号", "单位", "年度", "季度", "状态", "进展情况"],
        [
            ["1.1", "应急管理局", year, quarter, "推进中", "冒名报送"],
            ["1.2", "住建交通局", year, quarter, "推进中", "看不到的任务"],
        ],
        "进展报告",
    )
    api = api_client_for(world.b.dept_user)
    # when
    response = api.post(
        "/api/v1/plans/reports/import/", {"file": upload, "plan": world.plan.pk}, format="multipart"
    )
    # then: both rows refused, nothing filed, and the reason does not describe the hidden rows
    assert response.status_code == 200
    report = response.json()
    assert (report["created"], report["updated"], report["rejected"]) == (0, 0, 2)
    assert not ProgressReport.objects.filter(text__in=["冒名报送", "看不到的任务"]).exists()


def test_certificate_import_cannot_take_over_another_enterprises_certificate(
    world: World, client_for: Any
) -> None:
    # given: A's user reuses B's certificate number (the import key) for A's own person
    b_cert = world.b.certificate
    upload = _xlsx(
        [
            "持证人证件号码",
            "证书类别",
            "作业类别",
            "操作项目",
            "证书编号",
            "发证机关",
            "发证日期",
            "有效期至",
        ],
        [
            [
                world.a.person.id_number,
                b_cert.get_kind_display(),
                b_cert.get_category_display(),
                "低压电工作业",
                b_cert.number,
                "冒名机关",
                "2024-01-01",
                "2030-01-01",
            ]
        ],
        "证书台账",
    )
    client = client_for(world.a.ent_user)
    # when
    response = client.post("/people/excel/certificates/import/", {"file": upload})
    # then: the row is refused and B's certificate keeps its holder and issuer
    assert response.status_code == 200
    b_cert.refresh_from_db()
    assert b_cert.person_id == world.b.person.pk and b_cert.issuer != "冒名机关"
    assert not Certificate.objects.filter(issuer="冒名机关").exists()


def test_enterprise_import_does_not_reveal_or_change_another_departments_enterprise(
    world: World, api_client_for: Any
) -> None:
    # given: 应急管理局 imports a row with B's code and a status B cannot move to from its stored one
    b = world.b.enterprise
    upload = _xlsx(
        ["统一社会信用代码", "企业名称", "状态", "规模", "行业"],
        [[b.uscc, "改名企业", "筹建", "小微", "危险化学品生产"]],
        "企业名录",
    )
    api = api_client_for(world.a.dept_user)
    # when
    response = api.post("/api/v1/enterprises/enterprises/import/", {"file": upload}, format="multipart")
    # then: refused for scope, without naming the stored status
    report = response.json()
    assert report["rejected"] == 1 and report["updated"] == 0
    reasons = " ".join(e["reason"] for e in report["errors"])
    assert "在营" not in reasons and "管理范围" in reasons
    b.refresh_from_db()
    assert b.name == "乙方化工有限公司"


def test_grid_cannot_be_moved_out_of_the_towns_scope(
    world: World, user_factory: Any, grid_factory: Any, api_client_for: Any, unit: Any
) -> None:
    # given: 腾格里镇's user and one of its grids
    town_user = user_factory(org="腾格里镇")
    grid = grid_factory(town="腾格里镇", code="G-TG-1")
    api = api_client_for(town_user)
    # when: the grid is handed to the other town
    response = api.patch(
        f"/api/v1/enterprises/grids/{grid.pk}/", {"town": unit("孛井滩镇").pk}, format="json"
    )
    # then
    assert response.status_code == 403
    grid.refresh_from_db()
    assert grid.town == unit("腾格里镇")
    # and a grid cannot be created there either
    response = api.post(
        "/api/v1/enterprises/grids/",
        {"code": "G-BJ-9", "name": "越界网格", "town": unit("孛井滩镇").pk},
        format="json",
    )
    assert response.status_code == 403 and not Grid.objects.filter(code="G-BJ-9").exists()


def test_browsable_api_forms_offer_only_visible_choices(world: World, client_for: Any) -> None:
    # given: the HTML rendering of the API, which draws a form with every choice of each related field
    client = client_for(world.a.dept_user)
    for url in (
        "/api/v1/enterprises/licences/",
        "/api/v1/enterprises/standardizations/",
        "/api/v1/people/certificates/",
    ):
        # when
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        # then
        assert world.b.enterprise.name not in html, url
        assert world.b.person.name not in html, url
        assert (world.a.person.name if "people" in url else world.a.enterprise.name) in html, url
    # the writable task of a notice or report form lists only the user's tasks
    client = client_for(world.b.dept_user)
    for url in ("/api/v1/plans/notices/", "/api/v1/plans/reports/"):
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        assert world.a.task.title not in html, url


def test_certificate_scans_are_served_only_within_scope(
    world: World, client, client_for: Any, api_client_for: Any
) -> None:
    # given
    cert = world.a.certificate
    url = f"/core/files/people.certificate/{cert.pk}/file/"
    # when / then: the holder's enterprise downloads it; another enterprise and anonymous do not
    assert client.get(url).status_code == 302
    assert client_for(world.b.ent_user).get(url).status_code == 404
    response = client_for(world.a.ent_user).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == "甲方证书扫描件".encode()
    # a field that is not a file, or a model that is not scoped, is never served
    owner = client_for(world.a.ent_user)
    for path in (
        f"/core/files/people.certificate/{cert.pk}/number/",
        f"/core/files/people.certificate/{cert.pk}/nope/",
        f"/core/files/orgs.user/{world.a.ent_user.pk}/password/",
        f"/core/files/nope/{cert.pk}/file/",
        f"/core/files/people.nope/{cert.pk}/file/",
    ):
        assert owner.get(path).status_code == 404, path
    # the API and the pages link to the scoped download, never to a public media path
    data = api_client_for(world.a.ent_user).get(f"/api/v1/people/certificates/{cert.pk}/").json()
    assert data["file"].endswith(url)
    html = client_for(world.a.ent_user).get(f"/people/persons/{world.a.person.pk}/").content.decode()
    assert url in html and "/media/" not in html


def test_unit_history_shows_staff_changes_only_to_that_unit_and_the_office(
    world: World, client_for: Any, api_client_for: Any
) -> None:
    # given: a change to 应急管理局's staff member, audited with the unit as related object
    api_client_for(world.a.dept_user).patch(
        f"/api/v1/people/persons/{world.a.staff.pk}/", {"phone": "13800000000"}, format="json"
    )
    url = f"/orgs/{world.a.dept.pk}/"
    # when / then: the unit itself and the committee office read it; other units and enterprises do not
    assert "13800000000" in client_for(world.a.dept_user).get(url).content.decode()
    assert "13800000000" in client_for(world.committee).get(url).content.decode()
    for role in ("dept_b", "ent_a", "ent_b", "commander"):
        html = client_for(world.users[role]).get(url).content.decode()
        assert "13800000000" not in html and world.a.staff.name not in html, role


# ---------------------------------------------------------------------------------------------
# Anonymous: every routed URL
# ---------------------------------------------------------------------------------------------

# Login pages and the token endpoint take credentials from anonymous callers (and return no data without them).
PUBLIC = {"login", "logout", "api-token"}


def _routes() -> list[tuple[str, str]]:
    """(name, path pattern) of every routed URL outside the Django admin."""
    result = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                if ns == "admin":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), ns or "")
            elif isinstance(p, URLPattern):
                result.append(
                    (f"{namespace}:{p.name}" if namespace else str(p.name), prefix + str(p.pattern))
                )

    walk(get_resolver().url_patterns, "", "")
    return result


def _concrete(pattern: str, world: World) -> str:
    """A request path for a route pattern, with real ids and parameters filled in."""
    values = {
        "pk": str(world.a.enterprise.pk),
        "person_pk": str(world.a.person.pk),
        "register": "persons",
        "step": "acknowledge",
        "format": "json",
    }
    path = pattern.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    path = path.replace("\\.", ".")
    return "/" + path


def test_anonymous_gets_no_data_anywhere(world: World, client: Any) -> None:
    # given: every routed URL (pages, API, @actions, exports, templates, evidence, files)
    routes = [(n, _concrete(p, world)) for n, p in _routes() if n.split(":")[-1] not in PUBLIC]
    assert len(routes) > 100
    failures = []
    for name, path in routes:
        for method in ("get", "post"):
            # when
            response = getattr(client, method)(path)
            # then: a redirect to the login page (pages) or 401/403 (API), never data
            is_api = path.startswith("/api/")
            ok = (
                response.status_code in (401, 403)
                if is_api
                else (response.status_code == 302 and response["Location"].startswith("/login/"))
            )
            if response.status_code == 405:
                ok = True
            if not ok:
                failures.append(f"{method.upper()} {path} ({name}): {response.status_code}")
            body = response_text(response) if response.status_code != 302 else ""
            for marker in (world.a.enterprise.name, world.a.person.name, world.a.task.title):
                if marker in body:
                    failures.append(f"{method.upper()} {path}: leaks {marker}")
    assert failures == []


def _module_covered_routes() -> set[str]:
    """API list routes that a module app's own scoping test covers (``tests/test_scoping.py`` of that app
    declares ``COVERED_API_ROUTES`` and proves, per role, that the lists show only what the role may see)."""
    from importlib import import_module
    from importlib.util import find_spec

    from anjian.urls import MODULE_APPS

    covered: set[str] = set()
    for app in MODULE_APPS:
        name = f"anjian.{app}.tests.test_scoping"
        if find_spec(name):
            covered |= {url.split("?")[0] for url in import_module(name).COVERED_API_ROUTES}
    return covered


def test_matrix_covers_every_api_list_route() -> None:
    # given: every API route that lists rows (router lists and list-level @actions with GET)
    listed = {url.split("?")[0] for url, _k, _c in API_LISTS} | {url for url, _k in EXPORTS}
    listed |= _module_covered_routes()
    routes = {
        _concrete_static(p)
        for n, p in _routes()
        if p.startswith("api/v1/")
        and (
            n.endswith("-list")
            or n.endswith("-export")
            or n.endswith("-expiring")
            or n.endswith("-export-xlsx")
        )
    }
    # then: a new list route fails here until it is added to the matrix
    assert routes - listed == set()


def _concrete_static(pattern: str) -> str:
    return "/" + pattern.replace("^", "").replace("$", "")


def test_world_markers_are_distinct(world: World) -> None:
    # given / then: no marker of one side is a substring of another marker (a leak check could miss it)
    markers = [m for side in (world.a, world.b) for m in side.markers.values()] + list(SHARED.values())
    for m in markers:
        assert sum(1 for other in markers if m in other) == 1, m
    assert Enterprise.objects.count() == 2


def test_supervision_rule_counts_are_those_of_the_scoped_list(world: World, client_for: Any) -> None:
    # given: the 三个必须 page links each count to the (scoped) enterprise list of that industry
    def counts(user: Any) -> dict[str, int]:
        response = client_for(user).get("/enterprises/supervision-rules/")
        return {r.industry: r.enterprise_count for r in response.context["rules"]}

    # when / then: 住建交通局 counts only what it sees; the committee office counts the zone
    assert counts(world.b.dept_user)["hazchem_production"] == 0
    assert counts(world.b.dept_user)["construction"] == 1
    assert counts(world.committee)["hazchem_production"] == 1


@pytest.mark.parametrize("role", [r for r in ROLES if HIDDEN[r]])
def test_visible_detail_pages_do_not_leak_hidden_related_objects(
    world: World, role: str, client_for: Any, api_client_for: Any
) -> None:
    # given: the detail pages and APIs of objects this role may see, with their tabs and history
    user = world.users[role]
    client, api = client_for(user), api_client_for(user)
    pages = [
        f"/plans/plan/{world.plan.pk}/",
        f"/plans/tasks/{world.shared_task.pk}/",
        f"/assessment/{world.scheme.pk}/",
    ]
    pages += [
        f"/api/v1/plans/tasks/{world.shared_task.pk}/",
        f"/api/v1/assessment/schemes/{world.scheme.pk}/",
    ]
    for side in (world.a, world.b):
        e = side.enterprise
        pages += [
            f"/enterprises/{e.pk}/?tab={tab}"
            for tab in ("info", "licences", "standardization", "people", "history")
        ]
        pages += [
            f"/orgs/{side.dept.pk}/",
            f"/orgs/{e.org_unit_id}/",
            f"/people/persons/{side.person.pk}/",
            f"/people/persons/{side.staff.pk}/",
            f"/plans/tasks/{side.task.pk}/",
            f"/plans/notices/{side.notice.pk}/",
            f"/plans/reports/{side.shared_report.pk}/",
            f"/assessment/results/{side.result.pk}/",
            f"/api/v1/enterprises/enterprises/{e.pk}/",
            f"/api/v1/plans/reports/{side.shared_report.pk}/",
        ]
    hidden, _visible = _markers(world, role)
    failures, seen = [], 0
    for url in pages:
        # when
        response = (api if url.startswith("/api/") else client).get(url)
        if response.status_code != 200:
            continue
        seen += 1
        text = response_text(response)
        # then: no hidden object shows up on a page about a visible one
        failures += [f"{role} {url}: leaks {k} “{m}”" for k, ms in hidden.items() for m in ms if m in text]
    assert seen >= 4
    assert failures == []


# ---------------------------------------------------------------------------------------------
# Management commands that read data as a user
# ---------------------------------------------------------------------------------------------


def test_commands_run_as_a_user_read_only_that_users_scope(world: World, tmp_path: Any) -> None:
    # given
    from django.core.management import call_command

    from tests.world import xlsx_text

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    # when / then: people export and expiring as A's enterprise user
    for register, kind in (("persons", "person"), ("certificates", "certificate"), ("trainings", "training")):
        path = tmp_path / f"{register}.xlsx"
        run("people", "export", register, str(path), "--user", "ent_a")
        text = xlsx_text(path.read_bytes())
        assert world.a.markers[kind] in text and world.b.markers[kind] not in text, register
    out = run("people", "expiring", "--user", "ent_a", "--days", "30", "--json")
    assert world.a.person.name in out and world.b.person.name not in out
    # plan reports as the cooperating department: its own reports, never the lead's
    out = run("plan", "reports", "--user", "dept_b", "--json")
    assert world.b.markers["shared_report"] in out and world.b.markers["own_report"] in out
    assert world.a.markers["shared_report"] not in out and world.a.markers["own_report"] not in out
    # an enterprise user reads no plan reports at all
    assert "[]" in run("plan", "reports", "--user", "ent_a", "--json")
