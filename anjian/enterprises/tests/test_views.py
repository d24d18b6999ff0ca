"""Pages of the enterprise registry: scope (404 like absent), forms with Chinese messages, Excel, tabs."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.enterprises.models import Enterprise, SupervisionRule
from anjian.enterprises.tests.fixtures import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(enterprise_factory, user_factory, enterprise_user_factory, licence_factory, standardization_factory):
    chem = enterprise_factory(
        name="腾格里精细化工有限公司", industry="hazchem_production", scale="above_scale"
    )
    tour = enterprise_factory(name="月亮湖旅游开发有限公司", industry="tourism", town="孛井滩镇")
    licence_factory(chem, number="CHEM-1")
    standardization_factory(chem, grade="level3", certificate_no="BZ-CHEM")
    return {
        "chem": chem,
        "tour": tour,
        "yj": user_factory(org="应急管理局"),
        "chem_user": enterprise_user_factory(chem),
    }


def test_list_page_filters_and_scope(zone, client_for):
    client = client_for(zone["chem_user"])
    html = client.get(reverse("enterprises:enterprise_list")).content.decode()
    assert "腾格里精细化工有限公司" in html and "月亮湖旅游开发有限公司" not in html
    html = client.get(reverse("enterprises:enterprise_list"), {"q": "月亮湖"}).content.decode()
    assert "没有符合条件的企业" in html


def test_detail_tabs_and_history(zone, client_for, committee_user):
    client = client_for(committee_user)
    url = reverse("enterprises:enterprise_detail", args=[zone["chem"].pk])
    for tab, text in [
        ("info", "应急管理局"),
        ("licences", "CHEM-1"),
        ("standardization", "BZ-CHEM"),
        ("history", "新建企业"),
    ]:
        response = client.get(url, {"tab": tab})
        assert response.status_code == 200 and text in response.content.decode(), tab
    people = client.get(url, {"tab": "people"}).content.decode()
    assert "人员" in people


def test_enterprise_user_gets_404_for_another_enterprise(zone, client_for):
    client = client_for(zone["chem_user"])
    tour = zone["tour"]
    assert client.get(reverse("enterprises:enterprise_detail", args=[tour.pk])).status_code == 404
    assert client.get(reverse("enterprises:enterprise_edit", args=[tour.pk])).status_code == 404
    assert client.get(reverse("enterprises:enterprise_detail", args=[999999])).status_code == 404
    data = client.get(reverse("enterprises:excel_export", args=["enterprises"])).content
    assert [c.value for c in load_workbook(io.BytesIO(data)).active["B"]][1:] == ["腾格里精细化工有限公司"]
    assert client.get(reverse("enterprises:excel_import", args=["enterprises"])).status_code == 404


def test_create_form_shows_the_exact_wrong_character(committee_user, client_for):
    code = make_uscc(55)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client_for(committee_user).post(
        reverse("enterprises:enterprise_create"),
        {"uscc": wrong, "name": "某公司", "industry": "other", "status": "operating", "scale": "small"},
    )
    assert response.status_code == 200
    assert f"统一社会信用代码第18位校验码应为“{code[17]}”，实际为“{wrong[17]}”" in response.content.decode()


def test_create_form_saves_and_redirects(committee_user, client_for):
    response = client_for(committee_user).post(
        reverse("enterprises:enterprise_create"),
        {
            "uscc": make_uscc(56),
            "name": "某新公司",
            "industry": "special_equipment",
            "status": "operating",
            "scale": "small",
        },
    )
    e = Enterprise.objects.get(name="某新公司")
    assert response.status_code == 302 and response["Location"] == e.get_absolute_url()
    assert e.supervising_unit.name == "市场监督管理局"


def test_enterprise_user_edits_contact_details(zone, client_for):
    chem = zone["chem"]
    response = client_for(zone["chem_user"]).post(
        reverse("enterprises:enterprise_edit", args=[chem.pk]),
        {"phone": "13900000001", "address": "园区纬一路1号", "name": "改名"},
    )
    assert response.status_code == 302
    chem.refresh_from_db()
    assert (chem.phone, chem.address, chem.name) == ("13900000001", "园区纬一路1号", "腾格里精细化工有限公司")


def test_status_change_page(zone, client_for):
    chem = zone["chem"]
    client_for(zone["yj"]).post(
        reverse("enterprises:enterprise_status", args=[chem.pk]), {"status": "suspended", "reason": "检修"}
    )
    chem.refresh_from_db()
    assert chem.status == "suspended"


def test_licence_and_standardization_pages(zone, client_for):
    client = client_for(zone["yj"])
    html = client.get(reverse("enterprises:licence_list")).content.decode()
    assert "CHEM-1" in html and "30天内到期" in html
    html = client.get(reverse("enterprises:standardization_list")).content.decode()
    assert "BZ-CHEM" in html and "规模以上企业标准化达标率" in html and "100.0%" in html


def test_supervision_rules_page_edit(zone, unit, committee_user, client_for):
    client = client_for(committee_user)
    assert "三个必须" in client.get(reverse("enterprises:supervision_rules")).content.decode()
    response = client.post(
        reverse("enterprises:supervision_rules"),
        {
            "industry": "tourism",
            "tourism-unit": unit("应急管理局").pk,
            "tourism-note": "调整",
            "tourism-reason": "测试",
        },
    )
    assert response.status_code == 302
    assert SupervisionRule.objects.get(industry="tourism").unit.name == "应急管理局"
    assert Enterprise.objects.get(pk=zone["tour"].pk).supervising_unit.name == "应急管理局"


def test_supervision_rules_page_hidden_from_enterprise_users(zone, client_for):
    assert client_for(zone["chem_user"]).get(reverse("enterprises:supervision_rules")).status_code == 404


def test_import_page_reports_rejected_rows(zone, committee_user, client_for):
    wb = Workbook()
    wb.active.append(["网格编码", "网格名称", "所属镇"])
    wb.active.append(["G-1", "东片", "腾格里镇"])
    wb.active.append(["G-2", "", "火星"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "grids.xlsx"
    html = (
        client_for(committee_user)
        .post(reverse("enterprises:excel_import", args=["grids"]), {"file": buf})
        .content.decode()
    )
    assert "第 3 行" in html and "找不到镇“火星”" in html and "必填" in html


def test_template_page_download(committee_user, client_for):
    response = client_for(committee_user).get(reverse("enterprises:excel_template", args=["licences"]))
    assert response.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(response.content))["许可证"][1]][:3] == [
        "统一社会信用代码*",
        "许可证类型*",
        "证书编号*",
    ]


def test_home_todos_for_supervising_department(zone, licence_factory, client_for):
    import datetime as dt

    from django.utils import timezone

    licence_factory(zone["chem"], number="OLD", valid_until=timezone.localdate() - dt.timedelta(days=3))
    html = client_for(zone["yj"]).get(reverse("home")).content.decode()
    assert "许可证已过期" in html


def test_list_page_query_count_is_bounded(
    zone, enterprise_factory, committee_user, client_for, django_assert_max_num_queries
):
    for i in range(10):
        enterprise_factory(name=f"批量企业{i}")
    client = client_for(committee_user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("enterprises:enterprise_list"))
    assert response.content.decode().count("批量企业") == 10


@pytest.mark.django_db
def test_empty_plot_outline_renders_as_an_empty_box(client_for, committee_user):
    html = client_for(committee_user).get("/enterprises/new/").content.decode()
    assert ">null</textarea>" not in html
