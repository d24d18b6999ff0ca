"""Serializers of the fire API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer, ProtectedFileField
from anjian.fire.models import FirePool, FireRoad, FireStation, FireZone, FoamStation, Hydrant, Inspection

_BASE = ["id", "code", "name", "lon", "lat", "enterprise", "status", "status_display", "note"]


class _Facility(BriefModelSerializer[Any]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)


class HydrantSerializer(_Facility):
    class Meta:
        model = Hydrant
        fields = [*_BASE, "hydrant_type", "pressure_mpa"]
        brief_fields = ["id", "code", "status"]
        scoped_parents = {"enterprise": "change"}


class FirePoolSerializer(_Facility):
    class Meta:
        model = FirePool
        fields = [*_BASE, "volume_m3"]
        brief_fields = ["id", "code", "volume_m3"]
        scoped_parents = {"enterprise": "change"}


class FoamStationSerializer(_Facility):
    class Meta:
        model = FoamStation
        fields = [*_BASE, "foam_m3"]
        brief_fields = ["id", "code"]
        scoped_parents = {"enterprise": "change"}


class FireStationSerializer(_Facility):
    class Meta:
        model = FireStation
        fields = [*_BASE, "vehicles", "staff", "phone"]
        brief_fields = ["id", "code", "name"]
        scoped_parents = {"enterprise": "change"}


class FireRoadSerializer(BriefModelSerializer[FireRoad]):
    class Meta:
        model = FireRoad
        fields = ["id", "code", "name", "width_m", "geometry"]
        brief_fields = ["id", "code", "name", "width_m"]


class FireZoneSerializer(BriefModelSerializer[FireZone]):
    class Meta:
        model = FireZone
        fields = ["id", "code", "name", "design_flow_lps", "enterprise", "geometry"]
        brief_fields = ["id", "code", "design_flow_lps"]
        scoped_parents = {"enterprise": "change"}


#: A photo larger than this is refused before it is opened.
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def check_photo(value: Any) -> Any:
    """A JPEG or PNG of at most 5 MB that Pillow can read; a Chinese refusal otherwise."""
    if value is None:
        return value
    if value.size > MAX_PHOTO_BYTES:
        raise serializers.ValidationError("照片不能超过5MB")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(value) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise serializers.ValidationError("照片须为 JPEG 或 PNG 图片") from exc
    if kind not in {"JPEG", "PNG"}:
        raise serializers.ValidationError("照片须为 JPEG 或 PNG 图片")
    value.seek(0)
    return value


class InspectionSerializer(BriefModelSerializer[Inspection]):
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    photo = ProtectedFileField(required=False, allow_null=True)

    def validate_photo(self, value: Any) -> Any:
        return check_photo(value)

    class Meta:
        model = Inspection
        fields = [
            "id", "hydrant", "pool", "foam_station", "station", "inspected_on", "inspector", "pressure_mpa",
            "result", "result_display", "findings", "photo",
        ]  # fmt: skip
        brief_fields = ["id", "inspected_on", "result"]
        scoped_parents = {
            "hydrant": "change",
            "pool": "change",
            "foam_station": "change",
            "station": "change",
        }


class ViolationSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    rule_label = serializers.CharField()
    feature = serializers.CharField()
    detail = serializers.CharField()
    measured = serializers.FloatField(required=False)
    limit = serializers.FloatField(required=False)
    fix = serializers.CharField(required=False)
    geometry = serializers.JSONField(required=False)


class ComplianceSerializer(serializers.Serializer[Any]):
    counts = serializers.DictField(child=serializers.IntegerField())
    violations = ViolationSerializer(many=True)


class GeoJSONUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
