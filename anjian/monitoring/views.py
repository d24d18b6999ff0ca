"""Monitoring pages: overview, points with trend, live alarm console, alarm handling, quality, availability, ingest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.params import query_id, query_int
from anjian.core.views import ScopedObjectMixin, object_or_404, paginate, run_action
from anjian.core.workflow import blocked_steps
from anjian.enterprises.models import Enterprise
from anjian.monitoring import actions, reports
from anjian.monitoring.choices import OPEN_STATES, AlarmStatus, AlarmType, PointKind
from anjian.monitoring.models import Alarm, MonitoringPoint
from anjian.monitoring.workflows import ALARM_FLOW, may_handle


def _open_alarms(user: Any) -> Any:
    return restrict(Alarm.objects.filter(status__in=OPEN_STATES), user).select_related("point", "enterprise")


class OverviewView(LoginRequiredMixin, View):
    """Enterprises with points: live state and counts."""

    def get(self, request: HttpRequest) -> HttpResponse:
        points = restrict(MonitoringPoint.objects.filter(enabled=True), request.user)
        # One page of enterprises with points (a province has thousands), paginated on the enterprises alone; the
        # counts are grouped for that page only (grouping every visible enterprise to show 20 cost ~90 ms of
        # PostgreSQL at 20,000 enterprises).
        rows = restrict(
            Enterprise.objects.filter(
                Exists(MonitoringPoint.objects.filter(enterprise_id=OuterRef("pk"), enabled=True))
            ),
            request.user,
        ).order_by("name", "pk")
        page = paginate(request, rows)
        listed = list(page["object_list"])
        ids = [e.pk for e in listed]
        counts = {
            c["enterprise_id"]: c
            for c in MonitoringPoint.objects.filter(enabled=True, enterprise_id__in=ids)
            .values("enterprise_id")
            .annotate(
                points=Count("id"),
                alarming=Count("id", filter=Q(alarm_state__level__in=["H", "HH", "L", "LL"])),
                offline=Count("id", filter=Q(alarm_state__offline=True)),
                fault=Count("id", filter=Q(alarm_state__fault=True)),
            )
        }
        for e in listed:
            c = counts.get(e.pk, {})
            e.points, e.alarming, e.offline, e.fault = (
                c.get(k, 0) for k in ("points", "alarming", "offline", "fault")
            )
        open_by_ent = dict(
            _open_alarms(request.user)
            .filter(enterprise_id__in=ids)
            .values("enterprise_id")
            .annotate(c=Count("id"))
            .values_list("enterprise_id", "c")
        )
        enterprises = [(e, open_by_ent.get(e.pk, 0)) for e in listed]
        open_alarms = _open_alarms(request.user)
        context = {
            "page_title": "监测总览",
            "enterprises": enterprises,
            "total_points": points.count(),
            "open_alarms": open_alarms.count(),
            "unacked": open_alarms.filter(status=AlarmStatus.RAISED).count(),
            "active": open_alarms.filter(active=True).count(),
            "offline": points.filter(alarm_state__offline=True).count(),
            "recent": list(open_alarms.order_by("-raised_ms")[:8]),
            **page,
        }
        return render(request, "monitoring/overview.html", context)


class PointListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(MonitoringPoint.objects.all(), request.user).select_related("enterprise", "alarm_state")
        kind = request.GET.get("kind", "")
        q = request.GET.get("q", "").strip()
        if (enterprise_id := query_id(request, "enterprise")) is not None:
            qs = qs.filter(enterprise_id=enterprise_id)
        if kind:
            qs = qs.filter(kind=kind)
        if q:
            qs = qs.filter(Q(tag__icontains=q) | Q(name__icontains=q))
        context = {
            "page_title": "监测点",
            "kinds": PointKind.choices,
            "f": request.GET,
            **paginate(request, qs),
        }
        return render(request, "monitoring/point_list.html", context)


class PointDetailView(ScopedObjectMixin, View):
    model = MonitoringPoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        point = self.get_object()
        alarms = restrict(Alarm.objects.filter(point=point), request.user)[:20]
        context = {
            "page_title": str(point),
            "object": point,
            "state": getattr(point, "alarm_state", None),
            "alarms": alarms,
            "history": self.history(point, 20),
        }
        return render(request, "monitoring/point_detail.html", context)


def _signature(user: Any) -> str:
    agg = _open_alarms(user).aggregate(n=Count("id"), at=Max("updated_at"))
    return f"{agg['n']}-{agg['at'].timestamp() if agg['at'] else 0}"


class AlarmConsoleView(LoginRequiredMixin, View):
    """Open alarms; the page asks ``alarm_feed`` every second and plays a sound for a new one (mutable)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        alarms = list(_open_alarms(request.user).order_by("-raised_ms")[:200])
        return render(
            request,
            "monitoring/console.html",
            {"page_title": "报警台", "alarms": alarms, "version": _signature(request.user)},
        )


class AlarmFeedView(LoginRequiredMixin, View):
    """JSON for the console: the rows' HTML and the unacknowledged ids, or ``changed: false``."""

    def get(self, request: HttpRequest) -> HttpResponse:
        version = _signature(request.user)
        if request.GET.get("v") == version:
            return JsonResponse({"changed": False, "version": version})
        alarms = list(_open_alarms(request.user).order_by("-raised_ms")[:200])
        html = render_to_string("monitoring/_alarm_rows.html", {"alarms": alarms}, request=request)
        unacked = [a.pk for a in alarms if a.status == AlarmStatus.RAISED]
        return JsonResponse({"changed": True, "version": version, "html": html, "unacked": unacked})


class AlarmListView(LoginRequiredMixin, View):
    """Every alarm (history), filterable."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(Alarm.objects.all(), request.user).select_related("point", "enterprise")
        status = request.GET.get("status", "")
        atype = request.GET.get("type", "")
        if status:
            qs = qs.filter(status=status)
        if atype:
            qs = qs.filter(type=atype)
        context = {
            "page_title": "报警记录",
            "statuses": AlarmStatus.choices,
            "types": AlarmType.choices,
            "f": request.GET,
            **paginate(request, qs),
        }
        return render(request, "monitoring/alarm_list.html", context)


class HandleForm(forms.Form):
    cause = forms.CharField(label="报警原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    measures = forms.CharField(label="处置措施", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    false_alarm = forms.BooleanField(label="误报", required=False)


class AlarmDetailView(ScopedObjectMixin, View):
    """One alarm with its value log, escalation steps, history and the handling forms (phone-friendly)."""

    model = Alarm

    def context(self, alarm: Alarm, form: Any = None) -> dict[str, Any]:
        verbs = dict(actions.allowed_verbs(alarm, self.request.user))
        assignees = []
        if "assign" in verbs:
            assignees = [
                u
                for u in get_user_model()
                .objects.filter(is_active=True, org__isnull=False)
                .select_related("org")[:300]
                if may_handle(alarm, u)
            ][:50]
        return {
            "page_title": str(alarm),
            "object": alarm,
            "verbs": verbs,
            # steps the user could take but not yet, with why (an alarm still active cannot be closed)
            "blocked": [reason for _edge, reason in blocked_steps(ALARM_FLOW, alarm, self.request.user)],
            "form": form or HandleForm(),
            "assignees": assignees,
            "log": alarm.log.all(),
            "escalations": alarm.escalations.all(),
            "history": self.history(alarm, 30),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "monitoring/alarm_detail.html", self.context(self.get_object()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        alarm = self.get_object()
        verb = request.POST.get("verb", "")
        reason = request.POST.get("reason", "")
        user = request.user
        if verb == "handle":
            form = HandleForm(request.POST)
            if not form.is_valid():
                return render(request, "monitoring/alarm_detail.html", self.context(alarm, form), status=400)
            d = form.cleaned_data
            ok, _r = run_action(
                request,
                lambda: actions.do_handle_alarm(
                    alarm,
                    acting_user=user,
                    cause=d["cause"],
                    measures=d["measures"],
                    false_alarm=d["false_alarm"],
                    reason=reason,
                ),
                "已记录处置",
                form,
            )
            if not ok:
                return render(request, "monitoring/alarm_detail.html", self.context(alarm, form), status=400)
            return redirect(alarm.get_absolute_url())
        if verb == "assign":
            assignee = (
                get_user_model().objects.filter(pk=request.POST.get("assignee") or 0, is_active=True).first()
            )
            run_action(
                request,
                lambda: actions.do_assign_alarm(alarm, acting_user=user, assignee=assignee, reason=reason),
                "已指派",
            )
        elif verb == "acknowledge":
            run_action(
                request,
                lambda: actions.do_acknowledge_alarm(alarm, acting_user=user, reason=reason),
                "已确认",
            )
        elif verb == "close":
            run_action(
                request, lambda: actions.do_close_alarm(alarm, acting_user=user, reason=reason), "已关闭"
            )
        elif verb == "to_danger":
            run_action(
                request,
                lambda: actions.do_turn_alarm_into_danger(alarm, acting_user=user, reason=reason),
                "已转为隐患",
            )
        else:
            from django.contrib import messages

            messages.error(request, "未知操作")
        return redirect(alarm.get_absolute_url())


class QualityPageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        days = _days(request)
        return render(
            request,
            "monitoring/quality.html",
            {"page_title": "报警质量", "q": reports.quality(request.user, days=days), "days": days},
        )


#: Rows the availability page lists per table (lowest rates first).
AVAILABILITY_ROWS = 200


class AvailabilityPageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        days = _days(request)
        # Cached a minute per scope: the rates move with the minute rollups, not with each request.
        from django.core.cache import cache

        key = f"anjian:monitoring:availability:{scope_of(request.user).cache_key}:{days}"
        a = cache.get(key)
        if not isinstance(a, dict):
            a = reports.availability(request.user, days=days)
            cache.set(key, a, 60)
        # The page lists the lowest rates only (the API gives every row): a province has tens of thousands.
        shown = AVAILABILITY_ROWS
        enterprises = sorted(a["enterprises"], key=lambda e: (e["rate"], e["name"]))
        below = sorted((p for p in a["points"] if p["rate"] < 100), key=lambda p: (p["rate"], p["tag"]))
        return render(
            request,
            "monitoring/availability.html",
            {
                "page_title": "有效投用率",
                "a": a,
                "days": days,
                "point_count": len(a["points"]),
                "enterprise_rows": enterprises[:shown],
                "enterprise_count": len(enterprises),
                "below_rows": below[:shown],
                "below_count": len(below),
                "shown": shown,
            },
        )


def _days(request: HttpRequest) -> int:
    return query_int(request, "days", 7, min_value=1, max_value=90)


class IngestPageView(LoginRequiredMixin, View):
    """Rejected telemetry by reason (zone-wide roles)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise PermissionDenied("只有安委办可以查看接入统计")
        return render(
            request, "monitoring/ingest.html", {"page_title": "接入统计", "c": reports.ingest_counters()}
        )


class MetricsView(LoginRequiredMixin, View):
    """``/monitoring/metrics``: Prometheus text for zone-wide roles (the worker serves its own on --metrics-port)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise PermissionDenied("只有安委办可以查看监控指标")
        return HttpResponse(
            reports.prometheus_text(), content_type="text/plain; version=0.0.4; charset=utf-8"
        )


def enterprise_tab_context(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The 监测预警 tab of 一企一档."""
    points = restrict(MonitoringPoint.objects.filter(enterprise=enterprise), user).select_related(
        "alarm_state"
    )
    alarms = _open_alarms(user).filter(enterprise=enterprise).order_by("-raised_ms")[:20]
    return {"mon_points": points, "mon_alarms": alarms, "mon_now": timezone.now()}


__all__ = [
    "AlarmConsoleView",
    "AlarmDetailView",
    "AlarmFeedView",
    "AlarmListView",
    "AvailabilityPageView",
    "IngestPageView",
    "MetricsView",
    "OverviewView",
    "PointDetailView",
    "PointListView",
    "QualityPageView",
    "enterprise_tab_context",
    "object_or_404",
]
