"""Filters shared by the pages and the API (NetBox ``filtersets.py``: ``<fk>_id`` plus code filters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from anjian.core.filters import AnjianFilterSet, IntegerFilter
from anjian.enterprises.choices import (
    EnterpriseStatus,
    Industry,
    LicenceKind,
    LicenceState,
    Scale,
    StandardizationGrade,
)
from anjian.enterprises.models import EXPIRING_DAYS, Enterprise, Grid, Licence, Standardization

__all__ = ["EnterpriseFilterSet", "GridFilterSet", "LicenceFilterSet", "StandardizationFilterSet"]


def _search(queryset: QuerySet[Any], value: str, fields: tuple[str, ...]) -> QuerySet[Any]:
    value = (value or "").strip()
    if not value:
        return queryset
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": value})
    return queryset.filter(q)


class EnterpriseFilterSet(AnjianFilterSet):
    """Enterprise list filters: town, park, grid, industry, scale, status, department, 两重点一重大, search."""

    q = django_filters.CharFilter(method="filter_q", label="搜索")
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices)
    status = django_filters.MultipleChoiceFilter(choices=EnterpriseStatus.choices)
    scale = django_filters.ChoiceFilter(choices=Scale.choices)
    town_id = django_filters.NumberFilter(field_name="town_id")
    grid_id = django_filters.NumberFilter(field_name="grid_id")
    supervising_unit_id = django_filters.NumberFilter(field_name="supervising_unit_id")
    in_park = django_filters.BooleanFilter()
    key_process = django_filters.BooleanFilter()
    key_chemical = django_filters.BooleanFilter()
    major_hazard = django_filters.BooleanFilter()
    two_key_one_major = django_filters.BooleanFilter(method="filter_two_key", label="两重点一重大")
    uscc = django_filters.CharFilter(method="filter_uscc", label="统一社会信用代码")

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "industry",
            "status",
            "scale",
            "town_id",
            "grid_id",
            "supervising_unit_id",
            "in_park",
            "key_process",
            "key_chemical",
            "major_hazard",
        ]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, value, ("name", "short_name", "uscc", "address", "principal"))

    def filter_uscc(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(uscc=value.strip().upper())

    def filter_two_key(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        flags = Q(key_process=True) | Q(key_chemical=True) | Q(major_hazard=True)
        if value is None:
            return queryset
        return queryset.filter(flags) if value else queryset.exclude(flags)


class GridFilterSet(AnjianFilterSet):
    """Grid filters."""

    q = django_filters.CharFilter(method="filter_q", label="搜索")
    town_id = django_filters.NumberFilter(field_name="town_id")

    class Meta:
        model = Grid
        fields = ["q", "town_id", "in_park"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, value, ("code", "name", "staff_name"))


class LicenceFilterSet(AnjianFilterSet):
    """Licence filters; ``state=expiring`` with ``days`` (30/60/90, default 90) lists licences ending soon."""

    q = django_filters.CharFilter(method="filter_q", label="搜索")
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    kind = django_filters.MultipleChoiceFilter(choices=LicenceKind.choices)
    state = django_filters.ChoiceFilter(choices=LicenceState.choices, method="filter_state", label="状态")
    # Bounded: a timedelta of 99999999999 days overflows (and a horizon past 10 years means nothing here).
    days = IntegerFilter(method="filter_noop", label="到期天数", min_value=0, max_value=3650)
    valid_until_before = django_filters.DateFilter(field_name="valid_until", lookup_expr="lte")
    valid_until_after = django_filters.DateFilter(field_name="valid_until", lookup_expr="gte")

    class Meta:
        model = Licence
        fields = ["q", "enterprise_id", "kind", "state"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, value, ("number", "enterprise__name", "enterprise__uscc", "issuer"))

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        # The validated value only: an invalid ``days`` was refused (API) or ignored with a notice (page).
        days = self.form.cleaned_data.get("days")
        if days is None:
            days = EXPIRING_DAYS
        horizon = today + dt.timedelta(days=max(days, 0))
        if value == LicenceState.EXPIRED:
            return queryset.filter(valid_until__lt=today)
        if value == LicenceState.EXPIRING:
            return queryset.filter(valid_until__gte=today, valid_until__lte=horizon)
        if value == LicenceState.VALID:
            return queryset.filter(valid_until__gt=horizon)
        return queryset


class StandardizationFilterSet(AnjianFilterSet):
    """Standardisation filters; ``review=overdue|due`` for re-reviews past or within 90 days."""

    q = django_filters.CharFilter(method="filter_q", label="搜索")
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    grade = django_filters.MultipleChoiceFilter(choices=StandardizationGrade.choices)
    is_current = django_filters.BooleanFilter()
    scale = django_filters.ChoiceFilter(field_name="enterprise__scale", choices=Scale.choices)
    review = django_filters.ChoiceFilter(
        choices=[("overdue", "复评逾期"), ("due", "90天内复评")], method="filter_review", label="复评"
    )

    class Meta:
        model = Standardization
        fields = ["q", "enterprise_id", "grade", "is_current", "scale", "review"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, value, ("certificate_no", "enterprise__name", "enterprise__uscc", "agency"))

    def filter_review(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(is_current=True, review_due__lt=today)
        if value == "due":
            return queryset.filter(
                is_current=True, review_due__gte=today, review_due__lte=today + dt.timedelta(days=90)
            )
        return queryset
