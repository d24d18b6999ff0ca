"""Every state change leaves an audit record: who, when, what (before/after), why.

For a representative set of writes across the apps (API create/update/delete of each register, workflow
actions, Excel imports, page forms) exactly the expected number of new ``AuditEntry`` rows appears, with
the acting user, the changed object and its before/after state; a refused write leaves none.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db.models import Max
from django.utils import timezone
from openpyxl import Workbook

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization
from anjian.people.models import Certificate, Person, TrainingRecord
from anjian.plans.models import ProgressReport, SupervisionNotice
from anjian.plans.selectors import current_quarter
from tests.world import World

pytestmark = pytest.mark.django_db


@contextmanager
def audited(count: int = 1) -> Iterator[list[AuditEntry]]:
    """Collect the audit rows written inside the block and check there are exactly ``count``."""
    start = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    rows: list[AuditEntry] = []
    yield rows
    rows.extend(AuditEntry.objects.filter(id__gt=start).select_related("object_type").order_by("id"))
    assert len(rows) == count, [(r.get_event_type_display(), r.object_repr) for r in rows]


def check(
    row: AuditEntry,
    event: int,
    user: Any,
    obj: Any,
    *,
    before: bool,
    after: bool,
    changed: str | None = None,
) -> None:
    """One row: its event, acting user (and frozen name), object, and whether it has before/after state."""
    assert row.event_type == event, (row.get_event_type_display(), AuditEvent(event).label)
    assert row.user_id == user.pk and row.user_name, row
    model = obj if isinstance(obj, type) else type(obj)
    assert row.object_type.model_class() is model, row.object_type
    if not isinstance(obj, type):
        assert row.object_id == str(obj.pk)
    assert (row.before is not None) == before, row.before
    assert (row.after is not None) == after, row.after
    if changed is not None:
        assert changed in {f for f, _b, _a in row.changed_fields()}, row.changed_fields()
    assert row.time is not None and row.object_repr


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


# ---------------------------------------------------------------------------------------------
# API: registers
# ---------------------------------------------------------------------------------------------


def test_enterprise_api_writes_are_audited(world: World, api_client_for: Any, uscc_factory: Any) -> None:
    # given
    office, dept = world.committee, world.a.dept_user
    api, dept_api = api_client_for(office), api_client_for(dept)
    # create
    with audited() as rows:
        response = api.post(
            "/api/v1/enterprises/enterprises/",
            {
                "uscc": uscc_factory(),
                "name": "丙方化工有限公司",
                "industry": "hazchem_trade",
                "reason": "新设企业",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    created = Enterprise.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.ENTERPRISE_CREATED, office, created, before=False, after=True)
    assert rows[0].reason == "新设企业" and rows[0].request_id
    # update (by the supervising department)
    with audited() as rows:
        assert (
            dept_api.patch(
                f"/api/v1/enterprises/enterprises/{created.pk}/",
                {"phone": "0483-1", "reason": "更正"},
                format="json",
            ).status_code
            == 200
        )
    check(rows[0], AuditEvent.ENTERPRISE_UPDATED, dept, created, before=True, after=True, changed="phone")
    assert rows[0].reason == "更正"
    # a PATCH that changes nothing writes nothing
    with audited(0):
        dept_api.patch(f"/api/v1/enterprises/enterprises/{created.pk}/", {"phone": "0483-1"}, format="json")
    # workflow edge and a login for the enterprise
    with audited() as rows:
        assert (
            dept_api.post(
                f"/api/v1/enterprises/enterprises/{created.pk}/change-status/",
                {"status": "suspended", "reason": "停产整顿"},
            ).status_code
            == 200
        )
    check(
        rows[0],
        AuditEvent.ENTERPRISE_STATUS_CHANGED,
        dept,
        created,
        before=True,
        after=True,
        changed="status",
    )
    assert rows[0].reason == "停产整顿"
    with audited() as rows:
        assert (
            dept_api.post(
                f"/api/v1/enterprises/enterprises/{created.pk}/create-user/",
                {"username": "bing_admin", "password": "pw-12345678", "name": "丙管理员"},
            ).status_code
            == 201
        )
    assert rows[0].event_type == AuditEvent.USER_CREATED and rows[0].user_id == dept.pk
    # a refused edge writes nothing
    with audited(0):
        assert (
            dept_api.post(
                f"/api/v1/enterprises/enterprises/{created.pk}/change-status/",
                {"status": "preparing", "reason": "x"},
            ).status_code
            == 409
        )


def test_licence_standardization_and_grid_api_writes_are_audited(
    world: World, api_client_for: Any, user_factory: Any, unit: Any
) -> None:
    # given
    dept = world.a.dept_user
    api = api_client_for(dept)
    enterprise = world.a.enterprise
    # licence: create, update, delete — each one row, related to the enterprise
    with audited() as rows:
        response = api.post(
            "/api/v1/enterprises/licences/",
            {"enterprise": enterprise.pk, "kind": "other", "number": "LIC-NEW", "valid_until": "2030-01-01"},
            format="json",
        )
        assert response.status_code == 201, response.content
    licence = Licence.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.LICENCE_CHANGED, dept, licence, before=False, after=True)
    assert rows[0].related_id == str(enterprise.pk)
    with audited() as rows:
        api.patch(
            f"/api/v1/enterprises/licences/{licence.pk}/", {"issuer": "自治区应急管理厅"}, format="json"
        )
    check(rows[0], AuditEvent.LICENCE_CHANGED, dept, licence, before=True, after=True, changed="issuer")
    with audited() as rows:
        assert api.delete(f"/api/v1/enterprises/licences/{licence.pk}/").status_code == 204
    check(rows[0], AuditEvent.LICENCE_CHANGED, dept, Licence, before=True, after=False)
    # grading: one row for the new grading (the superseded one is named in its message)
    with audited() as rows:
        response = api.post(
            "/api/v1/enterprises/standardizations/",
            {
                "enterprise": enterprise.pk,
                "grade": "level2",
                "certificate_no": "BZ-NEW",
                "issued_on": "2025-01-01",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    check(rows[0], AuditEvent.STANDARDIZATION_CHANGED, dept, Standardization, before=False, after=True)
    assert world.a.grading.certificate_no in rows[0].message
    # grids through the generic audited viewset: create, update, delete
    town_api = api_client_for(user_factory(org="孛井滩镇"))
    town = unit("孛井滩镇")
    with audited() as rows:
        response = town_api.post(
            "/api/v1/enterprises/grids/", {"code": "G-N", "name": "新网格", "town": town.pk}
        )
        assert response.status_code == 201, response.content
    grid = Grid.objects.get(code="G-N")
    check(rows[0], AuditEvent.OBJECT_CREATED, rows[0].user, grid, before=False, after=True)
    with audited() as rows:
        town_api.patch(f"/api/v1/enterprises/grids/{grid.pk}/", {"staff_name": "网格员王五"}, format="json")
    check(
        rows[0], AuditEvent.OBJECT_UPDATED, rows[0].user, grid, before=True, after=True, changed="staff_name"
    )
    with audited() as rows:
        assert town_api.delete(f"/api/v1/enterprises/grids/{grid.pk}/").status_code == 204
    check(rows[0], AuditEvent.OBJECT_DELETED, rows[0].user, Grid, before=True, after=False)
    # a refused move (out of the town's scope) is rolled back with its audit row
    grid2 = Grid.objects.create(code="G-M", name="另一网格", town=town)
    with audited(0):
        assert (
            town_api.patch(
                f"/api/v1/enterprises/grids/{grid2.pk}/", {"town": unit("腾格里镇").pk}, format="json"
            ).status_code
            == 403
        )


def test_supervision_rule_change_audits_the_rule_and_each_moved_enterprise(
    world: World, api_client_for: Any
) -> None:
    # given: 住建交通局 supervises construction (enterprise B)
    from anjian.enterprises.models import SupervisionRule

    rule = SupervisionRule.objects.get(industry="construction")
    api = api_client_for(world.committee)
    # when: the office hands construction to 应急管理局
    with audited(2) as rows:
        response = api.patch(
            f"/api/v1/enterprises/supervision-rules/{rule.pk}/",
            {"unit": world.a.dept.pk, "reason": "职责调整"},
            format="json",
        )
        assert response.status_code == 200, response.content
    # then: one row for the rule, one for the enterprise whose department changed
    check(
        rows[0],
        AuditEvent.SUPERVISION_RULE_CHANGED,
        world.committee,
        rule,
        before=True,
        after=True,
        changed="unit",
    )
    check(
        rows[1],
        AuditEvent.ENTERPRISE_UPDATED,
        world.committee,
        world.b.enterprise,
        before=True,
        after=True,
        changed="supervising_unit",
    )
    assert {r.reason for r in rows} == {"职责调整"}


def test_people_api_writes_are_audited(world: World, api_client_for: Any, resident_id: Any) -> None:
    # given
    user = world.a.ent_user
    api = api_client_for(user)
    # person: create, update
    with audited() as rows:
        response = api.post(
            "/api/v1/people/persons/",
            {
                "name": "新员工",
                "id_type": "resident",
                "id_number": resident_id(),
                "employer_enterprise": world.a.enterprise.pk,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.PERSON_CREATED, user, person, before=False, after=True)
    assert rows[0].related_id == str(world.a.enterprise.pk)
    with audited() as rows:
        api.patch(f"/api/v1/people/persons/{person.pk}/", {"job": "电工", "reason": "调岗"}, format="json")
    check(rows[0], AuditEvent.PERSON_UPDATED, user, person, before=True, after=True, changed="job")
    # the same values again: nothing changed, nothing audited
    with audited(0):
        assert (
            api.patch(f"/api/v1/people/persons/{person.pk}/", {"job": "电工"}, format="json").status_code
            == 200
        )
    # certificate: create, update, delete
    with audited() as rows:
        response = api.post(
            "/api/v1/people/certificates/",
            {
                "person": person.pk,
                "kind": "other",
                "number": "C-NEW",
                "issuer": "某局",
                "issued_on": "2024-01-01",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    cert = Certificate.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.CERTIFICATE_CHANGED, user, cert, before=False, after=True)
    with audited() as rows:
        api.patch(f"/api/v1/people/certificates/{cert.pk}/", {"issuer": "盟应急管理局"}, format="json")
    check(rows[0], AuditEvent.CERTIFICATE_CHANGED, user, cert, before=True, after=True, changed="issuer")
    with audited() as rows:
        assert api.delete(f"/api/v1/people/certificates/{cert.pk}/").status_code == 204
    check(rows[0], AuditEvent.CERTIFICATE_CHANGED, user, Certificate, before=True, after=False)
    # training: create, delete
    with audited() as rows:
        response = api.post(
            "/api/v1/people/trainings/",
            {"person": person.pk, "course": "岗前培训", "hours": "8", "date": "2024-05-01"},
            format="json",
        )
        assert response.status_code == 201, response.content
    training = TrainingRecord.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.TRAINING_RECORDED, user, training, before=False, after=True)
    with audited() as rows:
        assert api.delete(f"/api/v1/people/trainings/{training.pk}/").status_code == 204
    check(rows[0], AuditEvent.TRAINING_RECORDED, user, TrainingRecord, before=True, after=False)
    # an invalid write writes nothing
    with audited(0):
        assert (
            api.post(
                "/api/v1/people/trainings/", {"person": person.pk, "course": "", "hours": "0"}
            ).status_code
            == 400
        )


# ---------------------------------------------------------------------------------------------
# API: workflows
# ---------------------------------------------------------------------------------------------


def test_plans_workflows_are_audited(world: World, api_client_for: Any) -> None:
    # given
    year, quarter = current_quarter(timezone.localdate())
    dept, office = world.a.dept_user, world.committee
    api, office_api = api_client_for(dept), api_client_for(office)
    body = {
        "task": world.shared_task.pk,
        "year": year,
        "quarter": quarter,
        "status": "in_progress",
        "text": "第一稿",
    }
    # report: filed, then revised before its deadline
    with audited() as rows:
        response = api.post("/api/v1/plans/reports/", {**body, "reason": "按时报送"}, format="json")
        assert response.status_code == 201, response.content
    report = ProgressReport.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.REPORT_SUBMITTED, dept, report, before=False, after=True)
    assert rows[0].related_id == str(world.shared_task.pk)
    with audited() as rows:
        api.post("/api/v1/plans/reports/", {**body, "text": "第二稿"}, format="json")
    check(rows[0], AuditEvent.REPORT_REVISED, dept, report, before=True, after=True, changed="text")
    # notice: sent, acknowledged, answered, closed — one row per step, each with the step's actor
    with audited() as rows:
        response = office_api.post(
            "/api/v1/plans/notices/",
            {"unit": world.a.dept.pk, "title": "督办", "body": "请整改"},
            format="json",
        )
        assert response.status_code == 201, response.content
    notice = SupervisionNotice.objects.get(pk=response.json()["id"])
    check(rows[0], AuditEvent.NOTICE_SENT, office, notice, before=False, after=True)
    for actor, step, payload, event in (
        (api, "acknowledge", {"reason": "已收到"}, AuditEvent.NOTICE_ACKNOWLEDGED),
        (api, "answer", {"answer": "已整改"}, AuditEvent.NOTICE_ANSWERED),
        (office_api, "close", {}, AuditEvent.NOTICE_CLOSED),
    ):
        with audited() as rows:
            assert actor.post(f"/api/v1/plans/notices/{notice.pk}/{step}/", payload).status_code == 200
        check(
            rows[0],
            event,
            office if actor is office_api else dept,
            notice,
            before=True,
            after=True,
            changed="status",
        )
    # an edge out of order writes nothing
    with audited(0):
        assert api.post(f"/api/v1/plans/notices/{notice.pk}/acknowledge/").status_code == 409
    # target binding
    with audited() as rows:
        office_api.patch(
            f"/api/v1/plans/targets/{world.shared_target.pk}/",
            {"metric_key": "people.x", "reason": "接入"},
            format="json",
        )
    check(
        rows[0],
        AuditEvent.TARGET_BOUND,
        office,
        world.shared_target,
        before=True,
        after=True,
        changed="metric_key",
    )


def test_assessment_run_and_finalise_write_one_row_each(world: World, api_client_for: Any) -> None:
    # given
    api = api_client_for(world.committee)
    # when / then: a run stores every unit's result but is one change of the scheme
    with audited() as rows:
        assert (
            api.post(
                f"/api/v1/assessment/schemes/{world.scheme.pk}/run/", {"as_of": "2025-01-20"}
            ).status_code
            == 200
        )
    check(rows[0], AuditEvent.ASSESSMENT_RUN, world.committee, world.scheme, before=True, after=True)
    with audited() as rows:
        assert (
            api.post(
                f"/api/v1/assessment/schemes/{world.scheme.pk}/finalise/", {"reason": "审定"}
            ).status_code
            == 200
        )
    check(
        rows[0],
        AuditEvent.ASSESSMENT_FINALISED,
        world.committee,
        world.scheme,
        before=True,
        after=True,
        changed="is_final",
    )
    assert rows[0].reason == "审定"
    # a department may not run it, and nothing is written
    with audited(0):
        assert (
            api_client_for(world.a.dept_user)
            .post(f"/api/v1/assessment/schemes/{world.scheme.pk}/run/")
            .status_code
            == 403
        )


# ---------------------------------------------------------------------------------------------
# Excel imports
# ---------------------------------------------------------------------------------------------


def test_imports_write_one_row_per_changed_row_and_none_on_reimport(
    world: World, api_client_for: Any, client_for: Any, uscc_factory: Any, resident_id: Any
) -> None:
    # given
    dept = world.a.dept_user
    api = api_client_for(dept)
    codes = [uscc_factory(), uscc_factory()]
    enterprises = (
        ["统一社会信用代码", "企业名称", "状态", "规模", "行业"],
        [
            [codes[0], "丁方化工", "在营", "小微", "危险化学品生产"],
            [codes[1], "戊方化工", "在营", "小微", "危险化学品经营"],
        ],
        "企业名录",
    )
    # enterprises: two new rows → two IMPORTED rows; the same file again → none
    with audited(2) as rows:
        report = api.post(
            "/api/v1/enterprises/enterprises/import/", {"file": _xlsx(*enterprises)}, format="multipart"
        ).json()
        assert report["created"] == 2, report
    for row in rows:
        check(row, AuditEvent.IMPORTED, dept, Enterprise, before=False, after=True)
        assert "Excel" in row.message
    with audited(0):
        report = api.post(
            "/api/v1/enterprises/enterprises/import/", {"file": _xlsx(*enterprises)}, format="multipart"
        ).json()
        assert report["unchanged"] == 2, report
    # one changed row → one row with before/after
    changed = (enterprises[0], [[codes[0], "丁方化工", "在营", "规模以上", "危险化学品生产"]], "企业名录")
    with audited() as rows:
        api.post("/api/v1/enterprises/enterprises/import/", {"file": _xlsx(*changed)}, format="multipart")
    check(
        rows[0],
        AuditEvent.IMPORTED,
        dept,
        Enterprise.objects.get(uscc=codes[0]),
        before=True,
        after=True,
        changed="scale",
    )
    # licences
    licences = (
        ["统一社会信用代码", "许可证类型", "证书编号", "有效期至"],
        [[world.a.enterprise.uscc, "其他", "LIC-X-1", "2030-01-01"]],
        "许可证",
    )
    with audited() as rows:
        api.post("/api/v1/enterprises/licences/import/", {"file": _xlsx(*licences)}, format="multipart")
    check(rows[0], AuditEvent.IMPORTED, dept, Licence, before=False, after=True)
    # people (page import as the enterprise user)
    people = (
        ["姓名", "证件号码", "所在企业"],
        [
            ["导入员工甲", resident_id(), world.a.enterprise.name],
            ["导入员工乙", resident_id(), world.a.enterprise.name],
        ],
        "人员名录",
    )
    client = client_for(world.a.ent_user)
    with audited(2) as rows:
        assert client.post("/people/excel/persons/import/", {"file": _xlsx(*people)}).status_code == 200
    for row in rows:
        check(row, AuditEvent.IMPORTED, world.a.ent_user, Person, before=False, after=True)
    with audited(0):
        client.post("/people/excel/persons/import/", {"file": _xlsx(*people)})
    # progress reports: each row filed through the report action
    year, quarter = current_quarter(timezone.localdate())
    reports = (
        ["任务编号", "单位", "年度", "季度", "状态", "进展情况"],
        [["1.1", "应急管理局", year, quarter, "推进中", "导入的进展"]],
        "进展报告",
    )
    with audited() as rows:
        report = api.post(
            "/api/v1/plans/reports/import/",
            {"file": _xlsx(*reports), "plan": world.plan.pk},
            format="multipart",
        ).json()
        assert report["created"] == 1, report
    check(rows[0], AuditEvent.REPORT_SUBMITTED, dept, ProgressReport, before=False, after=True)
    # a rejected file writes nothing
    with audited(0):
        api.post(
            "/api/v1/enterprises/enterprises/import/",
            {"file": _xlsx(enterprises[0], [["123", "坏行", "在营", "小微", "危险化学品生产"]], "企业名录")},
            format="multipart",
        )


# ---------------------------------------------------------------------------------------------
# Page forms
# ---------------------------------------------------------------------------------------------


def test_page_forms_are_audited(world: World, client_for: Any, uscc_factory: Any, resident_id: Any) -> None:
    # given
    office, dept = world.committee, world.a.dept_user
    client = client_for(dept)
    # new enterprise page
    with audited() as rows:
        response = client.post(
            "/enterprises/new/",
            {
                "uscc": uscc_factory(),
                "name": "己方化工",
                "status": "operating",
                "scale": "small",
                "industry": "hazchem_use",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    check(rows[0], AuditEvent.ENTERPRISE_CREATED, dept, Enterprise, before=False, after=True)
    # status edge page
    with audited() as rows:
        client.post(
            f"/enterprises/{world.a.enterprise.pk}/status/", {"status": "suspended", "reason": "检修"}
        )
    check(rows[0], AuditEvent.ENTERPRISE_STATUS_CHANGED, dept, world.a.enterprise, before=True, after=True)
    # licence form page
    with audited() as rows:
        response = client.post(
            "/enterprises/licences/new/",
            {
                "enterprise": world.a.enterprise.pk,
                "kind": "other",
                "number": "LIC-PAGE",
                "valid_until": "2030-01-01",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    check(rows[0], AuditEvent.LICENCE_CHANGED, dept, Licence, before=False, after=True)
    # report page
    year, quarter = current_quarter(timezone.localdate())
    with audited() as rows:
        response = client.post(
            f"/plans/tasks/{world.a.task.pk}/report/",
            {"period": f"{year}-{quarter}", "status": "in_progress", "text": "页面报送"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    check(rows[0], AuditEvent.REPORT_SUBMITTED, dept, ProgressReport, before=False, after=True)
    # notice step page
    with audited() as rows:
        client.post(f"/plans/notices/{world.a.notice.pk}/acknowledge/", {"reason": "收到"})
    check(rows[0], AuditEvent.NOTICE_ACKNOWLEDGED, dept, world.a.notice, before=True, after=True)
    # person page (as the enterprise user) and certificate removal
    ent_client = client_for(world.a.ent_user)
    with audited() as rows:
        response = ent_client.post(
            "/people/persons/new/",
            {
                "name": "页面员工",
                "id_type": "resident",
                "id_number": resident_id(),
                "employer_enterprise": world.a.enterprise.pk,
                "role_category": "other_worker",
                "years_experience": 0,
                "is_active": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    check(rows[0], AuditEvent.PERSON_CREATED, world.a.ent_user, Person, before=False, after=True)
    with audited() as rows:
        ent_client.post(f"/people/certificates/{world.a.certificate.pk}/delete/", {"reason": "录入错误"})
    check(rows[0], AuditEvent.CERTIFICATE_CHANGED, world.a.ent_user, Certificate, before=True, after=False)
    assert rows[0].reason == "录入错误"
    # the office: target binding, an adjustment and a veto event
    office_client = client_for(office)
    with audited() as rows:
        office_client.post(
            f"/plans/targets/{world.a.target.pk}/bind/", {"metric_key": "people.y", "reason": "接入"}
        )
    check(rows[0], AuditEvent.TARGET_BOUND, office, world.a.target, before=True, after=True)
    with audited() as rows:
        office_client.post(
            f"/assessment/{world.scheme.pk}/adjustments/add/",
            {"unit": world.a.dept.pk, "points": "2", "reason": "专项表彰"},
        )
    assert rows[0].event_type == AuditEvent.SCORE_ADJUSTED and rows[0].user_id == office.pk
    with audited() as rows:
        office_client.post(
            "/assessment/events/",
            {
                "unit": world.b.dept.pk,
                "year": 2024,
                "grade": "larger",
                "description": "页面登记事故",
                "kind": "accident",
            },
        )
    assert (
        rows[0].event_type == AuditEvent.VETO_EVENT_RECORDED
        and rows[0].after["description"] == "页面登记事故"
    )
    # a refused form writes nothing
    with audited(0):
        client.post(f"/enterprises/{world.a.enterprise.pk}/status/", {"status": "preparing", "reason": "x"})


# ---------------------------------------------------------------------------------------------
# Django admin (system administrators)
# ---------------------------------------------------------------------------------------------


def test_admin_edits_are_audited_and_workflow_objects_are_view_only(world: World, client_for: Any) -> None:
    # given: the system administrator in the Django admin
    client = client_for(world.admin)
    cert = world.a.staff_certificate
    data = {
        "person": cert.person_id,
        "kind": cert.kind,
        "category": cert.category,
        "operation_item": "",
        "number": cert.number,
        "issuer": "管理员更正的机关",
        "issued_on": "2023-01-01",
        "expires_on": "2029-01-01",
    }
    # when / then: a change writes one row with the state before and after
    with audited() as rows:
        response = client.post(f"/admin/people/certificate/{cert.pk}/change/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
    check(rows[0], AuditEvent.OBJECT_UPDATED, world.admin, cert, before=True, after=True, changed="issuer")
    assert rows[0].before["issuer"] == "阿拉善盟应急管理局" and rows[0].message.startswith("管理后台")
    # a deletion writes one row with the state before
    with audited() as rows:
        assert client.post(f"/admin/people/certificate/{cert.pk}/delete/", {"post": "yes"}).status_code == 302
    check(rows[0], AuditEvent.OBJECT_DELETED, world.admin, Certificate, before=True, after=False)
    # reports and notices move only through their actions: the admin shows them but cannot change them
    notice = world.a.notice
    with audited(0):
        assert client.get(f"/admin/plans/supervisionnotice/{notice.pk}/change/").status_code == 200
        assert (
            client.post(
                f"/admin/plans/supervisionnotice/{notice.pk}/change/", {"status": "closed", "title": "x"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/admin/plans/progressreport/{world.a.own_report.pk}/delete/", {"post": "yes"}
            ).status_code
            == 403
        )
    notice.refresh_from_db()
    assert notice.status == "sent"
