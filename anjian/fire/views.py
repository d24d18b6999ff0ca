"""Pages of the fire app: the compliance map and list of what to fix, facility registers with inspections,
GeoJSON import/export."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.audit import history_for
from anjian.core.views import object_for_change, object_or_404, paginate, run_action
from anjian.domain.fire_rules import RULE_LABELS, RULES
from anjian.fire import actions, compliance, forms, layers
from anjian.fire.choices import FacilityStatus
from anjian.fire.models import FirePool, FireRoad, FireStation, FireZone, FoamStation, Hydrant, Inspection

#: URL kind → (model, Chinese name, inspection field)
KINDS: dict[str, tuple[Any, str, str]] = {
    "hydrant": (Hydrant, "消火栓", "hydrant"),
    "pool": (FirePool, "消防水池", "pool"),
    "foam": (FoamStation, "泡沫站", "foam_station"),
    "station": (FireStation, "消防站", "station"),
}
COLOURS = {"hydrant": "#2c6fbb", "pool": "#16a085", "foam": "#8e44ad", "station": "#c0392b"}
RULE_COLOURS = {
    "hydrant_spacing": "#e74c3c",
    "both_sides": "#d35400",
    "hydrant_coverage": "#c0392b",
    "pool_capacity": "#f39c12",
}


def _kind(kind: str) -> tuple[Any, str, str]:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def park_features(user: Any, violations: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Roads, plots, fire zones, facilities (gaps highlighted) and the violations' geometries."""
    features: list[dict[str, Any]] = []
    layout = compliance.stored_layout()
    for road in layout.roads:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in road.coords]},
                "properties": {
                    "name": road.name or road.id,
                    "colour": "#7f8c8d",
                    "weight": max(2, min(10, road.width_m / 6)),
                    "popup": [["路宽", f"{road.width_m:g} 米"]],
                },
            }
        )
    for plot in layout.plots:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[list(c) for c in plot.shell]]},
                "properties": {"name": plot.name, "colour": "#95a5a6", "weight": 1},
            }
        )
    flagged = {v["feature"] for v in violations or []}
    for kind, (model, label, _field) in KINDS.items():
        for obj in restrict(model.objects.all(), user):
            broken = obj.status != FacilityStatus.OK or obj.code in flagged
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [float(obj.lon), float(obj.lat)]},
                    "properties": {
                        "name": f"{label} {obj.code}",
                        "colour": "#e74c3c" if broken else COLOURS[kind],
                        "radius": 4 if kind == "hydrant" else 7,
                        "url": obj.get_absolute_url(),
                        "popup": [["状态", obj.get_status_display()]],
                    },
                }
            )
    for v in violations or []:
        if v.get("geometry"):
            features.append(
                {
                    "type": "Feature",
                    "geometry": v["geometry"],
                    "properties": {
                        "name": v["rule_label"],
                        "colour": RULE_COLOURS[v["rule"]],
                        "weight": 6,
                        "dash": "6 4",
                        "popup": [["问题", v["detail"]], ["整改", v.get("fix", "")]],
                    },
                }
            )
    return features


class ComplianceView(LoginRequiredMixin, View):
    """The plan's fire rules on the stored layers: the map with gaps highlighted, and what to fix."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request.user)
        if scope.is_gate or scope.user_id is None:
            raise Http404
        result = compliance.run_check()
        rule = request.GET.get("rule", "")
        shown = [v for v in result["violations"] if not rule or v["rule"] == rule]
        counts = [(r, RULE_LABELS[r], result["counts"][r]) for r in RULES]
        return render(
            request,
            "fire/compliance.html",
            {
                "page_title": "消防基础设施与规则检查",
                "counts": counts,
                "rule": rule,
                "violations": shown,
                "checked": result["checked"],
                "map_data": {
                    "type": "FeatureCollection",
                    "features": park_features(request.user, result["violations"]),
                },
                "sees_all": scope_of(request.user).sees_all,
            },
        )


class FacilityListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        model, label, _field = _kind(kind)
        qs = restrict(model.objects.select_related("enterprise"), request.user)
        if q := request.GET.get("q", "").strip():
            qs = qs.filter(code__icontains=q) | qs.filter(name__icontains=q)
        return render(
            request,
            "fire/facility_list.html",
            {
                "page_title": label,
                "kind": kind,
                "label": label,
                "kinds": [(k, v[1]) for k, v in KINDS.items()],
                "q": q,
                **paginate(request, qs),
            },
        )


class FacilityDetailView(LoginRequiredMixin, View):
    def _context(self, obj: Any, kind: str, label: str, form: Any) -> dict[str, Any]:
        may_change = restrict(type(obj).objects.filter(pk=obj.pk), self.request.user, "change").exists()
        return {
            "page_title": f"{label} {obj.code}",
            "obj": obj,
            "kind": kind,
            "label": label,
            "inspections": obj.inspections.all(),
            "may_change": may_change,
            "form": form,
            "history": list(history_for(obj)[:50]),
            "map_data": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [float(obj.lon), float(obj.lat)]},
                        "properties": {"name": str(obj), "colour": COLOURS[kind]},
                    }
                ],
            },
        }

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        model, label, _field = _kind(kind)
        obj = object_or_404(model, request.user, pk)
        return render(
            request, "fire/facility_detail.html", self._context(obj, kind, label, forms.InspectionForm())
        )

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        """Record an inspection (with the facility's change rights)."""
        model, label, field = _kind(kind)
        obj = object_for_change(model, request.user, pk)
        form = forms.InspectionForm(request.POST, request.FILES, instance=Inspection(**{field: obj}))
        if form.is_valid():
            ok, _result = run_action(
                request,
                lambda: actions.do_record_inspection(form.instance, acting_user=request.user, validated=True),
                "已登记检查",
                form,
            )
            if ok:
                return redirect(obj.get_absolute_url())
        return render(request, "fire/facility_detail.html", self._context(obj, kind, label, form))


class GeoJSONExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise PermissionDenied("只有安委办可以导出全部消防图层")
        response = HttpResponse(
            json.dumps(layers.export_layers(), ensure_ascii=False),
            content_type="application/geo+json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="fire-layers.geojson"'
        return response


class GeoJSONImportView(LoginRequiredMixin, View):
    def _guard(self) -> None:
        if not scope_of(self.request.user).sees_all:
            raise PermissionDenied("只有安委办可以导入消防图层")

    def get(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        return render(
            request,
            "fire/import.html",
            {
                "page_title": "导入消防图层",
                "form": forms.GeoJSONImportForm(),
                "back": reverse("fire:compliance"),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        form = forms.GeoJSONImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                data = layers.read_upload(form.cleaned_data["file"])
            except ValueError as exc:
                form.add_error("file", str(exc))
            else:
                report = layers.import_layers(data, acting_user=request.user)
                if not report["errors"]:
                    messages.success(request, f"已导入：新增{report['created']}个，更新{report['updated']}个")
                    return redirect("fire:compliance")
        return render(
            request,
            "fire/import.html",
            {
                "page_title": "导入消防图层",
                "form": form,
                "report": report,
                "back": reverse("fire:compliance"),
            },
        )


__all__ = ["FireRoad", "FireZone"]
