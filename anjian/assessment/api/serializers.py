"""Serializers of the assessment API: schemes with their rules, results with their lines (read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.assessment.models import AssessmentResult, AssessmentScheme, ScoringRule, VetoEvent, VetoRule
from anjian.core.api import BriefModelSerializer

__all__ = [
    "ResultSerializer",
    "RunInputSerializer",
    "SchemeSerializer",
    "ScoringRuleSerializer",
    "VetoEventSerializer",
    "VetoRuleSerializer",
]


class ScoringRuleSerializer(BriefModelSerializer[ScoringRule]):
    description = serializers.CharField(read_only=True)

    class Meta:
        model = ScoringRule
        fields = ["id", "kind", "title", "max_points", "params", "order", "description"]
        brief_fields = ["id", "kind", "title", "max_points"]


class VetoRuleSerializer(BriefModelSerializer[VetoRule]):
    description = serializers.CharField(read_only=True)

    class Meta:
        model = VetoRule
        fields = ["id", "kind", "title", "params", "order", "description"]
        brief_fields = ["id", "kind", "title"]


class SchemeSerializer(BriefModelSerializer[AssessmentScheme]):
    state = serializers.CharField(read_only=True)
    rules = ScoringRuleSerializer(many=True, read_only=True)
    vetoes = VetoRuleSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "year",
            "name",
            "state",
            "grade_bands",
            "is_final",
            "finalised_at",
            "last_run_at",
            "as_of",
            "needs_rerun",
            "rules",
            "vetoes",
        ]
        brief_fields = ["id", "year", "name", "state"]


class ResultSerializer(BriefModelSerializer[AssessmentResult]):
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "scheme",
            "year",
            "unit",
            "unit_name",
            "rank",
            "total",
            "max_points",
            "grade",
            "grade_label",
            "vetoed",
            "veto_reason",
            "summary",
            "lines",
            "checks",
            "computed_at",
        ]
        brief_fields = ["id", "year", "unit", "unit_name", "total", "grade", "vetoed"]


class VetoEventSerializer(BriefModelSerializer[VetoEvent]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = VetoEvent
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "kind",
            "grade",
            "occurred_on",
            "description",
            "source",
            "recorded_by",
        ]
        brief_fields = ["id", "unit", "year", "grade"]


class RunInputSerializer(serializers.Serializer[Any]):
    """Optional cut-off date of the data (default: the day after the fourth quarter's report was due)."""

    as_of = serializers.DateField(required=False)
