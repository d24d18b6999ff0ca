"""Serializers of the emergency API (explicit fields plus ``brief_fields``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from anjian.core.api import AllowedVerbsField, BriefModelSerializer
from anjian.emergency.choices import TimelineKind
from anjian.emergency.models import (
    Drill,
    EmergencyPlan,
    Footprint,
    Improvement,
    Incident,
    IncidentRevision,
    Resource,
    TimelineEntry,
)

_OWNED = {"enterprise": "change", "owner_unit": "view"}


class EmergencyPlanSerializer(BriefModelSerializer[EmergencyPlan]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    review_overdue = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyPlan
        fields = [
            "id", "title", "kind", "kind_display", "level", "level_display", "enterprise", "owner_unit",
            "version", "approved_on", "approved_by", "filed_on", "filing_no", "review_due", "review_overdue",
            "scenarios", "linked_risks", "installations",
        ]  # fmt: skip
        read_only_fields = ["review_due"]
        brief_fields = ["id", "title", "kind", "review_due"]
        scoped_parents = _OWNED

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        enterprise = attrs.get("enterprise", getattr(self.instance, "enterprise", None))
        for installation in attrs.get("installations") or []:
            if enterprise is not None and installation.enterprise_id != enterprise.pk:
                raise serializers.ValidationError({"installations": "只能关联本企业的危险源"})
        return attrs

    def get_review_overdue(self, obj: EmergencyPlan) -> bool:
        return obj.review_overdue()


class ResourceSerializer(BriefModelSerializer[Resource]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    team_type_display = serializers.CharField(source="get_team_type_display", read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id", "kind", "kind_display", "team_type", "team_type_display", "name", "quantity", "unit_label",
            "enterprise", "owner_unit", "contact", "phone", "address", "lon", "lat", "note",
        ]  # fmt: skip
        brief_fields = ["id", "kind", "name", "quantity", "unit_label"]
        scoped_parents = _OWNED


class ImprovementSerializer(BriefModelSerializer[Improvement]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    allowed_verbs = AllowedVerbsField("emergency.improvement")

    class Meta:
        model = Improvement
        fields = [
            "id",
            "drill",
            "description",
            "owner_name",
            "due_on",
            "status",
            "status_display",
            "done_on",
            "done_note",
            "allowed_verbs",
        ]
        read_only_fields = ["status", "done_on", "done_note"]
        brief_fields = ["id", "description", "status"]
        scoped_parents = {"drill": "change"}


class DrillSerializer(BriefModelSerializer[Drill]):
    improvements = ImprovementSerializer(many=True, read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id", "title", "plan", "enterprise", "owner_unit", "held_on", "scenario", "participants",
            "participant_units", "evaluation", "improvements",
        ]  # fmt: skip
        brief_fields = ["id", "title", "held_on"]
        scoped_parents = {**_OWNED, "plan": "view"}


class TimelineSerializer(serializers.ModelSerializer[TimelineEntry]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True, default=None)

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "kind", "kind_display", "text", "resource", "resource_name", "quantity"]


class RevisionSerializer(serializers.ModelSerializer[IncidentRevision]):
    class Meta:
        model = IncidentRevision
        fields = [
            "round_no",
            "changed_at",
            "deaths",
            "injuries",
            "loss_cny",
            "grade_before",
            "grade_after",
            "within_window",
            "explanation",
        ]


class IncidentSerializer(BriefModelSerializer[Incident]):
    """An incident; ``grade``, ``status`` and the checklist are computed, never written."""

    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    checklist = serializers.SerializerMethodField()
    timeline = TimelineSerializer(many=True, read_only=True)
    revisions = RevisionSerializer(many=True, read_only=True)
    allowed_verbs = AllowedVerbsField("emergency.incident")

    class Meta:
        model = Incident
        fields = [
            "id", "title", "kind", "kind_display", "status", "status_display", "occurred_at", "known_at",
            "place", "lon", "lat", "enterprise", "owner_unit", "town", "deaths", "injuries", "loss_cny",
            "grade", "grade_display", "grade_by", "first_grade", "summary", "cause", "checklist", "revisions",
            "timeline", "allowed_verbs",
        ]  # fmt: skip
        read_only_fields = ["status", "grade", "grade_by", "first_grade"]
        brief_fields = ["id", "title", "occurred_at", "grade", "status"]
        scoped_parents = _OWNED

    def get_checklist(self, obj: Incident) -> list[dict[str, Any]]:
        now = timezone.now()
        return [
            {
                "key": i.key,
                "label": i.label,
                "due": i.due.isoformat(),
                "done_at": i.done_at.isoformat() if i.done_at else None,
                "state": i.state(now),
                "basis": i.basis,
            }
            for i in obj.checklist()
        ]


class IncidentUpdateSerializer(BriefModelSerializer[Incident]):
    """The descriptive fields of a reported incident (casualties change through ``casualties/``)."""

    class Meta:
        model = Incident
        fields = ["id", "title", "place", "lon", "lat", "summary", "cause"]


class EmergencyReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CasualtiesSerializer(serializers.Serializer[Any]):
    deaths = serializers.IntegerField(min_value=0)
    injuries = serializers.IntegerField(min_value=0)
    loss_cny = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    changed_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class MarkReportedSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(max_length=20)
    at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class TimelineInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=[TimelineKind.DECISION, TimelineKind.DISPATCH, TimelineKind.FOLLOW_UP]
    )
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    at = serializers.DateTimeField(required=False)
    resource = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class DangerInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=300)


class FootprintSerializer(BriefModelSerializer[Footprint]):
    class Meta:
        model = Footprint
        fields = [
            "id", "name", "incident", "enterprise", "substance", "lon", "lat", "release_gs", "height_m",
            "wind_speed", "wind_from_deg", "daytime", "insolation", "cloud_oktas", "stability", "level1_label",
            "level1_mg_m3", "level2_label", "level2_mg_m3", "result",
        ]  # fmt: skip
        read_only_fields = ["result"]
        brief_fields = ["id", "name", "stability"]
        scoped_parents = {"incident": "view", "enterprise": "change"}


class NearbySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    quantity = serializers.CharField()
    unit_label = serializers.CharField()
    contact = serializers.CharField()
    phone = serializers.CharField()
    owner = serializers.CharField()
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    distance_m = serializers.IntegerField()
