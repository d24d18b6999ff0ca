"""Model rules of the enterprise registry: USCC check, coordinates, plot outline, licence state, grades."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from anjian.enterprises.choices import LicenceState
from anjian.enterprises.models import Enterprise, Licence, Standardization, add_years
from anjian.enterprises.tests.fixtures import make_uscc

pytestmark = pytest.mark.django_db

VALID = make_uscc(1)


def _errors(obj):
    with pytest.raises(ValidationError) as exc:
        obj.full_clean(exclude=["org_unit"])
    return exc.value.message_dict


def test_created_enterprise_gets_supervising_unit_and_own_unit(enterprise_factory):
    # given / when
    e = enterprise_factory(industry="hazchem_production")
    # then
    assert e.supervising_unit.name == "应急管理局"
    assert e.org_unit.kind == "enterprise" and e.org_unit.full_name == e.name
    assert Enterprise.objects.filter(org_unit_id=e.org_unit_id).get() == e


def test_valid_uscc_is_normalised(unit):
    # given a valid code typed in lower case with full-width digits and spaces
    typed = " " + VALID.lower().replace("9", "９") + " "
    e = Enterprise(uscc=typed, name="某化工有限公司", industry="other")
    # when
    e.full_clean(exclude=["org_unit"])
    # then
    assert e.uscc == VALID


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (VALID[:17] + ("0" if VALID[17] != "0" else "1"), f"统一社会信用代码第18位校验码应为“{VALID[17]}”"),
        (VALID[:16] + ("0" if VALID[16] != "0" else "1") + VALID[17], "组织机构代码校验失败：第17位应为"),
        (VALID[:5] + "I" + VALID[6:], "第6位字符“I”不在统一社会信用代码字符集中"),
        (VALID[:17], "长度应为18位，实际为17位"),
        ("Z" + VALID[1:], "第1位字符“Z”不在统一社会信用代码字符集中"),
    ],
)
def test_invalid_uscc_is_refused_naming_the_wrong_character(code, message):
    # given an enterprise with a wrong code
    e = Enterprise(uscc=code, name="某化工有限公司", industry="other")
    # when / then
    assert message in _errors(e)["uscc"][0]


def test_coordinates_and_plot_are_checked():
    # given out-of-range coordinates and a plot that is a point
    e = Enterprise(
        uscc=VALID,
        name="某公司",
        industry="other",
        lon=Decimal("190"),
        lat=Decimal("37.8"),
        plot_geojson={"type": "Point", "coordinates": [105.1, 37.8]},
    )
    # when
    errors = _errors(e)
    # then
    assert errors["lon"] == ["经度应在 -180 到 180 之间"]
    assert errors["plot_geojson"] == ["地块轮廓的类型应为 Polygon 或 MultiPolygon，实际为“Point”"]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {"type": "Polygon", "coordinates": [[[105.1, 37.8], [105.2, 37.8], [105.2, 37.9]]]},
            "至少需要 4 个坐标点",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[105.1, 37.8], [105.2, 37.8], [105.2, 37.9], [105.1, 37.81]]],
            },
            "首尾坐标应相同",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[105.1, 97.8], [105.2, 37.8], [105.2, 37.9], [105.1, 97.8]]],
            },
            "纬度应在 -90 到 90 之间",
        ),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [[[[105.1, 37.8], ["a", 37.8], [105.2, 37.9], [105.1, 37.8]]]],
            },
            "坐标应为 [经度, 纬度] 数字对",
        ),
    ],
)
def test_bad_plot_outlines_are_refused(geometry, message):
    e = Enterprise(uscc=VALID, name="某公司", industry="other", plot_geojson=geometry)
    assert message in _errors(e)["plot_geojson"][0]


def test_good_plot_outline_and_coordinates_pass():
    ring = [[105.1, 37.8], [105.2, 37.8], [105.2, 37.9], [105.1, 37.8]]
    e = Enterprise(
        uscc=VALID,
        name="某公司",
        industry="other",
        lon=Decimal("105.15"),
        lat=Decimal("37.85"),
        plot_geojson={"type": "MultiPolygon", "coordinates": [[ring]]},
    )
    e.full_clean(exclude=["org_unit"])
    assert e.plot_geojson["type"] == "MultiPolygon"


def test_lon_without_lat_is_refused():
    e = Enterprise(uscc=VALID, name="某公司", industry="other", lon=Decimal("105.1"))
    assert _errors(e)["lat"] == ["经度和纬度应同时填写"]


def test_grid_of_another_town_and_override_without_reason_are_refused(grid_factory, unit):
    # given a grid of 孛井滩镇 on an enterprise of 腾格里镇, and an override with no reason
    e = Enterprise(
        uscc=VALID,
        name="某公司",
        industry="other",
        town=unit("腾格里镇"),
        grid=grid_factory(town="孛井滩镇", name="北片"),
        supervision_overridden=True,
    )
    # when
    errors = _errors(e)
    # then
    assert errors["grid"] == ["网格“北片”不属于腾格里镇"]
    assert errors["supervising_unit"] == ["手工指定监管部门时必须选择监管部门"]
    assert errors["supervision_override_reason"] == ["手工指定监管部门时必须填写理由"]


@pytest.mark.parametrize(
    ("valid_until", "state", "days_left"),
    [
        (dt.date(2025, 5, 31), LicenceState.EXPIRED, -1),
        (dt.date(2025, 6, 1), LicenceState.EXPIRING, 0),
        (dt.date(2025, 8, 30), LicenceState.EXPIRING, 90),
        (dt.date(2025, 8, 31), LicenceState.VALID, 91),
    ],
)
def test_licence_state_on_a_day(valid_until, state, days_left):
    licence = Licence(kind="safety_production", number="X", valid_until=valid_until)
    assert licence.state(dt.date(2025, 6, 1)) == state
    assert licence.days_left(dt.date(2025, 6, 1)) == days_left


def test_licence_validity_must_follow_issue(enterprise_factory):
    licence = Licence(
        enterprise=enterprise_factory(),
        kind="safety_production",
        number="A1",
        issued_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        licence.full_clean()
    assert exc.value.message_dict["valid_until"] == ["有效期至不能早于发证日期"]


def test_grading_review_due_defaults_to_three_years(enterprise_factory):
    # given a grading without a review date
    grading = Standardization(
        enterprise=enterprise_factory(), grade="level3", certificate_no="C1", issued_on=dt.date(2024, 2, 29)
    )
    # when
    grading.full_clean()
    # then (29 February has no twin three years later)
    assert grading.review_due == dt.date(2027, 2, 28)
    assert add_years(dt.date(2024, 3, 1), 3) == dt.date(2027, 3, 1)
    assert grading.is_valid_on(dt.date(2027, 2, 28)) and not grading.is_valid_on(dt.date(2027, 3, 1))


def test_above_scale_enterprise_cannot_hold_small_grade(enterprise_factory):
    grading = Standardization(
        enterprise=enterprise_factory(scale="above_scale"),
        grade="small",
        certificate_no="C1",
        issued_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        grading.full_clean()
    assert "不适用小微企业规范化" in exc.value.message_dict["grade"][0]


def test_str_of_models(enterprise_factory, grid_factory, licence_factory, standardization_factory):
    e = enterprise_factory(name="甲公司")
    assert str(e) == "甲公司"
    assert str(grid_factory(code="G9", name="东片")) == "东片（G9）"
    assert str(licence_factory(e, number="N1")) == "安全生产许可证 N1"
    assert str(standardization_factory(e, certificate_no="C9")) == "甲公司 三级（C9）"
