"""The Excel framework on its own, exercised on organisation units (a register every install has)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from anjian.core.choices import AuditEvent
from anjian.core.excel import (
    HELP_SHEET,
    CellError,
    Column,
    Sheet,
    export,
    import_rows,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    template,
    xlsx_response,
)
from anjian.core.models import AuditEntry
from anjian.orgs.choices import OrgKind
from anjian.orgs.models import OrgUnit

UNIT_SHEET = Sheet(
    title="单位",
    model=OrgUnit,
    key=("code",),
    columns=(
        Column("编码", "code", required=True, help="唯一"),
        Column("简称", "name", required=True),
        Column("全称", "full_name"),
        Column("类型", "kind", required=True, choices=OrgKind.choices),
        Column("联系人及电话", "contact"),
        Column("有效", "is_active", kind="bool"),
    ),
)


def _xlsx(rows, headers=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "单位"
    ws.append(headers or [c.header for c in UNIT_SHEET.columns])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _imported_audit_count():
    return AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count()


# ---------------------------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-01",
        "2024/3/1",
        "2024年3月1日",
        "2024.03.01",
        dt.datetime(2024, 3, 1, 0, 0),  # noqa: DTZ001 (openpyxl gives naive datetimes)
        dt.date(2024, 3, 1),
    ],
)
def test_parse_date_accepts_common_spellings(raw):
    assert parse_date(raw) == dt.date(2024, 3, 1)


@pytest.mark.parametrize("raw", ["2024-02-30", "明天", "20240301x"])
def test_parse_date_refuses_with_chinese_reason(raw):
    with pytest.raises(CellError, match="不是有效日期"):
        parse_date(raw)


def test_parsers_for_numbers_text_and_booleans():
    assert parse_int(12.0) == 12 and parse_int("1,200") == 1200
    assert parse_decimal(105.1234) == Decimal("105.1234")
    assert parse_text(913.0) == "913" and parse_text("  a ") == "a"
    assert parse_bool("是") is True and parse_bool("否") is False and parse_bool("Y") is True
    with pytest.raises(CellError, match="不是整数"):
        parse_int("十二")
    with pytest.raises(CellError, match="应填“是”或“否”"):
        parse_bool("也许")


def test_choice_column_accepts_label_or_value_and_names_the_allowed_labels():
    column = UNIT_SHEET.column_for_field("kind")
    assert column.parse_cell("镇") == "town"
    assert column.parse_cell("town") == "town"
    with pytest.raises(CellError) as exc:
        column.parse_cell("街道")
    assert "“街道”不在可选值中" in str(exc.value) and "职能部门" in str(exc.value)


# ---------------------------------------------------------------------------------------------
# Export and template
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_writes_header_and_labels():
    # given the seeded units
    units = OrgUnit.objects.filter(code__in=["YJJ", "TZ"]).order_by("code")
    # when exported
    ws = load_workbook(io.BytesIO(export(units, UNIT_SHEET))).active
    # then the header and the choice labels are written
    assert [c.value for c in ws[1]] == ["编码", "简称", "全称", "类型", "联系人及电话", "有效"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0][:2] == ["TZ", "腾格里镇"] and rows[0][3] == "镇" and rows[0][5] == "是"
    assert rows[1][:2] == ["YJJ", "应急管理局"] and rows[1][3] == "职能部门"


def test_template_marks_required_columns_and_offers_dropdowns_and_help():
    # when
    wb = load_workbook(io.BytesIO(template(UNIT_SHEET, example={"编码": "X1"})))
    # then
    ws = wb["单位"]
    assert [c.value for c in ws[1]] == ["编码*", "简称*", "全称", "类型*", "联系人及电话", "有效"]
    assert ws.max_row == 1 or all(c.value is None for c in ws[2])
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert len(formulas) == 1 and "_选项" in formulas[0]
    assert [c.value for c in wb["_选项"]["A"]][:2] == ["议事协调机构", "职能部门"]
    help_rows = [[c.value for c in r] for r in wb[HELP_SHEET].iter_rows()]
    assert help_rows[0][:4] == ["列名", "必填", "说明", "可选值"]
    assert help_rows[1][:3] == ["编码", "是", "唯一"]
    assert any(r[0] == "X1" for r in help_rows)


def test_xlsx_response_names_the_file_in_chinese():
    response = xlsx_response(b"data", "企业名录.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95.xlsx" in response["Content-Disposition"]


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_updates_and_audits_one_row_per_changed_object():
    # given one new unit and one change to a seeded unit
    data = _xlsx(
        [
            ["T01", "测试中心", "示范区测试中心", "职能部门", "张三 13800000000", "是"],
            ["YJJ", "应急管理局", "孛井滩示范区应急管理局", "职能部门", "值班室 0483-1234567", "是"],
        ]
    )
    # when
    report = import_rows(data, UNIT_SHEET, acting_user=None)
    # then
    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    assert OrgUnit.objects.get(code="T01").full_name == "示范区测试中心"
    assert OrgUnit.objects.get(code="YJJ").contact == "值班室 0483-1234567"
    entries = AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED)
    assert sorted(e.object_repr for e in entries) == ["应急管理局", "测试中心"]
    yjj = entries.get(object_repr="应急管理局")
    assert yjj.before["contact"] == "" and yjj.after["contact"] == "值班室 0483-1234567"
    assert yjj.message == "Excel 导入第 3 行"


@pytest.mark.django_db
def test_reimport_of_an_export_changes_nothing():
    # given an export of every unit, imported once already
    data = export(OrgUnit.objects.exclude(kind="group"), UNIT_SHEET)
    before = _imported_audit_count()
    # when it is imported again
    report = import_rows(data, UNIT_SHEET, acting_user=None)
    # then every row is unchanged and nothing is audited
    assert report.created == report.updated == 0 and report.errors == []
    assert report.unchanged == OrgUnit.objects.exclude(kind="group").count()
    assert _imported_audit_count() == before


@pytest.mark.django_db
def test_import_reports_each_bad_row_and_saves_the_valid_ones():
    # given a file with good and bad rows
    data = _xlsx(
        [
            ["T01", "测试中心一", "", "职能部门", "", "是"],  # row 2: ok
            ["T02", "", "", "职能部门", "", "是"],  # row 3: required name missing
            ["T03", "测试中心三", "", "街道", "", "是"],  # row 4: bad choice
            ["T01", "测试中心四", "", "职能部门", "", "是"],  # row 5: duplicate key in the file
            ["T05", "应急管理局", "", "职能部门", "", "是"],  # row 6: name clashes with a stored unit
            ["T06", "测试中心六", "", "镇", "", "也许"],  # row 7: bad boolean
            [None, None, None, None, None, None],  # blank row: skipped
            ["T08", "测试中心八", "", "镇", "", ""],  # row 9: ok, empty bool = 否
        ]
    )
    # when
    report = import_rows(data, UNIT_SHEET, acting_user=None)
    # then the valid rows are saved
    assert report.created == 2 and report.total_rows == 7
    assert set(OrgUnit.objects.filter(code__startswith="T0").values_list("code", flat=True)) == {"T01", "T08"}
    assert OrgUnit.objects.get(code="T08").is_active is False
    # and each bad row is reported with its row, column and a Chinese reason
    errors = {(e.row, e.column): e.reason for e in report.errors}
    assert errors[(3, "简称")] == "必填"
    assert errors[(4, "类型")].startswith("“街道”不在可选值中")
    assert errors[(5, "编码")] == "与第 2 行重复"
    assert "简称" in errors[(6, "简称")] and "已存在" in errors[(6, "简称")]
    assert errors[(7, "有效")] == "“也许”应填“是”或“否”"
    assert report.rejected == 5
    assert report.as_dict()["errors"][0] == {"row": 3, "column": "简称", "reason": "必填"}
    assert _imported_audit_count() == 2


@pytest.mark.django_db
def test_missing_required_column_rejects_the_file():
    # given a file without the 类型 column
    data = _xlsx([["T01", "测试中心"]], headers=["编码*", "简称*"])
    # when
    report = import_rows(data, UNIT_SHEET, acting_user=None)
    # then nothing is saved and the file-level error names the column
    assert report.errors[0].row == 1 and "类型" in report.errors[0].reason
    assert not OrgUnit.objects.filter(code="T01").exists()


@pytest.mark.django_db
def test_template_headers_with_required_marks_import_fine():
    # given a file that keeps the template's "编码*" headers
    headers = [c.header + ("*" if c.required else "") for c in UNIT_SHEET.columns]
    data = _xlsx([["T01", "测试中心", "", "职能部门", "", "是"]], headers=headers)
    # when / then
    assert import_rows(data, UNIT_SHEET, acting_user=None).created == 1


@pytest.mark.django_db
def test_unreadable_file_is_one_error():
    report = import_rows(b"not an excel file", UNIT_SHEET, acting_user=None)
    assert [(e.row, e.reason) for e in report.errors] == [(0, "文件无法读取，请上传 .xlsx 格式的 Excel 文件")]


@pytest.mark.django_db
def test_can_change_refuses_rows_and_leaves_the_stored_object_untouched():
    # given a rule that refuses changes to existing units
    data = _xlsx(
        [["YJJ", "应急管理局", "改名", "职能部门", "", "是"], ["T01", "测试中心", "", "职能部门", "", "是"]]
    )

    def can_change(obj, created):
        return "" if created else "无权修改该单位"

    # when
    report = import_rows(data, UNIT_SHEET, acting_user=None, can_change=can_change)
    # then
    assert report.created == 1 and [(e.row, e.reason) for e in report.errors] == [(2, "无权修改该单位")]
    assert OrgUnit.objects.get(code="YJJ").full_name == "孛井滩示范区应急管理局"


@pytest.mark.django_db
def test_save_errors_roll_back_only_their_row():
    # given a saver that fails for one row
    from django.core.exceptions import ValidationError

    from anjian.core.excel import default_save_row

    def save_row(row):
        if row.obj.code == "T02":
            raise ValidationError({"name": "保存失败"})
        default_save_row(row)

    data = _xlsx(
        [["T01", "测试中心一", "", "职能部门", "", "是"], ["T02", "测试中心二", "", "职能部门", "", "是"]]
    )
    # when
    report = import_rows(data, UNIT_SHEET, acting_user=None, save_row=save_row)
    # then
    assert report.created == 1 and [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "简称", "保存失败")
    ]
    assert not OrgUnit.objects.filter(code="T02").exists()


@pytest.mark.django_db
def test_read_only_columns_are_exported_but_not_templated_or_imported():
    # given a sheet with a derived, read-only column
    spec = Sheet(
        title="单位",
        model=OrgUnit,
        key=("code",),
        columns=(
            *UNIT_SHEET.columns,
            Column(
                "别名",
                "alias_list",
                read_only=True,
                value=lambda u: "、".join(a.name for a in u.aliases.all()),
            ),
        ),
    )
    # when exported, templated and re-imported
    data = export(OrgUnit.objects.filter(code="SJJ"), spec)
    exported = load_workbook(io.BytesIO(data)).active
    templated = load_workbook(io.BytesIO(template(spec)))["单位"]
    report = import_rows(data, spec, acting_user=None)
    # then
    assert exported["G1"].value == "别名" and exported["G2"].value == "市场监管局、市监局"
    assert "别名" not in [c.value for c in templated[1]]
    assert (report.unchanged, report.errors) == (1, [])


def test_template_has_no_blank_rows_and_formats_columns():
    # given a spec with a text code column and a date column
    from openpyxl import load_workbook

    from anjian.core.excel import Column, Sheet, template
    from anjian.orgs.models import OrgUnit

    spec = Sheet(
        title="单位",
        model=OrgUnit,
        columns=[Column("编码", "code", required=True), Column("日期", "created_at", kind="date")],
    )
    # when the template is generated
    ws = load_workbook(io.BytesIO(template(spec)))["单位"]
    # then data appended by a program lands on row 2, and the columns keep their formats for typed values
    assert ws.max_row == 1
    assert ws.column_dimensions["A"].number_format == "@"
    assert ws.column_dimensions["B"].number_format == "yyyy-mm-dd"
