"""The 重大危险源 tab of the 一企一档 page."""

from __future__ import annotations

from typing import Any

from anjian.core.access import restrict
from anjian.majorhazards.models import HazardInstallation

__all__ = ["enterprise_tab_context"]


def enterprise_tab_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's installations (scoped to ``user``) with their open gaps counted."""
    from django.db.models import Count, Q

    qs = (
        restrict(HazardInstallation.objects.filter(enterprise=enterprise), user)
        .annotate(open_gaps=Count("gaps", filter=Q(gaps__resolved_at__isnull=True)))
        .order_by("grade", "code")
    )
    installations = list(qs)
    may_add = restrict(type(enterprise)._default_manager.filter(pk=enterprise.pk), user, "change").exists()
    return {
        "mh_installations": installations,
        "mh_major_count": sum(1 for i in installations if i.is_major),
        "mh_may_add": may_add,
    }
