"""Serializers of the monitoring API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from anjian.core.api.base import AllowedVerbsField, BriefModelSerializer
from anjian.monitoring.models import Alarm, MonitoringPoint


class MonitoringPointSerializer(BriefModelSerializer[MonitoringPoint]):
    state = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringPoint
        fields = [
            "id", "enterprise", "installation", "tag", "name", "kind", "unit", "range_low", "range_high",
            "ll", "l", "h", "hh", "deadband", "on_delay_s", "off_delay_s", "roc_per_s", "expected_interval_s",
            "offline_after_s", "lon", "lat", "enabled", "state",
        ]  # fmt: skip
        brief_fields = ["id", "enterprise", "tag", "name", "kind"]
        scoped_parents = {"enterprise": "change"}

    def get_state(self, obj: MonitoringPoint) -> dict[str, Any] | None:
        state = getattr(obj, "alarm_state", None)
        if state is None:
            return None
        return {
            "last_ms": state.last_ms,
            "last_v": state.last_v,
            "level": state.level or None,
            "fault": state.fault,
            "offline": state.offline,
        }


class AlarmSerializer(BriefModelSerializer[Alarm]):
    tag = serializers.CharField(source="point.tag", read_only=True)
    point_name = serializers.CharField(source="point.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    allowed_verbs = AllowedVerbsField("monitoring.alarm")

    class Meta:
        model = Alarm
        fields = [
            "id", "point", "tag", "point_name", "enterprise", "enterprise_name", "type", "type_label", "level",
            "peak_level", "status", "status_label", "active", "raised_ms", "raised_at", "value", "cleared_at",
            "acknowledged_at", "acknowledged_by", "assigned_to", "assigned_at", "handled_at", "handled_by",
            "cause", "measures", "false_alarm", "closed_at", "closed_by", "escalation_step", "danger_id",
            "allowed_verbs",
        ]  # fmt: skip
        read_only_fields = fields
        brief_fields = ["id", "tag", "type", "level", "status", "active", "raised_at"]

    def get_allowed_verbs(self, obj: Alarm) -> list[str]:
        from anjian.monitoring.actions import allowed_verbs

        request = self.context.get("request")
        return (
            [verb for verb, _label in allowed_verbs(obj, getattr(request, "user", None))] if request else []
        )


class AlarmReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AlarmAssignSerializer(AlarmReasonSerializer):
    assignee = serializers.IntegerField(help_text="处置人用户编号")


class HandleSerializer(AlarmReasonSerializer):
    cause = serializers.CharField(max_length=2000)
    measures = serializers.CharField(max_length=2000)
    false_alarm = serializers.BooleanField(default=False)


class TelemetryResultSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField()
    stored = serializers.IntegerField()
    alarm_events = serializers.IntegerField()
    rejected = serializers.DictField(child=serializers.IntegerField())
