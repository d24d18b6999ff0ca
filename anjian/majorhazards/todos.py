"""Home-page to-dos of the 重大危险源 register: the open 包保/filing gaps found by the daily job.

The enterprise sees its own installations' gaps; a department the gaps of the enterprises it supervises
(change scope), the committee office all of them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.majorhazards.choices import GapKind
from anjian.majorhazards.models import ResponsibilityGap
from anjian.orgs.choices import REGISTER_ROLES

__all__ = ["gap_todos"]

_LEVELS = {
    GapKind.MISSING_PERSON: "danger",
    GapKind.LAPSED_CERTIFICATE: "danger",
    GapKind.MISSED_CHECK: "warning",
    GapKind.NOT_FILED: "warning",
    GapKind.ASSESSMENT_OVERDUE: "warning",
}


def gap_todos(user: Any) -> list[TodoItem]:
    """One item per kind of open gap the user acts on."""
    scope = scope_of(user)
    if scope.role not in REGISTER_ROLES:
        return []
    from anjian.majorhazards.models import HazardInstallation

    action = "view" if scope.is_enterprise else "change"
    installations = restrict(HazardInstallation.objects.all(), user, action)
    rows = (
        ResponsibilityGap.objects.filter(resolved_at__isnull=True, installation__in=installations)
        .values("kind")
        .annotate(n=Count("id"), installations=Count("installation", distinct=True))
    )
    items = []
    for row in rows:
        kind = GapKind(row["kind"])
        items.append(
            TodoItem(
                module="重大危险源",
                title=f"重大危险源{kind.label}",
                detail=f"{row['installations']} 处重大危险源共 {row['n']} 项：{kind.label}",
                url=reverse("majorhazards:gap_list") + f"?kind={kind.value}",
                level=_LEVELS.get(kind, "warning"),
                count=row["n"],
            )
        )
    return items
