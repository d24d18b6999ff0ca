"""Plans API: tasks, targets (bind a metric), progress reports, 督办 notices and the Excel export.

Every queryset is scoped through ``core.access``; workflow steps are POST actions calling ``actions.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.access import access_by_id, scope_of
from anjian.core.api import ScopedReadOnlyViewSet
from anjian.core.api.base import ScopedViewMixin
from anjian.core.api_support import FormParser, JSONParser, MultiPartParser
from anjian.core.errors import ObjectNotFound, PermissionDeniedError, ValidationFailed
from anjian.core.excel import xlsx_response
from anjian.core.filters import valid_id
from anjian.core.params import query_id
from anjian.orgs.models import OrgUnit
from anjian.plans import actions
from anjian.plans.api import serializers as s
from anjian.plans.excel import export_tasks, import_reports, workbook_bytes
from anjian.plans.filtersets import NoticeFilterSet, ReportFilterSet, TargetFilterSet, TaskFilterSet
from anjian.plans.models import Plan, PlanTask, ProgressReport, SupervisionNotice, Target, TaskUnit

# ---------------------------------------------------------------------------------------------------
# Plans and tasks
# ---------------------------------------------------------------------------------------------------


class PlanViewSet(ScopedReadOnlyViewSet[Plan]):
    """Imported plans with their parse warnings."""

    queryset = Plan.objects.defer("source_text")
    serializer_class = s.PlanSerializer
    filterset_fields = ["code"]


_UNITS = Prefetch("units", queryset=TaskUnit.objects.select_related("unit").prefetch_related("unit__members"))


class TaskViewSet(ScopedReadOnlyViewSet[PlanTask]):
    """Plan tasks the user takes part in (all for the committee office); filters chapter, unit_id, code."""

    queryset = PlanTask.objects.select_related("plan").prefetch_related(_UNITS, "targets__task")
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilterSet
    search_fields = ["title", "text", "code"]

    @extend_schema(
        parameters=[OpenApiParameter("unit_id", int, description="只导出该单位的任务")],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                description="任务分解清单 .xlsx"
            )
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> Any:
        """Download the task breakdown (任务分解清单 + one sheet per unit) as Excel."""
        unit = None
        if (unit_id := query_id(request, "unit_id")) is not None:
            unit = access_by_id(OrgUnit, request.user, unit_id)
        tasks = self.filter_queryset(self.get_queryset()) if unit is None else self.get_queryset()
        name = f"任务分解清单-{unit.name}.xlsx" if unit else "任务分解清单.xlsx"
        return xlsx_response(workbook_bytes(export_tasks(tasks, unit=unit)), name)


# ---------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------


class TargetViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Target]
):
    """Numeric targets with their live value; the committee office PATCHes ``metric_key`` to bind a metric."""

    queryset = Target.objects.select_related("task")
    serializer_class = s.TargetSerializer
    filterset_class = TargetFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=s.TargetBindSerializer, responses=s.TargetSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Bind the target to a metric key (audited as 绑定指标)."""
        target = access_by_id(Target, request.user, pk)
        data = s.TargetBindSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = actions.do_bind_target(
            target,
            metric_key=data.validated_data["metric_key"],
            acting_user=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(s.TargetSerializer(target, context=self.get_serializer_context()).data)


# ---------------------------------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------------------------------


class ReportViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProgressReport]
):
    """Progress reports the user may read; POST files (or revises) the user's own unit's report."""

    queryset = ProgressReport.objects.select_related("task", "unit", "submitted_by").prefetch_related(
        "evidence"
    )
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.ReportCreateSerializer, responses={201: s.ReportSerializer})
    def create(self, request: Request) -> Response:
        """File a quarterly report for the user's own unit (multipart for evidence files)."""
        data = s.ReportCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        task = _visible_task(request.user, v["task"].pk)
        unit = _own_unit(request.user)
        files = request.FILES.getlist("evidence") if hasattr(request, "FILES") else []
        report = actions.do_submit_report(
            task,
            unit,
            v["year"],
            v["quarter"],
            status=v["status"],
            text=v["text"],
            files=files,
            acting_user=request.user,
            reason=v["reason"],
        )
        return Response(
            s.ReportSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}, "plan": {"type": "integer"}},
            }
        },
        responses={200: OpenApiResponse(description="导入结果：created/updated/unchanged/rejected/errors")},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Import reports from Excel (任务编号, 单位, 年度, 季度, 状态, 进展情况); bad rows are reported."""
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"code": "invalid", "detail": "请上传 Excel 文件（字段 file）"}, status=400)
        plan = _plan(request)
        result = import_reports(upload, plan, acting_user=request.user)
        return Response(result.as_dict(), status=200)


def _visible_task(user: Any, pk: Any) -> PlanTask:
    return access_by_id(PlanTask.objects.select_related("plan"), user, pk)


def _own_unit(user: Any) -> OrgUnit:
    scope = scope_of(user)
    if scope.org_id is None:
        raise PermissionDeniedError("您的账号不属于任何单位，不能报送进展")
    return OrgUnit.objects.get(pk=scope.org_id)


def _plan(request: Request) -> Plan:
    plans: QuerySet[Plan] = Plan.objects.all()
    raw = request.data.get("plan") or request.query_params.get("plan")
    if raw and valid_id(raw) is None:
        raise ValidationFailed("规划编号 plan 应为正整数", field="plan")
    plan = plans.filter(pk=valid_id(raw) or 0).first() if raw else plans.first()
    if plan is None:
        raise ObjectNotFound("尚未导入规划")
    return plan


# ---------------------------------------------------------------------------------------------------
# 督办 notices
# ---------------------------------------------------------------------------------------------------


class NoticeViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SupervisionNotice],
):
    """督办 notices: the committee office sends; the unit acknowledges and answers; the office closes."""

    queryset = SupervisionNotice.objects.select_related(
        "task",
        "unit",
        "sent_by",
        "acknowledged_by",
        "answered_by",
        "closed_by",
    )
    serializer_class = s.NoticeSerializer
    filterset_class = NoticeFilterSet

    def _respond(self, notice: SupervisionNotice, code: int = 200) -> Response:
        notice = self.get_queryset().get(pk=notice.pk)
        return Response(s.NoticeSerializer(notice, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.NoticeSerializer})
    def create(self, request: Request) -> Response:
        """Send a notice to a unit (committee office only)."""
        data = s.NoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not scope_of(request.user).sees_all:
            raise PermissionDeniedError("只有安委办可以下发督办通知")
        unit = access_by_id(OrgUnit, request.user, v["unit"])
        task = _visible_task(request.user, v["task"]) if v.get("task") else None
        notice = actions.do_send_notice(
            unit=unit,
            task=task,
            title=v["title"],
            body=v["body"],
            due_date=v.get("due_date"),
            acting_user=request.user,
            reason=v["reason"],
        )
        return self._respond(notice, status.HTTP_201_CREATED)

    def _notice(self, pk: Any) -> SupervisionNotice:
        return access_by_id(SupervisionNotice, self.request.user, pk)

    @extend_schema(request=s.NoticeStepSerializer, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        """签收 (the receiving unit)."""
        data = s.NoticeStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = actions.do_acknowledge_notice(
            self._notice(pk), acting_user=request.user, reason=data.validated_data["reason"]
        )
        return self._respond(notice)

    @extend_schema(request=s.NoticeAnswerSerializer, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        """回复 (the receiving unit)."""
        data = s.NoticeAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = actions.do_answer_notice(
            self._notice(pk),
            answer=data.validated_data["answer"],
            acting_user=request.user,
            reason=data.validated_data["reason"],
        )
        return self._respond(notice)

    @extend_schema(request=s.NoticeStepSerializer, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """办结 (the committee office)."""
        data = s.NoticeStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = actions.do_close_notice(
            self._notice(pk), acting_user=request.user, reason=data.validated_data["reason"]
        )
        return self._respond(notice)
