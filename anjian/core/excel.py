"""Excel in and out for every register: export, a downloadable template, and a validating import.

A register declares its sheet once, as data::

    ENTERPRISE_SHEET = Sheet(
        title="企业名录",
        model=Enterprise,
        key=("uscc",),
        columns=(
            Column("统一社会信用代码", "uscc", required=True, help="18位，按 GB 32100-2015 校验"),
            Column("企业名称", "name", required=True),
            Column("状态", "status", choices=EnterpriseStatus.choices),
            Column("成立日期", "founded_on", kind="date"),
            Column("所在镇", "town", parse=town_by_name, value=lambda e: e.town.name if e.town else ""),
        ),
    )

    data = export(queryset, ENTERPRISE_SHEET)          # bytes of an .xlsx
    data = template(ENTERPRISE_SHEET)                  # headers, a 填写说明 sheet, dropdowns for choices
    report = import_rows(upload, ENTERPRISE_SHEET, acting_user=request.user)

Import rules (the same for every register):

1. The whole file is read and every row validated first: each cell is parsed by its column (a Chinese
   reason on failure), then the would-be object is checked with ``Model.full_clean()`` (so the form,
   the API and Excel refuse the same things with the same messages), then ``can_change`` (scope). A
   row that names a stored object is first checked with ``can_change`` on the object as stored, so a
   row can neither take over another unit's object by its key nor learn its values from a message.
2. All valid rows are then saved in one transaction, each in a savepoint so a row that fails at save
   time (e.g. a unique clash between two rows of the file) is reported and the others are kept.
3. A row whose values equal what is stored is *unchanged*: it is not saved and not audited, so
   importing the same file twice changes nothing the second time.
4. Each created or updated row writes exactly one audit row (``AuditEvent.IMPORTED`` unless the
   register's ``save_row`` writes its own event).
5. Rejected rows come back in ``ImportReport.errors`` as ``(row, column, reason)``; ``row`` is the
   Excel row number (the header is row 1, so the first data row is row 2).

Columns absent from the uploaded sheet leave their fields untouched; an empty cell in a present,
optional column clears the field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, BinaryIO, TypedDict
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from anjian.core.audit import snapshot
from anjian.core.batch import full_clean as batch_full_clean
from anjian.core.choices import AuditEvent
from anjian.core.errors import AnjianError
from anjian.core.textguard import control_character_message, find_control_character, strip_control_characters

__all__ = [
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ImportReport",
    "ImportRow",
    "Lookup",
    "RowError",
    "Sheet",
    "StoredScope",
    "UploadRefused",
    "bulk_savers",
    "check_xlsx_upload",
    "default_save_row",
    "export",
    "export_response",
    "export_to",
    "file_response",
    "import_rows",
    "lookup_parser",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_json",
    "parse_text",
    "row_messages",
    "safe_append",
    "safe_cell",
    "template",
    "xlsx_response",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A register import larger than this is refused as a whole (keeps one request bounded).
MAX_ROWS = 10000
HELP_SHEET = "填写说明"
_CHOICES_SHEET = "_选项"
_REQUIRED_MARK = "*"
_TRUE = {"是", "y", "yes", "true", "1", "√", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无"}


class CellError(ValueError):
    """A cell that cannot be parsed; the message is the Chinese reason shown in the import report."""


# ---------------------------------------------------------------------------------------------
# Parsers: cell value -> Python value (raise CellError with a Chinese reason)
# ---------------------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any) -> str:
    """Text; a number typed into a text cell is written without a trailing ``.0``."""
    if value.__class__ is str:  # most cells: the checks below for other types need not run
        text: str = value.strip()
        if find_control_character(text) is not None:
            raise CellError(control_character_message())
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if find_control_character(text) is not None:
        raise CellError(control_character_message())
    return text


def parse_int(value: Any) -> int:
    """A whole number."""
    if isinstance(value, bool):
        raise CellError(_("应为整数"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = parse_text(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(_("“%(value)s”不是整数") % {"value": text})


def parse_decimal(value: Any) -> Decimal:
    """A decimal number (floats go through ``str`` so 105.12 stays 105.12)."""
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise CellError(_("“%(value)s”不是数字") % {"value": parse_text(value)}) from exc
    if not result.is_finite():
        raise CellError(_("“%(value)s”不是数字") % {"value": parse_text(value)})
    return result


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(value: Any) -> dt.date:
    """A date: an Excel date cell, or text such as 2024-03-01, 2024/3/1 or 2024年3月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value)
    match = _DATE_RE.fullmatch(text)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise CellError(_("“%(value)s”不是有效日期，应写作 2024-03-01") % {"value": text})


def parse_bool(value: Any) -> bool:
    """是/否 (also accepts 1/0, Y/N, true/false)."""
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s”应填“是”或“否”") % {"value": parse_text(value)})


def parse_json(value: Any) -> Any:
    """A JSON document (e.g. a GeoJSON geometry)."""
    text = parse_text(value)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CellError(_("不是有效的 JSON：%(error)s") % {"error": exc}) from exc


class Lookup:
    """A parser that finds one object of ``queryset`` whose ``fields`` (tried in order) equal the cell.

    A field is a name or ``(name, normalise)`` (e.g. ``("uscc", str.upper)``). The import calls
    :meth:`prefetch` with every cell of the column first, which reads the candidates in one query per field
    (and per 500 distinct values) plus one for the objects; afterwards each cell is answered from memory.
    Used on its own (no prefetch) it asks the database per distinct value, as before.

    ``first=True`` takes the first match of a field instead of refusing an ambiguous cell. ``missing`` and
    ``ambiguous`` replace the messages (``%(value)s`` and ``%(label)s`` are filled in).
    """

    def __init__(
        self,
        queryset: models.QuerySet[Any],
        *fields: str | tuple[str, Callable[[str], Any]],
        label: str = "",
        first: bool = False,
        missing: str | None = None,
        ambiguous: str | None = None,
    ) -> None:
        self.queryset = queryset
        self.fields = [(f, None) if isinstance(f, str) else f for f in fields]
        self.label = label
        self.first = first
        self.missing = missing
        self.ambiguous = ambiguous
        self._matches: list[dict[Any, list[Any]]] | None = None
        self._objects: dict[Any, Any] = {}
        self._cache: dict[str, Any] = {}

    def _key(self, index: int, text: str) -> Any:
        normalise = self.fields[index][1]
        return normalise(text) if normalise is not None else text

    def prefetch(self, raw_values: Iterable[Any]) -> None:
        """Read every object the cells ``raw_values`` may name (a few queries whatever their number)."""
        texts: set[str] = set()
        for raw in raw_values:
            try:
                texts.add(parse_text(raw))
            except CellError:
                continue
        matches: list[dict[Any, list[Any]]] = []
        pks: set[Any] = set()
        for index, (name, _normalise) in enumerate(self.fields):
            keys = sorted({self._key(index, t) for t in texts}, key=str)
            found: dict[Any, list[Any]] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = self.queryset.filter(**{f"{name}__in": chunk}).values_list(name, "pk")
                for value, pk in rows.order_by("pk"):
                    bucket = found.setdefault(value, [])
                    if pk not in bucket:
                        bucket.append(pk)
                    pks.add(pk)
            matches.append(found)
        objects: dict[Any, Any] = {}
        ordered = sorted(pks)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for obj in self.queryset.filter(pk__in=chunk).order_by():
                objects[obj.pk] = obj
        self._matches, self._objects, self._cache = matches, objects, {}

    def _query(self, index: int, key: Any) -> list[Any]:
        name = self.fields[index][0]
        found = list(self.queryset.filter(**{name: key})[: 1 if self.first else 2])
        for obj in found:
            self._objects[obj.pk] = obj
        return [o.pk for o in found]

    def __call__(self, value: Any) -> Any:
        text = parse_text(value)
        if self._matches is None:
            # Not prefetched (used outside an import): ask the database, remember nothing.
            found = self._find(text)
            if isinstance(found, CellError):
                raise found
            return found
        if text in self._cache:
            result = self._cache[text]
        else:
            result = self._find(text)
            self._cache[text] = result
        if isinstance(result, CellError):
            raise result
        return result

    def _find(self, text: str) -> Any:
        names = {"value": text, "label": self.label}
        for index in range(len(self.fields)):
            key = self._key(index, text)
            pks = self._matches[index].get(key, []) if self._matches is not None else self._query(index, key)
            if len(pks) == 1 or (pks and self.first):
                return self._objects[pks[0]]
            if len(pks) > 1:
                return CellError((self.ambiguous or _("“%(value)s”对应多个%(label)s，请填写编码")) % names)
        return CellError((self.missing or _("找不到%(label)s“%(value)s”")) % names)


def lookup_parser(
    queryset: models.QuerySet[Any],
    *fields: str | tuple[str, Callable[[str], Any]],
    label: str = "",
    **options: Any,
) -> Lookup:
    """Return a :class:`Lookup`: a parser that finds one object of ``queryset`` by ``fields`` (in order).

    Pass an already scoped queryset (``restrict(...)``) so a row cannot reach outside the user's scope.
    """
    return Lookup(queryset, *fields, label=label, **options)


_KIND_PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "decimal": parse_decimal,
    "date": parse_date,
    "bool": parse_bool,
    "json": parse_json,
}


# ---------------------------------------------------------------------------------------------
# Sheet specification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Column:
    """One column: Chinese ``header``, the model ``field`` it fills, and how to read and write it.

    ``kind`` picks a default parser (text, int, decimal, date, bool, json); ``parse`` replaces it
    (e.g. a ``lookup_parser`` for a foreign key). ``choices`` are ``(value, label)`` pairs: cells
    carry the label (the value is accepted too) and the template offers a dropdown. ``value`` gets
    the exported cell from an object (default: the field, its choice label, ``str()`` of a related
    object, 是/否 for booleans). ``required`` refuses an empty cell; an empty optional cell stores
    ``empty`` when given, else ``None`` for nullable fields and ``""`` for text.
    """

    header: str
    field: str
    required: bool = False
    help: str = ""
    kind: str = "text"
    choices: Sequence[tuple[Any, Any]] | None = None
    parse: Callable[[Any], Any] | None = None
    value: Callable[[Any], Any] | None = None
    width: int = 16
    empty: Any = None
    read_only: bool = False

    def parse_cell(self, raw: Any) -> Any:
        """Return the Python value for ``raw`` (raise ``CellError`` with a Chinese reason)."""
        if self.choices is not None:
            text = parse_text(raw)
            for value, label in self.choices:
                if text in {str(label), str(value)}:
                    return value
            labels = "、".join(str(label) for _v, label in self.choices)
            raise CellError(_("“%(value)s”不在可选值中（%(labels)s）") % {"value": text, "labels": labels})
        parser = self.parse or _KIND_PARSERS.get(self.kind, parse_text)
        return parser(raw)

    def cell_parser(self) -> Callable[[Any], Any]:
        """:meth:`parse_cell` for many cells: the choice labels translated once, not once per cell."""
        if self.choices is None:
            return self.parse or _KIND_PARSERS.get(self.kind, parse_text)
        known: dict[str, Any] = {}
        for value, label in reversed(list(self.choices)):
            known[str(value)] = value
            known[str(label)] = value
        labels = "、".join(str(label) for _v, label in self.choices)

        def parse(raw: Any) -> Any:
            text = parse_text(raw)
            if text in known:
                return known[text]
            raise CellError(_("“%(value)s”不在可选值中（%(labels)s）") % {"value": text, "labels": labels})

        return parse

    def export_value(self, obj: Any) -> Any:
        """Return the cell value written for ``obj``."""
        if self.value is not None:
            return self.value(obj)
        value = getattr(obj, self.field, None)
        if self.choices is not None:
            labels = {v: str(label) for v, label in self.choices}
            return labels.get(value, "" if value is None else str(value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if isinstance(value, Decimal):
            return value.normalize() if value == value.to_integral() else value
        return value


@dataclass(frozen=True)
class Sheet:
    """A register's sheet: its ``title``, ``model``, natural ``key`` fields and ``columns``."""

    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    help_text: str = ""

    @property
    def input_columns(self) -> tuple[Column, ...]:
        """The columns an import reads (all but the read-only ones)."""
        return tuple(c for c in self.columns if not c.read_only)

    def column_for_field(self, name: str) -> Column | None:
        """The column that fills model field ``name`` (or ``None``)."""
        for column in self.columns:
            if column.field == name:
                return column
        return None


# ---------------------------------------------------------------------------------------------
# Export and template
# ---------------------------------------------------------------------------------------------

_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_REQUIRED_FILL = PatternFill("solid", fgColor="C00000")


def _write_header(ws: Any, columns: Sequence[Column], *, mark_required: bool) -> None:
    for idx, column in enumerate(columns, start=1):
        header = column.header + (_REQUIRED_MARK if mark_required and column.required else "")
        cell = ws.cell(row=1, column=idx, value=header)
        cell.font = _HEAD_FONT
        cell.fill = _REQUIRED_FILL if column.required else _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(idx)].width = max(column.width, len(column.header) * 2 + 2)
    ws.freeze_panes = "A2"


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    if value is None:
        return None
    if isinstance(value, str):
        # Stored text must never break an export: characters openpyxl refuses are dropped.
        return strip_control_characters(value)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return strip_control_characters(str(value))


#: A text cell starting with one of these (after optional tab/CR/LF/space) would be read by Excel as a formula
#: (OWASP "CSV Injection"): it is written as a text cell with Excel's quote prefix, never as a formula.
_FORMULA_START = re.compile(r"^[\t\r\n ]*[=+\-@]")


def safe_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` into ``ws`` at (``row``, ``column``) so that it can never become a live formula.

    Every cell an export writes goes through here (``export``, ``template``'s example, and module exports
    that build their own sheets): text that looks like a formula is stored as a string cell with the
    quote prefix, so neither opening nor editing the cell evaluates it. Returns the cell.
    """
    cleaned = _cell_value(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(cleaned, str) and _FORMULA_START.match(cleaned):
        cell.value = cleaned
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = cleaned
    return cell


def safe_append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)`` through :func:`safe_cell` (the next empty row)."""
    row = ws._current_row + 1
    for idx, value in enumerate(values, start=1):
        safe_cell(ws, row, idx, value)


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


#: Field classes whose stored value is written to the cell as it is (no label, no conversion).
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DateField,
)


def _exporter(column: Column, model: type[models.Model] | None = None) -> Callable[[Any], Any]:
    """A fast cell getter for ``column``: choice labels resolved once per export, not once per cell, and a
    plain attribute read for a plain field of ``model``."""
    if column.value is not None:
        return column.value
    name = column.field
    if column.choices is not None:
        labels = {v: str(label) for v, label in column.choices}

        def label(obj: Any) -> Any:
            value = getattr(obj, name, None)
            return labels.get(value, "" if value is None else str(value))

        return label
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if isinstance(field, models.BooleanField):
        return lambda obj: None if (v := getattr(obj, name, None)) is None else ("是" if v else "否")
    if (
        isinstance(field, _AS_IS)
        and not isinstance(field, models.DateTimeField)
        and not field.is_relation
        and not field.choices
    ):
        return operator.attrgetter(name)
    return column.export_value


def _plain(value: Any) -> Any:
    # The streaming writer takes str, int, float, Decimal, bool, date and naive datetime; the rest is text.
    if value.__class__ is dt.datetime and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


#: Rows fetched per database round trip by an export (``QuerySet.iterator(chunk_size=...)``).
EXPORT_CHUNK = 2000


def export_to(
    fileobj: IO[bytes],
    rows: Iterable[Any],
    spec: Sheet,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> int:
    """Stream an .xlsx of ``rows`` (already scoped by the caller) into ``fileobj``; return the row count.

    Memory stays constant: a queryset is read with ``iterator(chunk_size=EXPORT_CHUNK)`` and each row is
    deflated into the file as it is written (``core.xlsx_stream``). ``progress(n)`` is called every
    ``every`` rows.
    """
    from anjian.core.xlsx_stream import STYLE_GENERAL, STYLE_TEXT, SheetWriter

    columns = spec.columns
    writer = SheetWriter(
        fileobj,
        title=spec.title,
        widths=[max(c.width, len(c.header) * 2 + 2) for c in columns],
        styles=[STYLE_TEXT if c.kind == "text" and c.choices is None else STYLE_GENERAL for c in columns],
    )
    writer.header([c.header for c in columns], [c.required for c in columns])
    getters = [_exporter(c, spec.model) for c in columns]
    if isinstance(rows, models.QuerySet):
        rows = rows.iterator(chunk_size=EXPORT_CHUNK)
    count = 0
    write = writer.row
    for obj in rows:
        write([_plain(get(obj)) for get in getters])
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    writer.close()
    if progress is not None:
        progress(count)
    return count


def export(rows: Iterable[Any], spec: Sheet) -> bytes:
    """Return an .xlsx with a header row and one row per object of ``rows`` (already scoped by the caller).

    Prefer :func:`export_response` (a file on disk, not bytes in memory) for a download.
    """
    buffer = io.BytesIO()
    export_to(buffer, rows, spec)
    return buffer.getvalue()


#: An export file smaller than this is answered from memory; a larger one is streamed from its spool file.
SPOOL_IN_MEMORY_BYTES = 2 * 1024 * 1024


def export_response(rows: Iterable[Any], spec: Sheet, filename: str) -> HttpResponse | FileResponse:
    """``rows`` as an .xlsx download named ``filename``, written to a temporary file as it is built.

    A small file (under ``SPOOL_IN_MEMORY_BYTES``) is answered as one response; a larger one is streamed
    from the file, so no export holds its workbook in memory.
    """
    import tempfile

    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    export_to(spool, rows, spec)
    size = spool.tell()
    spool.seek(0)
    if size < SPOOL_IN_MEMORY_BYTES:
        with spool:
            return xlsx_response(spool.read(), filename)
    return file_response(spool, filename)


def template(spec: Sheet, *, example: dict[str, Any] | None = None) -> bytes:
    """Return an empty .xlsx for ``spec``: headers (required ones marked *), dropdowns, a 填写说明 sheet.

    ``example`` (header or field → value) adds one sample row on the help sheet, never in the data.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    columns = spec.input_columns
    _write_header(ws, columns, mark_required=True)
    last_row = 1000
    options = None
    option_cols = 0
    for idx, column in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        if column.kind == "text" and column.choices is None:
            # Text format keeps long numeric codes (e.g. 18-digit codes) from turning into numbers. It is set on the
            # column, not on empty cells, so the sheet has no blank rows that push appended data down.
            ws.column_dimensions[letter].number_format = "@"
        if column.choices:
            if options is None:
                options = wb.create_sheet(_CHOICES_SHEET)
                options.sheet_state = "hidden"
            option_cols += 1
            opt_col = get_column_letter(option_cols)
            labels = [str(label) for _v, label in column.choices]
            for r, label in enumerate(labels, start=1):
                options[f"{opt_col}{r}"] = label
            dv = DataValidation(
                type="list",
                formula1=f"'{_CHOICES_SHEET}'!${opt_col}$1:${opt_col}${len(labels)}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=_("无效的值"),
                error=_("请从下拉列表中选择"),
            )
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
        elif column.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
    help_ws = wb.create_sheet(HELP_SHEET, 1)
    help_ws.append([_("列名"), _("必填"), _("说明"), _("可选值")])
    for cell in help_ws[1]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    for column in columns:
        kind_hint = {
            "date": _("日期，如 2024-03-01"),
            "int": _("整数"),
            "decimal": _("数字"),
            "bool": _("填“是”或“否”"),
            "json": "JSON",
        }.get(column.kind, "")
        help_text = "；".join(t for t in (column.help, kind_hint) if t)
        choices = "、".join(str(label) for _v, label in column.choices) if column.choices else ""
        help_ws.append([column.header, _("是") if column.required else _("否"), help_text, choices])
    help_ws.append([])
    notes = [
        _("第一行为表头，请勿修改；数据从第二行开始填写。标 * 的列必须填写。"),
        _("导入时先校验整个文件，再在一个事务中保存全部有效行；无效行会逐行报告（行号、列名、原因）。"),
        _("与系统中已有数据完全相同的行不会被修改，重复导入同一文件不会产生变化。"),
    ]
    if spec.help_text:
        notes.insert(0, spec.help_text)
    for note in notes:
        help_ws.append([note])
    if example:
        help_ws.append([])
        help_ws.append([_("示例")])
        help_ws.append([c.header for c in columns])
        safe_append(help_ws, [example.get(c.header, example.get(c.field, "")) for c in columns])
    for letter, width in zip("ABCD", (22, 8, 60, 60), strict=True):
        help_ws.column_dimensions[letter].width = width
    return _to_bytes(wb)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """Return ``data`` as a download named ``filename`` (Chinese names encoded per RFC 6266)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def file_response(fileobj: BinaryIO, filename: str) -> FileResponse:
    """Return the open .xlsx ``fileobj`` as a streamed download named ``filename`` (RFC 6266 name)."""
    response = FileResponse(fileobj, content_type=XLSX_CONTENT_TYPE)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One rejected cell or row: Excel ``row`` number, ``column`` header ("" for the whole row), ``reason``."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The error as the API returns it."""
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    """What an import did: counts of created/updated/unchanged rows and the rejected rows' errors."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def rejected(self) -> int:
        """Number of distinct rejected rows (a file-level error counts as row 0)."""
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.errors

    def add_error(self, row: int, column: str, reason: str) -> None:
        """Record one error."""
        self.errors.append(RowError(row, column, str(reason)))

    def as_dict(self) -> dict[str, Any]:
        """The report as the API returns it."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total_rows": self.total_rows,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: (e.row, e.column))],
        }

    def summary(self) -> str:
        """A one-line Chinese summary for a page message."""
        return _(
            "共 %(total)d 行：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，拒绝 %(rejected)d"
        ) % {
            "total": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class ImportRow:
    """A validated row about to be saved: the object, whether it is new, its state before, parsed values."""

    row: int
    obj: Any
    created: bool
    before: dict[str, Any] | None
    values: dict[str, Any]
    acting_user: Any = None
    before_values: dict[str, Any] | None = None


class StoredScope:
    """Which stored objects an import's rows name the user may change, read for the whole file at once.

    ``allowed`` is what the user may change (e.g. ``restrict(Model.objects.all(), user, "change")``); an object
    is identified in it by its ``attname`` (``pk``; ``person_id`` for a certificate, whose scope is its holder's).
    Give :meth:`load` to ``import_rows(preload=...)`` and call the scope per row: a value :meth:`load` read is
    answered from memory, any other (a row that re-points a certificate to another person) by one query.
    """

    def __init__(self, allowed: models.QuerySet[Any], attname: str = "pk") -> None:
        self.allowed = allowed
        self.attname = attname
        self._asked: set[Any] = set()
        self._ids: set[Any] = set()

    def load(self, objs: Sequence[Any]) -> None:
        wanted = sorted({getattr(obj, self.attname) for obj in objs} - {None} - self._asked, key=str)
        for start in range(0, len(wanted), IMPORT_CHUNK):
            chunk = wanted[start : start + IMPORT_CHUNK]
            self._ids.update(self.allowed.filter(pk__in=chunk).values_list("pk", flat=True).order_by())
        self._asked.update(wanted)

    def __call__(self, obj: Any) -> bool:
        value = getattr(obj, self.attname)
        if value in self._asked:
            return value in self._ids
        return bool(self.allowed.filter(pk=value).exists())


def _header_map(header_cells: Sequence[Any], spec: Sheet) -> tuple[dict[int, Column], list[str]]:
    """Map sheet column index → Column; return unknown headers too."""
    by_header = {c.header: c for c in spec.input_columns}
    read_only = {c.header for c in spec.columns if c.read_only}
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    for idx, raw in enumerate(header_cells):
        text = parse_text(raw).rstrip(_REQUIRED_MARK).strip()
        if not text:
            continue
        column = by_header.get(text)
        if column is None:
            if text not in read_only:
                unknown.append(text)
        elif column not in mapping.values():
            mapping[idx] = column
    return mapping, unknown


def _field_value(obj: models.Model, name: str) -> Any:
    try:
        f = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(obj, name, None)
    return getattr(obj, getattr(f, "attname", name)) if f.concrete else getattr(obj, name)


def _message_for(field_name: str, spec: Sheet) -> str:
    if field_name in {"__all__", ValidationError.__name__}:
        return ""
    column = spec.column_for_field(field_name)
    if column is not None:
        return column.header
    try:
        return str(getattr(spec.model._meta.get_field(field_name), "verbose_name", field_name))
    except FieldDoesNotExist:
        return field_name


def _validation_errors(exc: ValidationError, spec: Sheet) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(_message_for(name, spec), msg) for name, msgs in exc.message_dict.items() for msg in msgs]
    return [("", msg) for msg in exc.messages]


def default_save_row(row: ImportRow, *, event: AuditEvent | int = AuditEvent.IMPORTED) -> None:
    """Save the row through its model's app actions (``core.actions``: the app's writer, else the generic
    audited create/update), audited as ``event`` (``IMPORTED``) with its before/after state."""
    from anjian.core.actions import create_object, update_object

    message = _("Excel 导入第 %(row)d 行") % {"row": row.row}
    # The row was validated (full_clean) just before, in ``_prepare_row``.
    if row.created:
        create_object(row.obj, acting_user=row.acting_user, event=event, message=message, validated=True)
    else:
        update_object(
            row.obj,
            None,
            acting_user=row.acting_user,
            event=event,
            message=message,
            before=row.before,
            validated=True,
        )


#: Limits checked before an upload is parsed (an .xlsx is a zip: a 3 MB file can unpack to gigabytes).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000


class UploadRefused(AnjianError):
    """An upload refused before parsing (too big, a zip bomb, not an .xlsx)."""

    default_code = "upload_refused"


def _limit(name: str, default: int) -> int:
    from django.conf import settings

    return int(getattr(settings, name, default))


def check_xlsx_upload(file: bytes | BinaryIO) -> bytes:
    """Read ``file`` and return its bytes if it is a bounded .xlsx; raise :class:`UploadRefused` otherwise.

    The upload's size, the unpacked size of its parts and each part's compression ratio are checked from
    the zip directory before anything is decompressed (OWASP file-upload guidance, "zip bombs").
    """
    import zipfile

    max_bytes = _limit("ANJIAN_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
    size = len(file) if isinstance(file, bytes) else getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRefused(
            _("文件过大（%(size).1f MB），导入文件不能超过 %(max)d MB")
            % {"size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    data = file if isinstance(file, bytes) else file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(_("文件过大，导入文件不能超过 %(max)d MB") % {"max": max_bytes // 1024 // 1024})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRefused(_("文件无法读取，请上传 .xlsx 格式的 Excel 文件")) from exc
    if len(members) > MAX_MEMBERS:
        raise UploadRefused(_("文件结构异常（部件过多），请用 Excel 另存为 .xlsx 后再上传"))
    unpacked = sum(m.file_size for m in members)
    max_unpacked = _limit("ANJIAN_IMPORT_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES)
    if unpacked > max_unpacked:
        raise UploadRefused(
            _("文件解压后过大（%(size)d MB，上限 %(max)d MB），请分批导入")
            % {"size": unpacked // 1024 // 1024, "max": max_unpacked // 1024 // 1024}
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UploadRefused(_("文件压缩比异常，疑似恶意构造的文件，已拒绝"))
    return data


def _open_sheet(file: bytes | BinaryIO, spec: Sheet) -> Any:
    data = check_xlsx_upload(file)
    # Formulas are kept (not their cached values) so a formula cell can be refused by name.
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    return wb[spec.title[:31]] if spec.title[:31] in wb.sheetnames else wb.worksheets[0]


def _sheet_rows(
    file: bytes | BinaryIO, spec: Sheet, max_rows: int
) -> tuple[Any, list[tuple[int, list[Any], set[int]]], bool]:
    """The header and up to ``max_rows`` non-blank rows of the bounded upload ``file`` (see :func:`_read_rows`),
    read by python-calamine where it gives the same values (``core.xlsx_read.read_values``), else by the streaming
    reader (``core.xlsx_read.read_rows``), or by openpyxl when that reader cannot read the file."""
    from anjian.core.xlsx_read import read_rows, read_values

    data = check_xlsx_upload(file)
    try:
        fast = read_values(data, spec.title[:31])
        if fast is not None:
            return _collect(fast, max_rows)
        _name, rows = read_rows(data, spec.title[:31])
        return _collect(rows, max_rows)
    except Exception:  # an unusual file: openpyxl reads more of the format (and reports what it cannot)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        ws = wb[spec.title[:31]] if spec.title[:31] in wb.sheetnames else wb.worksheets[0]
        return _read_rows(ws, max_rows)


def _collect(
    rows: Iterable[tuple[int, list[Any], set[int]]], max_rows: int
) -> tuple[Any, list[tuple[int, list[Any], set[int]]], bool]:
    """:func:`_read_rows` for rows that are already values: the header, the non-blank rows, too many or not."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return None, [], False
    header = first[1]
    out: list[tuple[int, list[Any], set[int]]] = []
    for row_no, values, formulas in iterator:
        if all(_is_blank(v) for v in values):
            continue
        out.append((row_no, values, formulas))
        if len(out) > max_rows:
            return header, out, True
    return header, out, False


def _read_rows(ws: Any, max_rows: int) -> tuple[Any, list[tuple[int, list[Any], set[int]]], bool]:
    """The header, then up to ``max_rows`` non-blank rows as (Excel row number, values, formula cells).

    Rows are read (not validated) first, so an oversized file is refused before any row is checked.
    The third value is True when the file has more than ``max_rows`` data rows.
    """
    rows_iter = ws.iter_rows()
    first = next(rows_iter, None)
    if first is None:
        return None, [], False
    header = [getattr(c, "value", None) for c in first]
    rows: list[tuple[int, list[Any], set[int]]] = []
    for row_no, cells in enumerate(rows_iter, start=2):
        values = [getattr(c, "value", None) for c in cells]
        if all(_is_blank(v) for v in values):
            continue
        formulas = {i for i, c in enumerate(cells) if getattr(c, "data_type", None) == "f"}
        rows.append((row_no, values, formulas))
        if len(rows) > max_rows:
            return header, rows, True
    return header, rows, False


#: Rows per bulk insert (and per audit bulk insert) of an import, and stored keys read per query. 2,000, not 500:
#: each chunk costs a few round trips and waits for the server to finish its COPY, and an enterprise chunk reads
#: the 三个必须 table and the unit names it would take — 10,000 enterprises imported ~12 % faster on PostgreSQL
#: (paired runs). A chunk the database refuses is saved row by row, so a bad row still costs one chunk that much.
IMPORT_CHUNK = 2000
_UNSET: Any = object()


def import_rows(
    file: bytes | BinaryIO,
    spec: Sheet,
    *,
    acting_user: Any,
    lookup: Callable[[dict[str, Any]], Any] | None = None,
    lookup_many: Callable[[list[dict[str, Any]]], list[Any]] | None = None,
    can_change: Callable[[Any, bool], str | None] | None = None,
    prepare: Callable[[Any, dict[str, Any], bool], None] | None = None,
    save_row: Callable[[ImportRow], None] | None = None,
    save_created: Callable[[list[ImportRow]], None] | None = None,
    save_updated: Callable[[list[ImportRow]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    preload: Callable[[list[Any]], None] | None = None,
) -> ImportReport:
    """Validate every row of ``file`` against ``spec``, then save all valid rows in one transaction.

    ``lookup(values)`` finds the stored object for a row (default: ``spec.key`` fields equal, on the
    model's unrestricted manager, read for all rows in a few queries); ``lookup_many(values_list)`` does
    the same for all rows at once and replaces ``lookup``. ``can_change(obj, created)`` returns a Chinese
    reason to refuse a row (use it for scope: an out-of-scope row is refused like any other bad row; for a
    stored object it is called twice, on the object as stored and again with the row's values);
    ``prepare(obj, values, created)`` may set server-side fields before validation; ``save_row(row)``
    saves one row and audits it (default: through the model's app actions, ``core.actions``, audited as
    ``IMPORTED``). New rows are inserted in bulk — ``save_created(rows)`` when given, else the app's
    ``bulk_create`` writer (``core.actions.bulk_create_objects``) — and changed stored rows are written in bulk
    the same way (``save_updated(rows)``, else ``core.actions.bulk_update_objects``); a chunk the database
    refuses is saved again row by row, so a bad row is still reported alone. A register that gives
    ``save_row`` but no ``save_created``/``save_updated`` is saved row by row. ``progress(done, total)`` is called as
    rows are checked and saved (``total`` is the row count; checking counts for the first half).
    ``preload(stored)`` is called once, before any row is checked, with the stored objects the file's rows name:
    read there what ``can_change`` and ``prepare`` need for all of them (e.g. :class:`StoredScope`), so that
    updating 10,000 rows does not cost a query per row. Returns an :class:`ImportReport`.

    Validation is set-based: lookup columns (:class:`Lookup`), stored objects and unique values are read
    for the whole file in a few queries (``core.batch``), so the number of queries does not grow with the
    rows.
    """
    with _gc_paused():
        return _import_rows(
            file,
            spec,
            acting_user=acting_user,
            lookup=lookup,
            lookup_many=lookup_many,
            can_change=can_change,
            prepare=prepare,
            save_row=save_row,
            save_created=save_created,
            save_updated=save_updated,
            progress=progress,
            preload=preload,
        )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the import (restored after): an import holds tens of
    thousands of young objects that are all still alive, and the collector kept re-scanning them (a fifth of
    the CPU time of a 10,000-row file). Reference counting still frees everything else at once."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_rows(
    file: bytes | BinaryIO,
    spec: Sheet,
    *,
    acting_user: Any,
    lookup: Callable[[dict[str, Any]], Any] | None,
    lookup_many: Callable[[list[dict[str, Any]]], list[Any]] | None,
    can_change: Callable[[Any, bool], str | None] | None,
    prepare: Callable[[Any, dict[str, Any], bool], None] | None,
    save_row: Callable[[ImportRow], None] | None,
    save_created: Callable[[list[ImportRow]], None] | None,
    save_updated: Callable[[list[ImportRow]], None] | None,
    progress: Callable[[int, int], None] | None,
    preload: Callable[[list[Any]], None] | None,
) -> ImportReport:
    from anjian.core.batch import UniqueIndex, using_index

    report = ImportReport()
    try:
        header, data_rows, too_many = _sheet_rows(file, spec, MAX_ROWS)
    except UploadRefused as exc:
        report.add_error(0, "", exc.message)
        return report
    except Exception:  # any unreadable upload is one file-level error
        report.add_error(0, "", _("文件无法读取，请上传 .xlsx 格式的 Excel 文件"))
        return report
    if header is None:
        report.add_error(0, "", _("文件是空的"))
        return report
    if too_many:
        report.add_error(0, "", _("文件超过 %(max)d 行，请分批导入") % {"max": MAX_ROWS})
        return report
    mapping, _unknown = _header_map(header, spec)
    present = set(mapping.values())
    missing = [c.header for c in spec.input_columns if c.required and c not in present]
    missing += [
        c.header
        for c in spec.input_columns
        if c.field in spec.key and c not in present and c.header not in missing
    ]
    if missing:
        report.add_error(1, "", _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
        return report
    if not data_rows:
        report.add_error(0, "", _("文件中没有数据行：表头下面的行都是空的"))
        return report
    total = len(data_rows)

    def tick(done: int) -> None:
        if progress is not None and (done % 200 == 0 or done == 2 * total):
            progress(done // 2, total)  # checking is the first half, saving the second

    # Lookup columns read every object the file names, once.
    for idx, column in mapping.items():
        prefetch = getattr(column.parse, "prefetch", None)
        if prefetch is not None:
            prefetch(
                cells[idx]
                for _no, cells, formulas in data_rows
                if idx < len(cells) and idx not in formulas and not _is_blank(cells[idx])
            )

    # Per column, once: its parser and the value of an empty cell.
    plan = [
        (idx, column, column.field, column.required, column.cell_parser(), _empty_value(spec.model, column))
        for idx, column in mapping.items()
    ]
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_keys: dict[tuple[Any, ...], int] = {}
    for row_no, cells, formulas in data_rows:
        report.total_rows += 1
        row_errors: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        width = len(cells)
        for idx, column, name, required, parse, empty in plan:
            raw = cells[idx] if idx < width else None
            if formulas and idx in formulas:
                row_errors.append((column.header, _("单元格是公式，请复制后“粘贴为数值”再导入")))
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):  # _is_blank
                if required:
                    row_errors.append((column.header, _("必填")))
                    continue
                values[name] = empty
                continue
            try:
                values[name] = parse(raw)
            except (CellError, ValidationError, AnjianError) as exc:
                msg = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                row_errors.append((column.header, msg))
        if row_errors:
            for col, reason in row_errors:
                report.add_error(row_no, col, reason)
            continue
        key = tuple(_norm_key(values.get(k)) for k in spec.key)
        if spec.key:
            if key in seen_keys:
                report.add_error(
                    row_no,
                    spec.column_for_field(spec.key[0]).header,  # type: ignore[union-attr]
                    _("与第 %(row)d 行重复") % {"row": seen_keys[key]},
                )
                continue
            seen_keys[key] = row_no
        parsed.append((row_no, values))

    # Stored objects of all rows, then the unique values the rows would take, each read once.
    if lookup_many is not None:
        stored = lookup_many([values for _no, values in parsed])
    elif lookup is not None:
        stored = [_UNSET] * len(parsed)
    else:
        stored = _stored_by_key(spec, [values for _no, values in parsed])
    index = UniqueIndex(spec.model)
    if lookup_many is None and lookup is None and spec.key in index.sets:
        # The stored rows by key answer the key's own unique set: no second read of the same values.
        keys = [tuple(_norm_key(values.get(k)) for k in spec.key) for _no, values in parsed]
        index.know(
            spec.key,
            keys,
            {key: obj.pk for key, obj in zip(keys, stored, strict=True) if obj is not None},
        )
    index.prefetch(
        _candidate(spec.model, index, values, obj) for (_no, values), obj in zip(parsed, stored, strict=True)
    )
    known = [obj for obj in stored if obj is not None and obj is not _UNSET]
    if known:
        index.prefetch_relations(known)
        if preload is not None:
            preload(known)

    valid: list[ImportRow] = []
    new = _instance_factory(spec.model)
    with using_index(index):
        for done, ((row_no, values), existing) in enumerate(zip(parsed, stored, strict=True), start=1):
            prepared = _prepare_row(
                row_no,
                values,
                spec,
                acting_user,
                lookup,
                can_change,
                prepare,
                existing=existing,
                index=index,
                new=new,
            )
            if isinstance(prepared, list):
                for col, reason in prepared:
                    report.add_error(row_no, col, reason)
            elif prepared is None:
                report.unchanged += 1
            else:
                valid.append(prepared)
            tick(done)
    valid = _refuse_clashes_in_file(valid, index, report)

    saver = save_row or default_save_row
    done = total

    def save_one(item: ImportRow) -> None:
        try:
            with transaction.atomic():
                saver(item)
        except ValidationError as exc:
            for col, reason in _validation_errors(exc, spec):
                report.add_error(item.row, col, reason)
            return
        except AnjianError as exc:
            report.add_error(item.row, _message_for(exc.field, spec) if exc.field else "", exc.message)
            return
        except IntegrityError:
            report.add_error(item.row, "", _("与已有数据或本文件其他行冲突（唯一性约束）"))
            return
        if item.created:
            report.created += 1
        else:
            report.updated += 1

    # Rows are saved in the file's order, in chunks of new rows and chunks of changed rows.
    pending: list[ImportRow] = []

    def flush() -> None:
        if not pending:
            return
        created = pending[0].created
        own = save_created if created else save_updated
        if save_row is not None and own is None:
            # A register that saves its own rows, one by one.
            for item in pending:
                save_one(item)
        elif _bulk_save(pending, acting_user, own, created=created):
            if created:
                report.created += len(pending)
            else:
                report.updated += len(pending)
        else:
            for item in pending:
                # A batch of new rows that failed half-way left ids on its objects.
                if created and item.obj.pk is not None:
                    item.obj.pk = None
                    item.obj._state.adding = True
                save_one(item)
        pending.clear()

    with transaction.atomic():
        for item in valid:
            if pending and pending[0].created != item.created:
                flush()
            pending.append(item)
            if len(pending) >= IMPORT_CHUNK:
                flush()
            done += 1
            tick(done)
        flush()
    if progress is not None:
        progress(total, total)
    return report


def _norm_key(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _bulk_save(
    rows: list[ImportRow], acting_user: Any, own: Callable[[list[ImportRow]], None] | None, *, created: bool
) -> bool:
    """Insert ``rows`` (validated, new) or write them (validated, changed) in one go — through ``own`` when the
    register gives it, else the app's bulk writer; False when it cannot or the database refuses the chunk
    (nothing of the chunk is kept then, and the caller saves its rows one by one)."""
    from anjian.core.actions import bulk_create_objects, bulk_update_objects

    message = row_messages(rows)
    try:
        with transaction.atomic():
            if own is not None:
                own(rows)
                return True
            if created:
                result = bulk_create_objects(
                    [r.obj for r in rows], acting_user=acting_user, event=AuditEvent.IMPORTED, message=message
                )
            else:
                result = bulk_update_objects(
                    [(r.obj, r.before or {}) for r in rows],
                    acting_user=acting_user,
                    event=AuditEvent.IMPORTED,
                    message=message,
                )
            return result is not None
    except (IntegrityError, ValidationError, AnjianError):
        return False


class BulkSavers(TypedDict):
    """The ``save_created``/``save_updated`` pair :func:`bulk_savers` returns."""

    save_created: Callable[[list[ImportRow]], None]
    save_updated: Callable[[list[ImportRow]], None]


def bulk_savers(
    acting_user: Any,
    event: AuditEvent | int,
    *,
    create: Callable[..., Any] | None = None,
    update: Callable[..., Any] | None = None,
) -> BulkSavers:
    """``save_created``/``save_updated`` for :func:`import_rows` that write through bulk writers audited as ``event``
    with the row's message: ``create(objs, …)`` and ``update([(obj, before)], …)``, by default
    ``core.actions.do_bulk_create``/``do_bulk_update`` (for a model whose single-row action adds nothing to a
    validated row but its save and audit row). Pass as ``import_rows(..., **bulk_savers(user, event))``."""
    from anjian.core.actions import do_bulk_create, do_bulk_update

    creator = create or do_bulk_create
    updater = update or do_bulk_update

    def save_created(rows: list[ImportRow]) -> None:
        creator([r.obj for r in rows], acting_user=acting_user, event=event, message=row_messages(rows))

    def save_updated(rows: list[ImportRow]) -> None:
        updater(
            [(r.obj, r.before or {}) for r in rows],
            acting_user=acting_user,
            event=event,
            message=row_messages(rows),
        )

    return BulkSavers(save_created=save_created, save_updated=save_updated)


def row_messages(rows: list[ImportRow]) -> Callable[[Any], str]:
    """``message(obj)`` for a bulk writer's audit rows: “Excel 导入第 N 行” of the row holding ``obj`` (the text
    translated once, not once per row)."""
    numbers = {id(r.obj): r.row for r in rows}
    template = _("Excel 导入第 %(row)d 行")

    def message(obj: Any) -> str:
        return template % {"row": numbers.get(id(obj), 0)}

    return message


def _stored_by_key(spec: Sheet, rows: list[dict[str, Any]]) -> list[Any]:
    """The stored object of each row by ``spec.key`` (``None`` for a new one), read in a few queries."""
    if not spec.key or not rows:
        return [None] * len(rows)
    model = spec.model
    attnames = [str(getattr(model._meta.get_field(k), "attname", k)) for k in spec.key]
    found: dict[tuple[Any, ...], Any] = {}
    firsts = sorted({_norm_key(r[spec.key[0]]) for r in rows if spec.key[0] in r}, key=str)
    for start in range(0, len(firsts), IMPORT_CHUNK):
        chunk = firsts[start : start + IMPORT_CHUNK]
        for obj in model._default_manager.filter(**{f"{attnames[0]}__in": chunk}).order_by("pk"):
            found.setdefault(tuple(getattr(obj, a) for a in attnames), obj)
    return [found.get(tuple(_norm_key(r.get(k)) for k in spec.key)) for r in rows]


def _candidate(model: type[models.Model], index: Any, values: dict[str, Any], stored: Any) -> dict[str, Any]:
    """The values a row would give the model's unique fields (for ``UniqueIndex.prefetch``)."""
    names = {f for fields in index.sets for f in fields}
    out: dict[str, Any] = {}
    for name in names:
        if name in values:
            out[name] = values[name]
        elif stored is not None and stored is not _UNSET:
            out[name] = getattr(stored, getattr(model._meta.get_field(name), "attname", name))
        else:
            out[name] = model._meta.get_field(name).get_default()  # type: ignore[union-attr]
    return out


def _refuse_clashes_in_file(valid: list[ImportRow], index: Any, report: ImportReport) -> list[ImportRow]:
    """Refuse a row whose unique values an earlier row of the file takes (the database would refuse it)."""
    kept: list[ImportRow] = []
    taken: dict[tuple[Any, ...], int] = {}
    for item in valid:
        keys = []
        for fields in index.sets:
            values = index.values_of(item.obj, fields)
            if any(v is None for v in values):
                continue
            keys.append((fields, values))
        if any(key in taken for key in keys):
            report.add_error(item.row, "", _("与已有数据或本文件其他行冲突（唯一性约束）"))
            _restore(item.obj, item.before_values)
            continue
        for key in keys:
            taken[key] = item.row
        kept.append(item)
    return kept


def _empty_value(model: type[models.Model], column: Column) -> Any:
    if column.empty is not None:
        return column.empty
    if column.kind == "bool":
        return False
    try:
        f = model._meta.get_field(column.field)
    except FieldDoesNotExist:
        return None
    if getattr(f, "null", False):
        return None
    if isinstance(f, models.JSONField):
        return None
    if isinstance(f, models.CharField | models.TextField):
        return ""
    return None


def _instance_factory(model: type[models.Model]) -> Callable[[], models.Model]:
    """``model()`` for many rows: a copy of one new instance's state, with callable and database defaults
    evaluated per row as ``Model.__init__`` does (a 34-field model spent a tenth of its import in ``__init__``).
    ``model`` itself when something listens to ``pre_init``/``post_init``."""
    from django.db.models import signals
    from django.db.models.base import ModelState

    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model
    prototype = model()
    state = {k: v for k, v in prototype.__dict__.items() if k != "_state"}
    fields: list[Any] = list(model._meta.concrete_fields)
    fresh = [
        (f.attname, f.get_default)
        for f in fields
        if (f.has_default() and callable(f.default)) or f.has_db_default()
    ]

    def new() -> models.Model:
        obj = model.__new__(model)
        values = obj.__dict__
        values.update(state)
        for attname, default in fresh:
            values[attname] = default()
        obj._state = ModelState()
        return obj

    return new


def _prepare_row(
    row_no: int,
    values: dict[str, Any],
    spec: Sheet,
    acting_user: Any,
    lookup: Callable[[dict[str, Any]], Any] | None,
    can_change: Callable[[Any, bool], str | None] | None,
    prepare: Callable[[Any, dict[str, Any], bool], None] | None,
    *,
    existing: Any = _UNSET,
    index: Any = None,
    new: Callable[[], models.Model] | None = None,
) -> ImportRow | list[tuple[str, str]] | None:
    """Build and validate the object for one row: an ImportRow, a list of errors, or None when unchanged.

    ``existing`` is the stored object when the caller read it already (``None``: a new row).
    """
    if existing is not _UNSET:
        pass
    elif lookup is not None:
        existing = lookup(values)
    elif spec.key:
        existing = spec.model._default_manager.filter(**{k: values[k] for k in spec.key}).first()
    else:
        existing = None
    created = existing is None
    obj = (new or spec.model)() if created else existing
    assert obj is not None
    if not created and can_change is not None:
        # The stored row must be the user's before the file's values touch it: otherwise a row could
        # take over another unit's object by its key (and re-point it to one of the user's own rows),
        # or ``prepare``/``full_clean`` could describe the stored values in their error messages.
        reason = can_change(obj, False)
        if reason:
            return [("", reason)]
    names = list(values)
    before_values = None if created else {n: _field_value(obj, n) for n in names}
    before = None if created else snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    if prepare is not None:
        try:
            prepare(obj, values, created)
        except (ValidationError, AnjianError) as exc:
            _restore(obj, before_values)
            if isinstance(exc, ValidationError):
                return _validation_errors(exc, spec)
            return [(_message_for(exc.field, spec) if exc.field else "", exc.message)]
    if can_change is not None:
        reason = can_change(obj, created)
        if reason:
            _restore(obj, before_values)
            return [("", reason)]
    try:
        batch_full_clean(obj, index)
    except ValidationError as exc:
        _restore(obj, before_values)
        return _validation_errors(exc, spec)
    if not created and before_values is not None:
        after_values = {n: _field_value(obj, n) for n in names}
        if all(_same(before_values[n], after_values[n]) for n in names):
            return None
    return ImportRow(
        row=row_no,
        obj=obj,
        created=created,
        before=before,
        values=values,
        acting_user=acting_user,
        before_values=before_values,
    )


def _restore(obj: models.Model, before_values: dict[str, Any] | None) -> None:
    # The object came from the database: undo in-memory changes so nothing else sees a rejected row.
    if before_values is None:
        return
    for name, value in before_values.items():
        try:
            f = obj._meta.get_field(name)
        except FieldDoesNotExist:
            setattr(obj, name, value)
            continue
        setattr(obj, getattr(f, "attname", name) if f.concrete else name, value)


def _same(a: Any, b: Any) -> bool:
    if (
        isinstance(a, Decimal | int | float)
        and isinstance(b, Decimal | int | float)
        and not isinstance(a, bool)
    ):
        return Decimal(str(a)) == Decimal(str(b))
    if a in (None, "") and b in (None, ""):
        return True
    return bool(a == b)
