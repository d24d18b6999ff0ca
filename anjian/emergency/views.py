"""Pages of the emergency app: incidents (phone-friendly report, checklist with clocks, command timeline),
plans, resources (with "nearest to this point"), drills and improvements, consequence footprints."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.views import ScopedObjectMixin, object_for_change, paginate, run_action
from anjian.core.workflow import allowed_verbs
from anjian.domain.plume import LIMITS
from anjian.emergency import actions, forms, maps
from anjian.emergency.choices import (
    IncidentStatus,
    PlanKind,
    ResourceKind,
)
from anjian.emergency.models import Drill, EmergencyPlan, Footprint, Improvement, Incident, Resource
from anjian.emergency.permissions import may_register
from anjian.emergency.selectors import nearest_resources, people_in_footprint, station_wind
from anjian.emergency.workflows import IMPROVEMENT_FLOW, INCIDENT_FLOW

_may_write = may_register


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _owner_defaults(obj: Any, user: Any) -> Any:
    """A department's zone-level row is its own; an enterprise user's row is its enterprise's."""
    scope = scope_of(user)
    if (
        scope.is_department
        and not getattr(obj, "enterprise_id", None)
        and not getattr(obj, "owner_unit_id", None)
    ):
        obj.owner_unit = user.org
    return obj


def _check_changeable(obj: Any, user: Any) -> None:
    if not restrict(type(obj).objects.filter(pk=obj.pk), user, "change").exists():
        raise PermissionDenied("超出您的管理范围，无权保存")


# ---------------------------------------------------------------------------------------------------------
# Generic create/edit page for the registers
# ---------------------------------------------------------------------------------------------------------


class _EditView(LoginRequiredMixin, View):
    """Create (no pk) or edit (pk) one object through its action; 404/403 through the access layer."""

    model: Any
    form_class: Any
    action: Any
    title = ""
    list_url = ""

    def _object(self) -> Any:
        pk = self.kwargs.get("pk")
        if pk is None:
            if not _may_write(self.request.user):
                raise PermissionDenied("无权新建")
            return self.model()
        return object_for_change(self.model, self.request.user, pk)

    def _render(self, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        title = f"{'编辑' if obj.pk else '新建'}{self.title}"
        return render(
            self.request,
            "emergency/form.html",
            {"form": form, "page_title": title, "back": reverse(self.list_url), "submit": "保存"},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object()
        return self._render(self.form_class(instance=obj, user=request.user), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        from django.db import transaction

        obj = self._object()
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():

            def save() -> Any:
                with transaction.atomic():
                    saved = type(self).action(
                        _owner_defaults(form.instance, request.user), acting_user=request.user
                    )
                    form._save_m2m()  # the plan's linked installations
                    _check_changeable(saved, request.user)
                    return saved

            try:
                ok, saved = run_action(request, save, "已保存", form)
            except PermissionDenied:
                form.add_error(None, "超出您的管理范围，无权保存")
                ok = False
            if ok:
                return redirect(saved.get_absolute_url())
        return self._render(form, obj, status=200)


# ---------------------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------------------


class IncidentListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(Incident.objects.select_related("enterprise", "town"), request.user)
        status = request.GET.get("status", "")
        if status in IncidentStatus.values:
            qs = qs.filter(status=status)
        grade = request.GET.get("grade", "")
        if grade:
            qs = qs.filter(grade=grade)
        overdue = [
            (incident, item)
            for incident in qs.filter(status__in=[IncidentStatus.REPORTED, IncidentStatus.RESPONDING])[:50]
            for item in incident.checklist()
            if item.state(timezone.now()) in {"open", "overdue"}
        ]
        return render(
            request,
            "emergency/incident_list.html",
            {
                "page_title": "事故接报与处置",
                "statuses": IncidentStatus.choices,
                "status": status,
                "grade": grade,
                "may_write": _may_write(request.user),
                "pending": overdue[:20],
                "now": timezone.now(),
                "map_data": _fc(maps.incident_features(request.user)),
                **paginate(request, qs),
            },
        )


class IncidentReportView(LoginRequiredMixin, View):
    """The first report, made to fit a phone: the grade and clocks follow from it."""

    def _render(self, form: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "emergency/incident_report.html",
            {"form": form, "page_title": "事故接报", "back": reverse("emergency:incident_list")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_write(request.user):
            raise PermissionDenied("无权接报事故")
        now = timezone.localtime().replace(second=0, microsecond=0)
        return self._render(
            forms.IncidentReportForm(initial={"occurred_at": now, "known_at": now}, user=request.user)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.db import transaction

        if not _may_write(request.user):
            raise PermissionDenied("无权接报事故")
        form = forms.IncidentReportForm(request.POST, instance=Incident(), user=request.user)
        if form.is_valid():

            def report() -> Incident:
                with transaction.atomic():
                    incident = actions.do_report_incident(
                        _owner_defaults(form.instance, request.user), acting_user=request.user
                    )
                    _check_changeable(incident, request.user)
                    return incident

            try:
                ok, incident = run_action(request, report, "已接报，请按清单时限逐级报告", form)
            except PermissionDenied:
                form.add_error(None, "超出您的管理范围，无权接报")
                ok = False
            if ok:
                return redirect(incident.get_absolute_url())
        return self._render(form)


class IncidentDetailView(ScopedObjectMixin, View):
    model = Incident

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = self.get_object()
        now = timezone.now()
        may_change = restrict(Incident.objects.filter(pk=incident.pk), request.user, "change").exists()
        checklist = [
            {
                "item": item,
                "state": item.state(now),
                "minutes_left": int(item.remaining(now).total_seconds() // 60),
            }
            for item in incident.checklist()
        ]
        # the steps this user may take now (``core.workflow.allowed_verbs`` on ``INCIDENT_FLOW``)
        edges = [(e.verb, e.label, e.requires) for e in allowed_verbs(INCIDENT_FLOW, incident, request.user)]
        features = maps.footprint_features(request.user, qs=incident.footprints.all())
        nearby: list[Any] = []
        if incident.lon is not None and incident.lat is not None:
            nearby = nearest_resources(request.user, float(incident.lon), float(incident.lat), limit=8)
            features += maps.resource_features(request.user, qs=[n.resource for n in nearby])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [float(incident.lon), float(incident.lat)]},
                    "properties": {
                        "name": incident.title,
                        "colour": "#000",
                        "radius": 9,
                        "popup": [["地点", incident.place]],
                    },
                }
            )
        return render(
            request,
            "emergency/incident_detail.html",
            {
                "page_title": incident.title,
                "incident": incident,
                "grade": incident.grade_result(),
                "checklist": checklist,
                "edges": edges,
                "may_change": may_change,
                "timeline": incident.timeline.select_related("resource"),
                "revisions": incident.revisions.all(),
                "footprints": incident.footprints.all(),
                "nearby": nearby,
                "map_data": _fc(features),
                "window_ends": incident.supplement_window_ends(),
                "casualty_form": forms.CasualtiesForm(
                    initial={
                        "deaths": incident.deaths,
                        "injuries": incident.injuries,
                        "loss_cny": incident.loss_cny,
                    }
                ),
                "timeline_form": forms.TimelineForm(user=request.user),
                "danger_form": forms.DangerForm(),
                "history": self.history(incident),
            },
        )


_EDGE_ACTIONS = {
    "respond": actions.do_respond_incident,
    "stand_down": actions.do_stand_down_incident,
    "close": actions.do_close_incident,
    "reopen": actions.do_reopen_incident,
}


class IncidentActionView(LoginRequiredMixin, View):
    """POST: a workflow edge, a casualty change, a checklist tick, a timeline line, a danger found."""

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        incident = object_for_change(Incident, request.user, pk)
        user = request.user
        if verb in _EDGE_ACTIONS:
            run_action(
                request,
                lambda: _EDGE_ACTIONS[verb](
                    incident, acting_user=user, reason=request.POST.get("reason", "")
                ),
                "已更新状态",
            )
        elif verb == "casualties":
            form = forms.CasualtiesForm(request.POST)
            if form.is_valid():
                run_action(
                    request,
                    lambda: actions.do_change_casualties(incident, acting_user=user, **form.cleaned_data),
                    "已记录伤亡变化并重新定级",
                )
            else:
                from django.contrib import messages

                messages.error(
                    request,
                    "伤亡数字无效：" + "；".join(str(e) for errs in form.errors.values() for e in errs),
                )
        elif verb == "mark":
            run_action(
                request,
                lambda: actions.do_mark_reported(incident, request.POST.get("key", ""), acting_user=user),
                "已记录报告时间",
            )
        elif verb == "timeline":
            tform = forms.TimelineForm(request.POST, user=user)
            if tform.is_valid():
                data = tform.cleaned_data
                run_action(
                    request,
                    lambda: actions.do_add_timeline(
                        incident,
                        kind=data["kind"],
                        text=data["text"],
                        resource=data["resource"],
                        quantity=data["quantity"],
                        acting_user=user,
                    ),
                    "已记入时间线",
                )
        elif verb == "danger":
            dform = forms.DangerForm(request.POST)
            if dform.is_valid():
                run_action(
                    request,
                    lambda: actions.do_report_danger(
                        incident, description=dform.cleaned_data["description"], acting_user=user
                    ),
                    "已记录调查发现的隐患",
                )
        else:
            raise Http404
        return redirect(incident.get_absolute_url())


# ---------------------------------------------------------------------------------------------------------
# Plans, resources, drills
# ---------------------------------------------------------------------------------------------------------


class PlanListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(EmergencyPlan.objects.select_related("enterprise", "owner_unit"), request.user)
        kind = request.GET.get("kind", "")
        if kind in PlanKind.values:
            qs = qs.filter(kind=kind)
        overdue = request.GET.get("overdue") == "1"
        if overdue:
            qs = qs.filter(review_due__lt=timezone.localdate())
        return render(
            request,
            "emergency/plan_list.html",
            {
                "page_title": "应急预案",
                "kinds": PlanKind.choices,
                "kind": kind,
                "overdue": overdue,
                "today": timezone.localdate(),
                "may_write": _may_write(request.user),
                **paginate(request, qs),
            },
        )


class PlanDetailView(ScopedObjectMixin, View):
    model = EmergencyPlan

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_object()
        return render(
            request,
            "emergency/plan_detail.html",
            {
                "page_title": plan.title,
                "plan": plan,
                "drills": restrict(plan.drills.all(), request.user),
                "installations": restrict(plan.installations.all(), request.user),
                "may_change": restrict(
                    EmergencyPlan.objects.filter(pk=plan.pk), request.user, "change"
                ).exists(),
                "history": self.history(plan),
            },
        )


class PlanEditView(_EditView):
    model = EmergencyPlan
    form_class = forms.PlanForm
    action = staticmethod(actions.do_save_plan)
    title = "应急预案"
    list_url = "emergency:plan_list"


class ResourceListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(Resource.objects.select_related("enterprise", "owner_unit"), request.user)
        kind = request.GET.get("kind", "")
        if kind in ResourceKind.values:
            qs = qs.filter(kind=kind)
        nearest_form = forms.NearestForm(request.GET if "lon" in request.GET else None)
        nearby = None
        features = maps.resource_features(request.user, qs=qs.filter(lon__isnull=False))
        if nearest_form.is_bound and nearest_form.is_valid():
            data = nearest_form.cleaned_data
            nearby = nearest_resources(
                request.user, float(data["lon"]), float(data["lat"]), kind=data["kind"] or None, limit=10
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [float(data["lon"]), float(data["lat"])]},
                    "properties": {"name": "查询点", "colour": "#000", "radius": 9},
                }
            )
        return render(
            request,
            "emergency/resource_list.html",
            {
                "page_title": "应急资源",
                "kinds": ResourceKind.choices,
                "kind": kind,
                "nearest_form": nearest_form,
                "nearby": nearby,
                "may_write": _may_write(request.user),
                "map_data": _fc(features),
                **paginate(request, qs),
            },
        )


class ResourceEditView(_EditView):
    model = Resource
    form_class = forms.ResourceForm
    action = staticmethod(actions.do_save_resource)
    title = "应急资源"
    list_url = "emergency:resource_list"


class DrillListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(
            Drill.objects.select_related("plan", "enterprise", "owner_unit").prefetch_related("improvements"),
            request.user,
        )
        open_items = restrict(Improvement.objects.filter(status="open").select_related("drill"), request.user)
        return render(
            request,
            "emergency/drill_list.html",
            {
                "page_title": "应急演练",
                "may_write": _may_write(request.user),
                "open_items": open_items[:30],
                "today": timezone.localdate(),
                **paginate(request, qs),
            },
        )


class DrillDetailView(ScopedObjectMixin, View):
    model = Drill

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = self.get_object()
        return render(
            request,
            "emergency/drill_detail.html",
            {
                "page_title": drill.title,
                "drill": drill,
                "improvements": [
                    (item, allowed_verbs(IMPROVEMENT_FLOW, item, request.user))
                    for item in drill.improvements.all()
                ],
                "may_change": restrict(Drill.objects.filter(pk=drill.pk), request.user, "change").exists(),
                "form": forms.ImprovementForm(),
                "today": timezone.localdate(),
                "history": self.history(drill),
            },
        )


class DrillEditView(_EditView):
    model = Drill
    form_class = forms.DrillForm
    action = staticmethod(actions.do_record_drill)
    title = "应急演练"
    list_url = "emergency:drill_list"


class ImprovementAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = object_for_change(Drill, request.user, pk)
        form = forms.ImprovementForm(request.POST)
        if form.is_valid():
            run_action(
                request,
                lambda: actions.do_add_improvement(drill, acting_user=request.user, **form.cleaned_data),
                "已登记整改项",
            )
        return redirect(drill.get_absolute_url())


class ImprovementEdgeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        item = object_for_change(Improvement, request.user, pk)
        funcs: dict[str, Any] = {
            "complete": actions.do_complete_improvement,
            "reopen": actions.do_reopen_improvement,
        }
        func = funcs.get(verb)
        if func is None:
            raise Http404
        run_action(
            request,
            lambda: func(item, acting_user=request.user, reason=request.POST.get("reason", "")),
            "已更新整改项",
        )
        return redirect(item.drill.get_absolute_url())


# ---------------------------------------------------------------------------------------------------------
# Footprints
# ---------------------------------------------------------------------------------------------------------


class FootprintCreateView(LoginRequiredMixin, View):
    def _incident(self) -> Incident | None:
        pk = self.request.GET.get("incident") or self.request.POST.get("incident")
        return object_for_change(Incident, self.request.user, pk) if pk else None

    def _render(self, form: Any, incident: Incident | None, wind: Any = None) -> HttpResponse:
        return render(
            self.request,
            "emergency/footprint_form.html",
            {
                "form": form,
                "incident": incident,
                "wind": wind,
                "limits": LIMITS,
                "page_title": "泄漏影响范围估算",
                "back": reverse("emergency:incident_list"),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_write(request.user):
            raise PermissionDenied("无权计算")
        incident = self._incident()
        initial: dict[str, Any] = {"level1_label": "IDLH", "level2_label": "防护行动浓度", "daytime": True}
        if incident is not None:
            initial.update(name=f"{incident.title} 影响范围", lon=incident.lon, lat=incident.lat)
        wind = station_wind()
        if wind is not None and wind.usable:
            initial.update(wind_speed=wind.speed_ms, wind_from_deg=wind.from_deg)
        return self._render(forms.FootprintForm(initial=initial), incident, wind)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_write(request.user):
            raise PermissionDenied("无权计算")
        incident = self._incident()
        form = forms.FootprintForm(request.POST, instance=Footprint(incident=incident))
        if form.is_valid():
            ok, fp = run_action(
                request,
                lambda: actions.do_compute_footprint(
                    _owner_defaults(form.instance, request.user), acting_user=request.user
                ),
                "已计算影响范围",
                form,
            )
            if ok:
                return redirect(fp.get_absolute_url())
        return self._render(form, incident)


class FootprintDetailView(ScopedObjectMixin, View):
    model = Footprint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        fp = self.get_object()
        lon, lat = float(fp.lon), float(fp.lat)
        nearby = nearest_resources(request.user, lon, lat, limit=8)
        features = maps.footprint_features(request.user, qs=[fp]) + maps.resource_features(
            request.user, qs=[n.resource for n in nearby]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": "泄漏点", "colour": "#000", "radius": 8},
            }
        )
        exposure = people_in_footprint(request.user, fp.result or {})
        drawn: set[int] = set()
        for level in exposure:
            for z in level.zones:
                if z.zone.pk in drawn:
                    continue
                drawn.add(z.zone.pk)
                features.insert(
                    0,
                    {
                        "type": "Feature",
                        "geometry": z.zone.outline_geojson,
                        "properties": {
                            "name": f"{z.zone.enterprise.display_name} {z.zone.name}：在场 {z.headcount} 人",
                            "colour": "#2c3e50",
                            "weight": 2,
                            "url": z.zone.get_absolute_url(),
                        },
                    },
                )
        return render(
            request,
            "emergency/footprint_detail.html",
            {
                "page_title": fp.name,
                "fp": fp,
                "result": fp.result,
                "limits": LIMITS,
                "nearby": nearby,
                "exposure": exposure,
                "map_data": _fc(features),
            },
        )
