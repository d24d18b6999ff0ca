"""Pages, calculator, Excel, gap job, to-dos, metrics and the 一企一档 tab of the 重大危险源 register."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from anjian.core.models import AuditEntry
from anjian.core.todos import collect
from anjian.majorhazards import actions, metrics
from anjian.majorhazards.actions import refresh_gaps
from anjian.majorhazards.choices import MajorHazardEvent
from anjian.majorhazards.models import HazardInstallation, InventoryLine
from anjian.people.choices import CertificateKind, RoleCategory

pytestmark = pytest.mark.django_db


def _xlsx(title, header, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "upload.xlsx"
    return out


@pytest.fixture
def plant(enterprise_factory, enterprise_user_factory):
    enterprise = enterprise_factory(name="丙化工有限公司")
    user = enterprise_user_factory(enterprise)
    inst = actions.do_save_installation(
        HazardInstallation(
            enterprise=enterprise,
            code="ZDWXY-C1",
            name="二氧化硫储罐区",
            unit_kind="storage",
            population_500m=60,
        ),
        acting_user=user,
    )
    actions.do_save_inventory_line(
        InventoryLine(installation=inst, substance="二氧化硫", max_quantity_t=Decimal("200")),
        acting_user=user,
    )
    inst.refresh_from_db()
    return {"enterprise": enterprise, "user": user, "inst": inst}


def test_calculator_page_explains_the_worked_example(user_factory, client_for):
    client = client_for(user_factory(org="自然资源局"))  # any logged-in user
    html = client.get(
        "/majorhazards/calculator/", {"population": "60", "name_0": "二氧化硫", "q_0": "200"}
    ).content.decode()
    assert "三级重大危险源" in html and "R=α·Σβq/Q=1.5×20=30" in html and "表3" in html
    bad = client.get("/majorhazards/calculator/", {"population": "60", "name_0": "某溶剂", "q_0": "10"})
    assert bad.status_code == 400 and "“某溶剂”不在GB 18218-2018表1中" in bad.content.decode()
    assert client.get("/majorhazards/calculator/").status_code == 200


def test_calculate_api(user_factory, api_client_for, client):
    api = api_client_for(user_factory(org="自然资源局"))
    ok = api.post(
        "/api/v1/majorhazards/calculate/",
        {"population": 60, "substances": [{"name": "二氧化硫", "q": 200}]},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["R"] == 30 and ok.json()["grade"] == 3
    bad = api.post(
        "/api/v1/majorhazards/calculate/",
        {"population": 60, "substances": [{"name": "甲醇", "q": -1}]},
        format="json",
    )
    assert bad.status_code == 400 and "“甲醇”的最大存量q不能为负数" in bad.json()["detail"]
    assert bad.json()["code"] == "major_hazard_input"
    assert client.post(
        "/api/v1/majorhazards/calculate/", {}, content_type="application/json"
    ).status_code in {401, 403}


def test_register_pages_render_and_show_the_grade(plant, client_for, committee_user):
    client = client_for(committee_user)
    inst = plant["inst"]
    html = client.get("/majorhazards/").content.decode()
    assert "二氧化硫储罐区" in html and "三级" in html
    for tab in ("info", "inventory", "duty", "checks", "gradings", "history"):
        response = client.get(f"/majorhazards/{inst.pk}/", {"tab": tab})
        assert response.status_code == 200, tab
    inventory = client.get(f"/majorhazards/{inst.pk}/", {"tab": "inventory"}).content.decode()
    assert "R = 30" in inventory and "表3" in inventory
    history = client.get(f"/majorhazards/{inst.pk}/", {"tab": "history"}).content.decode()
    assert "重大危险源等级变化" in history  # labels, not numbers
    tab = client.get(f"/enterprises/{plant['enterprise'].pk}/", {"tab": "majorhazards"}).content.decode()
    assert "二氧化硫储罐区" in tab


def test_pages_create_installation_and_add_inventory(plant, client_for):
    client = client_for(plant["user"])
    response = client.post(
        "/majorhazards/new/",
        {
            "enterprise": plant["enterprise"].pk,
            "code": "ZDWXY-C2",
            "name": "液氨罐区",
            "unit_kind": "storage",
            "status": "in_use",
            "population_500m": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inst = HazardInstallation.objects.get(code="ZDWXY-C2")
    # a bad line is refused on the form with the substance named
    bad = client.post(
        f"/majorhazards/{inst.pk}/inventory/new/", {"substance": "某溶剂", "max_quantity_t": "5"}
    )
    assert bad.status_code == 200 and "“某溶剂”不在GB 18218-2018表1中" in bad.content.decode()
    ok = client.post(
        f"/majorhazards/{inst.pk}/inventory/new/", {"substance": "液氨", "max_quantity_t": "250"}
    )
    assert ok.status_code == 302
    inst.refresh_from_db()
    # α = 1 (1–29 people), β = 2 (表3), q/Q = 250/10 = 25 → R = 50 exactly → 二级
    assert inst.r_value == Decimal("50.0000") and inst.grade == 2
    # an enterprise user cannot record its own filing: the form does not offer it
    form = client.get(f"/majorhazards/{inst.pk}/edit/").content.decode()
    assert 'name="filing_status"' not in form and 'name="population_500m"' in form


def test_check_on_a_phone_page(plant, client_for, person_factory):
    inst = plant["inst"]
    boss = person_factory(plant["enterprise"], role=RoleCategory.PRINCIPAL, name="丙厂长")
    actions.do_assign_responsibility(inst, "principal", boss, since=dt.date(2025, 1, 1), acting_user=None)
    client = client_for(plant["user"])
    page = client.get(f"/majorhazards/{inst.pk}/check/", {"level": "principal"})
    assert page.status_code == 200 and "丙厂长" in page.content.decode()
    refused = client.post(f"/majorhazards/{inst.pk}/check/", {"level": "operational", "problems_found": "0"})
    assert "尚未指定操作负责人" in refused.content.decode()
    done = client.post(
        f"/majorhazards/{inst.pk}/check/",
        {
            "level": "principal",
            "findings": "罐区巡查",
            "problems_found": "1",
            "lon": "105.25",
            "lat": "37.84",
        },
    )
    assert done.status_code == 302
    check = inst.checks.get()
    assert check.person == boss and check.lon == Decimal("105.250000")
    assert AuditEntry.objects.filter(event_type=MajorHazardEvent.CHECK_LOGGED).count() == 1
    assert client.get("/majorhazards/checks/").status_code == 200


def test_gap_job_finds_and_closes_gaps_and_feeds_todos(
    plant, person_factory, certificate_factory, user_factory
):
    inst = plant["inst"]
    today = dt.date(2025, 6, 30)
    summary = refresh_gaps(today)
    kinds = set(inst.gaps.filter(resolved_at__isnull=True).values_list("kind", "level"))
    assert (
        ("missing_person", "principal") in kinds
        and ("not_filed", "") in kinds
        and ("assessment_overdue", "") in kinds
    )
    assert summary.opened == len(kinds)
    # the principal has only an expired certificate: a lapsed-certificate gap; an overdue check too
    boss = person_factory(plant["enterprise"], role=RoleCategory.PRINCIPAL, name="丙厂长")
    certificate_factory(
        boss,
        kind=CertificateKind.PRINCIPAL,
        expires_on=today - dt.timedelta(days=1),
        issued_on=dt.date(2022, 1, 1),
    )
    actions.do_assign_responsibility(inst, "principal", boss, since=dt.date(2025, 1, 1), acting_user=None)
    refresh_gaps(today)
    open_now = {(g.kind, g.level): g for g in inst.gaps.filter(resolved_at__isnull=True)}
    assert ("missing_person", "principal") not in open_now
    assert "已过期" in open_now[("lapsed_certificate", "principal")].detail
    assert ("missed_check", "principal") in open_now  # since 2025-01-01, none within 92 days
    # running again changes nothing (no new rows, no new audit)
    audits = AuditEntry.objects.filter(event_type=MajorHazardEvent.GAPS_REFRESHED).count()
    again = refresh_gaps(today)
    assert again.opened == 0 and again.resolved == 0
    assert AuditEntry.objects.filter(event_type=MajorHazardEvent.GAPS_REFRESHED).count() == audits
    # the enterprise and its department see the gaps on their to-dos; another department does not
    for user in (plant["user"], user_factory(org="应急管理局")):
        titles = [i.title for i in collect(user) if i.module == "重大危险源"]
        assert "重大危险源包保责任人缺失" in titles or "重大危险源责任人证书过期" in titles, titles
    assert not [i for i in collect(user_factory(org="自然资源局")) if i.module == "重大危险源"]
    # the command the job runner calls
    out = io.StringIO()
    call_command("majorhazards", "refresh-gaps", "--date", "2025-06-30", "--json", stdout=out)
    assert json.loads(out.getvalue())["opened"] == 0


def test_metrics_count_by_grade_and_baobao_share(plant, person_factory, certificate_factory):
    inst = plant["inst"]
    today = dt.date(2025, 6, 30)
    count = metrics.major_hazard_count(today)
    assert count.value == 1 and count.breakdown["三级"] == 1
    assert metrics.baobao_complete_rate(today).numerator == 0
    for level, role, kind in (
        ("principal", RoleCategory.PRINCIPAL, CertificateKind.PRINCIPAL),
        ("technical", RoleCategory.SAFETY_MANAGER, CertificateKind.SAFETY_MANAGER),
        ("operational", RoleCategory.SPECIAL_WORKER, None),
    ):
        person = person_factory(plant["enterprise"], role=role)
        if kind:
            certificate_factory(
                person, kind=kind, expires_on=today + dt.timedelta(days=400), issued_on=dt.date(2024, 1, 1)
            )
        actions.do_assign_responsibility(inst, level, person, since=today, acting_user=None)
    refresh_gaps(today)
    value = metrics.baobao_complete_rate(today)
    assert value.numerator == 1 and value.denominator == 1 and value.value == Decimal("100.0")


def test_excel_import_installations_and_inventory(plant, client_for, committee_user):
    client = client_for(plant["user"])
    uscc = plant["enterprise"].uscc
    upload = _xlsx(
        "重大危险源",
        ["重大危险源编号", "名称", "企业统一社会信用代码", "单元类型", "500米内常住人口"],
        [
            ["ZDWXY-X1", "光气装置", uscc, "生产单元", 150],
            ["ZDWXY-X2", "坏行", "91150000000000000X", "储存单元", 1],
        ],
    )
    response = client.post("/majorhazards/excel/installations/import/", {"file": upload})
    assert response.status_code == 200
    assert HazardInstallation.objects.filter(code="ZDWXY-X1").exists()
    assert not HazardInstallation.objects.filter(code="ZDWXY-X2").exists()
    lines = _xlsx(
        "危险化学品存量",
        ["重大危险源编号", "危险化学品名称", "CAS号", "危险性类别", "最大存量（吨）"],
        [
            ["ZDWXY-X1", "光气", "", "", 3],
            ["ZDWXY-X1", "某溶剂", "", "", 5],
            ["ZDWXY-X1", "某溶剂乙", "", "W5.1", 5],
        ],
    )
    html = client.post("/majorhazards/excel/inventory/import/", {"file": lines}).content.decode()
    assert "“某溶剂”不在GB 18218-2018表1中" in html
    inst = HazardInstallation.objects.get(code="ZDWXY-X1")
    # 光气 3 t: q/Q = 10, β = 20; 某溶剂乙 W5.1 5 t: 0.5, β 1.5; α = 2 → R = 2 × (200 + 0.75) = 401.5 → 一级
    assert inst.grade == 1 and inst.r_value == Decimal("401.5000")
    assert inst.gradings.filter(reason="Excel 导入危险化学品存量").count() == 1
    # re-importing the same file changes nothing
    lines.seek(0)
    before = AuditEntry.objects.count()
    client.post("/majorhazards/excel/inventory/import/", {"file": lines})
    assert AuditEntry.objects.count() == before
