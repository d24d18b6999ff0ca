"""Home-page items of the assessment for the committee office: results to recompute or to confirm."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from anjian.assessment.choices import SchemeState
from anjian.assessment.models import AssessmentScheme
from anjian.core.access import scope_of
from anjian.core.todos import TodoItem, register

__all__ = ["assessment_todos"]


@register
def assessment_todos(user: Any) -> list[TodoItem]:
    """Zone-wide roles: schemes whose results are stale or not yet confirmed."""
    if not scope_of(user).sees_all:
        return []
    items = []
    for scheme in AssessmentScheme.objects.filter(is_final=False):
        url = reverse("assessment:scheme_detail", args=[scheme.pk])
        if scheme.state == SchemeState.STALE:
            items.append(
                TodoItem(
                    "年度考核",
                    f"{scheme.year}年度考核需重新计算",
                    "计算后规则、否决事项或加减分有变更",
                    url,
                    "warning",
                )
            )
        elif scheme.state == SchemeState.COMPUTED:
            items.append(
                TodoItem(
                    "年度考核",
                    f"{scheme.year}年度考核结果待确认",
                    "核对各单位得分明细后确认结果",
                    url,
                    "info",
                )
            )
    return items
