"""Serializers of the dangers API: hidden dangers (read), their photos, 挂牌督办, tasks and records, and one
input serializer per loop edge (the status is never a writable field)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.core.files import file_url
from anjian.dangers.choices import Cycle, DangerGrade, DangerSource, ItemResult, PhotoStage
from anjian.dangers.models import (
    DangerPhoto,
    HiddenDanger,
    InspectionRecord,
    InspectionTask,
    ListingMessage,
    SupervisedListing,
)

__all__ = [
    "AcceptInputSerializer",
    "AssignInputSerializer",
    "DangerListSerializer",
    "DangerSerializer",
    "InspectionTaskSerializer",
    "ListingSerializer",
    "PhotoInputSerializer",
    "RecordInputSerializer",
    "RecordSerializer",
    "ReportInputSerializer",
    "VerifyInputSerializer",
]


class PhotoSerializer(BriefModelSerializer[DangerPhoto]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DangerPhoto
        fields = ["id", "stage", "captured_at", "lat", "lon", "sha256", "url"]
        brief_fields = ["id", "stage", "url"]

    def get_url(self, obj: DangerPhoto) -> str:
        return file_url(obj, "file")


class DangerSerializer(BriefModelSerializer[HiddenDanger]):
    """A hidden danger with the loop verbs the requesting user may try now (``allowed_verbs``)."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    danger_state = serializers.IntegerField(source="exchange_state", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    allowed_verbs = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True, brief=True)

    class Meta:
        model = HiddenDanger
        fields = [
            "id",
            "code",
            "enterprise",
            "enterprise_name",
            "title",
            "description",
            "location",
            "source",
            "source_label",
            "grade",
            "grade_label",
            "major_item",
            "status",
            "status_label",
            "danger_state",
            "risk_unit",
            "measure",
            "supervising_unit",
            "found_at",
            "reported_at",
            "verified_at",
            "measures",
            "rectifier",
            "funds",
            "deadline",
            "contingency_plan",
            "statement",
            "submitted_at",
            "accepted_by",
            "accepted_at",
            "acceptance_opinion",
            "closed_at",
            "dismissed_reason",
            "rejections",
            "escalation_step",
            "overdue",
            "allowed_verbs",
            "photos",
        ]
        read_only_fields = fields
        brief_fields = ["id", "code", "title", "status", "grade", "enterprise", "deadline"]

    def get_overdue(self, obj: HiddenDanger) -> bool:
        return obj.is_overdue()

    def get_allowed_verbs(self, obj: HiddenDanger) -> list[str]:
        from anjian.dangers.actions import allowed_verbs

        request = self.context.get("request")
        return allowed_verbs(obj, getattr(request, "user", None)) if request is not None else []


class DangerListSerializer(DangerSerializer):
    """A row of the danger list: the danger without ``allowed_verbs`` (that costs a permission query per row;
    ``GET /api/v1/dangers/{id}/`` has it)."""

    class Meta(DangerSerializer.Meta):
        fields = [f for f in DangerSerializer.Meta.fields if f != "allowed_verbs"]
        read_only_fields = fields


class ReportInputSerializer(serializers.Serializer[Any]):
    enterprise = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    source = serializers.ChoiceField(choices=DangerSource.choices, default=DangerSource.SNAPSHOT)  # type: ignore[assignment]
    grade = serializers.ChoiceField(choices=DangerGrade.choices, default=DangerGrade.GENERAL)
    major_item = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=20)
    risk_unit = serializers.IntegerField(required=False, allow_null=True)


class VerifyInputSerializer(serializers.Serializer[Any]):
    grade = serializers.ChoiceField(choices=DangerGrade.choices)
    major_item = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=20)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer[Any]):
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    rectifier = serializers.IntegerField(required=False, allow_null=True)
    funds = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    contingency_plan = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitInputSerializer(serializers.Serializer[Any]):
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptInputSerializer(serializers.Serializer[Any]):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class PhotoInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    stage = serializers.ChoiceField(choices=PhotoStage.choices, default=PhotoStage.BEFORE)


class ListingMessageSerializer(BriefModelSerializer[ListingMessage]):
    class Meta:
        model = ListingMessage
        fields = ["id", "from_department", "body", "author", "sent_at"]
        brief_fields = fields


class ListingSerializer(BriefModelSerializer[SupervisedListing]):
    messages = ListingMessageSerializer(many=True, read_only=True)
    danger_title = serializers.CharField(source="danger.title", read_only=True)
    enterprise_name = serializers.CharField(source="danger.enterprise.name", read_only=True)

    class Meta:
        model = SupervisedListing
        fields = [
            "id",
            "danger",
            "danger_title",
            "enterprise_name",
            "unit",
            "supervisor",
            "deadline",
            "requirements",
            "listed_at",
            "closed_at",
            "messages",
        ]
        read_only_fields = fields
        brief_fields = ["id", "danger", "deadline", "closed_at"]


class ListingInputSerializer(serializers.Serializer[Any]):
    deadline = serializers.DateField(required=False, allow_null=True)
    requirements = serializers.CharField(required=False, allow_blank=True, default="")


class MessageInputSerializer(serializers.Serializer[Any]):
    body = serializers.CharField()


class InspectionTaskSerializer(BriefModelSerializer[InspectionTask]):
    cycle_label = serializers.CharField(source="get_cycle_display", read_only=True)

    class Meta:
        model = InspectionTask
        fields = [
            "id",
            "enterprise",
            "measure",
            "unit",
            "title",
            "content",
            "cycle",
            "cycle_label",
            "assignee",
            "valid_from",
            "valid_until",
            "is_active",
            "last_checked_at",
        ]
        read_only_fields = fields
        brief_fields = ["id", "title", "cycle", "assignee"]


class RecordSerializer(BriefModelSerializer[InspectionRecord]):
    class Meta:
        model = InspectionRecord
        fields = [
            "id",
            "enterprise",
            "task",
            "unit",
            "inspector",
            "checked_at",
            "period_start",
            "on_time",
            "dangers_found",
            "note",
            "lat",
            "lon",
        ]
        read_only_fields = fields
        brief_fields = ["id", "task", "checked_at", "on_time"]


class ItemInputSerializer(serializers.Serializer[Any]):
    measure = serializers.IntegerField(required=False, allow_null=True)
    content = serializers.CharField(max_length=500)
    result = serializers.ChoiceField(choices=ItemResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RecordInputSerializer(serializers.Serializer[Any]):
    client_token = serializers.CharField(max_length=64)
    items = ItemInputSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)


__all__ += ["Cycle"]
