"""The rejected rows of an Excel import, as an Excel to fix and upload again (issue 7, "Import report").

Every import page shows its report through ``includes/import_report.html``, which calls
``{% import_rejects_link report %}`` (``core/templatetags/rejects.py``). The tag takes the uploaded file
of the request, copies the header and each rejected row of the imported sheet into a new workbook with a
last column "拒绝原因" (every reason of that row), keeps it for the user who uploaded it, and links to it.
So no import view has to do anything, and a new import page gets the download by including the report.

The file is kept under ``MEDIA_ROOT/import-rejects/`` (never served as public media) as
``<user id>-<random token>.xlsx`` and served only to that user by :class:`RejectsDownloadView`; files
older than :data:`KEEP` are removed whenever a new one is written. Cells are written through
``core.excel.safe_cell`` (no formula comes back to life), values as they were uploaded.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from anjian.core.excel import check_xlsx_upload, safe_cell

__all__ = ["KEEP", "RejectsDownloadView", "rejects_workbook", "store_rejects"]

#: How long a rejected-rows file stays downloadable.
KEEP = dt.timedelta(hours=24)
#: Sheets of the platform's templates that are not data (the filling instructions).
_NOT_DATA = {"填写说明", "说明"}
REASON_HEADER = "拒绝原因"


def _data_sheet(wb: Any, title: str | None) -> Any:
    if title and title[:31] in wb.sheetnames:
        return wb[title[:31]]
    for ws in wb.worksheets:
        if ws.title not in _NOT_DATA:
            return ws
    return wb.worksheets[0]


def rejects_workbook(upload: bytes, errors: Any, *, sheet_title: str | None = None) -> bytes | None:
    """The rejected rows of ``upload`` with their reasons, or ``None`` when no data row was rejected.

    ``errors`` are ``RowError``-like objects (``row``, ``column``, ``reason``); row 0 (a file-level error)
    has no row to give back.
    """
    reasons: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        if e.row and e.row > 1:
            reasons[int(e.row)].append(f"{e.column}：{e.reason}" if e.column else str(e.reason))
    if not reasons:
        return None
    source = _data_sheet(load_workbook(io.BytesIO(upload), read_only=True, data_only=False), sheet_title)
    workbook = Workbook()
    ws = workbook.active
    ws.title = (source.title or "被拒绝的行")[:31]
    width = 0
    written = 1
    for row_no, row in enumerate(source.iter_rows(values_only=True), start=1):
        values = list(row)
        if row_no == 1:
            width = len(values)
            for col, value in enumerate(values, start=1):
                safe_cell(ws, 1, col, value)
            head = safe_cell(ws, 1, width + 1, REASON_HEADER)
            head.font = Font(bold=True, color="B42318")
            continue
        if row_no not in reasons:
            continue
        written += 1
        for col, value in enumerate(values[:width] if width else values, start=1):
            safe_cell(ws, written, col, value)
        cell = safe_cell(ws, written, width + 1, "；".join(reasons[row_no]))
        cell.fill = PatternFill("solid", fgColor="FEE4E2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[ws.cell(row=1, column=width + 1).column_letter].width = 60
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "import-rejects"


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP.total_seconds()
    for old in folder.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # removed by another process meanwhile
            continue


def store_rejects(user: Any, data: bytes) -> str:
    """Keep ``data`` for ``user``; return the token that :class:`RejectsDownloadView` serves it by."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{int(user.pk)}-{token}.xlsx").write_bytes(data)
    return token


def rejects_for_request(request: HttpRequest, report: Any, *, sheet_title: str | None = None) -> str | None:
    """The token of the rejected rows of the file uploaded with ``request`` (``None`` if there are none)."""
    user = getattr(request, "user", None)
    if report is None or not getattr(report, "errors", None) or user is None or not user.is_authenticated:
        return None
    uploads: list[Any] = list(request.FILES.values()) if hasattr(request, "FILES") else []
    if len(uploads) != 1:
        return None
    upload: Any = uploads[0]
    try:
        upload.seek(0)
        data = check_xlsx_upload(upload.read())
        book = rejects_workbook(data, report.errors, sheet_title=sheet_title)
    except Exception:  # not a readable workbook (its refusal is already in the report): nothing to give back
        return None
    return store_rejects(user, book) if book is not None else None


class RejectsDownloadView(LoginRequiredMixin, View):
    """Serve a rejected-rows file to the user who uploaded the import, and to nobody else."""

    def get(self, request: HttpRequest, token: str) -> FileResponse:
        if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
            raise Http404
        path = _folder() / f"{request.user.pk}-{token}.xlsx"
        if not path.is_file():
            raise Http404(_("文件不存在或已过期，请重新导入"))
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename="被拒绝的行.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
