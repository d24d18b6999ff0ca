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

The sheet XML is read by a scanner first (:func:`_scan_rows`): regular expressions over the bytes split the rows
and read the cells of the shape spreadsheet writers use (``<c>`` with ``<f>``, ``<v>`` and a one-run
``<is><t>``, no entity or carriage return in the row) about twice as fast as ``iterparse``; any other row is
parsed on its own by ElementTree inside the worksheet's own start tag (its namespaces), so each row gets the
same values either way. Anything the scanner does not expect between rows (a comment, another namespace,
another encoding) hands the rest of the sheet to ``iterparse`` (the rows already given are skipped). The
scanner expands no entity and reads no DTD. It is more lenient than expat with XML that is broken outside the
values (an attribute prefix that is not declared, a repeated attribute, anything after ``</sheetData>``, which
it does not read): such a file is read instead of refused.

The caller bounds the upload first (``core.excel.check_xlsx_upload``) and stops reading when it has enough rows.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring, iterparse

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
    return name, _any_rows(archive, path, strings, dates, epoch)


def _any_rows(
    archive: zipfile.ZipFile, path: str, strings: list[str], dates: set[int], epoch: dt.datetime
) -> Iterator[Row]:
    """The rows by the scanner; from where it stops, by ``iterparse`` (the rows given are not given again)."""
    given = 0
    try:
        for row in _scan_rows(archive, path, strings, dates, epoch):
            yield row
            given += 1
        return
    except _Unsupported:
        pass
    for index, row in enumerate(_rows(archive, path, strings, dates, epoch)):
        if index >= given:
            yield row


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


# ---------------------------------------------------------------------------------------------
# The scanner
# ---------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """What the scanner does not read: the rest of the sheet is read by ``iterparse``."""


_SP = rb"[ \t\r\n]"
# Any other attribute: not r/t/s (read below), not a namespace declaration, no entity, tab or line break.
_OTHER = rb"""(?!(?:r|t|s)=|xmlns)[A-Za-z_][\w.:-]*=(?:"[^"<&\t\r\n]*"|'[^'<&\t\r\n]*')"""
_CELL = (
    rb"(<c((?:"
    + _SP
    + rb'+(?:r="([A-Z]{1,3})[0-9]*"|t="([A-Za-z]+)"|s="([0-9]+)"|'
    + _OTHER
    + rb"))*)"
    + _SP
    + rb"*(?:/>|>"
    + rb"(?:(<f)(?:>([^<]*)</f>|/>|(?:"
    + _SP
    + rb'+(?:t|ref|si|ca|aca|bx|dt|dtr|del1|del2|r1|r2)="[^"<&]*")+/>))?'
    + rb"(?:(<v>)([^<]*)</v>)?"
    + rb'(?:(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>)?'
    + rb"</c>))"
)
_CELL_RE = re.compile(_CELL)
# A row's start tag; its end is the next "</row>" (rows do not nest; one inside a comment or CDATA section
# leaves a content the cell pattern does not cover, so that row goes to ElementTree).
_ROW_RE = re.compile(
    _SP
    + rb"*<row((?:"
    + _SP
    + rb'+(?:r="([0-9]+)"|'
    + _OTHER.replace(b"(?:r|t|s)=", b"r=")
    + rb"))*)"
    + _SP
    + rb"*(/?)>"
)
_END_RE = re.compile(_SP + rb"*</sheetData>")
_ROOT_RE = re.compile(_SP + rb"*(<worksheet\b[^>]*>)")
_DEFAULT_NS_RE = re.compile(
    rb"""\bxmlns""" + _SP + rb"*=" + _SP + rb"""*["']""" + re.escape(_MAIN[1:-1].encode()) + rb"""["']"""
)
_DECLARATION_RE = re.compile(rb"<\?xml[^>]*\?>")
_ENCODING_RE = re.compile(rb"""encoding""" + _SP + rb"*=" + _SP + rb"""*["']([^"']*)""")
# Characters XML 1.0 forbids (expat refuses the file): C0 controls but tab and line breaks, U+FFFE, U+FFFF.
_FORBIDDEN_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _forbidden(data: bytes) -> bool:
    return (
        len(data.translate(None, _FORBIDDEN_BYTES)) != len(data)
        or b"\xef\xbf\xbe" in data
        or b"\xef\xbf\xbf" in data
    )


_READ_BYTES = 1 << 20


def _scan_rows(
    archive: zipfile.ZipFile, path: str, strings: list[str], dates: set[int], epoch: dt.datetime
) -> Iterator[Row]:
    """The rows of the sheet as :func:`_rows` gives them; raises :class:`_Unsupported` (before giving a row it
    cannot vouch for) where the sheet is not in the shapes it reads."""
    with archive.open(path) as stream:
        buf = b""
        eof = False

        def more() -> None:
            nonlocal buf, eof
            data = stream.read(_READ_BYTES)
            if not data:
                eof = True
                return
            # Two bytes of what came before: a forbidden character may straddle two reads.
            if _forbidden(buf[-2:] + data):
                raise _Unsupported
            buf += data

        # Up to <sheetData>: UTF-8, no DTD, comment or instruction, the worksheet in the main namespace.
        while True:
            start = buf.find(b"<sheetData")
            if start >= 0 and buf.find(b">", start) >= 0:
                break
            if eof:
                raise _Unsupported
            more()
        head = buf[:start]
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        declaration = _DECLARATION_RE.match(head)
        if declaration is not None:
            encoding = _ENCODING_RE.search(declaration.group(0))
            if encoding is not None and encoding.group(1).lower() not in {b"utf-8", b"utf8"}:
                raise _Unsupported
            head = head[declaration.end() :]
        root = _ROOT_RE.match(head)
        if b"<!" in head or b"<?" in head or root is None or not _DEFAULT_NS_RE.search(root.group(1)):
            raise _Unsupported
        opening, closing = root.group(1), b"</worksheet>"
        tag = re.compile(rb"<sheetData" + _SP + rb"*(/?)>").match(buf, start)
        if tag is None:
            raise _Unsupported
        if tag.group(1):
            return  # <sheetData/>
        pos = tag.end()
        expected = 1
        letters_at: dict[bytes, int] = {}
        columns: dict[str, int] = {}
        while True:
            match = _ROW_RE.match(buf, pos)
            end = -1
            if match is not None and not match.group(3):
                end = buf.find(b"</row>", match.end())
            if match is None or (end < 0 and not match.group(3)):
                if match is None and _END_RE.match(buf, pos):
                    return
                rest = buf[pos:]
                if eof or (match is None and b"</row>" in rest):
                    raise _Unsupported  # something else between the rows
                buf, pos = rest, 0
                more()
                continue
            whole = buf[match.start() : end + 6] if end >= 0 else match.group(0)
            content = buf[match.end() : end] if end >= 0 else b""
            pos = end + 6 if end >= 0 else match.end()
            cells: list[tuple[bytes, ...]] | None = None
            if not content:
                cells = []
            elif b"&" not in content and b"\r" not in content and b"]]>" not in content:
                cells = _CELL_RE.findall(content)
                # The cells must cover the row: matches that do not overlap and add up to its length do.
                if sum(len(cell[0]) for cell in cells) != len(content):
                    cells = None
            if cells is None:
                # Another shape of row: ElementTree reads it inside the worksheet's start tag (its namespaces).
                try:
                    element = fromstring(opening + whole + closing)
                except ParseError as exc:
                    raise _Unsupported from exc
                if len(element) != 1 or element[0].tag != _ROW:
                    raise _Unsupported
                number = int(element[0].get("r") or expected)
                while expected < number:
                    yield expected, [], set()
                    expected += 1
                values, formulas = _row_values(element[0], columns, strings, dates, epoch)
                yield number, values, formulas
                expected = number + 1
                continue
            number = int(match.group(2) or expected)
            try:
                values, formulas = _scanned_values(cells, letters_at, strings, dates, epoch)
            except UnicodeDecodeError as exc:
                raise _Unsupported from exc  # not UTF-8: iterparse says what is wrong
            while expected < number:
                yield expected, [], set()
                expected += 1
            yield number, values, formulas
            expected = number + 1


def _scanned_values(
    cells: list[tuple[bytes, ...]],
    letters_at: dict[bytes, int],
    strings: list[str],
    dates: set[int],
    epoch: dt.datetime,
) -> tuple[list[Any], set[int]]:
    """:func:`_row_values` for the cells the scanner matched."""
    values: list[Any] = []
    formulas: set[int] = set()
    col = 0
    for _cell, _attrs, letters, kind, style, f_open, f_text, v_open, v_text, is_open, is_text in cells:
        if letters:
            if letters not in letters_at:
                letters_at[letters] = column_index_from_string(letters.decode()) - 1
            col = letters_at[letters]
        if len(values) <= col:
            values.extend([None] * (col + 1 - len(values)))
        if f_open:
            formulas.add(col)
        text = v_text.decode() if v_open and v_text else None
        value: Any = None
        if kind == b"s":
            value = strings[int(text)] if text is not None else None
        elif kind == b"inlineStr":
            value = is_text.decode() if is_open else None
        elif kind in {b"str", b"e"}:
            value = text
        elif kind == b"b":
            value = None if text is None else text.strip() in {"1", "true"}
        elif kind == b"d":
            value = dt.datetime.fromisoformat(text.rstrip("Z")) if text else None
        elif text is not None:
            value = _number(text)
            if style and int(style) in dates:
                value = from_excel(value, epoch)
        if f_open and kind != b"str" and f_text:
            value = f"={f_text.decode()}"  # as openpyxl gives a formula cell
        values[col] = value
        col += 1
    return values, formulas
