"""API of the risk register: the chain 对象 → 单元 → 事件 → 措施, assessments, tasks from measures, the bands.

Lists are scoped like the enterprise (三个必须); another enterprise's rows answer 404 like absent ones. Writes
go through ``risks.actions`` (one audit row each, the enterprise follows the parent). An event is assessed by
``POST /api/v1/risks/events/{id}/assess/`` (LEC or LS; history kept, levels recomputed); levels are never
writable. ``POST /api/v1/risks/units/{id}/tasks/`` creates 隐患排查任务 from the unit's control measures.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core.access import access_by_id
from anjian.core.api import AuditedModelViewSet, ScopedReadOnlyViewSet
from anjian.core.errors import ValidationFailed
from anjian.risks import actions
from anjian.risks.api import serializers as s
from anjian.risks.models import ControlMeasure, RiskAssessment, RiskEvent, RiskObject, RiskUnit, current_bands

__all__ = [
    "AssessmentViewSet",
    "BandsView",
    "EventViewSet",
    "MeasureViewSet",
    "ObjectViewSet",
    "UnitViewSet",
    "extra_urls",
]


class _ChainViewSet(AuditedModelViewSet[Any]):
    """Create, edit and delete through ``actions.do_save`` / ``actions.do_delete`` (scope checked there)."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def check_create(self, serializer: Any) -> None:
        return None  # the parent is a scoped field with "change"; do_save checks the enterprise again

    def perform_create(self, serializer: Any) -> None:
        model = serializer.Meta.model
        with transaction.atomic():
            serializer.instance = actions.do_save(
                model(**serializer.validated_data), acting_user=self.request.user
            )

    def perform_update(self, serializer: Any) -> None:
        obj = serializer.instance
        self.check_change(obj)
        for key, value in serializer.validated_data.items():
            setattr(obj, key, value)
        serializer.instance = actions.do_save(obj, acting_user=self.request.user)

    def perform_destroy(self, instance: Any) -> None:
        self.check_change(instance)
        actions.do_delete(instance, acting_user=self.request.user, reason=self._reason())


class ObjectViewSet(_ChainViewSet):
    """风险分析对象; ``?enterprise=``, ``?level=``, ``?kind=``, ``?installation=`` filter."""

    queryset = RiskObject.objects.select_related("enterprise")
    serializer_class = s.ObjectSerializer
    filterset_fields = ["enterprise", "level", "kind", "installation", "is_major_hazard"]
    search_fields = ["name", "code"]


class UnitViewSet(_ChainViewSet):
    """风险分析单元; ``?enterprise=``, ``?risk_object=``, ``?level=`` filter."""

    queryset = RiskUnit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_fields = ["enterprise", "risk_object", "level"]
    search_fields = ["name", "post"]

    @extend_schema(request=s.TaskInputSerializer, responses=s.TaskOutputSerializer(many=True))
    @action(detail=True, methods=["post"])
    def tasks(self, request: Request, pk: Any = None) -> Response:
        """隐患排查任务 for the unit's control measures (all, or those named in ``measures``)."""
        from anjian.dangers import actions as danger_actions
        from anjian.orgs.models import User

        unit = self.get_object()
        self.check_change(unit)
        body = s.TaskInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignee = access_by_id(User, request.user, data["assignee"])
        if getattr(getattr(assignee.org, "enterprise", None), "pk", None) != unit.enterprise_id:
            raise ValidationFailed("排查人须为该企业的用户", code="assignee_invalid", field="assignee")
        measures = list(ControlMeasure.objects.filter(event__unit=unit).select_related("event__unit"))
        if data.get("measures"):
            wanted = set(data["measures"])
            measures = [m for m in measures if m.pk in wanted]
            if len(measures) != len(wanted):
                raise ValidationFailed("管控措施不属于该单元", code="measure_invalid", field="measures")
        if not measures:
            raise ValidationFailed("该单元还没有管控措施", code="no_measures", field="measures")
        if data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            raise ValidationFailed("有效期至不能早于有效期自", code="validity_invalid", field="valid_until")
        tasks = danger_actions.create_tasks_for_measures(
            measures,
            cycle=data["cycle"],
            assignee=assignee,
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            acting_user=request.user,
        )
        return Response(s.TaskOutputSerializer(tasks, many=True).data, status=status.HTTP_201_CREATED)


class EventViewSet(_ChainViewSet):
    """风险事件; ``?unit=``, ``?level=`` filter; ``POST {id}/assess/`` grades it."""

    queryset = RiskEvent.objects.all()
    serializer_class = s.EventSerializer
    filterset_fields = ["enterprise", "unit", "level", "method"]
    search_fields = ["name"]

    @extend_schema(request=s.AssessInputSerializer, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: Any = None) -> Response:
        """Assess by LEC (L, E, C) or LS (L, S = ``consequence``) with the zone's bands; history kept."""
        event = self.get_object()
        self.check_change(event)
        body = s.AssessInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = actions.do_assess_event(event, acting_user=request.user, **body.validated_data)
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(_ChainViewSet):
    """管控措施; ``?event=``, ``?kind=`` filter."""

    queryset = ControlMeasure.objects.all()
    serializer_class = s.MeasureSerializer
    filterset_fields = ["enterprise", "event", "kind"]
    search_fields = ["description", "check_content"]


class AssessmentViewSet(ScopedReadOnlyViewSet[RiskAssessment]):
    """Assessment history (newest first); ``?event=`` filters."""

    queryset = RiskAssessment.objects.select_related("assessed_by")
    serializer_class = s.AssessmentSerializer
    filterset_fields = ["event", "method", "level"]


class BandsView(APIView):
    """The zone's band edges now in force (the reference's defaults until the committee office changes them)."""

    @extend_schema(responses=s.BandsSerializer)
    def get(self, request: Request) -> Response:
        b = current_bands()
        return Response(s.BandsSerializer(b).data)


extra_urls = [path("risks/bands/", BandsView.as_view(), name="risks-bands")]
