"""Every Excel import page offers the rejected rows, with their reasons, as an Excel to fix and upload again
(issue 7, "Import report").

The import pages are found in the URL resolver (every route named ``…import`` outside the API); a
``<register>`` route is expanded with the registers its view module declares. For each, the page's own
template workbook gets one extra row whose first cell is a formula (always refused, by name), the file is
uploaded, and the page must link to a workbook that holds that row and its reason.
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from openpyxl import load_workbook

from tests.world import World

#: Import routes that do not take Excel (their reports have no rows to give back), with the reason.
NOT_EXCEL = {
    "plans:plan_import": "the plan is a text document, parsed and previewed before it is saved",
    "plans:plan_import_confirm": "the second step of the plan import",
    "geo:import": "GeoJSON layers",
    "fire:import": "GeoJSON layers",
    "core:import_rejects": "the download of the rejected rows itself",
}


def _import_routes() -> list[tuple[str, str]]:
    """(URL name, path pattern) of every import page outside the admin and the API."""
    found: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns != "admin" and not str(p.pattern).startswith("api/"):
                    walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name and "import" in p.name:
                found.append((f"{namespace}:{p.name}", prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def _registers(name: str, pattern: str) -> list[str]:
    """The paths of one import route (one per register for a ``<register>`` route)."""
    if "<" not in pattern:
        return [reverse(name)]
    module = sys.modules[resolve(reverse(name, args=["x"])).func.view_class.__module__]  # type: ignore[attr-defined]
    for holder in (module, getattr(module, "excel", None)):
        for attr in ("REGISTERS", "EXCEL"):
            registers = getattr(holder, attr, None)
            if isinstance(registers, dict):
                return [reverse(name, args=[key]) for key in registers]
    raise AssertionError(f"{name}: cannot tell its registers")


def _form_defaults(html: str) -> dict[str, str]:
    """The other fields of the upload form, as the page offers them (a select's selected or first option)."""
    values = {}
    for name, body in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        options = re.findall(r'<option value="([^"]*)"([^>]*)>', body)
        chosen = [v for v, attrs in options if "selected" in attrs] or [v for v, _a in options if v]
        if chosen:
            values[name] = chosen[0]
    return values


def _template_for(client: Any, path: str) -> bytes:
    """The import template the page links to (its "下载…模板" button)."""
    html = client.get(path).content.decode()
    links = re.findall(r'href="([^"]+)"[^>]*>\s*下载[^<]*(?:模板|位置表)', html)
    assert links, f"{path}: no template link on the page"
    href = links[0].replace("&amp;", "&")
    target = href if href.startswith("/") else f"{path}{href}"
    response = client.get(target)
    assert response.status_code == 200, f"{path}: template {target} answers {response.status_code}"
    return b"".join(response.streaming_content) if response.streaming else response.content


def _with_a_formula_row(book: bytes) -> tuple[bytes, int]:
    wb = load_workbook(io.BytesIO(book))
    ws = next(ws for ws in wb.worksheets if ws.title not in {"填写说明", "说明"})
    row = ws.max_row + 1
    ws.cell(row=row, column=1, value="=1+1")
    ws.cell(row=row, column=2, value="被拒绝的标记行")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), row


@pytest.mark.django_db
def test_every_excel_import_page_offers_the_rejected_rows(world: World, client_for: Any) -> None:
    routes = [(n, p) for n, p in _import_routes() if n not in NOT_EXCEL]
    assert len(routes) >= 6, routes
    client = client_for(world.admin)
    checked = []
    for name, pattern in routes:
        for path in _registers(name, pattern):
            book, _row = _with_a_formula_row(_template_for(client, path))
            upload = io.BytesIO(book)
            upload.name = "导入.xlsx"
            fields = _form_defaults(client.get(path).content.decode())
            response = client.post(path, {**fields, "file": upload})
            html = response.content.decode()
            links = re.findall(r'href="(/core/import-rejects/[^"]+)"', html)
            assert links, f"{path}: the report offers no download of the rejected rows"
            download = client.get(links[0])
            assert download.status_code == 200
            rejected = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
            rows = list(rejected.iter_rows(values_only=True))
            assert rows[0][-1] == "拒绝原因", f"{path}: {rows[0]}"
            marked = [r for r in rows[1:] if "被拒绝的标记行" in r]
            assert marked and "公式" in str(marked[0][-1]), f"{path}: {rows}"
            # the formula comes back as text, never as a live formula
            assert rejected.cell(row=2, column=1).data_type == "s"
            checked.append(path)
    assert len(checked) >= 9


@pytest.mark.django_db
def test_rejected_rows_are_served_only_to_the_uploader(world: World, client: Any, tmp_path: Any) -> None:
    from anjian.core.rejects import store_rejects

    token = store_rejects(world.committee, b"PK fake")
    client.force_login(world.a.ent_user)
    assert client.get(reverse("core:import_rejects", args=[token])).status_code == 404
    client.force_login(world.committee)
    assert client.get(reverse("core:import_rejects", args=[token])).status_code == 200
    assert client.get(reverse("core:import_rejects", args=["..%2F..%2Fetc"])).status_code == 404


@pytest.mark.django_db
def test_every_excel_import_page_asks_for_a_reason(world: World, client_for: Any) -> None:
    client = client_for(world.admin)
    routes = [(n, p) for n, p in _import_routes() if n not in NOT_EXCEL]
    missing = [
        path
        for name, pattern in routes
        for path in _registers(name, pattern)
        if 'name="audit_reason"' not in client.get(path).content.decode()
    ]
    assert not missing, missing


@pytest.mark.django_db
def test_the_reason_of_a_page_form_goes_onto_every_audit_row_of_the_request(world: World) -> None:
    from django.test import RequestFactory

    from anjian.core.audit import record
    from anjian.core.middleware import RequestContextMiddleware
    from anjian.core.models import AuditEntry

    def view(request: Any) -> Any:
        from django.http import HttpResponse

        record(1, world.a.enterprise, acting_user=world.committee)
        record(1, world.a.person, acting_user=world.committee, reason="自己的原因")
        return HttpResponse("ok")

    request = RequestFactory().post(
        "/people/excel/persons/import/", {"audit_reason": "依据区应急局通知批量更新"}
    )
    RequestContextMiddleware(view)(request)
    reasons = list(AuditEntry.objects.order_by("-pk").values_list("reason", flat=True)[:2])
    assert reasons == ["自己的原因", "依据区应急局通知批量更新"]
    # outside the request, nothing leaks into the next audit row
    assert record(1, world.a.enterprise, acting_user=world.committee).reason == ""
