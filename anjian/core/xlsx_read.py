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

:func:`read_values` is the fast path for the common file (values only): python-calamine (Rust) reads the sheet
about six times faster (0.09 s against 0.5 s for 10,000 rows of 9 columns, a fifth of an enterprise import). It
is used only where it gives what :func:`read_rows` gives: a sheet XML under :data:`FAST_MAX_XML_BYTES` (calamine
holds the whole sheet in memory) without formula cells, error cells or phonetic runs (calamine reports a
formula's cached value and an error as blank); its values are brought to this module's conventions (a whole
number as ``int``, a date as ``datetime``, an empty cell as ``None``).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

__all__ = ["FAST_MAX_XML_BYTES", "Row", "read_rows", "read_values"]

#: The largest sheet XML :func:`read_values` reads (calamine holds the whole sheet; 10,000 rows of 30 columns is
#: about 6 MB). A bigger sheet is streamed by :func:`read_rows`.
FAST_MAX_XML_BYTES = 32 * 1024 * 1024

_ERROR_CELL = re.compile(rb"t=[\"']e[\"']")
_TAG_END = frozenset(b" \t\r\n/>")
_EXACT_INT = 2**53


def _declines(xml: bytes) -> bool:
    """Whether the sheet XML has what calamine cannot report as :func:`read_rows` does: a formula (``<f>``, with
    any namespace prefix), an error cell (``t="e"``) or a phonetic run (``<rPh>``, whose text read_rows leaves
    out). Plain searches (a regular expression over every ``<`` took 0.1 s for 10,000 rows); a false alarm only
    sends the file to the streaming reader."""
    if _ERROR_CELL.search(xml):
        return True
    for needle in (b"<f", b":f", b"<rPh", b":rPh"):
        at = xml.find(needle)
        while at != -1:
            end = at + len(needle)
            if end < len(xml) and xml[end] in _TAG_END:
                return True
            at = xml.find(needle, end)
    return False


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
    name, path, by_kind, date1904 = _sheet_part(archive, title)
    strings = _shared_strings(archive, by_kind.get("sharedStrings"))
    dates = _date_styles(archive, by_kind.get("styles"))
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    return name, _rows(archive, path, strings, dates, epoch)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> tuple[str, str, dict[str, str], bool]:
    """The name and part path of the sheet named ``title`` (else the first), the workbook's other parts by kind
    (``sharedStrings``, ``styles``) and whether it counts dates from 1904."""
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
            sheets.append((el.get("name", ""), rels.get(el.get(f"{_REL}id", ""), ("", ""))[1]))
        elif el.tag == f"{_MAIN}workbookPr":
            date1904 = el.get("date1904") in {"1", "true"}
    if not sheets:
        raise ValueError("no sheet")
    name, path = next((s for s in sheets if s[0] == title), sheets[0])
    return name, path, dict(rels.values()), date1904


def read_values(data: bytes, title: str) -> Iterator[Row] | None:
    """The rows of :func:`read_rows` read by python-calamine, or ``None`` when that reader would not give the
    same (a formula, an error cell, a phonetic run, a sheet over :data:`FAST_MAX_XML_BYTES`, or a file calamine
    cannot read): the caller then uses :func:`read_rows`."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; the streaming reader still works without it
        return None
    archive = zipfile.ZipFile(io.BytesIO(data))
    name, path, _parts, _date1904 = _sheet_part(archive, title)
    info = archive.getinfo(path)
    if info.file_size > FAST_MAX_XML_BYTES or _declines(archive.read(path)):
        return None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        return None
    return _calamine_rows(grid)


def _calamine_rows(grid: list[list[Any]]) -> Iterator[Row]:
    none: set[int] = set()
    for number, cells in enumerate(grid, start=1):
        values: list[Any] = []
        for value in cells:
            kind = value.__class__
            if kind is str:
                values.append(value if value else None)
            elif kind is float:
                # Excel keeps every number as a double: a whole one is written without a point, which
                # read_rows (and openpyxl) read as int.
                values.append(
                    int(value) if value.is_integer() and -_EXACT_INT < value < _EXACT_INT else value
                )
            elif kind is dt.date:
                values.append(dt.datetime.combine(value, dt.time()))  # as openpyxl gives a date
            else:  # bool, int, datetime, time, timedelta
                values.append(value)
        while values and values[-1] is None:
            values.pop()
        yield number, values, none


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
