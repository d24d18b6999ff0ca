"""Hardening by class (issues 7 and 15): id filters, control characters, formula cells, bounded uploads and
bodies, one error shape. Each test would fail on the code before the fix; each checks the class through a
shared mechanism in ``core`` plus one or two concrete registers as witnesses.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import zipfile
from typing import Any

import django_filters
import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

import anjian
from anjian.core.excel import Column, Sheet, export, import_rows
from anjian.core.filters import AnjianFilterSet
from anjian.orgs.models import OrgUnit
from anjian.people.models import TrainingRecord
from tests.world import World

HUGE = "99999999999999999999999"

# ---------------------------------------------------------------------------------------------------------
# Id and number filters
# ---------------------------------------------------------------------------------------------------------

ID_FILTERS = [
    ("/api/v1/people/certificates/", "person_id"),
    ("/api/v1/people/persons/", "employer_enterprise_id"),
    ("/api/v1/enterprises/enterprises/", "town_id"),
    ("/api/v1/enterprises/licences/", "enterprise_id"),
    ("/api/v1/enterprises/licences/", "days"),
    ("/api/v1/plans/tasks/", "unit_id"),
    ("/api/v1/plans/reports/", "year"),
    ("/api/v1/assessment/results/", "unit_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "param"), ID_FILTERS)
@pytest.mark.parametrize("value", [HUGE, "1.9", "abc", "-5"])
def test_api_number_filter_out_of_range_is_400_naming_the_parameter(
    world: World, api_client_for: Any, url: str, param: str, value: str
) -> None:
    if value == "-5" and param == "year":
        pytest.skip("a negative year is a valid integer that matches nothing")
    response = api_client_for(world.committee).get(url, {param: value, "state": "expiring"})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    assert param in body["detail"]
    assert param in body


@pytest.mark.django_db
def test_api_foreign_key_choice_filter_out_of_range_is_400(world: World, api_client_for: Any) -> None:
    """``filterset_fields = ["unit"]`` builds a ModelChoiceFilter: a huge id must not reach the database."""
    response = api_client_for(world.committee).get("/api/v1/enterprises/supervision-rules/", {"unit": HUGE})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_api_valid_id_filter_still_filters(world: World, api_client_for: Any) -> None:
    response = api_client_for(world.committee).get(
        "/api/v1/people/certificates/", {"person_id": world.a.person.pk}
    )
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {world.a.certificate.pk}


@pytest.mark.django_db
def test_page_ignores_a_bad_filter_and_says_so(world: World, client_for: Any) -> None:
    client = client_for(world.committee)
    response = client.get(reverse("people:person_list"), {"employer_enterprise_id": HUGE})
    assert response.status_code == 200
    text = response.content.decode()
    assert "已忽略" in text and "employer_enterprise_id" in text
    response = client.get(reverse("enterprises:licence_list"), {"days": "99999999999", "state": "expiring"})
    assert response.status_code == 200
    assert "已忽略" in response.content.decode()


def _all_filtersets() -> list[type]:
    for info in pkgutil.walk_packages(anjian.__path__, "anjian."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith("demo.generate"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # a module that needs optional services: not a filterset module
            continue
    found = []
    stack = list(django_filters.FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("anjian.") and "AutoFilterSet" not in cls.__name__:
            found.append(cls)
    return found


def test_every_filterset_derives_from_the_hardened_base() -> None:
    """Pages build filtersets directly: each must be an ``AnjianFilterSet`` (``anjian.core.filters``)."""
    offenders = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in _all_filtersets()
        if not issubclass(cls, AnjianFilterSet) and "core.filters" not in cls.__module__
    ]
    assert not offenders, f"derive these from anjian.core.filters.AnjianFilterSet: {offenders}"


def test_every_number_filter_is_a_bounded_integer() -> None:
    loose = []
    for cls in _all_filtersets():
        for name, f in getattr(cls, "base_filters", {}).items():
            if (
                isinstance(f, django_filters.NumberFilter)
                and f.extra.get("max_value") is None
                and "Decimal" not in type(f.field).__name__
            ):
                loose.append(f"{cls.__name__}.{name}")
    assert not loose, loose


# ---------------------------------------------------------------------------------------------------------
# Control characters
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_refuses_a_control_character_naming_the_field(world: World, api_client_for: Any) -> None:
    training = world.a.training
    response = api_client_for(world.a.ent_user).patch(
        f"/api/v1/people/trainings/{training.pk}/", {"course": "x\u0001y"}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "course"
    assert "控制字符" in body["detail"]
    training.refresh_from_db()
    assert "\u0001" not in training.course


@pytest.mark.django_db
def test_api_keeps_tab_and_newline(world: World, api_client_for: Any) -> None:
    training = world.a.training
    response = api_client_for(world.a.ent_user).patch(
        f"/api/v1/people/trainings/{training.pk}/", {"course": "第一行\n第二行\t末尾"}, format="json"
    )
    assert response.status_code == 200, response.content[:300]


@pytest.mark.django_db
def test_page_form_refuses_a_control_character(world: World, client_for: Any) -> None:
    from django import forms

    class Probe(forms.Form):
        name = forms.CharField(label="名称")
        note = forms.CharField(label="说明", widget=forms.Textarea, required=False)

    form = Probe(data={"name": "a\u0007b", "note": "一\n二"})
    assert not form.is_valid()
    assert "名称" in form.errors["name"][0] and "控制字符" in form.errors["name"][0]
    assert "note" not in form.errors


@pytest.mark.django_db
def test_export_survives_stored_control_characters(world: World, api_client_for: Any) -> None:
    """Text stored before the check (or by a script) never breaks the export for everyone."""
    TrainingRecord.objects.filter(pk=world.a.training.pk).update(course="x\u0001y\u001fz")
    response = api_client_for(world.committee).get("/api/v1/people/trainings/export/")
    assert response.status_code == 200
    text = "".join(
        str(v)
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for v in row
    )
    assert "xyz" in text


# ---------------------------------------------------------------------------------------------------------
# Excel: formula cells out and in, bounded uploads
# ---------------------------------------------------------------------------------------------------------

SHEET = Sheet(
    title="单位",
    model=OrgUnit,
    key=("code",),
    columns=(Column("编码", "code", required=True), Column("简称", "name", required=True)),
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "evil",
    [
        '=HYPERLINK("http://x"&B2,"点击查看")',
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1",
    ],
)
def test_export_writes_formula_like_text_as_text(evil: str) -> None:
    unit = OrgUnit.objects.create(code="X1", name=evil, kind="department")
    data = export([unit], SHEET)
    ws = load_workbook(io.BytesIO(data)).active
    cell = ws.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.strip() == evil.strip()
    assert cell.quotePrefix
    raw = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in raw


def _book(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "单位"
    ws.append(["编码", "简称"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_import_refuses_a_formula_cell_with_a_message() -> None:
    report = import_rows(_book([["F1", '=A2&"x"']]), SHEET, acting_user=None)
    assert report.created == 0
    assert [(e.row, e.column) for e in report.errors] == [(2, "简称")]
    assert "公式" in report.errors[0].reason


@pytest.mark.django_db
def test_import_of_only_blank_rows_is_an_error() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "简称"])
    for r in range(2, 50):
        ws.cell(row=r, column=1, value="  ")
    buffer = io.BytesIO()
    wb.save(buffer)
    report = import_rows(buffer.getvalue(), SHEET, acting_user=None)
    assert not report.ok
    assert "没有数据行" in report.errors[0].reason


@pytest.mark.django_db
def test_import_refuses_too_many_rows_before_validating_any(settings: Any, monkeypatch: Any) -> None:
    from anjian.core import excel

    monkeypatch.setattr(excel, "MAX_ROWS", 20)
    checked: list[int] = []
    original = excel._prepare_row
    monkeypatch.setattr(
        excel, "_prepare_row", lambda no, *a, **k: checked.append(no) or original(no, *a, **k)
    )
    report = import_rows(_book([[f"R{i}", f"单位{i}"] for i in range(25)]), SHEET, acting_user=None)
    assert "超过 20 行" in report.errors[0].reason
    assert checked == [], "rows were validated before the row count was checked"


@pytest.mark.django_db
def test_import_refuses_a_zip_bomb_before_parsing(settings: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "A" * (30 * 1024 * 1024))
    report = import_rows(buffer.getvalue(), SHEET, acting_user=None)
    assert "压缩比" in report.errors[0].reason or "解压后过大" in report.errors[0].reason
    settings.ANJIAN_IMPORT_MAX_BYTES = 1000
    report = import_rows(_book([["A", "B"]]) + b"\0" * 2000, SHEET, acting_user=None)
    assert "文件过大" in report.errors[0].reason


@pytest.mark.django_db
def test_api_import_of_a_bomb_answers_with_a_report_not_a_crash(world: World, api_client_for: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "A" * (30 * 1024 * 1024))
    buffer.seek(0)
    buffer.name = "bomb.xlsx"
    response = api_client_for(world.a.ent_user).post(
        "/api/v1/people/persons/import/", {"file": buffer}, format="multipart"
    )
    assert response.status_code in {200, 400}
    assert "压缩比" in response.content.decode()


# ---------------------------------------------------------------------------------------------------------
# Bodies, error shape, 500s
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_body_over_the_limit_is_413(world: World, api_client_for: Any, settings: Any) -> None:
    settings.ANJIAN_API_MAX_BODY_BYTES = 10_000
    response = api_client_for(world.a.ent_user).patch(
        f"/api/v1/people/trainings/{world.a.training.pk}/",
        {"course": "课", "reason": "长" * 20_000},
        format="json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db
def test_search_with_nul_answers_in_the_error_shape(world: World, api_client_for: Any) -> None:
    response = api_client_for(world.committee).get("/api/v1/people/persons/", {"search": "a\x00b"})
    if response.status_code == 200:
        return  # the search backend accepted it: not an error at all
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, dict) and body["code"] == "invalid" and body["detail"]


@pytest.mark.django_db
def test_plan_import_with_a_non_numeric_plan_is_400(world: World, api_client_for: Any) -> None:
    upload = io.BytesIO(b"x")
    upload.name = "r.xlsx"
    response = api_client_for(world.committee).post(
        "/api/v1/plans/reports/import/?plan=abc", {"file": upload, "plan": "abc"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "plan"


@pytest.mark.django_db
def test_unhandled_error_under_api_is_json(world: World, api_client_for: Any, monkeypatch: Any) -> None:
    from anjian.people.api import views

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views.PersonViewSet, "list", boom)
    client = api_client_for(world.committee)
    client.raise_request_exception = False
    response = client.get("/api/v1/people/persons/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error" and "请求编号" in body["detail"]


@pytest.mark.django_db
def test_drf_parse_error_answers_in_chinese(world: World, api_client_for: Any) -> None:
    response = api_client_for(world.a.ent_user).generic(
        "PATCH",
        f"/api/v1/people/trainings/{world.a.training.pk}/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error" and "无法解析" in body["detail"]


def test_module_exports_write_cells_through_the_safe_writer() -> None:
    """A module that builds its own workbook must write cells through ``core.excel.safe_cell/safe_append``."""
    offenders = []
    for info in pkgutil.walk_packages(anjian.__path__, "anjian."):
        if ".tests" in info.name or info.name == "anjian.core.excel":
            continue
        try:
            module = importlib.import_module(info.name)
            source = inspect.getsource(module)
        except Exception:
            continue
        if "Workbook(" in source and re.search(r"\bws\.append\(", source):
            offenders.append(info.name)
    assert not offenders, f"use anjian.core.excel.safe_append/safe_cell in {offenders}"


def test_api_views_use_the_bounded_parsers() -> None:
    """DRF's own parsers read a body of any size; every module takes the bounded ones from ``core.api_support``."""
    from pathlib import Path

    root = Path(anjian.__file__).resolve().parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "/tests/" not in p.as_posix()
        and p.name != "api_support.py"
        and (
            "rest_framework.parsers" in (text := p.read_text(encoding="utf-8"))
            or "parsers.JSONParser" in text
        )
    ]
    assert not offenders, f"import the parsers from anjian.core.api_support in {offenders}"
