from django.contrib import admin

from anjian.core.admin import AuditedModelAdmin, ViewOnlyModelAdmin
from anjian.plans.models import Plan, PlanTask, ProgressReport, SupervisionNotice, Target, TaskUnit


class TaskUnitInline(admin.TabularInline[TaskUnit, PlanTask]):
    model = TaskUnit
    extra = 0


class TargetInline(admin.TabularInline[Target, PlanTask]):
    model = Target
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin[Plan]):
    list_display = ["code", "title", "period_start", "period_end"]
    readonly_fields = ["source_sha256"]


@admin.register(PlanTask)
class PlanTaskAdmin(AuditedModelAdmin[PlanTask]):
    list_display = ["code", "title", "plan"]
    list_filter = ["plan", "chapter"]
    inlines = [TaskUnitInline, TargetInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(ViewOnlyModelAdmin[ProgressReport]):
    """Reports are filed and revised through ``do_submit_report`` (its deadline rules and audit)."""

    list_display = ["task", "unit", "year", "quarter", "status", "is_late"]
    list_filter = ["year", "quarter", "status", "is_late"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ViewOnlyModelAdmin[SupervisionNotice]):
    """A notice's status moves only along its workflow edges (the actions audit each step)."""

    list_display = ["title", "unit", "status", "sent_at"]
    list_filter = ["status"]
