"""Query-string filters that never crash: ids and numbers are integers in range, everywhere.

Every list page and API list declares its filters with django-filter. Left alone, a ``NumberFilter``
accepts any decimal up to 1e50 (``?person_id=99999999999999999999`` overflows SQLite's INTEGER in the
paginator's count, ``?person_id=1.9`` silently matches person 1) and a foreign-key ``ModelChoiceFilter``
lets ``OverflowError`` through. This module fixes the class once:

* :class:`AnjianFilterSet` is the base of every filterset in the project (a convention test enforces it).
  When the class is built, each ``NumberFilter`` becomes an integer filter: an id (a foreign key, a
  primary key, or a name ending in ``_id``) is 1…2^63−1, any other number −2^31…2^31−1 unless the filter
  declares its own ``min_value``/``max_value``; decimal and float model fields stay decimal but bounded.
  Foreign-key choice filters check the range before they query. The OpenAPI schema says ``integer`` with
  the bounds, so clients and the property-based API test know the contract.
* On the API (:class:`FilterBackend`, the project's default filter backend) an invalid parameter is a
  400 in the API's error shape naming the parameter; a filterset that does not derive from
  ``AnjianFilterSet`` is hardened on the fly, so no module's endpoint can miss it.
* On a page an invalid parameter is ignored (django-filter drops invalid fields from ``cleaned_data``)
  and the user sees a notice saying which filter was ignored and why.
"""

from __future__ import annotations

import decimal
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.db import models
from django.utils.translation import gettext as _
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from drf_spectacular.drainage import set_override

__all__ = [
    "ID_MAX",
    "INT_MAX",
    "AnjianFilterSet",
    "FilterBackend",
    "IdFilter",
    "IntegerFilter",
    "harden_filterset_class",
    "valid_id",
]

#: The largest primary key any supported database stores (SQLite INTEGER and PostgreSQL bigint).
ID_MAX = 2**63 - 1
#: The bound of a plain number filter (a year, a count of days, a quarter) unless the filter narrows it.
INT_MAX = 2**31 - 1


def valid_id(value: Any) -> int | None:
    """``value`` as a primary key (an integer 1…ID_MAX, or its decimal digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= ID_MAX else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            number = int(text)
            return number if 1 <= number <= ID_MAX else None
    return None


class _IntegerField(forms.IntegerField):
    """An integer form field with Chinese messages that state the allowed range."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = self.min_value, self.max_value
        self.error_messages["invalid"] = _("应为整数")
        if low is not None:
            self.error_messages["min_value"] = _("应为不小于 %(limit_value)s 的整数")
        if high is not None:
            self.error_messages["max_value"] = _("应为不大于 %(limit_value)s 的整数")


class _BoundedDecimalField(forms.DecimalField):
    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        if isinstance(result, decimal.Decimal) and (not result.is_finite() or abs(result) > 10**15):
            raise forms.ValidationError(_("数值超出范围"), code="max_value")
        return result


class IdFilter(django_filters.NumberFilter):
    """The id of a related object (``?enterprise_id=3``): an integer 1…2^63−1."""

    field_class = _IntegerField  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)
        _document(self)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, a quarter, days); −2^31…2^31−1 unless ``min_value``/``max_value`` narrow it."""

    field_class = _IntegerField  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -INT_MAX)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)
        _document(self)


def _document(f: django_filters.Filter) -> None:
    """State the type and range in the OpenAPI schema (drf-spectacular reads this override)."""
    schema: dict[str, Any] = {"type": "integer"}
    if f.extra.get("min_value") is not None:
        schema["minimum"] = f.extra["min_value"]
    if f.extra.get("max_value") is not None:
        schema["maximum"] = f.extra["max_value"]
    if schema.get("maximum", 0) > INT_MAX or schema.get("minimum", 0) < -INT_MAX:
        schema["format"] = "int64"
    set_override(f, "field", schema)


def _pk_is_integer(model: type[models.Model] | None) -> bool:
    if model is None:
        return False
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)


class _BoundedModelChoiceField(filter_fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if (
            value not in self.empty_values
            and _pk_is_integer(getattr(self.queryset, "model", None))
            and valid_id(value) is None
        ):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class _BoundedModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if _pk_is_integer(getattr(self.queryset, "model", None)):
            for item in value or ():
                if item != self.null_value and valid_id(item) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)  # type: ignore[misc]


def _is_id_like(name: str, model_field: Any) -> bool:
    if isinstance(model_field, models.ForeignKey | models.OneToOneField):
        return True
    if isinstance(model_field, models.Field) and model_field.primary_key:
        return True
    return name == "id" or name.endswith("_id")


def _harden(name: str, f: django_filters.Filter, model: type[models.Model] | None) -> django_filters.Filter:
    """The bounded equivalent of filter ``f`` (or ``f`` itself when it is already safe)."""
    if isinstance(f, IdFilter | IntegerFilter):
        return f
    if type(f) is django_filters.NumberFilter:
        model_field = get_model_field(model, f.field_name) if model is not None and f.field_name else None
        if isinstance(model_field, models.DecimalField | models.FloatField):
            f.field_class = _BoundedDecimalField
            return f
        kwargs: dict[str, Any] = {
            "field_name": f.field_name,
            "lookup_expr": f.lookup_expr,
            "label": getattr(f, "_label", None),
            "method": getattr(f, "_method", None),
            "distinct": f.distinct,
            "exclude": f.exclude,
            **f.extra,
        }
        kwargs.pop("required", None)
        cls = IdFilter if _is_id_like(f.field_name or name, model_field) else IntegerFilter
        hardened = cls(required=f.extra.get("required", False), **kwargs)
        return hardened
    if type(f) is django_filters.ModelChoiceFilter:
        f.field_class = _BoundedModelChoiceField
    elif type(f) is django_filters.ModelMultipleChoiceFilter:
        f.field_class = _BoundedModelMultipleChoiceField
    return f


class AnjianFilterSet(django_filters.FilterSet):
    """The base of every filterset: number filters are bounded integers; bad values are reported.

    On a page, an invalid filter is ignored and the user is told (a warning message naming the filter).
    """

    @classmethod
    def get_filters(cls) -> Any:
        filters = super().get_filters()
        model = cls._meta.model  # type: ignore[attr-defined]
        for name, f in list(filters.items()):
            hardened = _harden(name, f, model)
            if hardened is not f:
                if hasattr(f, "model"):
                    hardened.model = f.model  # type: ignore[attr-defined]
                filters[name] = hardened
        return filters

    @property
    def qs(self) -> Any:
        if not hasattr(self, "_qs") and self.is_bound and self.errors:
            _notice_ignored(self)
        return super().qs

    def ignored_filters(self) -> list[str]:
        """Chinese sentences, one per ignored filter (for a page that shows them itself)."""
        if not self.is_bound:
            return []
        result = []
        for name, errors in self.errors.items():
            f = self.filters.get(name)
            label = str(f.label) if f is not None and f.label else name
            result.append(
                _("筛选条件“%(label)s”（%(name)s）无效，已忽略：%(reason)s")
                % {"label": label, "name": name, "reason": "；".join(str(e) for e in errors)}
            )
        return result


def _notice_ignored(fs: AnjianFilterSet) -> None:
    from anjian.core.middleware import current_request

    request = fs.request or current_request()
    if request is None or not hasattr(request, "_messages"):
        return
    for sentence in fs.ignored_filters():
        messages.warning(request, sentence, fail_silently=True)


_HARDENED: dict[type, type] = {}


def harden_filterset_class(filterset_class: type[django_filters.FilterSet]) -> type[AnjianFilterSet]:
    """``filterset_class`` itself if it derives from :class:`AnjianFilterSet`, else a hardened subclass."""
    if issubclass(filterset_class, AnjianFilterSet):
        return filterset_class
    hardened = _HARDENED.get(filterset_class)
    if hardened is None:
        hardened = type(
            filterset_class.__name__,
            (AnjianFilterSet, filterset_class),
            {"__module__": filterset_class.__module__, "__doc__": filterset_class.__doc__},
        )
        _HARDENED[filterset_class] = hardened
    return hardened


class FilterBackend(DjangoFilterBackend):
    """The project's filter backend: every filterset is an :class:`AnjianFilterSet`; errors are 400s."""

    filterset_base = AnjianFilterSet

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        cls = super().get_filterset_class(view, queryset)
        return None if cls is None else harden_filterset_class(cls)
