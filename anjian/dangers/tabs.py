"""The 隐患 tab of 一企一档."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from anjian.core.access import restrict
from anjian.dangers.models import HiddenDanger, InspectionTask

OPEN = ["reported", "verified", "rectifying", "awaiting_acceptance"]


def dangers_tab_context(enterprise: Any, user: Any) -> dict[str, Any]:
    qs = restrict(HiddenDanger.objects.filter(enterprise=enterprise), user)
    today = timezone.localdate()
    counts = qs.aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        major_open=Count("id", filter=Q(status__in=OPEN, grade="major")),
        overdue=Count("id", filter=Q(status__in=["rectifying", "awaiting_acceptance"], deadline__lt=today)),
        closed=Count("id", filter=Q(status="closed")),
    )
    counts["tasks"] = restrict(
        InspectionTask.objects.filter(enterprise=enterprise, is_active=True), user
    ).count()
    return {"danger_counts": counts, "danger_rows": list(qs.order_by("-reported_at")[:20])}
