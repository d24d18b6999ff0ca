"""Serializers of the 重大危险源 register (explicit fields plus ``brief_fields``).

Grades (``is_major``, ``s_value``, ``r_value``, ``alpha``, ``grade``) are read-only: they follow from the
inventory through ``actions.regrade``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.majorhazards.choices import ResponsibilityLevel
from anjian.majorhazards.models import (
    Grading,
    HazardInstallation,
    InventoryLine,
    Responsibility,
    ResponsibilityCheck,
    ResponsibilityGap,
)
from anjian.people.models import Person

__all__ = [
    "CalculateSerializer",
    "CheckSerializer",
    "GapSerializer",
    "GradingSerializer",
    "InstallationSerializer",
    "InventoryLineSerializer",
    "ResponsibilityAssignSerializer",
    "ResponsibilitySerializer",
]


class InstallationSerializer(BriefModelSerializer[HazardInstallation]):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    grade_label = serializers.CharField(read_only=True)
    unit_kind_display = serializers.CharField(source="get_unit_kind_display", read_only=True)
    filing_status_display = serializers.CharField(source="get_filing_status_display", read_only=True)

    class Meta:
        model = HazardInstallation
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "code",
            "name",
            "unit_kind",
            "unit_kind_display",
            "status",
            "population_500m",
            "identified_on",
            "lon",
            "lat",
            "outline_geojson",
            "is_major",
            "s_value",
            "r_value",
            "alpha",
            "grade",
            "grade_label",
            "graded_at",
            "grading_error",
            "filing_status",
            "filing_status_display",
            "filing_number",
            "filed_on",
            "assessment_report_no",
            "assessment_agency",
            "assessed_on",
            "assessment_conclusion",
            "assessment_file",
            "description",
        ]
        read_only_fields = ["is_major", "s_value", "r_value", "alpha", "grade", "graded_at", "grading_error"]
        brief_fields = ["id", "code", "name", "grade", "grade_label"]
        scoped_parents = {"enterprise": "change"}


class InventoryLineSerializer(BriefModelSerializer[InventoryLine]):
    installation_code = serializers.CharField(source="installation.code", read_only=True)

    class Meta:
        model = InventoryLine
        fields = [
            "id",
            "installation",
            "installation_code",
            "substance",
            "cas",
            "category",
            "max_quantity_t",
            "physical_state",
            "container",
            "temperature_c",
            "pressure_mpa",
            "conditions",
        ]
        brief_fields = ["id", "substance", "max_quantity_t"]
        scoped_parents = {"installation": "change"}


class ResponsibilitySerializer(BriefModelSerializer[Responsibility]):
    person_name = serializers.CharField(source="person.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "installation",
            "level",
            "level_display",
            "person",
            "person_name",
            "since",
            "until",
            "note",
        ]
        read_only_fields = fields
        brief_fields = ["id", "level", "person_name"]


class CheckSerializer(BriefModelSerializer[ResponsibilityCheck]):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ResponsibilityCheck
        fields = [
            "id",
            "installation",
            "level",
            "person",
            "person_name",
            "checked_at",
            "findings",
            "problems_found",
            "lon",
            "lat",
        ]
        read_only_fields = ["person", "person_name"]
        extra_kwargs = {"checked_at": {"required": False}}
        brief_fields = ["id", "level", "checked_at"]
        scoped_parents = {"installation": "change"}


class GapSerializer(BriefModelSerializer[ResponsibilityGap]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    installation_name = serializers.CharField(source="installation.name", read_only=True)

    class Meta:
        model = ResponsibilityGap
        fields = [
            "id",
            "installation",
            "installation_name",
            "kind",
            "kind_display",
            "level",
            "person",
            "detail",
            "found_at",
            "resolved_at",
        ]
        read_only_fields = fields
        brief_fields = ["id", "kind", "detail"]


class GradingSerializer(BriefModelSerializer[Grading]):
    class Meta:
        model = Grading
        fields = [
            "id",
            "installation",
            "graded_at",
            "is_major",
            "s_value",
            "alpha",
            "r_value",
            "population",
            "grade",
            "previous_grade",
            "contributions",
            "error",
            "reason",
        ]
        read_only_fields = fields
        brief_fields = ["id", "graded_at", "grade"]


class ResponsibilityAssignSerializer(serializers.Serializer[Any]):
    """Body of ``POST installations/{id}/assign/``."""

    level = serializers.ChoiceField(choices=ResponsibilityLevel.choices)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    since = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class _SubstanceSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(required=False, allow_blank=True)
    cas = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    q = serializers.JSONField(required=False, help_text="最大存量（吨）")


class CalculateSerializer(serializers.Serializer[Any]):
    """Body of ``POST calculate/`` (the same JSON as ``anjian calc major-hazard``)."""

    population = serializers.JSONField(help_text="厂区边界外500米范围内常住人口")
    substances = _SubstanceSerializer(many=True)
