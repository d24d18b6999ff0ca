"""API of the enterprise registry: scope per role, CRUD with validation, actions, Excel round trip."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise, Licence
from anjian.enterprises.tests.fixtures import make_uscc

pytestmark = pytest.mark.django_db

URL = "/api/v1/enterprises/enterprises/"


@pytest.fixture
def zone(enterprise_factory, user_factory, enterprise_user_factory, licence_factory):
    """A chemical plant (应急管理局, 腾格里镇) and a tourist site (文旅办, 孛井滩镇), with users around them."""
    chem = enterprise_factory(
        name="腾格里精细化工有限公司",
        industry="hazchem_production",
        town="腾格里镇",
        in_park=True,
        scale="above_scale",
        key_process=True,
    )
    tour = enterprise_factory(name="月亮湖旅游开发有限公司", industry="tourism", town="孛井滩镇")
    licence_factory(chem, number="CHEM-1")
    licence_factory(tour, kind="other", number="TOUR-1")
    return {
        "chem": chem,
        "tour": tour,
        "yj": user_factory(org="应急管理局"),
        "sw": user_factory(org="社会事务局（文旅办）"),
        "town": user_factory(org="孛井滩镇"),
        "commander": user_factory(role="commander", org="示范区综合应急救援大队"),
        "chem_user": enterprise_user_factory(chem),
        "tour_user": enterprise_user_factory(tour),
        "park": user_factory(org="腾格里技术产业园区管委会"),
        "gate": user_factory(role="gate", org=chem.org_unit),
    }


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("committee", ["月亮湖旅游开发有限公司", "腾格里精细化工有限公司"]),
        ("commander", ["月亮湖旅游开发有限公司", "腾格里精细化工有限公司"]),
        ("yj", ["腾格里精细化工有限公司"]),
        ("sw", ["月亮湖旅游开发有限公司"]),
        ("town", ["月亮湖旅游开发有限公司"]),
        ("chem_user", ["腾格里精细化工有限公司"]),
        ("gate", ["腾格里精细化工有限公司"]),
        ("park", ["腾格里精细化工有限公司"]),
    ],
)
def test_list_is_scoped_per_role(zone, committee_user, api_client_for, who, expected):
    user = committee_user if who == "committee" else zone[who]
    assert _names(api_client_for(user).get(URL)) == expected


def test_enterprise_user_never_sees_another_enterprise(zone, api_client_for):
    # given the chemical plant's own user
    client = api_client_for(zone["chem_user"])
    tour = zone["tour"]
    # then detail, search, filters, licences and export all hide the tourist site
    assert client.get(f"{URL}{tour.pk}/").status_code == 404
    assert _names(client.get(URL, {"q": "月亮湖"})) == []
    assert _names(client.get(URL, {"search": "月亮湖"})) == []
    assert _names(client.get(URL, {"uscc": tour.uscc})) == []
    assert client.patch(f"{URL}{tour.pk}/", {"phone": "1"}, format="json").status_code == 404
    numbers = [r["number"] for r in client.get("/api/v1/enterprises/licences/").json()["results"]]
    assert numbers == ["CHEM-1"]
    ws = load_workbook(io.BytesIO(client.get(f"{URL}export/").content)).active
    assert [c.value for c in ws["A"]][1:] == [zone["chem"].uscc]
    assert client.get(f"/api/v1/enterprises/licences/{tour.licences.get().pk}/").status_code == 404


def test_list_query_count_is_bounded(
    zone, enterprise_factory, committee_user, api_client_for, django_assert_max_num_queries
):
    for i in range(5):
        enterprise_factory(name=f"批量企业{i}")
    client = api_client_for(committee_user)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 7


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"industry": "tourism"}, ["月亮湖旅游开发有限公司"]),
        ({"in_park": "true"}, ["腾格里精细化工有限公司"]),
        ({"two_key_one_major": "true"}, ["腾格里精细化工有限公司"]),
        ({"scale": "small"}, ["月亮湖旅游开发有限公司"]),
        ({"status": "operating"}, ["月亮湖旅游开发有限公司", "腾格里精细化工有限公司"]),
        ({"q": "精细"}, ["腾格里精细化工有限公司"]),
    ],
)
def test_filters(zone, committee_user, api_client_for, params, expected):
    assert _names(api_client_for(committee_user).get(URL, params)) == expected


def test_filter_by_town_and_supervising_unit(zone, unit, committee_user, api_client_for):
    client = api_client_for(committee_user)
    assert _names(client.get(URL, {"town_id": unit("孛井滩镇").pk})) == ["月亮湖旅游开发有限公司"]
    assert _names(client.get(URL, {"supervising_unit_id": unit("应急管理局").pk})) == [
        "腾格里精细化工有限公司"
    ]


# ---------------------------------------------------------------------------------------------
# Create and update with validation
# ---------------------------------------------------------------------------------------------


def _payload(**extra):
    return {
        "uscc": make_uscc(777),
        "name": "新登记化工有限公司",
        "industry": "hazchem_trade",
        "scale": "small",
        "status": "operating",
        **extra,
    }


def test_create_derives_department_creates_unit_and_audits(committee_user, api_client_for):
    # when the committee office registers an enterprise
    response = api_client_for(committee_user).post(URL, _payload(), format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supervising_unit_name"] == "应急管理局" and body["org_unit"] is not None
    e = Enterprise.objects.get(pk=body["id"])
    assert (
        AuditEntry.objects.filter(object_id=str(e.pk), event_type=AuditEvent.ENTERPRISE_CREATED).count() == 1
    )


def test_create_refuses_bad_code_naming_the_character(committee_user, api_client_for):
    code = make_uscc(777)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = api_client_for(committee_user).post(URL, _payload(uscc=wrong), format="json")
    assert response.status_code == 400
    assert response.json()["uscc"] == [f"统一社会信用代码第18位校验码应为“{code[17]}”，实际为“{wrong[17]}”"]


def test_create_refuses_duplicate_and_model_rule_violations(zone, committee_user, api_client_for):
    client = api_client_for(committee_user)
    response = client.post(URL, _payload(uscc=zone["chem"].uscc.lower()), format="json")
    assert response.status_code == 400 and "无权登记" in response.json()["uscc"][0]
    response = client.post(URL, _payload(lon="105.1"), format="json")
    assert response.status_code == 400 and response.json()["lat"] == ["经度和纬度应同时填写"]
    response = client.post(
        URL, _payload(plot_geojson={"type": "Point", "coordinates": [1, 2]}), format="json"
    )
    assert response.status_code == 400 and "Polygon" in response.json()["plot_geojson"][0]


def test_department_creates_only_what_it_supervises(zone, api_client_for):
    client = api_client_for(zone["yj"])
    assert client.post(URL, _payload(industry="tourism"), format="json").status_code == 403
    assert client.post(URL, _payload(), format="json").status_code == 201


def test_update_rederives_and_status_is_not_writable(zone, api_client_for):
    # given the supervising department editing its enterprise
    client = api_client_for(zone["yj"])
    chem = zone["chem"]
    # when it changes the phone and tries to close it through the field
    response = client.patch(f"{URL}{chem.pk}/", {"phone": "0483-1234567", "status": "closed"}, format="json")
    # then refused with a 400 naming the status (it moves through change-status), nothing saved
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "status"
    chem.refresh_from_db()
    assert chem.status == "operating" and chem.phone != "0483-1234567"


def test_enterprise_user_edits_contact_fields_only(zone, api_client_for):
    chem = zone["chem"]
    client = api_client_for(zone["chem_user"])
    response = client.patch(
        f"{URL}{chem.pk}/", {"phone": "13900000000", "name": "改名", "industry": "tourism"}, format="json"
    )
    # the fields it may not change are named in a 400 (never silently ignored); alone, the phone is saved
    assert response.status_code == 400
    assert {"name", "industry"} <= set(response.json())
    assert client.patch(f"{URL}{chem.pk}/", {"phone": "13900000000"}, format="json").status_code == 200
    chem.refresh_from_db()
    assert (chem.phone, chem.name, chem.industry) == (
        "13900000000",
        "腾格里精细化工有限公司",
        "hazchem_production",
    )


def test_town_sees_but_cannot_change(zone, api_client_for):
    response = api_client_for(zone["town"]).patch(f"{URL}{zone['tour'].pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 403


def test_no_delete(zone, committee_user, api_client_for):
    assert api_client_for(committee_user).delete(f"{URL}{zone['chem'].pk}/").status_code == 405


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


def test_change_status_action(zone, api_client_for):
    client = api_client_for(zone["yj"])
    url = f"{URL}{zone['chem'].pk}/change-status/"
    response = client.post(url, {"status": "suspended", "reason": "停产检修"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    response = client.post(url, {"status": "preparing", "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == "企业状态不能从“停产”变为“筹建”"
    assert (
        api_client_for(zone["chem_user"])
        .post(url, {"status": "operating", "reason": "x"}, format="json")
        .status_code
        == 403
    )


def test_create_user_action(zone, committee_user, api_client_for):
    url = f"{URL}{zone['chem'].pk}/create-user/"
    response = api_client_for(committee_user).post(
        url, {"username": "jingxi", "password": "pw-12345678", "name": "王五"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "username": "jingxi",
        "role": "enterprise",
        "org": zone["chem"].org_unit_id,
    }
    assert (
        api_client_for(zone["chem_user"])
        .post(url, {"username": "x123", "password": "pw-12345678"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_client_for(zone["sw"])
        .post(url, {"username": "x124", "password": "pw-12345678"}, format="json")
        .status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------


def _sheet(rows, headers):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "enterprises.xlsx"
    return buf


ENTERPRISE_HEADERS = ["统一社会信用代码", "企业名称", "所在镇", "状态", "规模", "行业", "从业人员数"]


def test_import_report_for_a_file_with_bad_rows(zone, committee_user, api_client_for):
    # given a file with two good rows and four bad ones
    good1, good2 = make_uscc(901), make_uscc(902)
    bad_code = good2[:17] + ("0" if good2[17] != "0" else "1")
    upload = _sheet(
        [
            [good1, "甲新材料有限公司", "腾格里镇", "在营", "小微", "危险化学品使用", 30],
            [bad_code, "乙公司", "腾格里镇", "在营", "小微", "旅游", 5],
            [good2, "丙公司", "北京", "在营", "小微", "旅游", 5],
            [make_uscc(903), "丁公司", "孛井滩镇", "营业", "小微", "旅游", "很多"],
            [make_uscc(904), "", "孛井滩镇", "在营", "小微", "旅游", 5],
            [zone["tour"].uscc, "月亮湖旅游开发有限公司", "孛井滩镇", "在营", "规模以上", "旅游", 130],
        ],
        ENTERPRISE_HEADERS,
    )
    # when
    response = api_client_for(committee_user).post(f"{URL}import/", {"file": upload}, format="multipart")
    # then the valid rows are saved and each bad row is reported with row, column and reason
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["created"], report["updated"], report["rejected"]) == (1, 1, 4)
    errors = {(e["row"], e["column"]): e["reason"] for e in report["errors"]}
    assert errors[(3, "统一社会信用代码")].startswith("统一社会信用代码第18位校验码应为")
    assert errors[(4, "所在镇")] == "找不到镇“北京”"
    assert errors[(5, "状态")].startswith("“营业”不在可选值中")
    assert errors[(5, "从业人员数")] == "“很多”不是整数"
    assert errors[(6, "企业名称")] == "必填"
    created = Enterprise.objects.get(uscc=good1)
    assert created.supervising_unit.name == "应急管理局" and created.org_unit is not None
    assert Enterprise.objects.get(pk=zone["tour"].pk).scale == "above_scale"
    assert AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count() == 2


def test_export_then_reimport_changes_nothing(zone, committee_user, api_client_for):
    # given the full export
    client = api_client_for(committee_user)
    data = client.get(f"{URL}export/").content
    before = AuditEntry.objects.count()
    # when it is imported back
    upload = io.BytesIO(data)
    upload.name = "x.xlsx"
    report = client.post(f"{URL}import/", {"file": upload}, format="multipart").json()
    # then
    assert (report["created"], report["updated"], report["unchanged"], report["errors"]) == (0, 0, 2, [])
    assert AuditEntry.objects.count() == before


def test_department_import_cannot_touch_others_enterprises(zone, api_client_for):
    upload = _sheet(
        [[zone["tour"].uscc, "改名旅游", "孛井滩镇", "在营", "小微", "旅游", 1]], ENTERPRISE_HEADERS
    )
    report = api_client_for(zone["yj"]).post(f"{URL}import/", {"file": upload}, format="multipart").json()
    assert report["errors"] == [{"row": 2, "column": "", "reason": "该企业不在您的管理范围内"}]
    assert Enterprise.objects.get(pk=zone["tour"].pk).name == "月亮湖旅游开发有限公司"


def test_enterprise_user_cannot_import(zone, api_client_for):
    upload = _sheet([], ENTERPRISE_HEADERS)
    assert (
        api_client_for(zone["chem_user"])
        .post(f"{URL}import/", {"file": upload}, format="multipart")
        .status_code
        == 403
    )


def test_template_download(committee_user, api_client_for):
    response = api_client_for(committee_user).get(f"{URL}template/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in wb["企业名录"][1]]
    assert headers[:2] == ["统一社会信用代码*", "企业名称*"] and "行业监管部门" not in headers
    assert "填写说明" in wb.sheetnames


def test_licence_import_and_round_trip(zone, api_client_for):
    # given the supervising department importing a licence of its enterprise and one of another's
    client = api_client_for(zone["yj"])
    headers = ["统一社会信用代码", "许可证类型", "证书编号", "有效期至"]
    upload = _sheet(
        [
            [zone["chem"].uscc, "危险化学品经营许可证", "NEW-9", "2027-05-01"],
            [zone["tour"].uscc, "其他", "TOUR-9", "2027-05-01"],
        ],
        headers,
    )
    report = client.post("/api/v1/enterprises/licences/import/", {"file": upload}, format="multipart").json()
    # then only its own is saved; the other enterprise is "not found" inside the user's scope
    assert report["created"] == 1
    assert report["errors"] == [
        {"row": 3, "column": "统一社会信用代码", "reason": f"找不到可维护的企业“{zone['tour'].uscc}”"}
    ]
    assert Licence.objects.get(number="NEW-9").valid_until == dt.date(2027, 5, 1)
    # and its export re-imports without change
    upload = io.BytesIO(client.get("/api/v1/enterprises/licences/export/").content)
    upload.name = "l.xlsx"
    again = client.post("/api/v1/enterprises/licences/import/", {"file": upload}, format="multipart").json()
    assert (again["created"], again["updated"], again["unchanged"], again["errors"]) == (0, 0, 2, [])


# ---------------------------------------------------------------------------------------------
# Licences, grades, rules, grids
# ---------------------------------------------------------------------------------------------


def test_licence_expiry_filters(zone, licence_factory, committee_user, api_client_for):
    today = timezone.localdate()
    licence_factory(zone["chem"], number="EXP", valid_until=today - dt.timedelta(days=1))
    licence_factory(zone["chem"], number="D20", valid_until=today + dt.timedelta(days=20))
    licence_factory(zone["chem"], number="D50", valid_until=today + dt.timedelta(days=50))
    client = api_client_for(committee_user)

    def numbers(**params):
        return sorted(
            r["number"] for r in client.get("/api/v1/enterprises/licences/", params).json()["results"]
        )

    assert numbers(state="expired") == ["EXP"]
    assert numbers(state="expiring", days=30) == ["D20"]
    assert numbers(state="expiring", days=60) == ["D20", "D50"]


def test_licence_crud_through_api(zone, api_client_for):
    client = api_client_for(zone["yj"])
    response = client.post(
        "/api/v1/enterprises/licences/",
        {
            "enterprise": zone["chem"].pk,
            "kind": "safety_production",
            "number": "API-1",
            "issued_on": "2025-01-01",
            "valid_until": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["valid_until"] == ["有效期至不能早于发证日期"]
    response = client.post(
        "/api/v1/enterprises/licences/",
        {
            "enterprise": zone["chem"].pk,
            "kind": "safety_production",
            "number": "API-1",
            "valid_until": "2028-01-01",
        },
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert (
        client.patch(
            f"/api/v1/enterprises/licences/{pk}/", {"issuer": "自治区应急管理厅"}, format="json"
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/enterprises/licences/{pk}/").status_code == 204
    # a licence for an enterprise out of scope is refused like an absent one
    response = client.post(
        "/api/v1/enterprises/licences/",
        {"enterprise": zone["tour"].pk, "kind": "other", "number": "X", "valid_until": "2028-01-01"},
        format="json",
    )
    assert response.status_code == 404
    entries = AuditEntry.objects.filter(
        related_id=str(zone["chem"].pk), event_type=AuditEvent.LICENCE_CHANGED
    )
    assert entries.count() == 3


def test_standardization_api_records_current_grade(zone, api_client_for):
    client = api_client_for(zone["yj"])
    response = client.post(
        "/api/v1/enterprises/standardizations/",
        {
            "enterprise": zone["chem"].pk,
            "grade": "level2",
            "certificate_no": "BZ-1",
            "issued_on": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["review_due"] == "2027-03-01" and response.json()["is_current"] is True
    response = client.post(
        "/api/v1/enterprises/standardizations/",
        {
            "enterprise": zone["tour"].pk,
            "grade": "small",
            "certificate_no": "BZ-2",
            "issued_on": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == 404


def test_supervision_rule_change_by_committee_only(zone, unit, committee_user, api_client_for):
    from anjian.enterprises.models import SupervisionRule

    rule = SupervisionRule.objects.get(industry="tourism")
    url = f"/api/v1/enterprises/supervision-rules/{rule.pk}/"
    assert (
        api_client_for(zone["yj"]).patch(url, {"unit": unit("应急管理局").pk}, format="json").status_code
        == 403
    )
    response = api_client_for(committee_user).patch(
        url, {"unit": unit("住建交通局").pk, "reason": "调整"}, format="json"
    )
    assert response.status_code == 200 and response.json()["unit_name"] == "住建交通局"
    assert Enterprise.objects.get(pk=zone["tour"].pk).supervising_unit.name == "住建交通局"
    assert (
        AuditEntry.objects.filter(event_type=AuditEvent.SUPERVISION_RULE_CHANGED, reason="调整").count() == 1
    )
    assert api_client_for(zone["chem_user"]).get("/api/v1/enterprises/supervision-rules/").json() == []


def test_grids_api(zone, unit, user_factory, api_client_for):
    town_user = user_factory(org="腾格里镇")
    client = api_client_for(town_user)
    response = client.post(
        "/api/v1/enterprises/grids/",
        {"code": "TG-9", "name": "东片", "town": unit("腾格里镇").pk},
        format="json",
    )
    assert response.status_code == 201
    response = client.post(
        "/api/v1/enterprises/grids/",
        {"code": "BJ-9", "name": "北片", "town": unit("孛井滩镇").pk},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("register", ["standardizations", "grids"])
def test_other_registers_round_trip_without_change(
    zone, register, standardization_factory, grid_factory, committee_user, api_client_for
):
    # given stored rows (a grading whose re-review date was derived, a grid)
    standardization_factory(
        zone["chem"], grade="level2", certificate_no="BZ-7", issued_on=dt.date(2024, 4, 1)
    )
    standardization_factory(
        zone["chem"], grade="level3", certificate_no="BZ-6", issued_on=dt.date(2020, 4, 1), is_current=False
    )
    grid_factory(code="TG-1", name="东片", staff_name="李四")
    client = api_client_for(committee_user)
    url = f"/api/v1/enterprises/{register}/"
    before = AuditEntry.objects.count()
    # when the export is imported back
    upload = io.BytesIO(client.get(f"{url}export/").content)
    upload.name = "r.xlsx"
    report = client.post(f"{url}import/", {"file": upload}, format="multipart").json()
    # then nothing changes
    assert (report["created"], report["updated"], report["errors"]) == (0, 0, [])
    assert report["unchanged"] == report["total_rows"] > 0
    assert AuditEntry.objects.count() == before


def test_standardization_import_supersedes_and_derives_review(zone, committee_user, api_client_for):
    headers = ["统一社会信用代码", "等级", "证书编号", "发证日期", "当前有效"]
    rows = [
        [zone["chem"].uscc, "三级", "IMP-1", "2022-01-05", "否"],
        [zone["chem"].uscc, "二级", "IMP-2", "2024-02-01", "是"],
        [zone["chem"].uscc, "小微企业规范化", "IMP-3", "2024-02-01", "否"],
        [zone["chem"].uscc, "一级", "IMP-4", "2024-03-01", "是"],
    ]
    client = api_client_for(committee_user)
    url = "/api/v1/enterprises/standardizations/import/"
    report = client.post(url, {"file": _sheet(rows, headers)}, format="multipart").json()
    assert report["created"] == 2
    assert report["errors"] == [
        {"row": 4, "column": "等级", "reason": "规模以上企业应评定一级、二级或三级，不适用小微企业规范化"},
        {
            "row": 5,
            "column": "当前有效",
            "reason": "同一企业在本文件中已有一行当前有效等级，每家企业只能有一个当前等级",
        },
    ]
    current = zone["chem"].standardizations.get(is_current=True)
    assert (current.certificate_no, current.review_due) == ("IMP-2", dt.date(2027, 2, 1))
    # and the same file again changes nothing
    again = client.post(url, {"file": _sheet(rows, headers)}, format="multipart").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_only_the_committee_office_overrides_the_department(zone, unit, committee_user, api_client_for):
    chem = zone["chem"]
    body = {
        "supervision_overridden": True,
        "supervising_unit": unit("工业和科技局").pk,
        "supervision_override_reason": "园区统一监管",
    }
    assert api_client_for(zone["yj"]).patch(f"{URL}{chem.pk}/", body, format="json").status_code == 403
    assert api_client_for(zone["yj"]).post(URL, _payload(**body), format="json").status_code == 403
    response = api_client_for(committee_user).patch(f"{URL}{chem.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["supervising_unit_name"] == "工业和科技局"
    # the department that lost it no longer sees it; the new one does
    assert api_client_for(zone["yj"]).get(f"{URL}{chem.pk}/").status_code == 404
    response = api_client_for(committee_user).patch(
        f"{URL}{chem.pk}/", {"supervision_overridden": True, "supervision_override_reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["supervision_override_reason"] == ["手工指定监管部门时必须填写理由"]
