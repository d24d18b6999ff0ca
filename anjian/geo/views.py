"""Pages of the park map: the full map, geography registers with a map beside the table, the map editor,
GeoJSON import/export, enterprise locations and offline tiles."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.excel import xlsx_response
from anjian.core.views import object_for_change, paginate, run_action
from anjian.enterprises import actions as enterprise_actions
from anjian.enterprises.choices import Industry
from anjian.enterprises.filtersets import EnterpriseFilterSet
from anjian.enterprises.models import Enterprise
from anjian.geo import actions, enterprise_io, geojson_io
from anjian.geo.choices import AreaKind
from anjian.geo.forms import (
    AreaForm,
    DeleteForm,
    GeoJSONImportForm,
    LocationForm,
    PlotForm,
    PointsImportForm,
    RoadForm,
)
from anjian.geo.models import Area, Road
from anjian.geo.zone import mbtiles_path
from anjian.orgs.models import OrgUnit

__all__ = [
    "AreaDeleteView",
    "AreaEditView",
    "AreaListView",
    "EnterpriseLocationView",
    "EnterpriseMapListView",
    "EnterprisePlotView",
    "ExportView",
    "ImportView",
    "MapView",
    "PointsExportView",
    "PointsImportView",
    "RoadDeleteView",
    "RoadEditView",
    "RoadListView",
    "TileView",
]

#: Which map layer shows which area kind (for the map beside a list).
KIND_LAYERS = {
    "zone": "geo.boundaries",
    "park": "geo.boundaries",
    "town": "geo.towns",
    "grid": "geo.grids",
    "functional": "geo.zones",
    "base": "geo.base",
}


def may_edit_geography(user: Any) -> bool:
    """The committee office and admins draw the zone's geography (a town edits its own grid areas)."""
    return scope_of(user).sees_all


class MapView(LoginRequiredMixin, View):
    """园区一张图: every layer the user may see."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "geo/map.html", {"page_title": "园区地图", "may_edit": may_edit_geography(request.user)}
        )


# ---------------------------------------------------------------------------------------------
# Registers with a map beside the table
# ---------------------------------------------------------------------------------------------


class AreaListView(LoginRequiredMixin, View):
    """Areas of one kind (边界、镇域、网格、功能分区、底图), table and map side by side."""

    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind") or AreaKind.FUNCTIONAL
        if kind not in AreaKind.values:
            raise Http404("unknown kind")
        rows = restrict(Area.objects.filter(kind=kind), request.user).select_related("town", "grid")
        changeable = set(
            restrict(Area.objects.filter(kind=kind), request.user, "change").values_list("pk", flat=True)
        )
        context = {
            "page_title": AreaKind(kind).label,
            "kind": kind,
            "kinds": AreaKind.choices,
            "rows": rows,
            "layers": ",".join(dict.fromkeys([KIND_LAYERS[kind], "geo.boundaries"])),
            "may_edit": may_edit_geography(request.user),
            "changeable": changeable,
        }
        return render(request, "geo/area_list.html", context)


class RoadListView(LoginRequiredMixin, View):
    """Roads: centrelines, widths and lengths, with the map."""

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = restrict(Road.objects.all(), request.user)
        return render(
            request,
            "geo/road_list.html",
            {"page_title": "道路", "rows": rows, "may_edit": may_edit_geography(request.user)},
        )


# ---------------------------------------------------------------------------------------------
# Map editor: create and change areas and roads
# ---------------------------------------------------------------------------------------------


class _EditView(LoginRequiredMixin, View):
    model: Any = None
    form_class: Any = None
    template = "geo/feature_form.html"

    def _object(self, pk: int | None) -> Any:
        if pk is None:
            if not may_edit_geography(self.request.user):
                raise PermissionDenied("无权新增地理要素")
            return None
        return object_for_change(self.model, self.request.user, pk)

    def _form(self, obj: Any, data: Any = None) -> Any:
        return self.form_class(data, instance=obj)

    def _context(self, obj: Any, form: Any) -> dict[str, Any]:
        return {"object": obj, "form": form, "geometry_kind": "line" if self.model is Road else "polygon"}

    def _save(self, obj: Any, reason: str) -> Any:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
        obj = self._object(pk)
        return render(request, self.template, self._context(obj, self._form(obj)))

    def post(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponseBase:
        obj = self._object(pk)
        form = self._form(obj, request.POST)
        if form.is_valid():
            ok, saved = run_action(
                request,
                lambda: self._save(form.instance, form.cleaned_data.get("reason", "")),
                "已保存",
                form,
            )
            if ok:
                return redirect(self._back(saved))
        return render(request, self.template, self._context(obj, form), status=400)

    def _back(self, obj: Any) -> str:
        raise NotImplementedError


class AreaEditView(_EditView):
    """Draw a new area or reshape, move and rename one."""

    model = Area

    def _kind(self, obj: Any) -> str:
        if obj is not None:
            return str(obj.kind)
        kind = str(self.kwargs.get("kind", ""))
        if kind not in AreaKind.values:
            raise Http404("unknown kind")
        return kind

    def _form(self, obj: Any, data: Any = None) -> Any:
        return AreaForm(data, instance=obj, kind=self._kind(obj))

    def _context(self, obj: Any, form: Any) -> dict[str, Any]:
        kind = self._kind(obj)
        return {
            **super()._context(obj, form),
            "page_title": f"{'修改' if obj else '新增'}{AreaKind(kind).label}",
            "back": reverse("geo:area_list") + f"?kind={kind}",
            "layers": ",".join(dict.fromkeys(["geo.boundaries", KIND_LAYERS[kind], "geo.roads"])),
            "delete_url": reverse("geo:area_delete", args=[obj.pk]) if obj else "",
        }

    def _save(self, obj: Any, reason: str) -> Any:
        return actions.do_save_area(obj, acting_user=self.request.user, reason=reason)

    def _back(self, obj: Any) -> str:
        return reverse("geo:area_list") + f"?kind={obj.kind}"


class RoadEditView(_EditView):
    """Draw a new road centreline or reshape one."""

    model = Road
    form_class = RoadForm

    def _context(self, obj: Any, form: Any) -> dict[str, Any]:
        return {
            **super()._context(obj, form),
            "page_title": "修改道路" if obj else "新增道路",
            "back": reverse("geo:road_list"),
            "layers": "geo.boundaries,geo.zones,geo.roads",
            "delete_url": reverse("geo:road_delete", args=[obj.pk]) if obj else "",
        }

    def _save(self, obj: Any, reason: str) -> Any:
        return actions.do_save_road(obj, acting_user=self.request.user, reason=reason)

    def _back(self, obj: Any) -> str:
        return reverse("geo:road_list")


class _DeleteView(LoginRequiredMixin, View):
    model: Any = None

    def _delete(self, obj: Any, reason: str) -> None:
        raise NotImplementedError

    def _back(self, obj: Any) -> str:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = object_for_change(self.model, request.user, pk)
        return render(
            request, "geo/delete.html", {"object": obj, "form": DeleteForm(), "back": self._back(obj)}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        obj = object_for_change(self.model, request.user, pk)
        form = DeleteForm(request.POST)
        back = self._back(obj)
        if form.is_valid():
            ok, _r = run_action(
                request, lambda: self._delete(obj, form.cleaned_data["reason"]), "已删除", form
            )
            if ok:
                return redirect(back)
        return render(request, "geo/delete.html", {"object": obj, "form": form, "back": back}, status=400)


class AreaDeleteView(_DeleteView):
    model = Area

    def _delete(self, obj: Any, reason: str) -> None:
        actions.do_delete_area(obj, acting_user=self.request.user, reason=reason)

    def _back(self, obj: Any) -> str:
        return reverse("geo:area_list") + f"?kind={obj.kind}"


class RoadDeleteView(_DeleteView):
    model = Road

    def _delete(self, obj: Any, reason: str) -> None:
        actions.do_delete_road(obj, acting_user=self.request.user, reason=reason)

    def _back(self, obj: Any) -> str:
        return reverse("geo:road_list")


# ---------------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------------


class ExportView(LoginRequiredMixin, View):
    """One layer of the stored geography as a GeoJSON file."""

    def get(self, request: HttpRequest, target: str) -> HttpResponse:
        if target in enterprise_io.ENTERPRISE_TARGETS:
            collection = enterprise_io.export_enterprise_collection(target, request.user)
        elif target in geojson_io.TARGETS:
            collection = geojson_io.export_collection(target, request.user)
        else:
            raise Http404("unknown layer")
        body = json.dumps(collection, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{target}.geojson"'
        return response


class ImportView(LoginRequiredMixin, View):
    """Upload GeoJSON into one layer: every feature checked, nothing saved from a file with a bad feature."""

    def _guard(self, target: str | None = None) -> None:
        user = self.request.user
        geography, places = may_edit_geography(user), enterprise_io.may_place_enterprises(user)
        if target in enterprise_io.ENTERPRISE_TARGETS:
            allowed = places
        elif target is not None:
            allowed = geography
        else:
            allowed = geography or places
        if not allowed:
            raise PermissionDenied("无权导入地理数据")

    def _targets(self) -> list[str]:
        user = self.request.user
        out = list(geojson_io.TARGETS) if may_edit_geography(user) else []
        if enterprise_io.may_place_enterprises(user):
            out += list(enterprise_io.ENTERPRISE_TARGETS)
        return out

    def get(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        targets = self._targets()
        wanted = request.GET.get("target", "")
        form = GeoJSONImportForm(
            initial={"target": wanted if wanted in targets else targets[0]}, targets=targets
        )
        return render(request, "geo/import.html", {"form": form, "page_title": "导入 GeoJSON"})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        form = GeoJSONImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            target = form.cleaned_data["target"]
            self._guard(target)
            upload = form.cleaned_data["file"]
            data = upload.read(geojson_io.MAX_UPLOAD_BYTES + 1)
            importer = (
                enterprise_io.import_enterprise_collection
                if target in enterprise_io.ENTERPRISE_TARGETS
                else geojson_io.import_collection
            )
            result = importer(
                target,
                data,
                acting_user=request.user,
                reason=form.cleaned_data.get("reason", ""),
                gcj02=form.cleaned_data["crs"] == "gcj02",
            )
            if result.ok:
                messages.success(
                    request,
                    f"导入完成：新增 {result.count('created')}，更新 {result.count('updated')}，未变 {result.count('unchanged')}",
                )
        status = 200 if result is not None and result.ok else 400
        return render(
            request,
            "geo/import.html",
            {"form": form, "result": result, "page_title": "导入 GeoJSON"},
            status=status,
        )


# ---------------------------------------------------------------------------------------------
# Enterprise location
# ---------------------------------------------------------------------------------------------


class EnterpriseLocationView(LoginRequiredMixin, View):
    """Set an enterprise's location on the map or from coordinates (WGS 84 or GCJ-02)."""

    def _enterprise(self, pk: int) -> Enterprise:
        enterprise = object_for_change(Enterprise, self.request.user, pk)
        if scope_of(self.request.user).is_enterprise:
            raise PermissionDenied("企业位置由监管部门登记")
        return enterprise  # type: ignore[no-any-return]

    def _context(self, enterprise: Enterprise, form: LocationForm) -> dict[str, Any]:
        focus = f"{enterprise.lon},{enterprise.lat},15" if enterprise.lon is not None else ""
        return {
            "enterprise": enterprise,
            "form": form,
            "focus": focus,
            "page_title": f"{enterprise.display_name} · 位置",
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self._enterprise(pk)
        form = LocationForm(initial={"lon": enterprise.lon, "lat": enterprise.lat, "crs": "wgs84"})
        return render(request, "geo/location_form.html", self._context(enterprise, form))

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        enterprise = self._enterprise(pk)
        form = LocationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ok, _r = run_action(
                request,
                lambda: enterprise_actions.do_update_enterprise(
                    enterprise,
                    {"lon": data["wgs_lon"], "lat": data["wgs_lat"]},
                    acting_user=request.user,
                    reason=data.get("reason", "") or "在地图上登记位置",
                ),
                "位置已保存",
                form,
            )
            if ok:
                return redirect(reverse("enterprises:enterprise_detail", args=[pk]) + "?tab=map")
        return render(request, "geo/location_form.html", self._context(enterprise, form), status=400)


class EnterprisePlotView(LoginRequiredMixin, View):
    """Draw, reshape or move an enterprise's plot outline (地块轮廓) on the map; saved through the registry's
    action (validated, audited)."""

    def _enterprise(self, pk: int) -> Enterprise:
        enterprise = object_for_change(Enterprise, self.request.user, pk)
        if scope_of(self.request.user).is_enterprise:
            raise PermissionDenied("企业地块由监管部门登记")
        return enterprise  # type: ignore[no-any-return]

    def _context(self, enterprise: Enterprise, form: PlotForm) -> dict[str, Any]:
        focus = f"{enterprise.lon},{enterprise.lat},16" if enterprise.lon is not None else ""
        back = reverse("enterprises:enterprise_detail", args=[enterprise.pk]) + "?tab=map"
        return {
            "object": enterprise,
            "form": form,
            "page_title": f"{enterprise.display_name} · 地块轮廓",
            "geometry_kind": "polygon",
            "layers": "geo.base,geo.boundaries,geo.zones,geo.roads,enterprises",
            "focus": focus,
            "highlight": enterprise.pk,
            "back": back,
            "delete_url": "",
            "form_id": "geo-feature-form",
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self._enterprise(pk)
        initial = {"crs": "wgs84"}
        if enterprise.plot_geojson:
            initial["geometry_text"] = json.dumps(enterprise.plot_geojson, ensure_ascii=False)
        return render(request, "geo/feature_form.html", self._context(enterprise, PlotForm(initial=initial)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        enterprise = self._enterprise(pk)
        form = PlotForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ok, _r = run_action(
                request,
                lambda: enterprise_actions.do_update_enterprise(
                    enterprise,
                    {"plot_geojson": data.get("geometry")},
                    acting_user=request.user,
                    reason=data.get("reason", "") or "在地图上绘制地块轮廓",
                ),
                "地块轮廓已保存",
                form,
            )
            if ok:
                return redirect(reverse("enterprises:enterprise_detail", args=[pk]) + "?tab=map")
        return render(request, "geo/feature_form.html", self._context(enterprise, form), status=400)


#: The enterprise list's filters that the map page passes on to the enterprise layers.
_ENTERPRISE_FILTERS = tuple(EnterpriseFilterSet.base_filters)


class EnterpriseMapListView(LoginRequiredMixin, View):
    """企业分布图: the enterprise list's filters, the enterprises on the map and in a table beside it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = restrict(Enterprise.objects.select_related("town", "grid"), request.user)
        fs = EnterpriseFilterSet(request.GET, queryset=base)
        qs = fs.qs
        params = request.GET.copy()
        for name in list(params):
            if name not in _ENTERPRISE_FILTERS:
                params.pop(name)
        context = {
            "page_title": "企业分布图",
            "f": request.GET,
            "filter_errors": fs.errors,
            "towns": OrgUnit.objects.filter(kind="town"),
            "industries": Industry.choices,
            "total": qs.count(),
            "unplaced": qs.filter(lon__isnull=True).count(),
            "params": params.urlencode(),
            "may_place": enterprise_io.may_place_enterprises(request.user),
            **paginate(request, qs, per_page=30),
        }
        return render(request, "geo/enterprise_map.html", context)


class PointsExportView(LoginRequiredMixin, View):
    """The enterprises the user may see with their locations, as Excel (企业位置.xlsx)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_response(enterprise_io.export_points(request.user), "企业位置.xlsx")


class PointsImportView(LoginRequiredMixin, View):
    """Place enterprises from an Excel of points (WGS 84 or GCJ-02), each row checked; refused outside the zone."""

    def _guard(self) -> None:
        if not enterprise_io.may_place_enterprises(self.request.user):
            raise PermissionDenied("无权登记企业位置")

    def _render(
        self, request: HttpRequest, form: PointsImportForm, report: Any, status: int = 200
    ) -> HttpResponse:
        context = {
            "page_title": "导入企业位置",
            "form": form,
            "report": report,
            "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
        }
        return render(request, "geo/points_import.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        return self._render(request, PointsImportForm(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        self._guard()
        form = PointsImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, None, 400)
        report = enterprise_io.import_points(
            form.cleaned_data["file"], request.user, gcj02=form.cleaned_data["crs"] == "gcj02"
        )
        if report.ok:
            messages.success(request, report.summary())
        return self._render(request, form, report, 200 if report.ok else 400)


# ---------------------------------------------------------------------------------------------
# Offline tiles
# ---------------------------------------------------------------------------------------------


def _magic_type(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class TileView(LoginRequiredMixin, View):
    """One tile of the configured MBTiles file (``ANJIAN_MAP_MBTILES``), XYZ numbering; 404 when absent.

    MBTiles 1.3 stores rows in TMS order (origin bottom-left), so ``y`` is flipped.
    """

    def get(self, request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
        path = mbtiles_path()
        if not path or z > 24 or x >= 2**z or y >= 2**z:
            raise Http404("no tile")
        row: Any = None
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                row = db.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, (2**z - 1) - y),
                ).fetchone()
        except sqlite3.Error as exc:
            raise Http404("no tile") from exc
        if row is None:
            raise Http404("no tile")
        data = bytes(row[0])
        response = HttpResponse(data, content_type=_magic_type(data))
        response["Cache-Control"] = "private, max-age=86400"
        return response
