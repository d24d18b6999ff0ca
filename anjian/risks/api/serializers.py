"""Serializers of the risk register (explicit fields plus ``brief_fields``).

Levels and scores are read-only: they follow from assessments (``POST events/{id}/assess/``) through
``actions.do_assess_event``; a unit's level is the highest of its events', an object's of its units'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.dangers.choices import Cycle
from anjian.risks.choices import AssessMethod
from anjian.risks.models import ControlMeasure, RiskAssessment, RiskEvent, RiskObject, RiskUnit

__all__ = [
    "AssessInputSerializer",
    "AssessmentSerializer",
    "BandsSerializer",
    "EventSerializer",
    "MeasureSerializer",
    "ObjectSerializer",
    "TaskInputSerializer",
    "TaskOutputSerializer",
    "UnitSerializer",
]

_LEVEL_FIELDS = ["level", "level_display", "level_colour"]


class _Levelled(BriefModelSerializer):  # type: ignore[type-arg]
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    level_colour = serializers.SerializerMethodField()

    def get_level_colour(self, obj: object) -> str:
        """红 / 橙 / 黄 / 蓝 (empty when not assessed)."""
        return {"major": "红", "larger": "橙", "general": "黄", "low": "蓝"}.get(
            getattr(obj, "level", ""), ""
        )


class ObjectSerializer(_Levelled):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = RiskObject
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "code",
            "name",
            "kind",
            "installation",
            "is_major_hazard",
            "department",
            "liable_person",
            "lon",
            "lat",
            *_LEVEL_FIELDS,
        ]
        read_only_fields = ["level"]
        brief_fields = ["id", "code", "name", "level"]
        scoped_parents = {"enterprise": "change"}


class UnitSerializer(_Levelled):
    class Meta:
        model = RiskUnit
        fields = [
            "id",
            "enterprise",
            "risk_object",
            "name",
            "post",
            "liable_person",
            "hazards",
            "emergency_actions",
            "emergency_phones",
            *_LEVEL_FIELDS,
        ]
        read_only_fields = ["enterprise", "level"]
        brief_fields = ["id", "name", "level"]
        scoped_parents = {"risk_object": "change"}


class EventSerializer(_Levelled):
    class Meta:
        model = RiskEvent
        fields = [
            "id",
            "enterprise",
            "unit",
            "name",
            "description",
            "consequence",
            "method",
            "score",
            "assessed_at",
            *_LEVEL_FIELDS,
        ]
        read_only_fields = ["enterprise", "method", "score", "assessed_at", "level"]
        brief_fields = ["id", "name", "level"]
        scoped_parents = {"unit": "change"}


class MeasureSerializer(BriefModelSerializer[ControlMeasure]):
    class Meta:
        model = ControlMeasure
        fields = ["id", "enterprise", "event", "kind", "description", "check_content", "liable_person"]
        read_only_fields = ["enterprise"]
        brief_fields = ["id", "kind", "description"]
        scoped_parents = {"event": "change"}


class AssessmentSerializer(BriefModelSerializer[RiskAssessment]):
    assessed_by_name = serializers.CharField(source="assessed_by", read_only=True, default=None)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "event",
            "method",
            "likelihood",
            "exposure",
            "consequence",
            "score",
            "level",
            "assessed_at",
            "assessed_by_name",
            "note",
        ]
        read_only_fields = fields
        brief_fields = ["id", "event", "score", "level"]


class AssessInputSerializer(serializers.Serializer[None]):
    """LEC: ``likelihood`` (L), ``exposure`` (E), ``consequence`` (C); LS: ``likelihood`` (L), ``consequence`` (S)."""

    method = serializers.ChoiceField(choices=AssessMethod.choices)
    likelihood = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal(0))
    exposure = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    consequence = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal(0))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BandsSerializer(serializers.Serializer[Any]):
    """The zone's band edges (LEC: D > bound; LS: R ≥ bound)."""

    lec_major = serializers.DecimalField(max_digits=7, decimal_places=2)
    lec_larger = serializers.DecimalField(max_digits=7, decimal_places=2)
    lec_general = serializers.DecimalField(max_digits=7, decimal_places=2)
    lec_low_split = serializers.DecimalField(max_digits=7, decimal_places=2)
    ls_major = serializers.IntegerField()
    ls_larger = serializers.IntegerField()
    ls_general = serializers.IntegerField()


class TaskInputSerializer(serializers.Serializer[None]):
    """Tasks for a unit's measures: one per measure (``measures`` empty = every measure of the unit)."""

    cycle = serializers.ChoiceField(choices=Cycle.choices)
    assignee = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    measures = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=500
    )


class TaskOutputSerializer(serializers.Serializer[Any]):
    """A created 隐患排查任务."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    cycle = serializers.CharField(read_only=True)
    measure = serializers.IntegerField(source="measure_id", read_only=True)
    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True, allow_null=True)
