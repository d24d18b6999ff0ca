"""The 一企一档 map tab: location, plot outline and neighbours."""

from __future__ import annotations

from typing import Any

from anjian.core.access import restrict, scope_of
from anjian.domain.geodesy import area_m2
from anjian.enterprises.models import Enterprise
from anjian.geo.places import describe, neighbours

__all__ = ["enterprise_map_context"]


def enterprise_map_context(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """Context of ``geo/_enterprise_tab.html`` (already scoped: neighbours are those the user may see)."""
    located = enterprise.lon is not None and enterprise.lat is not None
    scope = scope_of(user)
    return {
        "located": located,
        "focus": f"{enterprise.lon},{enterprise.lat},15" if located else "",
        "place": describe(enterprise.lon, enterprise.lat) if located else None,
        "neighbours": neighbours(enterprise, user) if located else [],
        "plot_area_m2": area_m2(enterprise.plot_geojson) if enterprise.plot_geojson else None,
        "may_locate": not scope.is_enterprise
        and restrict(Enterprise.objects.filter(pk=enterprise.pk), user, "change").exists(),
    }
