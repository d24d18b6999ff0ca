"""API pagination and error shape, kept apart from the viewsets so DRF settings can import them early."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from anjian.core.errors import AnjianError
from anjian.core.pagination import CappedPaginator


def _max_body() -> int:
    from django.conf import settings

    return int(getattr(settings, "ANJIAN_API_MAX_BODY_BYTES", 2 * 1024 * 1024))


def _max_request() -> int:
    from django.conf import settings

    return int(getattr(settings, "ANJIAN_MAX_REQUEST_BYTES", 30 * 1024 * 1024))


class RequestTooLarge(exceptions.APIException):
    """413: the body exceeds the configured limit (checked before it is read)."""

    status_code = 413
    default_code = "request_too_large"
    default_detail = _("请求内容过大")


def _refuse_large(stream: Any, limit: int, parser_context: dict[str, Any] | None) -> None:
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {}) if request is not None else {}
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        length = 0
    if length > limit:
        raise RequestTooLarge(
            _("请求内容过大（%(size).1f MB），上限 %(max).1f MB")
            % {"size": length / 1024 / 1024, "max": limit / 1024 / 1024}
        )


class _BoundedReader:
    """Reads at most ``limit`` bytes from a stream; raises 413 beyond (a body without Content-Length too)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream = stream
        self.limit = limit

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.stream.read(self.limit + 1) if size is None or size < 0 else self.stream.read(size)
        if len(data) > self.limit:
            raise RequestTooLarge(_("请求内容过大，上限 %(max).1f MB") % {"max": self.limit / 1024 / 1024})
        return data


class JSONParser(parsers.JSONParser):
    """JSON bodies up to ``ANJIAN_API_MAX_BODY_BYTES`` (default 2 MB); larger ones answer 413."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = _max_body()
        _refuse_large(stream, limit, parser_context)
        return super().parse(_BoundedReader(stream, limit), media_type, parser_context)  # type: ignore[arg-type]


class FormParser(parsers.FormParser):
    """URL-encoded bodies up to ``ANJIAN_API_MAX_BODY_BYTES``."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = _max_body()
        _refuse_large(stream, limit, parser_context)
        return super().parse(_BoundedReader(stream, limit), media_type, parser_context)  # type: ignore[arg-type]


class MultiPartParser(parsers.MultiPartParser):
    """Multipart uploads up to ``ANJIAN_MAX_REQUEST_BYTES`` in total (default 30 MB), refused before reading.

    Each endpoint bounds its own files further (imports: ``core.excel.check_xlsx_upload``).
    """

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _refuse_large(stream, _max_request(), parser_context)
        return super().parse(stream, media_type, parser_context)


class Pagination(PageNumberPagination):
    """Page-number pagination; clients may ask up to 500 rows with ``page_size``.

    ``count`` stops at ``core.pagination.COUNT_CAP`` (``count_capped`` is then true): counting a province's
    certificates costs more than listing a page of them.
    ``page`` and ``page_size`` are documented integers: a value that is not one (``abc``, ``1.9``, a
    20-digit number, 0) is a 400 naming the parameter, not DRF's 404 "Invalid page" (nor, for
    ``page_size``, silently the default). A page past the last one stays a 404, in Chinese.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        assert self.page is not None
        paginator = self.page.paginator
        response.data = {
            "count": response.data["count"],
            "count_capped": bool(getattr(paginator, "capped", False)),
            **{k: v for k, v in response.data.items() if k != "count"},
        }
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"] = {
            "count": out["properties"]["count"],
            "count_capped": {"type": "boolean", "example": False},
            **{k: v for k, v in out["properties"].items() if k != "count"},
        }
        out["required"] = [*out.get("required", []), "count_capped"]
        return out

    # DRF formats this with ``page_number`` and ``message`` only.
    invalid_page_message = _("页码超出范围：第 {page_number} 页没有数据")

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        from anjian.core.params import query_int

        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            query_int(request, self.page_query_param, 1, min_value=1, strict=True)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Any) -> Any:
        from anjian.core.params import query_int

        query_int(request, self.page_size_query_param, 1, min_value=1, strict=True)
        return super().get_page_size(request)


def _flatten(value: Any) -> list[str]:
    """Every message in a (possibly nested) DRF error structure, as strings."""
    if isinstance(value, dict):
        return [msg for item in value.values() for msg in _flatten(item)]
    if isinstance(value, list | tuple):
        return [msg for item in value for msg in _flatten(item)]
    return [str(value)]


def _field_label(context: dict[str, Any], name: str) -> str:
    """The human label of input ``name`` (a serializer field's label, else the parameter name)."""
    view = context.get("view")
    get_serializer = getattr(view, "get_serializer", None)
    if name in {"non_field_errors", "__all__", "detail"}:
        return ""
    try:
        fields = get_serializer().fields if get_serializer is not None else {}
        label = getattr(fields.get(name), "label", None)
    except Exception:  # a serializer that cannot be built without data: fall back to the name
        label = None
    return f"{label}（{name}）" if label and str(label) != name else name


def validation_body(data: Any, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API's error shape for validation errors: ``{code, detail, <field>: [messages]...}``.

    ``detail`` is one readable Chinese sentence naming each field; the per-field lists stay for clients
    that mark fields in a form.
    """
    context = context or {}
    if isinstance(data, dict):
        parts = []
        fields: dict[str, Any] = {}
        for name, value in data.items():
            messages = _flatten(value)
            fields[str(name)] = messages if isinstance(value, list | tuple) else value
            label = _field_label(context, str(name))
            text = "；".join(messages)
            parts.append(f"{label}：{text}" if label else text)
        reserved = {"code", "detail"}
        body: dict[str, Any] = {k: v for k, v in fields.items() if k not in reserved}
        body.update({"code": "invalid", "detail": "；".join(parts) or _("输入无效")})
        if len(data) == 1:
            only = str(next(iter(data)))
            if only not in {"non_field_errors", "__all__", "detail"}:
                body["field"] = only
        return body
    return {"code": "invalid", "detail": "；".join(_flatten(data)) or _("输入无效")}


#: Chinese messages for DRF's own errors whose default text is English or technical.
_DRF_MESSAGES = {
    "parse_error": _("请求内容无法解析，请检查 JSON 或表单格式"),
    "unsupported_media_type": _("不支持的请求内容类型"),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{"code": ..., "detail": <Chinese sentence>}`` (plus per-field lists for 400).

    Domain errors keep their code and message; model and serializer validation errors name the field;
    DRF's parse, CSRF and authentication errors answer in Chinese. A 500 is answered by
    :class:`anjian.core.middleware.ApiErrorMiddleware` in the same shape.
    """
    # Imported here: ``rest_framework.views`` reads DEFAULT_PARSER_CLASSES, which name this module's parsers.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, AnjianError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(validation_body(detail, context), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("对象不存在或无权查看"))
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(_("请求内容过大，请减少上传的数据量"))
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_DRF_MESSAGES["parse_error"])
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType(
            getattr(exc, "media_type", ""), _DRF_MESSAGES["unsupported_media_type"]
        )
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = exceptions.PermissionDenied(_("请求未通过 CSRF 校验，请刷新页面后重试"), code="csrf_failed")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(response.data, context)
    elif isinstance(exc, exceptions.APIException):
        codes: Any = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body: Any = response.data.get("detail") if isinstance(response.data, dict) else response.data
        response.data = {"code": str(code), "detail": "；".join(_flatten(body))}
    return response
