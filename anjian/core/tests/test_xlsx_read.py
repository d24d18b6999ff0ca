"""``core.xlsx_read``: the scanner gives, row for row, what ``iterparse`` gives, and hands over what it does not read."""

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


def _both(data: bytes, monkeypatch: Any) -> tuple[list[Any], list[Any]]:
    """The rows as read (scanner first) and as ``iterparse`` alone reads them."""
    _name, rows = xlsx_read.read_rows(data, "表")
    scanned = list(rows)
    with monkeypatch.context() as m:

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise xlsx_read._Unsupported
            yield  # pragma: no cover

        m.setattr(xlsx_read, "_scan_rows", refuse)
        _name, rows = xlsx_read.read_rows(data, "表")
        parsed = list(rows)
    return scanned, parsed


ROWS = {
    "inline strings, numbers, gaps": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">姓名 </t></is></c>'
        '<c r="C1" t="inlineStr"><is><t></t></is></c></row>'
        '<row r="3" spans="1:4"><c r="A3"><v>42</v></c><c r="B3"><v>1.5</v></c><c r="D3"><v>1E3</v></c></row>'
        '<row r="4"/><row><c><v>7</v></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "shared strings, booleans, errors, dates, formulas": (
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="b"><v>1</v></c><c r="C1" t="e"><v>#N/A</v></c>'
        '<c r="D1" s="1"><v>45000</v></c><c r="E1"><f>SUM(A2:A3)</f><v>3</v></c>'
        '<c r="F1" t="str"><f>A1&amp;"x"</f><v>ax</v></c><c r="G1" t="d"><v>2024-03-01T00:00:00Z</v></c>'
        '<c r="H1"><f t="shared" si="0"/><v>5</v></c><c r="I1" t="s"><v></v></c></row>'
    ),
    "entities and line breaks go to ElementTree row by row": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &#x4E2D;</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>one\r\ntwo\rthree</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>plain</t></is></c></row>'
    ),
    "rich text and other elements in a row": (
        '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>粗</t></r><r><t>体</t></r></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t><rPh sb="0" eb="1"><t>ふ</t></rPh></is></c>'
        "<extLst/></row>"
        '<row r="3" xmlns:q="urn:q" q:a="1"><c r="A3"><v>1</v></c></row>'
    ),
    "a comment between rows hands the rest to iterparse": (
        '<row r="1"><c r="A1"><v>1</v></c></row><!-- </row><row r="2"><c r="A2"><v>9</v></c></row> -->'
        '<row r="2"><c r="A2"><v>2</v></c></row>'
    ),
    "CDATA in a row": ('<row r="1"><c r="A1" t="str"><v><![CDATA[a</row>b]]></v></c></row><row r="2"/>'),
}


@pytest.mark.parametrize("rows", ROWS.values(), ids=ROWS.keys())
def test_the_scanner_reads_what_iterparse_reads(rows: str, monkeypatch: Any) -> None:
    # given a sheet in one of the shapes
    data = _package(_sheet(rows), shared=["甲", "乙 &amp; 丙"])
    # when read by the scanner (with ElementTree where it hands over) and by iterparse alone
    scanned, parsed = _both(data, monkeypatch)
    # then the rows are the same
    assert scanned == parsed
    assert scanned


def test_a_sheet_as_excel_writes_it_reads_the_same(monkeypatch: Any) -> None:
    root = (
        f'<worksheet {_NS} {_REL_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        '<dimension ref="A1:C2"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    )
    rows = (
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c>'
        '<c r="B1" s="1"><v>45000</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="2" spans="1:3" x14ac:dyDescent="0.25"><c r="A2"><v>-1.25</v></c></row>'
    )
    data = _package(_sheet(rows, root=root), shared=["甲", "乙"])
    scanned, parsed = _both(data, monkeypatch)
    assert scanned == parsed and scanned[0][1][0] == "甲"


def test_a_prefixed_or_foreign_worksheet_is_read_by_iterparse(monkeypatch: Any) -> None:
    root = '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sheet = (
        f'<?xml version="1.0"?>{root}<x:sheetData><x:row r="1"><x:c r="A1"><x:v>5</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    scanned, parsed = _both(_package(sheet), monkeypatch)
    assert scanned == parsed == [(1, [5], set())]


def test_a_forbidden_character_fails_as_it_did(monkeypatch: Any) -> None:
    data = _package(_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>'))
    _name, rows = xlsx_read.read_rows(data, "表")
    with pytest.raises(Exception):  # noqa: B017 - expat's error, as before the scanner
        list(rows)


def test_an_openpyxl_workbook_reads_the_same(monkeypatch: Any) -> None:
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
    # when read both ways
    scanned, parsed = _both(buffer.getvalue(), monkeypatch)
    # then they agree
    assert scanned == parsed and len(scanned) == 51
    assert scanned[1][1][1].date() == dt.date(2024, 1, 1) and scanned[1][2] == {4}


def test_plain_rows_are_read_by_the_scanner_alone(monkeypatch: Any) -> None:
    # given a sheet in the shapes the scanner reads (what core.xlsx_stream and Excel write)
    plain = (
        '<row r="6"><c r="A6" t="s"><v>1</v></c><c r="B6" t="b"><v>0</v></c><c r="C6" s="1"><v>45000</v></c>'
        '<c r="D6"><f>C6+1</f><v>45001</v></c><c r="E6" t="e"><v>#REF!</v></c></row>'
    )
    data = _package(_sheet(ROWS["inline strings, numbers, gaps"] + plain), shared=["甲", "乙"])

    def unused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("iterparse was used")

    # when read with iterparse and ElementTree out of reach
    monkeypatch.setattr(xlsx_read, "_rows", unused)
    monkeypatch.setattr(xlsx_read, "fromstring", unused)
    _name, rows = xlsx_read.read_rows(data, "表")
    # then every row is read
    assert [number for number, _values, _formulas in rows] == list(range(1, 7))
