"""Serializers of the plans API: explicit fields plus ``brief_fields`` (NetBox style)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anjian.core.api import BriefModelSerializer, ScopedPrimaryKeyRelatedField
from anjian.orgs.api.serializers import OrgUnitSerializer
from anjian.orgs.models import User
from anjian.plans.choices import ReportStatus
from anjian.plans.models import (
    Plan,
    PlanTask,
    ProgressReport,
    ReportEvidence,
    SupervisionNotice,
    Target,
    TaskUnit,
)


class PlanSerializer(BriefModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = ["id", "code", "title", "period_start", "period_end", "source_sha256", "warnings"]
        brief_fields = ["id", "code", "title"]


class TaskUnitSerializer(serializers.ModelSerializer[TaskUnit]):
    unit = OrgUnitSerializer(brief=True, read_only=True)

    class Meta:
        model = TaskUnit
        fields = ["unit", "role"]


class TargetSerializer(BriefModelSerializer[Target]):
    task_code = serializers.CharField(source="task.code", read_only=True)
    goal = serializers.CharField(source="goal_display", read_only=True)
    current = serializers.SerializerMethodField()
    on_track = serializers.SerializerMethodField()
    metric_registered = serializers.BooleanField(source="is_metric_registered", read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "task",
            "task_code",
            "indicator",
            "comparator",
            "value",
            "unit",
            "deadline",
            "goal",
            "metric_key",
            "metric_registered",
            "current",
            "on_track",
            "source",
        ]
        read_only_fields = ["task", "indicator", "comparator", "value", "unit", "deadline", "source"]
        brief_fields = ["id", "task_code", "indicator", "goal", "metric_key"]

    def _current(self, obj: Target) -> Any:
        # A metric's value depends on its key only: compute each bound metric once per response, however
        # many targets share it (a list stays at a fixed number of queries).
        cache = self.context.setdefault("_metric_cache", {})
        if obj.metric_key not in cache:
            cache[obj.metric_key] = obj.current()
        return cache[obj.metric_key]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "value": {"type": "string", "nullable": True},
                "numerator": {"type": "integer", "nullable": True},
                "denominator": {"type": "integer", "nullable": True},
                "detail": {"type": "string"},
            },
        }
    )
    def get_current(self, obj: Target) -> dict[str, Any] | None:
        """The bound metric's value now; ``null`` when no metric is bound or registered (尚未接入指标)."""
        value = self._current(obj)
        if value is None:
            return None
        return {
            "value": None if value.value is None else str(value.value),
            "numerator": value.numerator,
            "denominator": value.denominator,
            "detail": value.detail,
        }

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_on_track(self, obj: Target) -> bool | None:
        value = self._current(obj)
        return obj.on_track(current=value) if value is not None else None


class TargetBindSerializer(serializers.Serializer[Any]):
    """Input of PATCH /plans/targets/{id}/: only ``metric_key`` may change."""

    metric_key = serializers.CharField(allow_blank=True, max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TaskSerializer(BriefModelSerializer[PlanTask]):
    plan = PlanSerializer(brief=True, read_only=True)
    units = TaskUnitSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True, brief=True)

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "plan",
            "code",
            "chapter",
            "chapter_title",
            "section",
            "title",
            "text",
            "units",
            "targets",
        ]
        brief_fields = ["id", "code", "title"]


class EvidenceSerializer(serializers.ModelSerializer[ReportEvidence]):
    url = serializers.SerializerMethodField(help_text="下载地址（按报告的可见范围校验权限）")

    class Meta:
        model = ReportEvidence
        fields = ["id", "name", "url"]

    def get_url(self, obj: ReportEvidence) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class ReportSerializer(BriefModelSerializer[ProgressReport]):
    task_code = serializers.CharField(source="task.code", read_only=True)
    unit = OrgUnitSerializer(brief=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    submitted_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "task_code",
            "unit",
            "year",
            "quarter",
            "status",
            "text",
            "due_date",
            "submitted_at",
            "submitted_by",
            "is_late",
            "revision",
            "evidence",
        ]
        brief_fields = ["id", "task_code", "year", "quarter", "status"]


class ReportCreateSerializer(serializers.Serializer[Any]):
    """Input of POST /plans/reports/: the unit is the user's own; files go in ``evidence`` (multipart)."""

    # A task the user does not take part in answers 404, like an absent one.
    task: ScopedPrimaryKeyRelatedField[PlanTask] = ScopedPrimaryKeyRelatedField(
        queryset=PlanTask.objects.all(), label="任务"
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    text = serializers.CharField()
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeSerializer(BriefModelSerializer[SupervisionNotice]):
    unit = OrgUnitSerializer(brief=True, read_only=True)
    task_code = serializers.CharField(source="task.code", read_only=True, default=None)
    sent_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    acknowledged_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    answered_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    closed_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "task",
            "task_code",
            "unit",
            "title",
            "body",
            "due_date",
            "status",
            "sent_by",
            "sent_at",
            "acknowledged_at",
            "acknowledged_by",
            "answer",
            "answered_at",
            "answered_by",
            "closed_at",
            "closed_by",
        ]
        brief_fields = ["id", "title", "status"]


class NoticeCreateSerializer(serializers.Serializer[Any]):
    """Input of POST /plans/notices/ (committee office)."""

    unit = serializers.IntegerField(help_text="被督办单位 id")
    task = serializers.IntegerField(required=False, allow_null=True, help_text="任务 id（可选）")
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    due_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeStepSerializer(serializers.Serializer[Any]):
    """Input of POST /plans/notices/{id}/acknowledge|close/."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeAnswerSerializer(NoticeStepSerializer):
    """Input of POST /plans/notices/{id}/answer/."""

    answer = serializers.CharField()
