"""The risk register: assessments keep history, a unit takes its highest event, the notice card and the
three lists contain the register (text extracted from the PDF, CJK included), the chain import."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

from anjian.core.errors import ValidationFailed
from anjian.risks import actions, excel, pdf
from anjian.risks.models import ControlMeasure, RiskAssessment, RiskEvent, RiskObject, RiskUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(danger_world):
    e = danger_world.enterprise
    obj = RiskObject.objects.create(enterprise=e, name="甲醇罐区", kind="installation", is_major_hazard=True)
    unit = RiskUnit.objects.create(
        enterprise=e,
        risk_object=obj,
        name="甲醇储罐组",
        post="罐区操作工",
        hazards="易燃液体泄漏",
        emergency_actions="切断泄漏源，启动泡沫系统",
        emergency_phones="园区应急 0483-8512345",
    )
    leak = RiskEvent.objects.create(enterprise=e, unit=unit, name="储罐泄漏火灾", consequence="人员伤亡")
    static = RiskEvent.objects.create(enterprise=e, unit=unit, name="装卸静电", consequence="闪爆")
    ControlMeasure.objects.create(
        enterprise=e, event=leak, kind="engineering", description="液位高高联锁", check_content="联锁是否投用"
    )
    ControlMeasure.objects.create(enterprise=e, event=static, kind="ppe", description="穿防静电服")
    return unit, leak, static


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required in CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def test_assessment_history_and_highest_level(register, danger_world):
    unit, leak, static = register
    actions.do_assess_event(
        leak, acting_user=danger_world.manager, method="lec", likelihood=6, exposure=6, consequence=7
    )
    actions.do_assess_event(
        static, acting_user=danger_world.manager, method="ls", likelihood=2, consequence=2
    )
    unit.refresh_from_db()
    assert unit.level == "larger" and unit.risk_object.level == "larger"
    # a re-assessment keeps the earlier one and lowers the unit
    actions.do_assess_event(
        leak, acting_user=danger_world.manager, method="lec", likelihood=1, exposure=6, consequence=7
    )
    unit.refresh_from_db()
    assert unit.level == "general"
    assert list(RiskAssessment.objects.filter(event=leak).values_list("score", flat=True)) == [42, 252]
    with pytest.raises(ValidationFailed) as exc:
        actions.do_assess_event(
            leak, acting_user=danger_world.manager, method="lec", likelihood=5, exposure=6, consequence=7
        )
    assert "不在标准分值中" in exc.value.message


def test_other_enterprise_cannot_assess(register, danger_world):
    from anjian.core.errors import PermissionDeniedError

    _unit, leak, _ = register
    with pytest.raises(PermissionDeniedError):
        actions.do_assess_event(
            leak, acting_user=danger_world.other_user, method="ls", likelihood=1, consequence=1
        )


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_notice_card_pdf_contains_the_unit(register, danger_world, size):
    unit, leak, _ = register
    actions.do_assess_event(leak, acting_user=None, method="lec", likelihood=6, exposure=6, consequence=7)
    unit.refresh_from_db()
    data = pdf.notice_card_pdf(
        unit, size=size, checklist_url=f"http://testserver/dangers/check/unit/{unit.pk}/"
    )
    assert data.startswith(b"%PDF") and b"FontFile2" in data  # the TrueType font is embedded
    text = pdf_text(data)
    for expected in (
        "岗位安全风险告知牌",
        "甲醇储罐组",
        "储罐泄漏火灾",
        "液位高高联锁",
        "切断泄漏源",
        "0483-8512345",
        "较大",
    ):
        assert expected in text, expected


def test_three_lists_pdf_and_excel(register, danger_world, client_for):
    client = client_for(danger_world.manager)
    text = pdf_text(client.get(f"/risks/lists.pdf?enterprise={danger_world.enterprise.pk}").content)
    for expected in (
        "安全风险清单",
        "管控措施清单",
        "隐患排查清单",
        "储罐泄漏火灾",
        "液位高高联锁",
        "联锁是否投用",
    ):
        assert expected in text, expected
    wb = load_workbook(io.BytesIO(client.get("/risks/lists.xlsx").content))
    assert len(wb.worksheets) == 3
    cells = " ".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert "穿防静电服" in cells and "装卸静电" in cells
    # another enterprise's lists do not contain this register; its cards answer 404
    other = client_for(danger_world.other_user)
    assert "甲醇储罐组" not in pdf_text(other.get("/risks/lists.pdf").content)
    assert other.get(f"/risks/units/{register[0].pk}/card-A4.pdf").status_code == 404


def _chain_file(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.CHAIN_SHEET.title
    ws.append([c.header for c in excel.CHAIN_SHEET.columns])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_chain_import_with_row_report(danger_world):
    uscc = danger_world.enterprise.uscc
    good = [
        uscc,
        "氯气罐区",
        "",
        "装置/设施",
        "是",
        "储运",
        "液氯储罐",
        "操作工",
        "液氯泄漏",
        "中毒",
        "LEC",
        3,
        6,
        40,
        "工程技术",
        "设有毒气体报警",
        "报警器是否正常",
    ]
    second = [
        uscc,
        "氯气罐区",
        "",
        "装置/设施",
        "是",
        "储运",
        "液氯储罐",
        "操作工",
        "液氯泄漏",
        "中毒",
        "LEC",
        3,
        6,
        40,
        "个体防护",
        "配备空气呼吸器",
        "",
    ]
    bad_scale = [
        uscc,
        "氯气罐区",
        "",
        "",
        "",
        "",
        "液氯储罐",
        "",
        "超压",
        "",
        "LEC",
        5,
        6,
        40,
        "工程技术",
        "安全阀",
        "",
    ]
    other = [
        danger_world.other_enterprise.uscc,
        "x",
        "",
        "",
        "",
        "",
        "u",
        "",
        "e",
        "",
        "",
        "",
        "",
        "",
        "工程技术",
        "m",
        "",
    ]
    report = excel.import_chain(
        _chain_file([good, second, bad_scale, other]), acting_user=danger_world.manager
    )
    assert (report.created, report.rejected) == (2, 2)
    assert {(e.row, e.column) for e in report.errors} == {(4, "评价方法"), (5, "统一社会信用代码")}
    unit = RiskUnit.objects.get(name="液氯储罐")
    # D = 3 × 6 × 40 = 720 > 320
    assert unit.level == "major" and ControlMeasure.objects.filter(event__unit=unit).count() == 2
    # the same file again changes nothing
    again = excel.import_chain(_chain_file([good, second]), acting_user=danger_world.manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert RiskAssessment.objects.count() == 1


def test_pages(register, danger_world, client_for, committee_user):
    unit = register[0]
    client = client_for(danger_world.manager)
    assert "甲醇储罐组" in client.get("/risks/").content.decode()
    html = client.get(f"/risks/units/{unit.pk}/").content.decode()
    assert "储罐泄漏火灾" in html and f"/dangers/check/unit/{unit.pk}/" in html
    r = client.post(
        f"/risks/events/{register[1].pk}/assess/", {"method": "ls", "likelihood": "4", "consequence": "5"}
    )
    assert r.status_code == 302 and RiskEvent.objects.get(pk=register[1].pk).level == "major"
    bands = client_for(committee_user).get("/risks/bands/").content.decode()
    assert "R = 9" in bands and "一般" in bands
    assert client.get("/risks/import/?template=1").status_code == 200
    assert client_for(danger_world.other_user).get(f"/risks/units/{unit.pk}/").status_code == 404


def test_level_counts_on_the_register_and_the_tab_equal_the_rows(register, danger_world, client_for):
    # given two units: one 较大 (assessed), one unassessed, seen by an enterprise user (restrict → DISTINCT)
    unit, leak, _static = register
    actions.do_assess_event(leak, acting_user=None, method="lec", likelihood=6, exposure=6, consequence=7)
    other = RiskUnit.objects.create(
        enterprise=unit.enterprise, risk_object=unit.risk_object, name="装车栈台", level="larger"
    )
    RiskUnit.objects.create(
        enterprise=unit.enterprise, risk_object=unit.risk_object, name="卸车栈台", level="general"
    )
    # when
    response = client_for(danger_world.manager).get("/risks/")
    # then: each level's count is the number of units at that level (not one per row)
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts == {"major": 0, "larger": 2, "general": 1, "low": 0}
    from anjian.risks.tabs import risks_tab_context

    tab = risks_tab_context(other.enterprise, danger_world.manager)
    assert {value: n for value, _label, n in tab["risk_counts"]} == counts
