"""Per-request context: a request id and the acting user, for audit rows written deep in actions."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("anjian_request_id", default="")


def current_request_id() -> str:
    """Return the id of the request being served ('' outside a request, e.g. in the CLI)."""
    return request_id_var.get()


class RequestContextMiddleware:
    """Give every request an id (honouring an incoming ``X-Request-ID``) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response
