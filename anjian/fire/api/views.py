"""API of the fire app: scoped facility registers, the compliance check, GeoJSON import/export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.access import scope_of
from anjian.core.api import AuditedModelViewSet
from anjian.core.api_support import FormParser, JSONParser, MultiPartParser
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.fire import compliance, layers
from anjian.fire.api import serializers as s
from anjian.fire.models import FirePool, FireRoad, FireStation, FireZone, FoamStation, Hydrant, Inspection


class FacilityViewSet(AuditedModelViewSet[Any]):
    """Zone-wide roles register the park's facilities; an enterprise registers its own."""

    filterset_fields = ["status", "enterprise"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def check_create(self, serializer: Any) -> None:
        scope = scope_of(self.request.user)
        if not (scope.sees_all or scope.is_enterprise):
            raise PermissionDeniedError(_("无权登记消防设施"))


class HydrantViewSet(FacilityViewSet):
    queryset = Hydrant.objects.all()
    serializer_class = s.HydrantSerializer

    @extend_schema(responses=s.ComplianceSerializer)
    @action(detail=False, methods=["get"])
    def compliance(self, request: Request) -> Response:
        """The plan's four fire rules (八.六) on the park's stored layers, with what to fix."""
        return Response(compliance.run_check())

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="geojson")
    def export_geojson(self, request: Request) -> Response:
        """Every fire layer as one GeoJSON FeatureCollection (WGS 84)."""
        return Response(layers.export_layers())

    @extend_schema(request={"multipart/form-data": s.GeoJSONUploadSerializer}, responses=OpenApiTypes.OBJECT)
    @action(
        detail=False,
        methods=["post"],
        url_path="geojson-import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_geojson(self, request: Request) -> Response:
        """Create or update hydrants, pools, foam and fire stations, roads and fire zones from GeoJSON."""
        if not scope_of(request.user).sees_all:
            raise PermissionDeniedError(_("只有安委办可以导入消防图层"))
        upload = s.GeoJSONUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            data = layers.read_upload(upload.validated_data["file"])
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc
        report = layers.import_layers(data, acting_user=request.user)
        return Response(report, status=400 if report["errors"] else 200)


class FirePoolViewSet(FacilityViewSet):
    queryset = FirePool.objects.all()
    serializer_class = s.FirePoolSerializer


class FoamStationViewSet(FacilityViewSet):
    queryset = FoamStation.objects.all()
    serializer_class = s.FoamStationSerializer


class FireStationViewSet(FacilityViewSet):
    queryset = FireStation.objects.all()
    serializer_class = s.FireStationSerializer


class FireRoadViewSet(AuditedModelViewSet[FireRoad]):
    queryset = FireRoad.objects.all()
    serializer_class = s.FireRoadSerializer
    search_fields = ["code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class FireZoneViewSet(FacilityViewSet):
    queryset = FireZone.objects.all()
    serializer_class = s.FireZoneSerializer
    filterset_fields = ["enterprise"]


class InspectionViewSet(AuditedModelViewSet[Inspection]):
    """Inspections of facilities (pressure, damage, photo); recorded with the facility's change rights."""

    queryset = Inspection.objects.select_related("hydrant", "pool", "foam_station", "station")
    serializer_class = s.InspectionSerializer
    filterset_fields = ["result", "hydrant", "pool", "foam_station", "station"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def check_create(self, serializer: Any) -> None:
        pass  # the facility is a scoped parent ("change")
