"""Pages of the plans app (Chinese UI): the plan, tasks, reports, 督办 notices, targets, Excel.

Views parse input, fetch through the access layer (404 for absent or out of scope), call ``actions`` and
render; they never write to the database themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from anjian.core.access import access_by_id, restrict, scope_of
from anjian.core.audit import history_for
from anjian.core.errors import AnjianError, ObjectNotFound
from anjian.core.excel import xlsx_response
from anjian.core.models import AuditEntry
from anjian.core.params import query_id, query_int
from anjian.core.views import ScopedObjectMixin, paginate
from anjian.domain.plan_text import WARNING_LABELS
from anjian.orgs.models import OrgUnit, registry_from_db
from anjian.plans import actions
from anjian.plans.choices import ComplianceState, NoticeStatus, ReportStatus, TaskRole
from anjian.plans.excel import export_tasks, import_reports, report_template, workbook_bytes
from anjian.plans.filtersets import unit_and_groups
from anjian.plans.forms import (
    NoticeForm,
    NoticeStepForm,
    PlanImportConfirmForm,
    PlanImportForm,
    ReportForm,
    ReportImportForm,
    TargetBindForm,
)
from anjian.plans.models import (
    Plan,
    PlanTask,
    ProgressReport,
    ReportEvidence,
    SupervisionNotice,
    Target,
    TaskUnit,
)
from anjian.plans.plan_import import PlanImport, TaskSpec, prepare_import, sha256_of
from anjian.plans.selectors import (
    ComplianceSummary,
    QuarterDue,
    compliance_for_units,
    current_quarter,
    filing_units_for,
    quarter_bounds,
    quarter_in_plan,
    quarters_ended,
    report_compliance,
    report_due_date,
    reporting_units,
    task_status,
    unit_roles_label,
    visible_tasks,
)

_UNITS = Prefetch("units", queryset=TaskUnit.objects.select_related("unit").prefetch_related("unit__members"))


def _latest_plan(request: HttpRequest) -> Plan | None:
    plans = restrict(Plan.objects.defer("source_text"), request.user)
    pk = query_id(request, "plan")
    return (plans.filter(pk=pk).first() if pk is not None else None) or plans.first()


def _fetch(model_or_qs: Any, user: Any, pk: Any) -> Any:
    try:
        return access_by_id(model_or_qs, user, pk)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc


def _require_gov(user: Any) -> None:
    if not scope_of(user).is_government:
        raise Http404


def _task_history(task: PlanTask, user: Any, limit: int = 100) -> list[AuditEntry]:
    """The task's own changes, its targets' and the notices the user may read.

    Report submissions are left out: the report grid shows them, and each report page has its history.
    """
    from django.contrib.contenttypes.models import ContentType

    report_types = ContentType.objects.get_for_models(ProgressReport, ReportEvidence).values()
    notice_type = ContentType.objects.get_for_model(SupervisionNotice)
    rows = history_for(task).exclude(object_type__in=list(report_types))
    if not scope_of(user).sees_all:
        readable = restrict(SupervisionNotice.objects.filter(task=task), user).values_list("pk", flat=True)
        rows = rows.exclude(Q(object_type=notice_type) & ~Q(object_id__in=[str(pk) for pk in readable]))
    return list(rows[:limit])


# ---------------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------------


class PlanDetailView(LoginRequiredMixin, View):
    """The plan: its chapters and tasks (those the user may see), and the parser's warnings."""

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        _require_gov(request.user)
        plan = _fetch(Plan, request.user, pk) if pk else _latest_plan(request)
        can_import = scope_of(request.user).sees_all
        if plan is None:
            return render(
                request,
                "plans/plan_detail.html",
                {"plan": None, "can_import": can_import, "page_title": "规划"},
            )
        tasks = visible_tasks(request.user).filter(plan=plan).prefetch_related("targets")
        chapters: dict[tuple[str, str], list[PlanTask]] = {}
        for task in tasks:
            chapters.setdefault((task.chapter, task.chapter_title), []).append(task)
        return render(
            request,
            "plans/plan_detail.html",
            {
                "plan": plan,
                "chapters": [(c, t, ts) for (c, t), ts in chapters.items()],
                "task_count": len(tasks),
                "history": ScopedObjectMixin.history(plan) if scope_of(request.user).sees_all else [],
                "can_import": can_import,
                "page_title": plan.title,
            },
        )


# ---------------------------------------------------------------------------------------------------
# Plan import: the committee office's page for ``anjian plan import``
# ---------------------------------------------------------------------------------------------------
#
# Upload or paste → preview (parses and diffs, writes nothing) → confirm with a reason. The preview
# hands the browser the text (base64) and a signed token holding the text's SHA-256 and a digest of
# everything the import would do; confirm applies only if both still match.

_IMPORT_SALT = "anjian.plans.plan-import"
_IMPORT_MAX_AGE = 2 * 60 * 60  # seconds a preview stays confirmable


def _require_office(user: Any) -> None:
    """Only zone-wide roles (安委办, admin) import the plan; to anyone else the page does not exist."""
    if not scope_of(user).sees_all:
        raise Http404


@dataclass(frozen=True)
class _ImportRequest:
    """What a preview was computed from; preparing it again on confirm must give the same import."""

    text: str
    code: str
    start: dt.date | None
    end: dt.date | None
    hint: str
    source: str

    def prepare(self) -> PlanImport:
        """The same call as the CLI's: parse, find the plan, diff."""
        period = (self.start, self.end) if self.start and self.end else None
        return prepare_import(self.text, registry_from_db(), code=self.code, period=period, hint=self.hint)


def _fingerprint(prepared: PlanImport) -> str:
    """A digest of what confirming would do: target plan and its stored text, period, tasks, warnings, diff.

    Covers database state the text does not: a revision imported meanwhile, a unit alias added (units
    resolve differently), a report filed on a task the import removes.
    """
    plan = prepared.plan
    state = (
        prepared.code,
        plan.pk if plan else None,
        plan.source_sha256 if plan else None,
        prepared.period_start,
        prepared.period_end,
        prepared.specs,
        prepared.parsed.warnings,
        prepared.diff,
    )
    return hashlib.sha256(repr(state).encode("utf-8")).hexdigest()


def _sign_preview(req: _ImportRequest, prepared: PlanImport, user: Any) -> str:
    claims = {
        "sha": prepared.sha256,
        "code": req.code,
        "start": req.start.isoformat() if req.start else None,
        "end": req.end.isoformat() if req.end else None,
        "hint": req.hint,
        "source": req.source,
        "fp": _fingerprint(prepared),
        "user": user.pk,
    }
    return signing.dumps(claims, salt=_IMPORT_SALT, compress=True)


def _spec_row(spec: TaskSpec, reports: int = 0) -> dict[str, Any]:
    return {
        "code": spec.code,
        "title": spec.title,
        "lead": "、".join(spec.names(TaskRole.LEAD) + spec.names(TaskRole.RESPONSIBLE)),
        "cooperating": "、".join(spec.names(TaskRole.COOPERATING)),
        "targets": [t.describe() for t in spec.targets],
        "reports": reports,
    }


def _render_preview(
    request: HttpRequest,
    req: _ImportRequest,
    prepared: PlanImport,
    form: PlanImportConfirmForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The preview page: warnings, task count, and "无需导入" or the diff; the confirm form if it applies."""
    diff = prepared.diff
    reports: dict[str, int] = {}
    if prepared.plan is not None and diff.removed:
        reports = {
            row["task__code"]: row["n"]
            for row in ProgressReport.objects.filter(
                task__plan=prepared.plan, task__code__in=[s.code for s in diff.removed]
            )
            .order_by()
            .values("task__code")
            .annotate(n=Count("id"))
        }
    warnings = [
        {"code": w.code, "label": WARNING_LABELS.get(w.code, w.code), "message": w.message, "tasks": w.tasks}
        for w in prepared.parsed.warnings
    ]
    verb = "导入" if diff.is_new else "修订"
    return render(
        request,
        "plans/plan_import_preview.html",
        {
            "prepared": prepared,
            "diff": diff,
            "verb": verb,
            "source": req.source,
            "task_count": len(prepared.specs),
            "target_count": sum(len(s.targets) for s in prepared.specs),
            "warnings": warnings,
            "added": [_spec_row(s) for s in diff.added],
            "removed": [_spec_row(s, reports.get(s.code, 0)) for s in diff.removed],
            "other_plans": list(Plan.objects.exclude(code=prepared.code).values_list("title", "code"))
            if diff.is_new
            else [],
            "can_confirm": not prepared.unchanged and bool(prepared.specs),
            "token": _sign_preview(req, prepared, request.user),
            "payload": PlanImportConfirmForm.encode_text(req.text),
            "form": form,
            "error": error,
            "page_title": f"预览：{verb}规划",
        },
        status=status,
    )


class PlanImportView(LoginRequiredMixin, View):
    """导入/修订规划: the upload form (GET) and its preview (POST, which writes nothing)."""

    def _render(self, request: HttpRequest, form: PlanImportForm) -> HttpResponse:
        return render(request, "plans/plan_import.html", {"form": form, "page_title": "导入/修订规划"})

    def _form(self, request: HttpRequest, bound: bool = False) -> PlanImportForm:
        plans = list(restrict(Plan.objects.defer("source_text", "preamble"), request.user))
        if bound:
            return PlanImportForm(request.POST, request.FILES, plans=plans)
        return PlanImportForm(plans=plans)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_office(request.user)
        return self._render(request, self._form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_office(request.user)
        form = self._form(request, bound=True)
        if not form.is_valid():
            return self._render(request, form)
        d = form.cleaned_data
        req = _ImportRequest(d["text"], d["code"], d["start"], d["end"], d["hint"], d["source"])
        try:
            prepared = req.prepare()
        except ValueError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form)
        return _render_preview(request, req, prepared, PlanImportConfirmForm())


def _lock_plans(code: str, sha: str) -> None:
    """Lock the plans the import may touch, so the diff checked against the preview is the diff applied."""
    list(
        Plan.objects.select_for_update()
        .filter(Q(code=code) | Q(source_sha256=sha))
        .values_list("pk", flat=True)
    )


def _applied_message(outcome: actions.ImportOutcome, prepared: PlanImport) -> str:
    diff = prepared.diff
    if outcome.created:
        return f"已导入规划“{outcome.plan}”，共{len(prepared.specs)}项任务。"
    if diff.has_task_changes:
        return (
            f"已修订规划“{outcome.plan}”：新增{len(diff.added)}项、删除{len(diff.removed)}项、"
            f"修改{len(diff.changed)}项任务。"
        )
    return f"已更新规划“{outcome.plan}”的原文（任务无变化）。"


class PlanImportConfirmView(LoginRequiredMixin, View):
    """POST: apply exactly the previewed import (same text hash, same diff) with a reason; one audit row."""

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_office(request.user)
        form = PlanImportConfirmForm(request.POST)
        again = reverse("plans:plan_import")
        try:
            claims = signing.loads(request.POST.get("token", ""), salt=_IMPORT_SALT, max_age=_IMPORT_MAX_AGE)
        except signing.SignatureExpired:
            messages.error(request, "预览已超过2小时，未导入。请重新上传并预览。")
            return redirect(again)
        except signing.BadSignature:
            claims = None
        if not isinstance(claims, dict) or claims.get("user") != request.user.pk:
            messages.error(request, "预览信息无效，未导入。请重新上传并预览。")
            return redirect(again)
        text = form.decoded_text()
        if text is None or sha256_of(text) != claims["sha"]:
            messages.error(
                request, "规划文本在预览之后被改动（SHA-256 摘要与预览时不一致），未导入。请重新上传并预览。"
            )
            return redirect(again)
        req = _ImportRequest(
            text,
            claims["code"],
            dt.date.fromisoformat(claims["start"]) if claims["start"] else None,
            dt.date.fromisoformat(claims["end"]) if claims["end"] else None,
            claims["hint"],
            claims["source"],
        )
        reason_ok = form.is_valid()
        outcome = None
        with transaction.atomic():
            _lock_plans(req.code, claims["sha"])
            prepared = req.prepare()
            stale = _fingerprint(prepared) != claims["fp"]
            if reason_ok and not stale and not prepared.unchanged and prepared.specs:
                outcome = actions.do_import_plan(
                    prepared, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
        if outcome is not None:
            messages.success(request, _applied_message(outcome, prepared))
            return redirect(outcome.plan.get_absolute_url())
        if prepared.unchanged:
            assert prepared.plan is not None
            messages.info(request, "与已导入的规划相同，无需导入。")
            return redirect(prepared.plan.get_absolute_url())
        if stale:
            error = (
                "预览之后规划已有变化（可能有人刚导入或修订了规划，或在将删除的任务上报送了进展），"
                "未导入。下方是按最新情况重新生成的预览，请核对后再确认。"
            )
            kept = PlanImportConfirmForm(initial={"reason": form.data.get("reason", "")})
            return _render_preview(request, req, prepared, kept, error=error, status=409)
        return _render_preview(request, req, prepared, form)


# ---------------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------------


def _units_for_flags(user: Any) -> list[OrgUnit]:
    """Units whose missing reports the user is shown: all for the office, else the user's own unit."""
    scope = scope_of(user)
    if scope.sees_all:
        # Enterprise-side units take no part in the plan (a province has tens of thousands of them).
        return list(OrgUnit.objects.exclude(kind__in=["group", "enterprise"]))
    return list(OrgUnit.objects.filter(pk=scope.org_id)) if scope.org_id else []


def recent_quarters(tasks: list[PlanTask], as_of: dt.date | None = None) -> list[tuple[int, int]]:
    """The last two quarters whose reports have come due (this and last quarter, while the plan runs; its
    last two once it has ended): what the task list flags. The full history is on each task's page."""
    if not tasks:
        return []
    plan = tasks[0].plan
    return quarters_ended(plan, as_of or timezone.localdate())[-2:]


def _task_flags(user: Any, tasks: list[PlanTask]) -> tuple[dict[int, int], dict[int, int]]:
    """Per task, the missing and late reports of the recent quarters (:func:`recent_quarters`) of the units
    the user is shown (see ``_units_for_flags``).

    Every quarter of every task for every unit is tens of thousands of items: cached per day and audience until a
    plan, task or report changes (``core.metrics.generation``, dropped on every save in ``plans``).
    """
    from django.core.cache import cache

    from anjian.core.metrics import generation

    scope = scope_of(user)
    audience = "all" if scope.sees_all else f"unit{scope.org_id}"
    task_key = hashlib.sha1(",".join(str(t.pk) for t in tasks).encode(), usedforsecurity=False).hexdigest()[
        :16
    ]
    key = f"anjian:plans:task-flags:{generation()}:{timezone.localdate()}:{audience}:{task_key}"
    hit = cache.get(key)
    if isinstance(hit, tuple):
        return hit
    missing: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    recent = set(recent_quarters(tasks))
    for items in compliance_for_units(_units_for_flags(user), tasks=tasks).values():
        for item in items:
            if (item.year, item.quarter) not in recent:
                continue
            if item.state == ComplianceState.MISSING:
                missing[item.task_id] += 1
            elif item.state == ComplianceState.LATE:
                late[item.task_id] += 1
    flags = (dict(missing), dict(late))
    cache.set(key, flags, 300)
    return flags


class TaskListView(LoginRequiredMixin, View):
    """Tasks the user takes part in, filterable by chapter, unit and status, with missing-report flags."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        plan = _latest_plan(request)
        tasks_qs = visible_tasks(request.user).prefetch_related("targets")
        if plan is not None:
            tasks_qs = tasks_qs.filter(plan=plan)
        chapter = request.GET.get("chapter", "")
        unit_id = query_id(request, "unit_id")
        status = request.GET.get("status", "")
        if chapter:
            tasks_qs = tasks_qs.filter(chapter=chapter)
        if unit_id:
            tasks_qs = tasks_qs.filter(units__unit_id__in=unit_and_groups(unit_id)).distinct()
        tasks = list(tasks_qs)
        # Rows, not model instances: the list reads four fields of every report of the plan (thousands).
        reports: dict[int, list[Any]] = defaultdict(list)
        for r in (
            restrict(ProgressReport.objects.filter(task__in=tasks), request.user)
            .order_by()
            .values_list("task_id", "unit_id", "year", "quarter", "status", named=True)
        ):
            reports[r.task_id].append(r)
        missing, late = _task_flags(request.user, tasks)
        rows = []
        for task in tasks:
            st = task_status(reports[task.pk])
            row = {
                "task": task,
                "status": st,
                "status_label": ReportStatus(st).label,
                "status_colour": ReportStatus.colour_of(st),
                "missing": missing.get(task.pk, 0),
                "late": late.get(task.pk, 0),
            }
            if status == "missing" and not row["missing"]:
                continue
            if status and status != "missing" and st != status:
                continue
            rows.append(row)
        chapters: dict[str, str] = {}
        if plan is not None:
            for c, title in (
                PlanTask.objects.filter(plan=plan)
                .order_by("position")
                .values_list("chapter", "chapter_title")
            ):
                chapters.setdefault(c, title)
        return render(
            request,
            "plans/task_list.html",
            {
                "plan": plan,
                "rows": rows,
                "chapters": list(chapters.items()),
                "units": OrgUnit.objects.exclude(kind="enterprise"),
                "statuses": [*ReportStatus.choices, ("missing", "近期有缺报")],
                "f": {"chapter": chapter, "unit_id": unit_id, "status": status},
                "export_query": f"?unit_id={unit_id}" if unit_id else "",
                "page_title": "规划任务",
                "recent": [f"{y}年第{q}季度" for y, q in recent_quarters(tasks)],
            },
        )


def _grid(
    task: PlanTask, user: Any, units: list[OrgUnit], today: Any
) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """The report grid of a task: quarters up to now (columns) × units the user may read (rows)."""
    plan = task.plan
    last = current_quarter(min(today, plan.period_end))
    quarters = [
        (y, q)
        for y in range(plan.period_start.year, plan.period_end.year + 1)
        for q in range(1, 5)
        if quarter_in_plan(plan, y, q) and (y, q) <= last
    ]
    visible = {
        (r.unit_id, r.year, r.quarter): r
        for r in restrict(ProgressReport.objects.filter(task=task), user).only(
            "id", "unit_id", "year", "quarter", "status", "is_late", "due_date"
        )
    }
    rows = []
    for unit in units:
        cells = []
        for y, q in quarters:
            report = visible.get((unit.pk, y, q))
            due = report_due_date(y, q)
            if report is not None:
                cells.append(
                    {
                        "report": report,
                        "colour": ReportStatus.colour_of(report.status),
                        "label": report.get_status_display(),
                        "late": report.is_late,
                    }
                )
            elif today > due:
                cells.append({"state": "missing", "label": "未报", "colour": "danger"})
            elif quarter_bounds(y, q)[1] < today:
                cells.append({"state": "open", "label": "待报", "colour": "info"})
            else:
                cells.append({"state": "current", "label": "", "colour": "secondary"})
        rows.append({"unit": unit, "cells": cells})
    return quarters, rows


class TaskDetailView(LoginRequiredMixin, View):
    """A task: text, units, targets (value vs goal), reports by quarter per unit, notices, history."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = _fetch(visible_tasks(request.user).prefetch_related("targets"), request.user, pk)
        scope = scope_of(request.user)
        today = timezone.localdate()
        units = reporting_units(task)
        lead_ids = {tu.unit_id for tu in task.units.all() if tu.role == TaskRole.LEAD}
        sees_all_reports = scope.sees_all or bool(lead_ids & scope.unit_ids)
        grid_units = [u for u in units if sees_all_reports or u.pk == scope.org_id]
        quarters, grid = _grid(task, request.user, grid_units, today)
        targets = []
        for target in task.targets.all():
            current = target.current()
            targets.append(
                {"target": target, "current": current, "on_track": target.on_track(current=current)}
            )
        roles = [
            (TaskRole(role).label, [tu for tu in task.units.all() if tu.role == role])
            for role in TaskRole.values
        ]
        notices = restrict(SupervisionNotice.objects.filter(task=task).select_related("unit"), request.user)
        return render(
            request,
            "plans/task_detail.html",
            {
                "task": task,
                "roles": [(label, tus) for label, tus in roles if tus],
                "targets": targets,
                "quarters": quarters,
                "grid": grid,
                "notices": notices,
                "can_file": bool(filing_units_for(task, request.user)),
                "member_units": [(u, unit_roles_label(r)) for u, r in units.items()],
                "history": _task_history(task, request.user),
                "page_title": f"{task.code} {task.title}",
                "can_notify": scope.sees_all,
                "grace_days": settings.ANJIAN_REPORT_GRACE_DAYS,
            },
        )


# ---------------------------------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------------------------------


def _periods(task: PlanTask, unit: OrgUnit, today: Any) -> list[tuple[str, str]]:
    """Quarters the unit may still file or revise for: in the plan, started, and not locked."""
    existing = {(r.year, r.quarter): r for r in ProgressReport.objects.filter(task=task, unit=unit)}
    now = current_quarter(today)
    result = []
    plan = task.plan
    for y in range(plan.period_end.year, plan.period_start.year - 1, -1):
        for q in range(4, 0, -1):
            if not quarter_in_plan(plan, y, q) or (y, q) > now:
                continue
            report = existing.get((y, q))
            due = report_due_date(y, q)
            if report is not None and today > report.due_date:
                continue
            if report is not None:
                note = "已报送，可修改"
            elif today > due:
                note = "逾期未报"
            else:
                note = f"截止{due:%m月%d日}"
            result.append((f"{y}-{q}", f"{y}年第{q}季度（{note}）"))
    return result


class ReportFileView(LoginRequiredMixin, View):
    """File (or revise) the user's unit's quarterly report on a task, with evidence files."""

    def _setup(self, request: HttpRequest, pk: int) -> tuple[PlanTask, OrgUnit]:
        task = _fetch(visible_tasks(request.user), request.user, pk)
        units = filing_units_for(task, request.user)
        if not units:
            raise PermissionDenied("只能为本单位参与的任务报送进展")
        return task, units[0]

    def _render(self, request: HttpRequest, task: PlanTask, unit: OrgUnit, form: ReportForm) -> HttpResponse:
        return render(
            request,
            "plans/report_form.html",
            {
                "task": task,
                "unit": unit,
                "form": form,
                "page_title": f"报送进展：{task.code} {task.title}",
                "grace_days": settings.ANJIAN_REPORT_GRACE_DAYS,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task, unit = self._setup(request, pk)
        periods = _periods(task, unit, timezone.localdate())
        initial: dict[str, Any] = {}
        wanted = request.GET.get("period")
        if wanted and wanted in dict(periods):
            initial["period"] = wanted
            y, q = (int(x) for x in wanted.split("-"))
            existing = ProgressReport.objects.filter(task=task, unit=unit, year=y, quarter=q).first()
            if existing is not None:
                initial.update(status=existing.status, text=existing.text)
        return self._render(request, task, unit, ReportForm(initial=initial, periods=periods))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task, unit = self._setup(request, pk)
        form = ReportForm(request.POST, request.FILES, periods=_periods(task, unit, timezone.localdate()))
        if not form.is_valid():
            return self._render(request, task, unit, form)
        year, quarter = form.year_quarter()
        try:
            report = actions.do_submit_report(
                task,
                unit,
                year,
                quarter,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["evidence"],
                acting_user=request.user,
            )
        except AnjianError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self._render(request, task, unit, form)
        verb = "已修改" if report.revision else "已提交"
        messages.success(
            request,
            f"{verb}{report.year}年第{report.quarter}季度进展报告"
            + ("（逾期报送）" if report.is_late else ""),
        )
        return redirect(report.get_absolute_url())


class ReportDetailView(LoginRequiredMixin, View):
    """One report with its evidence files (private: the filing unit, lead units, the office)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _fetch(
            ProgressReport.objects.select_related("task__plan", "unit", "submitted_by"), request.user, pk
        )
        today = timezone.localdate()
        can_revise = report.unit_id == scope_of(request.user).org_id and today <= report.due_date
        return render(
            request,
            "plans/report_detail.html",
            {
                "report": report,
                "evidence": report.evidence.all(),
                "can_revise": can_revise,
                "history": ScopedObjectMixin.history(report),
                "page_title": str(report),
            },
        )


class EvidenceDownloadView(LoginRequiredMixin, View):
    """An evidence file, served only to those who may read its report (never a public media URL)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        evidence = _fetch(ReportEvidence.objects.select_related("report"), request.user, pk)
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("文件不存在") from exc
        return FileResponse(handle, as_attachment=True, filename=evidence.name)


class ReportImportView(LoginRequiredMixin, View):
    """Import reports from Excel: validate every row, save the valid ones, list the rejected."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        return render(
            request, "plans/report_import.html", {"form": ReportImportForm(), "page_title": "导入进展报告"}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        form = ReportImportForm(request.POST, request.FILES)
        plan = _latest_plan(request)
        result = None
        if form.is_valid() and plan is not None:
            result = import_reports(form.cleaned_data["file"], plan, acting_user=request.user)
            (messages.success if result.ok else messages.warning)(request, result.summary())
        return render(
            request,
            "plans/report_import.html",
            {
                "form": form,
                "result": result,
                "page_title": "导入进展报告",
            },
        )


class ReportTemplateView(LoginRequiredMixin, View):
    """Download the empty report-import workbook."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        plan = _latest_plan(request)
        if plan is None:
            raise Http404("尚未导入规划")
        return xlsx_response(report_template(plan, request.user), "进展报告导入模板.xlsx")


class MyTasksView(LoginRequiredMixin, View):
    """The user's unit's tasks: which quarters are due, missing or late, and where to file."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        scope = scope_of(request.user)
        unit = OrgUnit.objects.filter(pk=scope.org_id).first() if scope.org_id else None
        rows = []
        summary = None
        if unit is not None:
            tasks = list(
                visible_tasks(request.user).filter(units__unit_id__in=sorted(scope.unit_ids)).distinct()
            )
            tasks = [t for t in tasks if unit in reporting_units(t)]
            items = compliance_for_units([unit], tasks=tasks).get(unit.pk, [])
            by_task: dict[int, list[QuarterDue]] = defaultdict(list)
            for item in items:
                by_task[item.task_id].append(item)
            latest = {}
            for r in ProgressReport.objects.filter(unit=unit, task__in=tasks).order_by("year", "quarter"):
                latest[r.task_id] = r
            today = timezone.localdate()
            y, q = current_quarter(today)
            for task in tasks:
                task_items = by_task[task.pk]
                rows.append(
                    {
                        "task": task,
                        "roles": unit_roles_label(reporting_units(task)[unit]),
                        "missing": [i for i in task_items if i.state == ComplianceState.MISSING],
                        "late": [i for i in task_items if i.state == ComplianceState.LATE],
                        "open": [i for i in task_items if i.state == ComplianceState.OPEN],
                        "latest": latest.get(task.pk),
                        "current_period": f"{y}-{q}",
                    }
                )
            plan_end = max((t.plan.period_end for t in tasks), default=today)
            # The tasks just listed (those the unit reports on): reading every task of every plan again with its
            # units and their members was half of this page (~70 ms of CPU).
            summary = report_compliance(unit, min(today.year, plan_end.year), tasks=tasks)
        return render(
            request,
            "plans/my_tasks.html",
            {
                "unit": unit,
                "rows": rows,
                "summary": summary,
                "page_title": "本单位任务",
            },
        )


class ComplianceView(LoginRequiredMixin, View):
    """Report compliance per unit for a year: due, on time, late, missing."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        today = timezone.localdate()
        plan = _latest_plan(request)
        years = list(range(plan.period_start.year, min(plan.period_end.year, today.year) + 1)) if plan else []
        units = _units_for_flags(request.user)

        def rows_of(year: int) -> list[ComplianceSummary]:
            due = compliance_for_units(units, year=year)
            found = [
                ComplianceSummary(unit=unit, year=year, as_of=today, items=due[unit.pk])
                for unit in units
                if due.get(unit.pk)
            ]
            return sorted(found, key=lambda s: (-s.missing, -s.late, s.unit.code))

        asked = query_int(request, "year", 0, min_value=2000, max_value=2100)
        if asked:
            year, rows = asked, rows_of(asked)
        else:
            # Open on the latest year of the plan that has reports due (not on an empty current year after
            # the plan ended, nor on a January with no quarter finished yet).
            year, rows = (years[-1] if years else today.year), []
            for candidate in reversed(years[-2:] if years else [today.year]):
                year, rows = candidate, rows_of(candidate)
                if rows:
                    break
        if year not in years:
            years.append(year)
        return render(
            request,
            "plans/compliance.html",
            {
                "rows": rows,
                "year": year,
                "years": years,
                "page_title": "进展报送情况",
            },
        )


# ---------------------------------------------------------------------------------------------------
# 督办 notices
# ---------------------------------------------------------------------------------------------------


class NoticeListView(LoginRequiredMixin, View):
    """Notices addressed to the user's unit (all for the office), open ones first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        qs = restrict(SupervisionNotice.objects.select_related("unit", "task"), request.user)
        status = request.GET.get("status", "")
        if status == "open":
            qs = qs.exclude(status=NoticeStatus.CLOSED)
        elif status in NoticeStatus.values:
            qs = qs.filter(status=status)
        return render(
            request,
            "plans/notice_list.html",
            {
                "statuses": NoticeStatus.choices,
                "status": status,
                "can_send": scope_of(request.user).sees_all,
                "page_title": "督办通知",
                **paginate(request, qs),
            },
        )


class NoticeCreateView(LoginRequiredMixin, View):
    """The committee office sends a 督办 notice."""

    def _form(self, request: HttpRequest, data: Any = None) -> NoticeForm:
        initial = {}
        if request.GET.get("task"):
            initial["task"] = request.GET["task"]
        if request.GET.get("unit"):
            initial["unit"] = request.GET["unit"]
        return NoticeForm(
            data,
            initial=initial,
            units=OrgUnit.objects.exclude(kind__in=["group", "enterprise"]),
            tasks=visible_tasks(request.user),
        )

    def _check(self, request: HttpRequest) -> None:
        if not scope_of(request.user).sees_all:
            raise PermissionDenied("只有安委办可以下发督办通知")

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        return render(
            request, "plans/notice_form.html", {"form": self._form(request), "page_title": "下发督办通知"}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = self._form(request, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice = actions.do_send_notice(
                    unit=d["unit"],
                    task=d["task"],
                    title=d["title"],
                    body=d["body"],
                    due_date=d["due_date"],
                    acting_user=request.user,
                )
            except AnjianError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "督办通知已下发")
                return redirect(notice.get_absolute_url())
        return render(request, "plans/notice_form.html", {"form": form, "page_title": "下发督办通知"})


_STEP_LABELS = {"acknowledge": "签收", "answer": "回复", "close": "办结"}


class NoticeDetailView(LoginRequiredMixin, View):
    """A notice, its workflow buttons for the user, and its history."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = _fetch(
            SupervisionNotice.objects.select_related(
                "unit", "task", "sent_by", "acknowledged_by", "answered_by", "closed_by"
            ),
            request.user,
            pk,
        )
        steps = [(a, _STEP_LABELS[a]) for a in actions.allowed_notice_actions(notice, request.user)]
        return render(
            request,
            "plans/notice_detail.html",
            {
                "notice": notice,
                "steps": steps,
                "form": NoticeStepForm(),
                "history": ScopedObjectMixin.history(notice),
                "page_title": notice.title,
            },
        )


class NoticeStepView(LoginRequiredMixin, View):
    """POST a workflow step: acknowledge, answer or close."""

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        notice = _fetch(SupervisionNotice, request.user, pk)
        form = NoticeStepForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        try:
            if step == "acknowledge":
                actions.do_acknowledge_notice(notice, acting_user=request.user, reason=reason)
            elif step == "answer":
                actions.do_answer_notice(
                    notice,
                    answer=form.cleaned_data.get("answer", ""),
                    acting_user=request.user,
                    reason=reason,
                )
            elif step == "close":
                actions.do_close_notice(notice, acting_user=request.user, reason=reason)
            else:
                raise Http404
        except AnjianError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已{_STEP_LABELS[step]}")
        return redirect(reverse("plans:notice_detail", args=[notice.pk]))


# ---------------------------------------------------------------------------------------------------
# Targets and Excel export
# ---------------------------------------------------------------------------------------------------


class TargetListView(LoginRequiredMixin, View):
    """Every visible target: goal, deadline, progress towards the goal from its bound metric (or 尚未接入指标);
    the committee office changes a binding on the target's own page (:class:`TargetBindView`)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        qs: QuerySet[Target] = restrict(Target.objects.select_related("task"), request.user).order_by(
            "task__position", "position"
        )
        rows = []
        # One computation per bound metric, however many targets share it.
        values: dict[str, Any] = {}
        for target in qs:
            if target.metric_key not in values:
                values[target.metric_key] = target.current()
            current = values[target.metric_key]
            on_track = target.on_track(current=current)
            percent = target.progress_percent(current)
            rows.append(
                {
                    "target": target,
                    "current": current,
                    "on_track": on_track,
                    "percent": percent,
                    "bar": "ok" if on_track else ("warn" if percent is not None and percent >= 80 else "bad"),
                }
            )
        return render(
            request,
            "plans/target_list.html",
            {"rows": rows, "can_bind": scope_of(request.user).sees_all, "page_title": "指标进度"},
        )


class TargetBindView(LoginRequiredMixin, View):
    """The committee office binds a target to a live metric (or unbinds it), with a reason: GET shows the form
    with the metrics by name and the value each would give, POST saves (one TARGET_BOUND audit row)."""

    def _target(self, request: HttpRequest, pk: int) -> Target:
        target: Target = _fetch(Target, request.user, pk)  # out of scope: 404, like every object
        if not scope_of(request.user).sees_all:
            raise PermissionDenied
        return target

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self._target(request, pk)
        return render(
            request,
            "plans/target_bind.html",
            {
                "target": target,
                "current": target.current(),
                "choices": _metric_options(target),
                "page_title": f"绑定指标：{target.indicator}",
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = self._target(request, pk)
        form = TargetBindForm(request.POST)
        if form.is_valid():
            try:
                actions.do_bind_target(
                    target,
                    metric_key=form.cleaned_data["metric_key"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except AnjianError as exc:
                messages.error(request, exc.message)
                return redirect("plans:target_bind", pk=target.pk)
            label = dict(_metric_options(target)).get(target.metric_key, "（不绑定）")
            messages.success(request, f"指标“{target.indicator}”的数据来源已改为：{label}")
        return redirect(reverse("plans:target_list") + f"#target-{target.pk}")


def _metric_options(target: Target) -> list[tuple[str, str]]:
    """``(key, label)`` of every registered metric by its Chinese name, plus the target's own key when it is
    not (yet) one."""
    from anjian.core import metrics

    options = [("", "（不绑定）")] + [(d.key, str(d.label)) for d in metrics.registered()]
    if target.metric_key and target.metric_key not in dict(options):
        options.append((target.metric_key, "当前绑定的指标尚未接入"))
    return options


class ExportView(LoginRequiredMixin, View):
    """Download the task breakdown as Excel (optionally one unit's tasks)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_gov(request.user)
        plan = _latest_plan(request)
        tasks = visible_tasks(request.user).prefetch_related("targets")
        if plan is not None:
            tasks = tasks.filter(plan=plan)
        unit = None
        if (unit_id := query_id(request, "unit_id")) is not None:
            unit = _fetch(OrgUnit, request.user, unit_id)
        name = f"任务分解清单-{unit.name}.xlsx" if unit else "任务分解清单.xlsx"
        return xlsx_response(workbook_bytes(export_tasks(tasks, unit=unit)), name)
