"""Monitoring API: points, alarms and their handling, trend, quality, availability, telemetry from gateways."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core.access import restrict, scope_of
from anjian.core.api.base import AuditedModelViewSet, ScopedReadOnlyViewSet
from anjian.core.api_support import FormParser, JSONParser, MultiPartParser
from anjian.core.errors import ObjectNotFound, PermissionDeniedError
from anjian.core.excel import ImportReport
from anjian.core.params import query_int
from anjian.enterprises.api.views import ExcelActionsMixin
from anjian.enterprises.models import Enterprise
from anjian.monitoring import actions, reports, sheets
from anjian.monitoring.api.serializers import (
    AlarmAssignSerializer,
    AlarmReasonSerializer,
    AlarmSerializer,
    HandleSerializer,
    MonitoringPointSerializer,
    TelemetryResultSerializer,
)
from anjian.monitoring.choices import MonitoringEvent, RejectReason
from anjian.monitoring.ingest import MAX_PAYLOAD_BYTES, Rejects, ingest_http
from anjian.monitoring.models import Alarm, GatewayToken, MonitoringPoint


class MonitoringPointViewSet(ExcelActionsMixin, AuditedModelViewSet[MonitoringPoint]):
    """Points the user may see; the enterprise and its supervising department configure them; Excel in/out."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    excel_filename = "监测点.xlsx"

    def excel_sheet(self) -> Any:
        return sheets.point_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_points(file, self.request.user)

    queryset = MonitoringPoint.objects.select_related("enterprise", "alarm_state")
    serializer_class = MonitoringPointSerializer
    filterset_fields = ["enterprise", "kind", "enabled"]
    search_fields = ["tag", "name", "installation__name"]
    ordering_fields = ["tag", "name"]
    audit_create = MonitoringEvent.POINT_CREATED  # type: ignore[assignment]
    audit_update = MonitoringEvent.POINT_CHANGED  # type: ignore[assignment]

    def check_create(self, serializer: Any) -> None:
        enterprise = serializer.validated_data["enterprise"]
        if not restrict(Enterprise.objects.filter(pk=enterprise.pk), self.request.user, "change").exists():
            raise PermissionDeniedError(_("无权为该企业新增监测点"))

    @extend_schema(
        parameters=[OpenApiParameter("hours", int, description="最近多少小时（默认24，最多720）")],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def trend(self, request: Request, pk: Any = None) -> Response:
        """1-minute rollups of the point (min, max, average), for charts."""
        point = self.get_object()
        hours = query_int(request, "hours", 24, min_value=1, max_value=720)
        return Response(reports.trend(point, hours=hours))


class AlarmViewSet(ScopedReadOnlyViewSet[Alarm]):
    """Alarms the user may see, with one POST action per handling edge."""

    queryset = Alarm.objects.select_related("point", "enterprise")
    serializer_class = AlarmSerializer
    filterset_fields = ["enterprise", "point", "type", "level", "status", "active"]
    ordering_fields = ["raised_ms", "status"]

    def _run(self, request: Request, serializer_class: Any, run: Any) -> Response:
        alarm = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        alarm = run(alarm, data.validated_data)
        return Response(AlarmSerializer(alarm, context={"request": request}).data)

    @extend_schema(request=AlarmReasonSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        """确认 (a named person takes notice)."""
        return self._run(
            request,
            AlarmReasonSerializer,
            lambda a, d: actions.do_acknowledge_alarm(a, acting_user=request.user, reason=d["reason"]),
        )

    @extend_schema(request=AlarmAssignSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """指派 to a user who may handle the alarm."""

        def run(a: Alarm, d: dict[str, Any]) -> Alarm:
            assignee = get_user_model().objects.filter(pk=d["assignee"], is_active=True).first()
            if assignee is None:
                raise ObjectNotFound(_("处置人不存在"))
            return actions.do_assign_alarm(a, acting_user=request.user, assignee=assignee, reason=d["reason"])

        return self._run(request, AlarmAssignSerializer, run)

    @extend_schema(request=HandleSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request: Request, pk: Any = None) -> Response:
        """处置 with the disposal record (cause, measures, false alarm)."""
        return self._run(
            request,
            HandleSerializer,
            lambda a, d: actions.do_handle_alarm(
                a,
                acting_user=request.user,
                cause=d["cause"],
                measures=d["measures"],
                false_alarm=d["false_alarm"],
                reason=d["reason"],
            ),
        )

    @extend_schema(request=AlarmReasonSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """关闭 (销警) once the value has cleared."""
        return self._run(
            request,
            AlarmReasonSerializer,
            lambda a, d: actions.do_close_alarm(a, acting_user=request.user, reason=d["reason"]),
        )

    @extend_schema(request=AlarmReasonSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"], url_path="to-danger")
    def to_danger(self, request: Request, pk: Any = None) -> Response:
        """转为隐患 in one step, keeping the link."""
        return self._run(
            request,
            AlarmReasonSerializer,
            lambda a, d: actions.do_turn_alarm_into_danger(a, acting_user=request.user, reason=d["reason"]),
        )


class QualityView(APIView):
    """Alarm quality over a period: chattering, standing alarms, time to acknowledge/close, nuisance points."""

    @extend_schema(parameters=[OpenApiParameter("days", int)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        days = _days(request)
        return Response(reports.quality(request.user, days=days))


class AvailabilityView(APIView):
    """有效投用率 per point and enterprise over a period (share of time online with good quality)."""

    @extend_schema(parameters=[OpenApiParameter("days", int)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        days = _days(request)
        return Response(reports.availability(request.user, days=days))


def _days(request: Request) -> int:
    return query_int(request, "days", 7, min_value=1, max_value=90)


class IngestCountersView(APIView):
    """Rejected telemetry by reason (zone-wide roles)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        if not scope_of(request.user).sees_all:
            raise PermissionDeniedError(_("只有安委办可以查看接入统计"))
        return Response(reports.ingest_counters())


class TelemetryView(APIView):
    """``POST /api/v1/telemetry/{enterprise_code}``: a gateway posts the MQTT payload with its token.

    ``Authorization: Bearer agw_…``; the token belongs to exactly one enterprise: posting for another is refused.
    """

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=TelemetryResultSerializer)
    def post(self, request: Request, enterprise_code: str) -> Response:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        kind, _sep, key = header.partition(" ")
        if kind.lower() not in {"bearer", "token"} or not key.startswith("agw_"):
            return Response({"code": "not_authenticated", "detail": _("需要网关令牌")}, status=401)
        token = (
            GatewayToken.objects.filter(key_hash=GatewayToken.hash_key(key.strip()), revoked_at__isnull=True)
            .select_related("enterprise")
            .first()
        )
        if token is None:
            return Response({"code": "not_authenticated", "detail": _("网关令牌无效或已吊销")}, status=401)
        if token.enterprise.uscc != enterprise_code:
            return Response(
                {"code": "permission_denied", "detail": _("该网关令牌不能为其他企业上报数据")}, status=403
            )
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_PAYLOAD_BYTES:
            rejects = Rejects()
            rejects.add(RejectReason.TOO_LARGE, f"{enterprise_code}: {length} bytes (HTTP)")
            with transaction.atomic():
                rejects.flush()
            return Response({"code": "too_large", "detail": _("报文超过 256 KB 上限")}, status=413)
        body = request.stream.read(MAX_PAYLOAD_BYTES + 1) if request.stream is not None else b""
        result = ingest_http(token.enterprise_id, enterprise_code, body)
        actions.touch_gateway_token(token)
        _maybe_tick()
        status = 200 if result["accepted"] or not result["rejected"] else 400
        return Response(result, status=status)


def _maybe_tick() -> None:
    """Rollups and escalation without a worker (the demo): at most every few seconds per process."""
    from anjian.monitoring.maintenance import tick

    try:
        tick(offline=False)
    except Exception:  # the gateway's post is stored; maintenance retries on the next one
        logging.getLogger("anjian.monitoring").exception("maintenance after HTTP ingest failed")


__all__ = [
    "AlarmViewSet",
    "AvailabilityView",
    "IngestCountersView",
    "MonitoringPointViewSet",
    "QualityView",
    "TelemetryView",
]
