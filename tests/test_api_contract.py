"""The API keeps its contract: property-based requests against every operation of the OpenAPI schema.

Every operation the schema documents (so every module's new endpoint, automatically) is called with
requests generated from the schema by schemathesis/hypothesis, as three roles — the committee office,
a department and an enterprise user — and, for operations on one object, also with the id of a real
object. Each answer must not be a server error, must use a documented status code and content type,
and its body must match the documented schema.

The number of examples per operation and role is bounded so the test fits ``make test``;
``make fuzz`` runs the same test with many more (``ANJIAN_FUZZ_EXAMPLES``). A failure names the
operation and the role, the first problem found and how to reproduce it.

``docs/openapi.yaml`` is the published schema; ``test_published_schema_is_current`` keeps it in sync
(regenerate with ``make openapi``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token

from tests.world import World

EXAMPLES = int(os.environ.get("ANJIAN_FUZZ_EXAMPLES", "4"))
PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def generated_schema() -> dict[str, Any]:
    """The schema as drf-spectacular generates it now (JSON-compatible)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def generated_yaml() -> str:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def test_published_schema_is_current() -> None:
    """``docs/openapi.yaml`` is exactly the schema the code generates: a change of contract shows in review."""
    assert PUBLISHED.exists(), "docs/openapi.yaml is missing: run `make openapi`"
    assert PUBLISHED.read_text(encoding="utf-8") == generated_yaml(), (
        "docs/openapi.yaml is out of date with the API: run `make openapi` and commit the result"
    )


def test_every_operation_documents_the_error_shape() -> None:
    """400/403/404 (and 409 on writes) are documented on every operation, with the ``Error`` shape."""
    schema = generated_schema()
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = {"400", "403", "404"} | (
                {"409"} if method in {"post", "put", "patch", "delete"} else set()
            )
            for code in codes:
                content = op["responses"].get(code, {}).get("content", {}).get("application/json", {})
                if content.get("schema", {}).get("$ref") != "#/components/schemas/Error":
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI app that keeps the test's database connection (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _real_id(path: str) -> int | None:
    """The id of an existing object for an operation on ``/…/{id}/…`` (from the viewset's queryset)."""
    probe = path.replace("{id}", "1")
    try:
        match = resolve(probe)
    except Exception:
        return None
    view = getattr(match.func, "cls", None)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return None
    pk = queryset.model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return int(pk) if pk is not None else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:6])


def _runner(strategy: Any, headers: dict[str, str], app: Any, checks: list[Any]) -> Any:
    """A hypothesis test that sends ``EXAMPLES`` generated requests and validates each answer."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=checks, headers=headers, transport_kwargs={"app": app})

    return run


@pytest.mark.django_db
def test_no_operation_crashes_or_breaks_its_schema(world: World, wsgi_app: WSGIHandler) -> None:
    """Every operation × {committee office, department, enterprise}: no 5xx, documented status, body matches."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_dict(generated_schema())
    roles = {
        "committee": world.committee,
        "department": world.a.dept_user,
        "enterprise": world.a.ent_user,
    }
    headers_for = {
        role: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        for role, user in roles.items()
    }
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Generated requests as the committee office and an enterprise; requests on a real object as all three.
        runs = [(role, "generated", operation.as_strategy()) for role in ("committee", "enterprise")]
        if "{id}" in operation.path:
            real = _real_id(operation.path)
            if real is not None:
                strategy = operation.as_strategy(path_parameters={"id": real})
                runs += [(role, f"id={real}", strategy) for role in headers_for]
        for role, variant, strategy in runs:
            try:
                _runner(strategy, headers_for[role], wsgi_app, checks)()
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, report them all
                failures.append(f"{operation.label} as {role} ({variant}): {_first_line(exc)}")
    assert operations > 50, "the schema lost its operations"
    assert not failures, "API contract broken by {} operation(s):\n{}".format(
        len(failures), "\n".join(failures)
    )
