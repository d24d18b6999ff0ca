"""Query-string parameters read by hand, with the same rules as the filtersets (``core.filters``).

A page or API view that reads ``request.GET`` itself (an ``?enterprise=`` pre-selection, a ``?days=``
window, a ``?year=``) must never turn a hostile value into a 500: ``?enterprise=99999999999999999999``
overflows the database integer, ``int("1.9")`` raises. These helpers are the one way to read them:

* :func:`query_id`, :func:`query_int`, :func:`query_choice`, :func:`query_date`, :func:`query_text`
  return the parsed value, or the default when the parameter is absent or blank;
* an invalid value on a **page** is ignored with a notice naming the parameter (as a bad filter is, see
  ``AnjianFilterSet``), or, with ``strict=True`` (the page cannot do without it), raises
  :class:`BadParameter`, which the middleware answers with the Chinese 400 page naming the parameter;
* under **/api/** an invalid value always raises :class:`BadParameter`: a 400 in the API's error shape
  (``{"code": "invalid", "detail": …, "field": <parameter>}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from anjian.core.errors import ValidationFailed
from anjian.core.filters import ID_MAX, INT_MAX, valid_id
from anjian.core.textguard import find_control_character

__all__ = [
    "MAX_TEXT",
    "BadParameter",
    "query_choice",
    "query_date",
    "query_id",
    "query_int",
    "query_text",
]

#: The longest free-text query value a page searches with (longer ones are cut, not refused).
MAX_TEXT = 200

T = TypeVar("T")


class BadParameter(ValidationFailed):
    """A query parameter with an invalid value (400 naming the parameter)."""

    default_code = "invalid"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(_("参数“%(name)s”无效：%(reason)s") % {"name": name, "reason": reason}, field=name)
        self.name = name
        self.reason = reason


def _params(request: Any) -> Any:
    return getattr(request, "query_params", None) or request.GET


def _is_api(request: Any) -> bool:
    return str(getattr(request, "path", "")).startswith("/api/")


def _refuse(request: Any, name: str, reason: str, default: T, strict: bool) -> T:
    if strict or _is_api(request):
        raise BadParameter(name, reason)
    http_request: HttpRequest | None = getattr(request, "_request", request)
    if http_request is not None and hasattr(http_request, "_messages"):
        messages.warning(
            http_request,
            _("参数“%(name)s”无效，已忽略：%(reason)s") % {"name": name, "reason": reason},
            fail_silently=True,
        )
    return default


def _raw(request: Any, name: str) -> str:
    value = _params(request).get(name, "")
    return value.strip() if isinstance(value, str) else ""


def query_id(request: Any, name: str, *, strict: bool = False) -> int | None:
    """``?name=`` as a primary key (an integer 1…2^63−1), ``None`` when absent or blank."""
    raw = _raw(request, name)
    if not raw:
        return None
    pk = valid_id(raw)
    if pk is None:
        return _refuse(request, name, _("应为 1 到 %(max)s 之间的整数编号") % {"max": ID_MAX}, None, strict)
    return pk


def query_int(
    request: Any,
    name: str,
    default: int,
    *,
    min_value: int = -INT_MAX,
    max_value: int = INT_MAX,
    strict: bool = False,
) -> int:
    """``?name=`` as a whole number in ``min_value…max_value``, else ``default``."""
    raw = _raw(request, name)
    if not raw:
        return default
    text = raw[1:] if raw[:1] in "+-" else raw
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return _refuse(request, name, _("应为整数"), default, strict)
    value = int(raw)
    if not min_value <= value <= max_value:
        reason = _("应为 %(low)s 到 %(high)s 之间的整数") % {"low": min_value, "high": max_value}
        return _refuse(request, name, reason, default, strict)
    return value


def query_choice(
    request: Any, name: str, choices: Iterable[str], default: str = "", *, strict: bool = False
) -> str:
    """``?name=`` if it is one of ``choices``, else ``default``."""
    raw = _raw(request, name)
    if not raw:
        return default
    allowed = [str(c) for c in choices]
    if raw not in allowed:
        return _refuse(request, name, _("不是可选的值"), default, strict)
    return raw


def query_date(request: Any, name: str, *, strict: bool = False) -> dt.date | None:
    """``?name=`` as a date (YYYY-MM-DD), ``None`` when absent or blank."""
    raw = _raw(request, name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    return _refuse(request, name, _("应为日期，格式 YYYY-MM-DD"), None, strict)


def query_text(request: Any, name: str, *, max_length: int = MAX_TEXT, strict: bool = False) -> str:
    """``?name=`` as search text: trimmed, at most ``max_length`` characters, no control characters."""
    raw = _raw(request, name)
    if find_control_character(raw) is not None:
        return _refuse(request, name, _("含有控制字符"), "", strict)
    return raw[:max_length]
