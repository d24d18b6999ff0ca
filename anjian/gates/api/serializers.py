"""Serializers of the second gate (read side, controller events, roll-call and override actions)."""

from __future__ import annotations

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.gates.models import AccessEvent, Gate, Presence, Registration, RollCall, RollCallEntry, Zone


class ZoneSerializer(BriefModelSerializer[Zone]):
    enterprise_name = serializers.CharField(source="enterprise.display_name", read_only=True)
    level = serializers.CharField(read_only=True)

    class Meta:
        model = Zone
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "code",
            "name",
            "quota",
            "warn_level",
            "headcount",
            "level",
            "required_trainings",
            "required_certificates",
            "opens_at",
            "closes_at",
            "hazard_note",
            "outline_geojson",
            "is_active",
        ]
        brief_fields = ["id", "code", "name", "headcount"]
        read_only_fields = fields


class GateSerializer(BriefModelSerializer[Gate]):
    zone_code = serializers.CharField(source="zone.code", read_only=True)

    class Meta:
        model = Gate
        fields = [
            "id",
            "zone",
            "zone_code",
            "enterprise",
            "code",
            "name",
            "directions",
            "controller_id",
            "token_hint",
            "lon",
            "lat",
            "is_active",
        ]
        brief_fields = ["id", "code", "name"]
        read_only_fields = fields


class AccessEventSerializer(BriefModelSerializer[AccessEvent]):
    gate_code = serializers.CharField(source="gate.code", read_only=True)
    zone_code = serializers.CharField(source="zone.code", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    message = serializers.CharField(read_only=True)

    class Meta:
        model = AccessEvent
        fields = [
            "id",
            "enterprise",
            "gate",
            "gate_code",
            "zone",
            "zone_code",
            "credential",
            "person",
            "person_name",
            "category",
            "direction",
            "ts",
            "at",
            "allow",
            "reason",
            "message",
            "source",
            "overridden_at",
            "override_reason",
        ]
        brief_fields = ["id", "gate_code", "credential", "direction", "at", "allow", "reason"]
        read_only_fields = fields


class PresenceSerializer(BriefModelSerializer[Presence]):
    person_name = serializers.CharField(source="person.name", read_only=True)
    phone = serializers.CharField(source="person.phone", read_only=True)
    zone_code = serializers.CharField(source="zone.code", read_only=True)

    class Meta:
        model = Presence
        fields = [
            "id",
            "enterprise",
            "zone",
            "zone_code",
            "person",
            "person_name",
            "phone",
            "category",
            "credential",
            "since",
        ]
        brief_fields = ["id", "zone_code", "person_name", "since"]
        read_only_fields = fields


class RollCallEntrySerializer(serializers.ModelSerializer[RollCallEntry]):
    class Meta:
        model = RollCallEntry
        fields = ["id", "person", "name", "phone", "category", "zone", "since", "status", "accounted_at"]
        read_only_fields = fields


class RollCallSerializer(BriefModelSerializer[RollCall]):
    entries = RollCallEntrySerializer(many=True, read_only=True)

    class Meta:
        model = RollCall
        fields = ["id", "enterprise", "zone", "status", "reason", "started_at", "closed_at", "entries"]
        brief_fields = ["id", "enterprise", "zone", "status", "started_at"]
        read_only_fields = fields


class RegistrationSerializer(BriefModelSerializer[Registration]):
    class Meta:
        model = Registration
        fields = [
            "id",
            "enterprise",
            "category",
            "name",
            "company",
            "purpose",
            "valid_from",
            "valid_until",
            "self_registered",
            "quiz_score",
            "induction_passed_at",
            "status",
            "decided_at",
            "credential_code",
        ]
        brief_fields = ["id", "name", "category", "status"]
        read_only_fields = fields


class ControllerEventSerializer(serializers.Serializer[dict[str, object]]):
    """What a gate controller sends: ``{"credential": "…", "direction": "in", "ts": <epoch ms>}``."""

    credential = serializers.CharField(max_length=64)
    direction = serializers.ChoiceField(choices=["in", "out"])
    ts = serializers.IntegerField(min_value=0, max_value=2**53)


class DecisionSerializer(serializers.Serializer[dict[str, object]]):
    allow = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class GateReasonSerializer(serializers.Serializer[dict[str, object]]):
    reason = serializers.CharField(max_length=200)


class StartRollCallSerializer(serializers.Serializer[dict[str, object]]):
    zone = serializers.IntegerField(required=False, allow_null=True)
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
