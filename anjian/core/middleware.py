"""Per-request context: a request id and the acting user, for audit rows written deep in actions."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("anjian_request_id", default="")
request_var: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "anjian_request", default=None
)


reason_var: contextvars.ContextVar[str] = contextvars.ContextVar("anjian_audit_reason", default="")


def request_reason() -> str:
    """The 变更原因 the user gave with the page form being served (``audit_reason``), else ''.

    An action that is given its own reason keeps it; otherwise every audit row written while serving the
    request carries this one (an Excel import writes a row per saved line, all with the reason of the upload).
    """
    return reason_var.get()


def _form_reason(request: HttpRequest) -> str:
    if request.method != "POST" or request.path.startswith("/api/"):
        return ""
    if request.content_type not in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return ""
    # A body Django refuses (too large, malformed) raises here as it would in the view, and gets the same
    # answer (the Chinese 400 page): swallowing it would leave the view an empty form to re-render.
    return str(request.POST.get("audit_reason") or "").strip()[:500]


def current_request_id() -> str:
    """Return the id of the request being served ('' outside a request, e.g. in the CLI)."""
    return request_id_var.get()


def current_request() -> HttpRequest | None:
    """Return the request being served (``None`` outside a request), e.g. to add a page notice."""
    return request_var.get()


class RequestContextMiddleware:
    """Give every request an id (honouring an incoming ``X-Request-ID``) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        token = request_id_var.set(rid)
        request_token = request_var.set(request)
        reason_token = reason_var.set(_form_reason(request))
        try:
            response = self.get_response(request)
        finally:
            reason_var.reset(reason_token)
            request_var.reset(request_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class ApiErrorMiddleware:
    """Under ``/api/``, an unhandled exception answers 500 as JSON in the API's error shape.

    On a page, a :class:`anjian.core.params.BadParameter` answers the Chinese 400 page naming the parameter.

    Clients generated from the OpenAPI schema parse every error the same way; the HTML error page is for
    people. The traceback is logged exactly as Django logs it (``django.request``), with the request id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._control_character_in_query(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def _control_character_in_query(self, request: HttpRequest) -> HttpResponse | None:
        """A query parameter holding a control character (``?q=a%00b``) is a 400 naming it, before any view.

        PostgreSQL refuses NUL in a string, so without this every hand-written filter of every page would be a
        500 there; no parameter of the platform legitimately carries a control character.
        """
        from anjian.core.params import BadParameter
        from anjian.core.textguard import find_control_character, strip_control_characters

        for name, values in request.GET.lists():
            if any(find_control_character(v) is not None for v in values) or find_control_character(name):
                return self.process_exception(
                    request, BadParameter(strip_control_characters(name), _("含有控制字符"))
                )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.conf import settings
        from django.http import Http404, JsonResponse

        from anjian.core.params import BadParameter

        if isinstance(exception, BadParameter):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    exception.as_dict(), status=400, json_dumps_params={"ensure_ascii": False}
                )
            # A page that cannot do without a parameter answers the Chinese 400 page naming it.
            from anjian.core.views import bad_request

            return bad_request(request, exception)
        if not request.path.startswith("/api/") or isinstance(exception, Http404) or settings.DEBUG:
            return None
        if not isinstance(exception, Exception):
            return None
        from django.core.exceptions import PermissionDenied, SuspiciousOperation

        if isinstance(exception, PermissionDenied | SuspiciousOperation):
            return None
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return JsonResponse(
            {
                "code": "server_error",
                "detail": _("服务器内部错误，请稍后重试；如果问题持续，请把请求编号 %(rid)s 告知管理员")
                % {"rid": current_request_id()},
            },
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )


class ContentSecurityPolicyMiddleware:
    """Send ``Content-Security-Policy`` (``settings.ANJIAN_CSP``; empty disables it).

    The pages load only the platform's own (vendored) scripts, with no inline scripts or handlers
    (``data-confirm`` in ``static/anjian/app.js`` replaces ``onsubmit``), so ``script-src 'self'`` holds.
    Paths in ``ANJIAN_CSP_EXEMPT`` (the Swagger UI, whose page has an inline bootstrap script) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        policy = getattr(settings, "ANJIAN_CSP", "")
        exempt = tuple(getattr(settings, "ANJIAN_CSP_EXEMPT", ()))
        if policy and "Content-Security-Policy" not in response and not request.path.startswith(exempt):
            header = (
                "Content-Security-Policy-Report-Only"
                if getattr(settings, "ANJIAN_CSP_REPORT_ONLY", False)
                else "Content-Security-Policy"
            )
            response[header] = policy
        return response
