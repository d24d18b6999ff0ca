"""Filters shared by the list pages, the API and the Excel export (NetBox ``filtersets.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django.db import models
from django.utils import timezone

from anjian.core.filters import AnjianFilterSet
from anjian.core.search import search_q
from anjian.people.choices import (
    CertificateKind,
    CertificateStatus,
    Education,
    IdType,
    RoleCategory,
    SpecialOperationCategory,
    TrainingKind,
    TrainingResult,
)
from anjian.people.constants import EXPIRING_WINDOWS, THREE_TYPES
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = ["CertificateFilterSet", "PersonFilterSet", "TrainingFilterSet"]


class PersonFilterSet(AnjianFilterSet):
    """People by role, employer (id or code), document, education and certification."""

    q = filters.CharFilter(method="search", label="关键词")
    role_category = filters.MultipleChoiceFilter(choices=RoleCategory.choices, label="人员类别")
    id_type = filters.ChoiceFilter(choices=IdType.choices, label="证件类型")
    education = filters.ChoiceFilter(choices=Education.choices, label="学历")
    employer_enterprise_id = filters.NumberFilter(field_name="employer_enterprise_id", label="企业ID")
    enterprise_uscc = filters.CharFilter(field_name="employer_enterprise__uscc", label="统一社会信用代码")
    employer_unit_id = filters.NumberFilter(field_name="employer_unit_id", label="部门ID")
    unit_code = filters.CharFilter(field_name="employer_unit__code", label="部门编码")
    employer_kind = filters.ChoiceFilter(
        choices=[("enterprise", "企业人员"), ("unit", "部门人员")],
        method="filter_employer_kind",
        label="人员归属",
    )
    is_active = filters.BooleanFilter(label="在职")
    major_safety_related = filters.BooleanFilter(label="安全相关专业")
    uncertified = filters.BooleanFilter(method="filter_uncertified", label="三类人员未持有效证")

    class Meta:
        model = Person
        fields = ["q", "role_category", "id_type", "education", "is_active", "major_safety_related"]

    def search(self, queryset: models.QuerySet[Person], name: str, value: str) -> models.QuerySet[Person]:
        value = value.strip()
        if not value:
            return queryset
        # Names by substring (indexed on PostgreSQL), ID and phone numbers by prefix (see core.search).
        return queryset.filter(
            search_q(Person, value, ["name", "^id_number", "job", "employer_enterprise__name", "^phone"])
        )

    def filter_employer_kind(
        self, queryset: models.QuerySet[Person], name: str, value: str
    ) -> models.QuerySet[Person]:
        if value == "enterprise":
            return queryset.filter(employer_enterprise__isnull=False)
        if value == "unit":
            return queryset.filter(employer_unit__isnull=False)
        return queryset

    def filter_uncertified(
        self, queryset: models.QuerySet[Person], name: str, value: bool | None
    ) -> models.QuerySet[Person]:
        if value is None:
            return queryset
        from anjian.people.metrics import certified_q

        three = queryset.filter(role_category__in=THREE_TYPES)
        q = certified_q(timezone.localdate())
        return three.exclude(q) if value else three.filter(q)


class CertificateFilterSet(AnjianFilterSet):
    """Certificates by holder, kind, employer and validity on today's date."""

    q = filters.CharFilter(method="search", label="关键词")
    person_id = filters.NumberFilter(field_name="person_id", label="人员ID")
    kind = filters.MultipleChoiceFilter(choices=CertificateKind.choices, label="证书类别")
    category = filters.ChoiceFilter(choices=SpecialOperationCategory.choices, label="作业类别")
    enterprise_id = filters.NumberFilter(field_name="person__employer_enterprise_id", label="企业ID")
    enterprise_uscc = filters.CharFilter(
        field_name="person__employer_enterprise__uscc", label="统一社会信用代码"
    )
    unit_id = filters.NumberFilter(field_name="person__employer_unit_id", label="部门ID")
    status = filters.ChoiceFilter(
        choices=[
            (s.value, s.label)
            for s in (CertificateStatus.VALID, CertificateStatus.EXPIRING, CertificateStatus.EXPIRED)
        ],
        method="filter_status",
        label="状态",
    )
    expires_after = filters.DateFilter(field_name="expires_on", lookup_expr="gte", label="到期日不早于")
    expires_before = filters.DateFilter(field_name="expires_on", lookup_expr="lte", label="到期日不晚于")

    class Meta:
        model = Certificate
        fields = ["q", "person_id", "kind", "category", "status"]

    def search(
        self, queryset: models.QuerySet[Certificate], name: str, value: str
    ) -> models.QuerySet[Certificate]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            search_q(
                Certificate,
                value,
                [
                    "^number",
                    "person__name",
                    "^person__id_number",
                    "^issuer",
                    "person__employer_enterprise__name",
                ],
            )
        )

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        """Validity today; "expiring" means within the longest window (90 days)."""
        today = timezone.localdate()
        if value == CertificateStatus.EXPIRED:
            return queryset.expired_on(today)
        if value == CertificateStatus.EXPIRING:
            return queryset.expiring_within(today, EXPIRING_WINDOWS[-1])
        if value == CertificateStatus.VALID:
            return queryset.valid_on(today)
        return queryset


class TrainingFilterSet(AnjianFilterSet):
    """Training records by person, kind, result, employer and date."""

    q = filters.CharFilter(method="search", label="关键词")
    person_id = filters.NumberFilter(field_name="person_id", label="人员ID")
    kind = filters.MultipleChoiceFilter(choices=TrainingKind.choices, label="培训类型")
    result = filters.ChoiceFilter(choices=TrainingResult.choices, label="考核结果")
    enterprise_id = filters.NumberFilter(field_name="person__employer_enterprise_id", label="企业ID")
    unit_id = filters.NumberFilter(field_name="person__employer_unit_id", label="部门ID")
    year = filters.NumberFilter(method="filter_year", label="年度")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label="日期不早于")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label="日期不晚于")

    class Meta:
        model = TrainingRecord
        fields = ["q", "person_id", "kind", "result"]

    def search(self, queryset: models.QuerySet[TrainingRecord], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            search_q(TrainingRecord, value, ["^course", "person__name", "^provider", "^person__id_number"])
        )

    def filter_year(self, queryset: models.QuerySet[TrainingRecord], name: str, value: Any) -> Any:
        if not value:
            return queryset
        year = int(value)
        if not 1900 < year < 3000:
            return queryset.none()
        return queryset.filter(date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
