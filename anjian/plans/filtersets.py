"""Filters shared by the API and the list pages: ``<fk>_id`` paired with code filters (NetBox style)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.datastructures import MultiValueDict

from anjian.core.filters import AnjianFilterSet, valid_id
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import NoticeStatus, ReportStatus, TaskRole
from anjian.plans.models import PlanTask, ProgressReport, SupervisionNotice, Target

__all__ = ["NoticeFilterSet", "ReportFilterSet", "TargetFilterSet", "TaskFilterSet", "unit_and_groups"]


def unit_and_groups(unit_id: Any) -> list[int]:
    """A unit's id plus the ids of the groups it belongs to (a task of "两镇" is a task of 腾格里镇)."""
    pk = valid_id(unit_id)
    if pk is None:
        return []
    return [pk, *OrgUnit.objects.filter(members__id=pk).values_list("id", flat=True)]


class TaskFilterSet(AnjianFilterSet):
    """Tasks by plan, chapter, code, unit (directly or through a group) and role."""

    plan_id = django_filters.NumberFilter(field_name="plan_id")
    chapter = django_filters.CharFilter(field_name="chapter")
    code = django_filters.CharFilter(field_name="code")
    unit_id = django_filters.NumberFilter(method="filter_unit", label="单位")
    role = django_filters.MultipleChoiceFilter(
        field_name="units__role", choices=TaskRole.choices, distinct=True
    )
    q = django_filters.CharFilter(method="filter_q", label="关键词")

    class Meta:
        model = PlanTask
        fields = ["plan_id", "chapter", "code", "unit_id", "role"]

    def filter_unit(self, qs: QuerySet[PlanTask], name: str, value: Any) -> QuerySet[PlanTask]:
        roles = self.data.getlist("role") if isinstance(self.data, MultiValueDict) else []
        lookup: dict[str, Any] = {"units__unit_id__in": unit_and_groups(value)}
        if roles:
            lookup["units__role__in"] = roles
        return qs.filter(**lookup).distinct()

    def filter_q(self, qs: QuerySet[PlanTask], name: str, value: str) -> QuerySet[PlanTask]:
        from django.db.models import Q

        return qs.filter(Q(title__icontains=value) | Q(text__icontains=value) | Q(code=value))


class TargetFilterSet(AnjianFilterSet):
    """Targets by task, task code and bound metric."""

    task_id = django_filters.NumberFilter(field_name="task_id")
    task_code = django_filters.CharFilter(field_name="task__code")
    metric_key = django_filters.CharFilter(field_name="metric_key")
    bound = django_filters.BooleanFilter(method="filter_bound", label="已绑定")

    class Meta:
        model = Target
        fields = ["task_id", "task_code", "metric_key"]

    def filter_bound(self, qs: QuerySet[Target], name: str, value: bool) -> QuerySet[Target]:
        return qs.exclude(metric_key="") if value else qs.filter(metric_key="")


class ReportFilterSet(AnjianFilterSet):
    """Reports by task, unit, year, quarter and status."""

    task_id = django_filters.NumberFilter(field_name="task_id")
    task_code = django_filters.CharFilter(field_name="task__code")
    unit_id = django_filters.NumberFilter(field_name="unit_id")
    year = django_filters.NumberFilter(field_name="year")
    quarter = django_filters.NumberFilter(field_name="quarter")
    status = django_filters.MultipleChoiceFilter(field_name="status", choices=ReportStatus.choices)
    is_late = django_filters.BooleanFilter(field_name="is_late")

    class Meta:
        model = ProgressReport
        fields = ["task_id", "task_code", "unit_id", "year", "quarter", "status", "is_late"]


class NoticeFilterSet(AnjianFilterSet):
    """Notices by unit, task and status."""

    unit_id = django_filters.NumberFilter(field_name="unit_id")
    task_id = django_filters.NumberFilter(field_name="task_id")
    status = django_filters.MultipleChoiceFilter(field_name="status", choices=NoticeStatus.choices)

    class Meta:
        model = SupervisionNotice
        fields = ["unit_id", "task_id", "status"]
