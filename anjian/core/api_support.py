"""API pagination and error shape, kept apart from the viewsets so DRF settings can import them early."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from anjian.core.errors import AnjianError


class Pagination(PageNumberPagination):
    """Page-number pagination; clients may ask up to 500 rows with ``page_size``."""

    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors and model validation errors into JSON with a code and a Chinese message."""
    if isinstance(exc, AnjianError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response({"code": "invalid", **detail}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("对象不存在或无权查看"))
    return drf_exception_handler(exc, context)
