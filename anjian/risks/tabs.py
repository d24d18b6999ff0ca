"""The 风险 tab of 一企一档 and the sidebar section of the risk register."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from anjian.core.access import restrict
from anjian.risks.choices import RiskLevel
from anjian.risks.models import RiskUnit


def risks_tab_context(enterprise: Any, user: Any) -> dict[str, Any]:
    units = restrict(RiskUnit.objects.filter(enterprise=enterprise), user).select_related("risk_object")
    counts = dict(units.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return {
        "risk_units": list(units.order_by("risk_object__name", "name")[:100]),
        "risk_counts": [(v, label, counts.get(v, 0)) for v, label in RiskLevel.choices],
    }
