"""A streaming reader of one .xlsx sheet for the imports: rows of plain values, formula cells marked.

openpyxl's read-only mode builds a cell object (and a style lookup) per value and measured about 10,000
rows/s of 9 columns; an import of 10,000 rows spent a third of its time there. This reader parses the sheet
XML with ``xml.etree.ElementTree.iterparse`` (expat: no external entities, no DTD expansion) and gives what
the import needs, with openpyxl's conventions so the two agree cell for cell:

* shared and inline strings as ``str``, numbers as ``int`` when written without a point or exponent and
  ``float`` otherwise, booleans as ``bool``, error cells as their text (``#N/A``);
* a number in a date format (built-in or custom, by ``openpyxl.styles.numbers.is_date_format``) as a
  ``datetime`` (1900 or 1904 date system);
* a cell with a formula (``<f>``) is reported in the row's formula set (the import refuses it by name);
* rows are numbered as in Excel, starting at 1, with missing rows yielded empty.

The caller bounds the upload first (``core.excel.check_xlsx_upload``) and stops reading when it has enough rows.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

__all__ = ["Row", "read_rows"]

Row = tuple[int, list[Any], set[int]]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _C, _V, _F, _IS, _T, _SI, _RPH = (
    f"{_MAIN}row",
    f"{_MAIN}c",
    f"{_MAIN}v",
    f"{_MAIN}f",
    f"{_MAIN}is",
    f"{_MAIN}t",
    f"{_MAIN}si",
    f"{_MAIN}rPh",
)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target path) of ``part``."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path not in archive.namelist():
        return {}
    out: dict[str, tuple[str, str]] = {}
    for _event, el in iterparse(io.BytesIO(archive.read(path))):
        if el.tag == f"{_PKG_REL}Relationship":
            target = el.get("Target", "")
            full = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], full)
    return out


def _text(el: Any) -> str:
    """The text of a string item (``<si>`` or ``<is>``): plain or rich runs, phonetic runs left out."""
    direct = el.find(_T)
    if direct is not None:
        return direct.text or ""
    parts = []
    for run in el:
        if run.tag == _RPH:
            continue
        t = run.find(_T)
        if t is not None and t.text:
            parts.append(t.text)
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    if not path or path not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open(path) as stream:
        for _event, el in iterparse(stream):
            if el.tag == _SI:
                strings.append(_text(el))
                el.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, path: str | None) -> set[int]:
    """Indexes of the cell styles whose number format is a date or time."""
    if not path or path not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = False
    for event, el in iterparse(io.BytesIO(archive.read(path)), events=("start", "end")):
        if el.tag == f"{_MAIN}cellXfs":
            in_xfs = event == "start"
        elif event == "end" and el.tag == f"{_MAIN}numFmt":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif event == "start" and in_xfs and el.tag == f"{_MAIN}xf":
            formats.append(int(el.get("numFmtId", "0")))
    dates = set()
    for index, fmt in enumerate(formats):
        code = custom.get(fmt, BUILTIN_FORMATS.get(fmt, ""))
        if code and is_date_format(code):
            dates.add(index)
    return dates


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def read_rows(data: bytes, title: str) -> tuple[str, Iterator[Row]]:
    """The sheet named ``title`` (else the first) of the .xlsx ``data``: its name and an iterator of
    ``(row number, values, formula column indexes)``, row 1 first."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in archive.namelist():
        for _event, el in iterparse(io.BytesIO(archive.read("_rels/.rels"))):
            if el.tag == f"{_PKG_REL}Relationship" and el.get("Type", "").endswith("/officeDocument"):
                workbook = el.get("Target", workbook).lstrip("/")
    rels = _rels(archive, workbook)
    sheets: list[tuple[str, str]] = []
    date1904 = False
    for _event, el in iterparse(io.BytesIO(archive.read(workbook))):
        if el.tag == f"{_MAIN}sheet":
            target = rels.get(el.get(f"{_REL}id", ""), ("", ""))[1]
            sheets.append((el.get("name", ""), target))
        elif el.tag == f"{_MAIN}workbookPr":
            date1904 = el.get("date1904") in {"1", "true"}
    if not sheets:
        raise ValueError("no sheet")
    name, path = next((s for s in sheets if s[0] == title), sheets[0])
    by_kind = dict(rels.values())
    strings = _shared_strings(archive, by_kind.get("sharedStrings"))
    dates = _date_styles(archive, by_kind.get("styles"))
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    return name, _rows(archive, path, strings, dates, epoch)


def _rows(
    archive: zipfile.ZipFile, path: str, strings: list[str], dates: set[int], epoch: dt.datetime
) -> Iterator[Row]:
    expected = 1
    columns: dict[str, int] = {}
    with archive.open(path) as stream:
        for _event, row in iterparse(stream):
            if row.tag != _ROW:
                continue
            number = int(row.get("r") or expected)
            while expected < number:
                yield expected, [], set()
                expected += 1
            values, formulas = _row_values(row, columns, strings, dates, epoch)
            row.clear()
            yield number, values, formulas
            expected = number + 1


def _row_values(
    row: Any, columns: dict[str, int], strings: list[str], dates: set[int], epoch: dt.datetime
) -> tuple[list[Any], set[int]]:
    """The values and formula columns of a ``<row>`` element."""
    values: list[Any] = []
    formulas: set[int] = set()
    col = 0
    for c in row:
        if c.tag != _C:
            continue
        ref = c.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            if letters not in columns:
                columns[letters] = column_index_from_string(letters) - 1
            col = columns[letters]
        if len(values) <= col:
            values.extend([None] * (col + 1 - len(values)))
        kind = c.get("t", "n")
        formula = v = None
        for child in c:
            if child.tag == _V:
                v = child
            elif child.tag == _F:
                formula = child
        if formula is not None:
            formulas.add(col)
        text = v.text if v is not None else None
        value: Any = None
        if kind == "s":
            value = strings[int(text)] if text is not None else None
        elif kind == "inlineStr":
            inline = c.find(_IS)
            value = _text(inline) if inline is not None else None
        elif kind in {"str", "e"}:
            value = text
        elif kind == "b":
            value = None if text is None else text.strip() in {"1", "true"}
        elif kind == "d":
            value = dt.datetime.fromisoformat(text.rstrip("Z")) if text else None
        elif text is not None:
            value = _number(text)
            style = c.get("s")
            if style is not None and int(style) in dates:
                value = from_excel(value, epoch)
        if formula is not None and kind != "str" and formula.text:
            value = f"={formula.text}"  # as openpyxl gives a formula cell
        values[col] = value
        col += 1
    return values, formulas
