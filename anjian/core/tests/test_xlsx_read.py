"""``core.xlsx_read``: the streaming reader gives the values, dates and formula cells of the shapes writers produce."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from anjian.core import xlsx_read

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _package(sheet: str, *, shared: list[str] | None = None) -> bytes:
    """A minimal .xlsx whose first sheet is the XML ``sheet`` (and a date style, index 1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {_NS} {_REL_NS}><sheets>'
            '<sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        rels = (
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/>'
        )
        if shared is not None:
            rels += (
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/sharedStrings" Target="sharedStrings.xml"/>'
            )
            items = "".join(f"<si><t>{text}</t></si>" for text in shared)
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {_NS}>{items}</sst>')
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>',
        )
        z.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0"?><styleSheet {_NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
            "</cellXfs></styleSheet>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def _sheet(rows: str, *, root: str = f"<worksheet {_NS} {_REL_NS}>", end: str = "</worksheet>") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{root}<sheetData>{rows}</sheetData>{end}'
    )


def _read(data: bytes) -> list[Any]:
    _name, rows = xlsx_read.read_rows(data, "表")
    return list(rows)


def test_inline_and_shared_strings_numbers_gaps_booleans_errors_dates_and_formulas() -> None:
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">姓名 </t></is></c>'
        '<c r="C1" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="A3"><v>42</v></c><c r="B3"><v>1.5</v></c><c r="D3"><v>1E3</v></c></row>'
        '<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="e"><v>#N/A</v></c><c r="C4" s="1"><v>45000</v></c>'
        '<c r="D4"><f>SUM(A2:A3)</f><v>3</v></c><c r="E4" t="inlineStr"><is><t>a &amp; b &#x4E2D;</t></is></c>'
        '<c r="F4" t="inlineStr"><is><r><rPr><b/></rPr><t>粗</t></r><r><t>体</t></r></is></c></row>'
    )
    got = _read(_package(_sheet(rows), shared=["甲", "乙 &amp; 丙"]))
    assert got[0] == (1, ["姓名 ", None, "乙 & 丙"], set())
    assert got[1] == (2, [], set())  # a missing row is yielded empty, numbered as in Excel
    assert got[2] == (3, [42, 1.5, None, 1000], set())
    number, values, formulas = got[3]
    assert number == 4 and values[:2] == [True, "#N/A"] and values[2].date() == dt.date(2023, 3, 15)
    assert values[3] == "=SUM(A2:A3)" and formulas == {3}
    assert values[4:] == ["a & b 中", "粗体"]


def test_a_prefixed_worksheet_is_read() -> None:
    root = '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sheet = (
        f'<?xml version="1.0"?>{root}<x:sheetData><x:row r="1"><x:c r="A1"><x:v>5</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    assert _read(_package(sheet)) == [(1, [5], set())]


def test_a_forbidden_character_fails() -> None:
    data = _package(_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>'))
    with pytest.raises(Exception):  # noqa: B017 - expat's error
        _read(data)


def test_an_openpyxl_workbook_reads_as_openpyxl_reads_it() -> None:
    from openpyxl import load_workbook

    # given a workbook written by openpyxl (shared strings, styles, a formula, a date)
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["姓名", "日期", "数", "是否", "公式"])
    for i in range(50):
        ws.append(
            [f"人{i} <&>", dt.date(2024, 1, 1) + dt.timedelta(days=i), i * 1.5, i % 2 == 0, f"=C{i + 2}*2"]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    # when read here and by openpyxl
    got = _read(buffer.getvalue())
    reference = list(
        load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["表"].iter_rows(values_only=True)
    )
    # then the values agree cell for cell, and the formula column is reported
    assert [tuple(values) for _n, values, _f in got] == reference
    assert got[1][2] == {4} and got[1][1][1].date() == dt.date(2024, 1, 1)


# ---------------------------------------------------------------------------------------------
# The fast path (python-calamine) gives what the streaming reader gives, or declines
# ---------------------------------------------------------------------------------------------


def _trimmed(rows: Any) -> list[tuple[int, list[Any], set[int]]]:
    out = []
    for number, values, formulas in rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        out.append((number, values, formulas))
    while out and not out[-1][1]:
        out.pop()
    return out


def _both(data: bytes, title: str = "表") -> tuple[list[Any], list[Any] | None]:
    _name, slow = xlsx_read.read_rows(data, title)
    fast = xlsx_read.read_values(data, title)
    return _trimmed(slow), None if fast is None else _trimmed(fast)


def test_the_fast_reader_agrees_with_the_streaming_reader_on_what_users_upload() -> None:
    """Text, numbers (whole ones as int), booleans, dates in the formats an office in China uses, blank cells,
    blank rows, a sheet not first in the book, data starting below and right of A1, rich text, our own
    inline-string exports."""
    wb = Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("表")
    ws["B3"] = "姓名"
    ws["C3"] = "日期"
    ws["D3"] = "数"
    formats = [
        "yyyy-mm-dd",
        "yyyy/m/d",
        'yyyy"年"m"月"d"日"',
        "[$-804]yyyy年m月d日",
        "m/d/yy",
        "yyyy-mm-dd hh:mm",
        "General",
        "0.00",
        "@",
    ]
    for i, number_format in enumerate(formats, start=4):
        ws.cell(row=i, column=2, value=f"张{i} <&> ")
        ws.cell(
            row=i,
            column=3,
            value=dt.datetime(2024, 5, 10, 8, 30) if "hh" in number_format else dt.date(2024, 5, 10),  # noqa: DTZ001 (Excel has no time zone)
        )
        ws.cell(row=i, column=3).number_format = number_format
        ws.cell(row=i, column=4, value=[123, 1.5, 0.1 + 0.2, 13900000000, 1e20, -7, 0, True, False][i - 4])
        ws.cell(row=i, column=5, value="00123")
    ws.cell(row=20, column=2, value="隔行")
    ws.cell(row=21, column=6, value="")
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    ws.cell(row=22, column=2, value=CellRichText([TextBlock(InlineFont(b=True), "富"), "文本"]))
    buffer = io.BytesIO()
    wb.save(buffer)
    slow, fast = _both(buffer.getvalue())
    assert fast is not None
    assert fast == slow
    assert slow[3][1][1:4] == ["张4 <&> ", dt.datetime(2024, 5, 10), 123]  # noqa: DTZ001
    # and a file written by the platform's own exporter (inline strings)
    from anjian.core.xlsx_stream import SheetWriter

    out = io.BytesIO()
    writer = SheetWriter(out, title="表", widths=[10, 10, 10])
    writer.header(["证件号码", "日期", "人数"])
    writer.row(["15292119900307001X", dt.date(2023, 5, 10), 12])
    writer.row(["=HYPERLINK(1)", None, 3.25])
    writer.close()
    slow, fast = _both(out.getvalue())
    assert fast is not None and fast == slow


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A2"><f>1+1</f><v>2</v></c>',
        '<c r="A2" t="e"><v>#N/A</v></c>',
        '<c r="A2" t="inlineStr"><is><r><t>漢</t></r><rPh sb="0" eb="1"><t>かん</t></rPh></is></c>',
    ],
    ids=["formula", "error", "phonetic"],
)
def test_the_fast_reader_declines_what_it_cannot_report(cell: str) -> None:
    """A formula's cached value, an error cell (calamine reads both as plain or blank values) and phonetic runs
    are left to the streaming reader, which reports the formula and the error by name."""
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is><t>列</t></is></c></row><row r="2">{cell}</row>'
    assert xlsx_read.read_values(_package(_sheet(rows)), "表") is None


def test_the_fast_reader_declines_a_sheet_too_big_to_hold(monkeypatch: Any) -> None:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>列</t></is></c></row>'
    data = _package(_sheet(rows))
    assert xlsx_read.read_values(data, "表") is not None
    monkeypatch.setattr(xlsx_read, "FAST_MAX_XML_BYTES", 10)
    assert xlsx_read.read_values(data, "表") is None
