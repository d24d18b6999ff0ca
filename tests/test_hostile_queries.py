"""Hostile query strings never crash a page or an API list (issues 7 and 15, "Bad query parameters").

Every GET page without path arguments (from the URL resolver) and every GET operation of the OpenAPI
schema without path parameters (lists, exports, templates, reports) is called with hostile values in
every parameter it reads: ids out of range (``99999999999999999999``), non-integers (``1.9``, ``abc``),
huge page numbers, impossible dates, unknown choices, over-long strings and a NUL character.

* The API answers 400 in the error shape, naming the parameter, whenever a documented typed parameter
  (integer, date, choice) gets a value of the wrong type; never a 5xx.
* A page either ignores the bad filter (200, django-filter's pages add a notice naming it) or answers
  the Chinese 400 page naming the parameter; never a 5xx.

The parameters of a page are found in its view module's source (``request.GET.get("x")``, the filters of
the filtersets it uses) plus the ones every page may read (``page``, ``year``, ``q``…); those of an API
operation come from the schema plus the view module's source. A new page or endpoint is covered as soon
as it is routed.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.world import World

HUGE = "99999999999999999999"
HOSTILE = {
    "huge": HUGE,
    "decimal": "1.9",
    "text": "abc",
    "date": "2026-13-45",
    "long": "长" * 3000,
    "nul": "a\x00b",
}
#: Parameters any page or list may read.
COMMON = ("page", "page_size", "year", "q", "search", "ordering", "tab", "status", "kind")

_NAME = r"[\"'](\w+)[\"']"
_PATTERNS = [
    re.compile(r"(?:GET|query_params|POST)\.get\(\s*" + _NAME),
    re.compile(r"(?:GET|query_params)\[\s*" + _NAME + r"\s*\]"),
    re.compile(_NAME + r"\s+(?:not\s+)?in\s+(?:self\.)?request\.(?:GET|query_params)"),
]
_LOOP = re.compile(r"for\s+\w+\s+in\s+\(([^)]*)\)")


def _filter_names(fs: type[django_filters.FilterSet]) -> set[str]:
    names: set[str] = set()
    for name, f in getattr(fs, "base_filters", {}).items():
        names.add(name)
        if isinstance(f, django_filters.RangeFilter | django_filters.DateFromToRangeFilter):
            names |= {f"{name}_min", f"{name}_max", f"{name}_after", f"{name}_before"}
    return names


def _params_in_module(module: Any) -> set[str]:
    """The query parameters a view module reads (from its source) and the filters of its filtersets."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    names: set[str] = set()
    for pattern in _PATTERNS:
        names |= set(pattern.findall(source))
    for loop in _LOOP.findall(source):
        if "GET" in source or "query_params" in source:
            names |= set(re.findall(_NAME, loop))
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
            names |= _filter_names(value)
    return names


def _view_module(path: str) -> Any:
    match = resolve(path.split("?")[0])
    func = match.func
    cls = getattr(func, "view_class", None) or getattr(func, "cls", None)
    return sys.modules.get((cls or func).__module__)


def _page_routes() -> list[str]:
    """GET pages without path arguments, outside the admin, the API and the login/logout pages."""
    result: list[str] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns == "admin":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" in route or "(?P" in route or route.startswith(("api/", "^api/")):
                    continue
                if p.name in {"login", "logout"} or route.startswith("static"):
                    continue
                result.append("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(result))


def _get(client: Any, path: str, params: dict[str, str]) -> Any:
    client.raise_request_exception = False
    return client.get(path + "?" + urlencode(params))


def _culprit(client: Any, path: str, params: dict[str, str]) -> str:
    """The first parameter that gives a 5xx on its own (to name it in the failure)."""
    for name, value in params.items():
        if _get(client, path, {name: value}).status_code >= 500:
            return name
    return "(only together)"


# ---------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------


#: On pages an impossible date adds nothing to "1.9" and "abc" (no page parses a date by hand).
PAGE_VALUES = {k: v for k, v in HOSTILE.items() if k != "date"}


def _page_failures(client: Any, path: str, names: set[str]) -> Iterator[str]:
    for kind, value in PAGE_VALUES.items():
        params = dict.fromkeys(sorted(names), value)
        response = _get(client, path, params)
        code = response.status_code
        if code >= 500:
            yield f"{path} ?…={kind}: {code} from {_culprit(client, path, params)}"
        elif code == 400:
            # the Chinese 400 page naming the parameter, or a form page showing its own errors
            text = response.content.decode(errors="replace")
            named = "参数" in text and any(f"“{name}”" in text for name in names)
            if not named and "error" not in text:
                yield f"{path} ?…={kind}: 400 without naming the parameter in Chinese"
        elif code not in {200, 302, 403, 404, 405}:
            yield f"{path} ?…={kind}: unexpected {code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["committee", "enterprise"])
def test_no_page_crashes_on_hostile_query_parameters(role: str, world: World, client_for: Any) -> None:
    user = world.committee if role == "committee" else world.a.ent_user
    client = client_for(user)
    pages = _page_routes()
    assert len(pages) > 40, "the URL walk lost the pages"
    failures: list[str] = []
    for path in pages:
        names = set(COMMON) | _params_in_module(_view_module(path))
        failures += _page_failures(client, path, names)
    assert not failures, "pages that fail on hostile query parameters:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------


def _api_operations() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """(path, {parameter: schema}) of every GET operation without path parameters."""
    from tests.test_api_contract import generated_schema

    schema = generated_schema()
    result = []
    for path, item in schema["paths"].items():
        op = item.get("get")
        if op is None or "{" in path:
            continue
        params = {
            p["name"]: {**p.get("schema", {}), "x-required": p.get("required", False)}
            for p in op.get("parameters", [])
            if p.get("in") == "query"
        }
        result.append((path, params))
    return result


def _typed(spec: dict[str, Any]) -> str:
    """'integer', 'number', 'date', 'enum' or '' (free text) for a parameter schema."""
    spec = spec.get("items", spec) if spec.get("type") == "array" else spec
    if "enum" in spec:
        return "enum"
    if spec.get("type") in {"integer", "number"}:
        return spec["type"]
    if spec.get("format") in {"date", "date-time"}:
        return "date"
    return ""


#: Which hostile values a parameter of each type must refuse with a 400.
MUST_REFUSE = {
    "integer": {"huge", "decimal", "text", "date", "long", "nul"},
    "number": {"text", "date", "long", "nul"},
    "date": {"huge", "decimal", "text", "date", "long", "nul"},
    "enum": {"huge", "decimal", "text", "date", "long", "nul"},
    "": set(),
}


def _api_failures(client: Any, path: str, params: dict[str, dict[str, Any]], individually: bool) -> list[str]:
    """Hostile values in every parameter of one operation.

    Per hostile value: the typed parameters together (a 400 naming one of them if any must refuse it),
    then the free-text ones together (no 5xx); with ``individually``, each typed parameter alone with a
    huge and a non-numeric value (a 400 naming it).
    """
    failures: list[str] = []
    required = {n for n, spec in params.items() if spec.get("x-required")}
    typed = {n: _typed(spec) for n, spec in params.items() if _typed(spec)}
    free = sorted(set(params) - set(typed))

    def check(names: list[str], kind: str, value: str) -> None:
        response = _get(client, path, dict.fromkeys(names, value))
        code = response.status_code
        where = f"GET {path}?{'|'.join(names)}={kind}"
        if code >= 500:
            culprit = _culprit(client, path, dict.fromkeys(names, value)) if len(names) > 1 else names[0]
            failures.append(f"{where}: {code} from {culprit}")
            return
        if any(kind in MUST_REFUSE[typed.get(n, "")] for n in names) and code != 400:
            failures.append(f"{where}: {code}, expected 400 naming the parameter")
            return
        if code == 400:
            body = response.json()
            named = set(names) | required  # a missing required parameter may be the one named
            if not isinstance(body, dict) or not any(n in str(body.get("detail", "")) for n in named):
                failures.append(f"{where}: 400 whose detail names none of them: {body}")

    for kind, value in HOSTILE.items():
        for group in (sorted(typed), free):
            if group:
                check(group, kind, value)
    if individually:
        for name in sorted(typed):
            for kind in ("huge", "text"):
                check([name], kind, HOSTILE[kind])
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["committee", "enterprise"])
def test_no_api_list_crashes_on_hostile_query_parameters(
    role: str, world: World, api_client_for: Any
) -> None:
    user = world.committee if role == "committee" else world.a.ent_user
    client = api_client_for(user)
    operations = _api_operations()
    assert len(operations) > 30, "the schema lost its list operations"
    failures: list[str] = []
    for path, documented in operations:
        extra = _params_in_module(_view_module(path)) - set(documented)
        params: dict[str, dict[str, Any]] = {**documented, **{n: {} for n in extra}}
        failures += _api_failures(client, path, params, individually=role == "committee")
    assert not failures, f"{len(failures)} hostile API requests failed:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_the_400_page_is_chinese_and_names_the_parameter(world: World, client_for: Any) -> None:
    client = client_for(world.committee)
    client.raise_request_exception = False
    response = client.get("/people/persons/?q=a%00b")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求参数有误" in html and "“q”" in html and "返回工作台" in html


@pytest.mark.django_db
def test_a_page_post_over_the_request_limit_answers_the_chinese_400_page(
    world: World, client_for: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = client_for(world.committee)
    client.raise_request_exception = False
    response = client.post("/plans/notices/new/", {"title": "长" * (1024 * 1024)})
    assert response.status_code == 400
    assert "提交的内容过大" in response.content.decode()


@pytest.mark.django_db
def test_a_page_past_the_last_one_is_a_chinese_404(world: World, api_client_for: Any) -> None:
    """A valid page number past the end (``?page=1154053``, found by the property test) is a 404, not a 500."""
    response = api_client_for(world.committee).get("/api/v1/assessment/schemes/", {"page": "1154053"})
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and "页码超出范围" in body["detail"]
    assert (
        api_client_for(world.committee).get("/api/v1/assessment/schemes/", {"page": "last"}).status_code
        == 200
    )
