"""API of the emergency app: scoped lists; every write through ``actions``; workflow edges as POST actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.access import access_by_id, scope_of
from anjian.core.api import AuditedModelViewSet
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.emergency import actions
from anjian.emergency.api import serializers as s
from anjian.emergency.models import Drill, EmergencyPlan, Footprint, Improvement, Incident, Resource
from anjian.emergency.permissions import may_register
from anjian.emergency.selectors import nearest_resources


class OwnedCreateMixin:
    """Who may create: zone-wide roles, departments and enterprises (the saved row must then fall inside
    what they may change). A department user's zone-level row belongs to the department; an enterprise
    user's row to the enterprise."""

    request: Any
    model_class: type[Any]

    def check_create(self, serializer: Any) -> None:
        if not may_register(self.request.user):
            raise PermissionDeniedError(_("无权新建该对象"))

    def _defaults(self, data: dict[str, Any]) -> dict[str, Any]:
        scope = scope_of(self.request.user)
        names = {f.name for f in self.model_class._meta.get_fields()}
        if (
            "enterprise" in names
            and scope.is_enterprise
            and not data.get("enterprise")
            and scope.enterprise_ids
        ):
            from anjian.enterprises.models import Enterprise

            data["enterprise"] = Enterprise.objects.get(pk=min(scope.enterprise_ids))
        if (
            "owner_unit" in names
            and scope.is_department
            and not data.get("enterprise")
            and not data.get("owner_unit")
        ):
            data["owner_unit"] = self.request.user.org
        return data


class ActionSaveMixin(OwnedCreateMixin):
    """Create and update through the app's action (which validates and audits), inside one transaction that
    is rolled back when the result falls outside what the user may change."""

    save_action: Callable[..., Any]

    def _save(self, obj: Any) -> Any:
        return type(self).save_action(obj, acting_user=self.request.user, reason=self._reason())  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        data = dict(serializer.validated_data)
        many = {f.name: data.pop(f.name) for f in self.model_class._meta.many_to_many if f.name in data}
        with transaction.atomic():
            obj = self.model_class(**self._defaults(data))
            obj = self._save(obj)
            for name, values in many.items():
                getattr(obj, name).set(values)
            self.check_still_changeable(obj)  # type: ignore[attr-defined]
        serializer.instance = obj

    def perform_update(self, serializer: Any) -> None:
        obj = serializer.instance
        self.check_change(obj)  # type: ignore[attr-defined]
        data = dict(serializer.validated_data)
        many = {f.name: data.pop(f.name) for f in self.model_class._meta.many_to_many if f.name in data}
        with transaction.atomic():
            for key, value in data.items():
                setattr(obj, key, value)
            obj = self._save(obj)
            for name, values in many.items():
                getattr(obj, name).set(values)
            self.check_still_changeable(obj)  # type: ignore[attr-defined]
        serializer.instance = obj


class PlanViewSet(ActionSaveMixin, AuditedModelViewSet[EmergencyPlan]):
    """Emergency plans (综合/专项/现场处置方案); ``review_due`` is three years after approval."""

    queryset = EmergencyPlan.objects.select_related("enterprise", "owner_unit")
    serializer_class = s.EmergencyPlanSerializer
    filterset_fields = ["kind", "level", "enterprise", "owner_unit"]
    search_fields = ["title", "filing_no"]
    ordering_fields = ["review_due", "approved_on", "title"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    save_action = staticmethod(actions.do_save_plan)
    model_class = EmergencyPlan


class ResourceViewSet(ActionSaveMixin, AuditedModelViewSet[Resource]):
    """Emergency resources; ``nearest/`` lists those nearest to a point."""

    queryset = Resource.objects.select_related("enterprise", "owner_unit")
    serializer_class = s.ResourceSerializer
    filterset_fields = ["kind", "team_type", "enterprise", "owner_unit"]
    search_fields = ["name", "contact", "address"]
    ordering_fields = ["kind", "name", "quantity"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    save_action = staticmethod(actions.do_save_resource)
    model_class = Resource

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", float, required=True),
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("kind", str),
            OpenApiParameter("limit", int),
        ],
        responses=s.NearbySerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def nearest(self, request: Request) -> Response:
        """The resources nearest to (lon, lat) by straight-line distance, optionally of one kind."""
        try:
            lon = float(request.query_params["lon"])
            lat = float(request.query_params["lat"])
            limit = int(request.query_params.get("limit", 5))
        except (KeyError, ValueError) as exc:
            raise ValidationFailed(_("请提供有效的经度 lon 和纬度 lat（数字），limit 为整数")) from exc
        if not (70 <= lon <= 140 and 0 <= lat <= 60) or not 1 <= limit <= 50:
            raise ValidationFailed(_("经度 lon、纬度 lat 须在中国境内（WGS 84），数量 limit 在1至50之间"))
        found = nearest_resources(
            request.user, lon, lat, kind=request.query_params.get("kind") or None, limit=limit
        )
        return Response([n.as_dict() for n in found])


class DrillViewSet(ActionSaveMixin, AuditedModelViewSet[Drill]):
    """Drills and the improvements they raised."""

    queryset = Drill.objects.select_related("plan", "enterprise").prefetch_related("improvements")
    serializer_class = s.DrillSerializer
    filterset_fields = ["plan", "enterprise", "owner_unit"]
    search_fields = ["title", "scenario"]
    ordering_fields = ["held_on", "title"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    save_action = staticmethod(actions.do_record_drill)
    model_class = Drill


class ImprovementViewSet(AuditedModelViewSet[Improvement]):
    """Improvements raised by drills, tracked to done (``complete/``, ``reopen/``)."""

    queryset = Improvement.objects.select_related("drill")
    serializer_class = s.ImprovementSerializer
    filterset_fields = ["status", "drill"]
    http_method_names = ["get", "post", "head", "options"]

    def check_create(self, serializer: Any) -> None:
        pass  # the drill is a scoped parent (change)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = actions.do_add_improvement(
            data["drill"],
            description=data["description"],
            owner_name=data.get("owner_name", ""),
            due_on=data.get("due_on"),
            acting_user=self.request.user,
        )

    def _edge(self, request: Request, func: Callable[..., Any]) -> Response:
        item = self.get_object()
        self.check_change(item)
        body = s.EmergencyReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = func(item, acting_user=request.user, reason=body.validated_data["reason"])
        return Response(s.ImprovementSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.ImprovementSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        """整改中 → 已完成 (``reason``: what was done)."""
        return self._edge(request, actions.do_complete_improvement)

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.ImprovementSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """已完成 → 整改中 (``reason`` required)."""
        return self._edge(request, actions.do_reopen_improvement)


class IncidentViewSet(OwnedCreateMixin, AuditedModelViewSet[Incident]):
    """Incidents: report (POST) → grade and clocks; edges, casualty changes, reports made, timeline as actions."""

    queryset = Incident.objects.select_related("enterprise", "town").prefetch_related(
        "revisions", "timeline__resource"
    )
    serializer_class = s.IncidentSerializer
    filterset_fields = ["status", "grade", "kind", "enterprise", "town"]
    search_fields = ["title", "place"]
    ordering_fields = ["occurred_at", "grade"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> Any:
        if self.action == "partial_update":
            return s.IncidentUpdateSerializer
        return super().get_serializer_class()

    model_class = Incident

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        with transaction.atomic():
            incident = actions.do_report_incident(
                Incident(**self._defaults(dict(serializer.validated_data))), acting_user=self.request.user
            )
            self.check_still_changeable(incident)
        serializer.instance = incident

    def _respond(self, incident: Incident, code: int = http_status.HTTP_200_OK) -> Response:
        incident = self.get_queryset().get(pk=incident.pk)
        return Response(
            s.IncidentSerializer(incident, context=self.get_serializer_context()).data, status=code
        )

    def _edge(self, request: Request, func: Callable[..., Any]) -> Response:
        incident = self.get_object()
        self.check_change(incident)
        body = s.EmergencyReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(func(incident, acting_user=request.user, reason=body.validated_data["reason"]))

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: Any = None) -> Response:
        """已接报 → 处置中."""
        return self._edge(request, actions.do_respond_incident)

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="stand-down")
    def stand_down(self, request: Request, pk: Any = None) -> Response:
        """处置中 → 调查中."""
        return self._edge(request, actions.do_stand_down_incident)

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """调查中 → 已结案 (``reason`` required)."""
        return self._edge(request, actions.do_close_incident)

    @extend_schema(request=s.EmergencyReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """已结案 → 调查中 (``reason`` required)."""
        return self._edge(request, actions.do_reopen_incident)

    @extend_schema(request=s.CasualtiesSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def casualties(self, request: Request, pk: Any = None) -> Response:
        """Casualties or loss changed: re-grade, and inside the 补报 window report again."""
        incident = self.get_object()
        self.check_change(incident)
        body = s.CasualtiesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.do_change_casualties(incident, acting_user=request.user, **body.validated_data)
        return self._respond(incident)

    @extend_schema(request=s.MarkReportedSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="mark-reported")
    def mark_reported(self, request: Request, pk: Any = None) -> Response:
        """Tick a reporting-checklist item (``key``) as made at ``at`` (default now)."""
        incident = self.get_object()
        self.check_change(incident)
        body = s.MarkReportedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        actions.do_mark_reported(
            incident, data["key"], at=data.get("at"), reason=data["reason"], acting_user=request.user
        )
        return self._respond(incident)

    @extend_schema(request=s.TimelineInputSerializer, responses={201: s.TimelineSerializer})
    @action(detail=True, methods=["post"])
    def timeline(self, request: Request, pk: Any = None) -> Response:
        """Add a command decision, a resource dispatched or a follow-up report."""
        incident = self.get_object()
        self.check_change(incident)
        body = s.TimelineInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        resource = None
        if data.get("resource"):
            resource = access_by_id(Resource, request.user, data["resource"])
        entry = actions.do_add_timeline(
            incident,
            kind=data["kind"],
            text=data["text"],
            at=data.get("at"),
            resource=resource,
            quantity=data.get("quantity"),
            acting_user=request.user,
        )
        return Response(s.TimelineSerializer(entry).data, status=http_status.HTTP_201_CREATED)

    @extend_schema(request=s.DangerInputSerializer, responses={201: s.TimelineSerializer})
    @action(detail=True, methods=["post"])
    def danger(self, request: Request, pk: Any = None) -> Response:
        """A hidden danger found in the investigation (into the dual-prevention loop)."""
        incident = self.get_object()
        self.check_change(incident)
        body = s.DangerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = actions.do_report_danger(
            incident, description=body.validated_data["description"], acting_user=request.user
        )
        return Response(s.TimelineSerializer(entry).data, status=http_status.HTTP_201_CREATED)


class FootprintViewSet(OwnedCreateMixin, AuditedModelViewSet[Footprint]):
    """Gaussian-plume footprints; POST computes and stores one."""

    queryset = Footprint.objects.select_related("incident")
    serializer_class = s.FootprintSerializer
    filterset_fields = ["incident", "enterprise"]
    http_method_names = ["get", "post", "head", "options"]

    model_class = Footprint

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        with transaction.atomic():
            fp = actions.do_compute_footprint(
                Footprint(**self._defaults(dict(serializer.validated_data))), acting_user=self.request.user
            )
            self.check_still_changeable(fp)
        serializer.instance = fp
