"""Every state change of the plans app: plan import, progress reports, 督办 notices, target binding.

Each ``do_*`` runs in one transaction, re-reads the rows it changes with ``select_for_update`` and writes
exactly one audit row (Zulip ``zerver/actions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import scope_of
from anjian.core.audit import record, record_many, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.core.uploads import EVIDENCE_KINDS, check_uploaded_file
from anjian.core.workflow import allowed_verbs, apply
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import NoticeStatus
from anjian.plans.constants import metric_key_for
from anjian.plans.models import (
    METRIC_KEY_RE,
    Plan,
    PlanTask,
    ProgressReport,
    ReportEvidence,
    SupervisionNotice,
    Target,
    TaskUnit,
)
from anjian.plans.plan_import import PlanImport, TaskSpec
from anjian.plans.selectors import current_quarter, filing_units_for, quarter_in_plan, report_due_date
from anjian.plans.workflows import NOTICE_FLOW, is_notice_recipient

__all__ = [
    "ImportOutcome",
    "ReportEntry",
    "allowed_notice_actions",
    "can_act_as_recipient",
    "do_acknowledge_notice",
    "do_answer_notice",
    "do_backfill_reports",
    "do_bind_target",
    "do_close_notice",
    "do_import_plan",
    "do_send_notice",
    "do_submit_report",
]


def _raise_validation(exc: ValidationError) -> None:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    field, errors = next(iter(messages.items()))
    raise ValidationFailed(errors[0], field=field or None) from exc


# ---------------------------------------------------------------------------------------------------
# Plan import
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: ``created`` (new plan), ``revised`` (changes applied) or neither (unchanged)."""

    plan: Plan
    created: bool
    revised: bool

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.revised


def _units_by_name(names: Iterable[str]) -> dict[str, OrgUnit]:
    return {u.name: u for u in OrgUnit.objects.filter(name__in=set(names))}


def _write_task(plan: Plan, spec: TaskSpec, task: PlanTask | None, units: dict[str, OrgUnit]) -> PlanTask:
    """Create or update one task, its units and targets (targets keep their metric binding by indicator)."""
    if task is None:
        task = PlanTask(plan=plan, code=spec.code)
    for name in ("chapter", "chapter_title", "section", "position", "title", "text"):
        setattr(task, name, getattr(spec, name))
    task.save()
    wanted = [(role, units[name]) for role, name in spec.units if name in units]
    existing = {(tu.role, tu.unit_id): tu for tu in task.units.all()}
    keep = set()
    for position, (role, unit) in enumerate(wanted, start=1):
        tu = existing.get((role, unit.pk))
        if tu is None:
            TaskUnit.objects.create(task=task, unit=unit, role=role, position=position)
        elif tu.position != position:
            tu.position = position
            tu.save(update_fields=["position", "updated_at"])
        keep.add((role, unit.pk))
    for key, tu in existing.items():
        if key not in keep:
            tu.delete()
    old_targets = list(task.targets.all())
    for position, ts in enumerate(spec.targets, start=1):
        target = next((t for t in old_targets if t.indicator == ts.indicator), None)
        if target is None:
            target = Target(task=task, indicator=ts.indicator, metric_key=metric_key_for(ts.indicator))
        else:
            old_targets.remove(target)
        target.position = position
        target.comparator, target.value, target.unit = ts.comparator, ts.value, ts.unit
        target.deadline, target.source = ts.deadline, ts.source
        target.save()
    for target in old_targets:
        target.delete()
    return task


def _warnings_json(prepared: PlanImport) -> list[dict[str, Any]]:
    return [{"code": w.code, "message": w.message, "tasks": list(w.tasks)} for w in prepared.parsed.warnings]


@transaction.atomic
def do_import_plan(prepared: PlanImport, *, acting_user: Any, reason: str = "") -> ImportOutcome:
    """Store a prepared plan import: create the plan, or apply the diff to it; one audit row, none if unchanged."""
    if prepared.unchanged:
        assert prepared.plan is not None
        return ImportOutcome(prepared.plan, created=False, revised=False)
    parsed = prepared.parsed
    names = [name for spec in prepared.specs for _role, name in spec.units]
    units = _units_by_name(names)
    fields = {
        "title": parsed.title,
        "preamble": parsed.preamble,
        "period_start": prepared.period_start,
        "period_end": prepared.period_end,
        "source_sha256": prepared.sha256,
        "source_text": prepared.text,
        "warnings": _warnings_json(prepared),
    }
    if prepared.plan is None:
        plan = Plan.objects.create(code=prepared.code, **fields)
        for spec in prepared.specs:
            _write_task(plan, spec, None, units)
        record(
            AuditEvent.PLAN_IMPORTED,
            plan,
            acting_user=acting_user,
            after={
                **{k: v for k, v in snapshot(plan).items() if k != "source_text"},
                "tasks": len(prepared.specs),
                "targets": sum(len(s.targets) for s in prepared.specs),
            },
            reason=reason,
            message=f"导入规划，共{len(prepared.specs)}项任务",
        )
        return ImportOutcome(plan, created=True, revised=False)

    plan = Plan.objects.select_for_update().get(pk=prepared.plan.pk)
    before = {k: v for k, v in snapshot(plan).items() if k != "source_text"}
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.save()
    diff = prepared.diff
    tasks = {t.code: t for t in plan.tasks.select_for_update()}
    removed = {s.code for s in diff.removed}
    changed = {c.code for c in diff.changed}
    PlanTask.objects.filter(plan=plan, code__in=removed).delete()
    for spec in prepared.specs:
        if spec.code not in tasks or spec.code in changed:
            _write_task(plan, spec, tasks.get(spec.code), units)
    after = {k: v for k, v in snapshot(plan).items() if k != "source_text"}
    after["diff"] = diff.as_dict()
    summary = f"新增{len(diff.added)}项、删除{len(diff.removed)}项、修改{len(diff.changed)}项任务"
    record(
        AuditEvent.PLAN_REVISED,
        plan,
        acting_user=acting_user,
        before=before,
        after=after,
        reason=reason,
        message=summary if diff.has_task_changes else "原文格式变化，任务无变化",
    )
    return ImportOutcome(plan, created=False, revised=True)


# ---------------------------------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------------------------------


def _report_after(report: ProgressReport) -> dict[str, Any]:
    data = snapshot(report)
    data["evidence"] = [e.name for e in report.evidence.all()]
    return data


@transaction.atomic
def do_submit_report(
    task: PlanTask,
    unit: OrgUnit,
    year: int,
    quarter: int,
    *,
    status: str,
    text: str,
    acting_user: Any,
    files: Iterable[UploadedFile] = (),
    reason: str = "",
    now: dt.datetime | None = None,
) -> ProgressReport:
    """File (or, before its deadline, revise) ``unit``'s report on ``task`` for a quarter.

    Only a user of ``unit`` may file, and only if ``unit`` reports on ``task``. A report filed after its
    due date is marked late; a filed report cannot be changed after its due date.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if unit not in filing_units_for(task, acting_user):
        raise PermissionDeniedError(_("只能为本单位参与的任务报送进展"), code="not_task_unit")
    if not quarter_in_plan(task.plan, year, quarter):
        raise ValidationFailed(
            _("%(y)s年第%(q)s季度不在规划期内") % {"y": year, "q": quarter},
            code="quarter_outside_plan",
            field="quarter",
        )
    if (year, quarter) > current_quarter(today):
        raise ValidationFailed(_("不能报送尚未开始的季度"), code="future_quarter", field="quarter")
    due = report_due_date(year, quarter)
    report = (
        ProgressReport.objects.select_for_update()
        .filter(task=task, unit=unit, year=year, quarter=quarter)
        .first()
    )
    if report is None:
        report = ProgressReport(
            task=task, unit=unit, year=year, quarter=quarter, due_date=due, is_late=today > due
        )
        event, before = AuditEvent.REPORT_SUBMITTED, None
    else:
        if today > report.due_date:
            raise ValidationFailed(
                _("已过报送期限（%(d)s），不能再修改该季度报告") % {"d": report.due_date},
                code="report_locked",
            )
        event, before = AuditEvent.REPORT_REVISED, _report_after(report)
        report.revision += 1
    files = list(files)
    for upload in files:
        try:
            check_uploaded_file(upload, label=str(_("佐证材料")), allowed=EVIDENCE_KINDS)
        except ValidationError as exc:
            raise ValidationFailed("；".join(exc.messages), field="evidence") from exc
    report.status, report.text = status, (text or "").strip()
    report.submitted_at, report.submitted_by = now, acting_user if getattr(acting_user, "pk", None) else None
    try:
        report.clean()
    except ValidationError as exc:
        _raise_validation(exc)
    report.save()
    for upload in files:
        ReportEvidence.objects.create(report=report, file=upload, name=(upload.name or "")[:200])
    record(event, report, acting_user=acting_user, before=before, after=_report_after(report), reason=reason)
    return report


@dataclass(frozen=True)
class ReportEntry:
    """One historical report to back-fill (see :func:`do_backfill_reports`)."""

    task: PlanTask
    unit: OrgUnit
    year: int
    quarter: int
    status: str
    text: str
    submitted_at: dt.datetime
    submitted_by: Any = None


@transaction.atomic
def do_backfill_reports(
    entries: Iterable[ReportEntry], *, acting_user: Any, reason: str
) -> list[ProgressReport]:
    """Record reports filed on paper in the past (committee office or system), in bulk.

    The same rules as :func:`do_submit_report` (the unit reports on the task, the quarter lies in the plan
    and had started when filed; lateness from ``submitted_at``); existing quarters are skipped. One
    REPORT_SUBMITTED audit row per report, naming the back-fill in its message.
    """
    from anjian.plans.selectors import reporting_units

    if acting_user is not None and not scope_of(acting_user).sees_all:
        raise PermissionDeniedError(_("只有安委办可以补录进展报告"), code="not_committee")
    entries = list(entries)
    task_units = {t.pk: set(reporting_units(t)) for t in {e.task for e in entries}}
    existing = set(
        ProgressReport.objects.filter(task__in=list({e.task.pk for e in entries})).values_list(
            "task_id", "unit_id", "year", "quarter"
        )
    )
    reports = []
    for e in entries:
        key = (e.task.pk, e.unit.pk, e.year, e.quarter)
        if key in existing:
            continue
        if e.unit not in task_units[e.task.pk]:
            raise ValidationFailed(
                _("%(unit)s不是任务%(task)s的单位") % {"unit": e.unit.name, "task": e.task.code}
            )
        filed = timezone.localdate(e.submitted_at)
        if not quarter_in_plan(e.task.plan, e.year, e.quarter) or (e.year, e.quarter) > current_quarter(
            filed
        ):
            raise ValidationFailed(
                _("%(y)s年第%(q)s季度不能在%(d)s报送") % {"y": e.year, "q": e.quarter, "d": filed}
            )
        due = report_due_date(e.year, e.quarter)
        report = ProgressReport(
            task=e.task,
            unit=e.unit,
            year=e.year,
            quarter=e.quarter,
            status=e.status,
            text=e.text,
            due_date=due,
            submitted_at=e.submitted_at,
            submitted_by=e.submitted_by,
            is_late=filed > due,
        )
        report.clean()
        reports.append(report)
        existing.add(key)
    created = ProgressReport.objects.bulk_create(reports, batch_size=500)
    record_many(
        AuditEvent.REPORT_SUBMITTED,
        created,
        acting_user=acting_user,
        related=lambda r: r.task,
        reason=reason,
        message="补录历史进展报告",
    )
    return created


# ---------------------------------------------------------------------------------------------------
# 督办 notices
# ---------------------------------------------------------------------------------------------------


def _require_office(user: Any) -> None:
    # ``None`` is the system (CLI, demo data), which acts for the office.
    if user is not None and not scope_of(user).sees_all:
        raise PermissionDeniedError(_("只有安委办可以下发或办结督办通知"), code="not_committee")


def _check_notice_target(
    unit: OrgUnit,
    task: PlanTask | None,
    due_date: dt.date | None,
    *,
    acting_user: Any,
    now: dt.datetime | None,
) -> None:
    """A 督办 goes to a unit that bears the task, not to the committee itself, with a deadline not yet past."""
    from anjian.orgs.choices import OrgKind
    from anjian.plans.filtersets import unit_and_groups

    today = timezone.localdate(now) if now is not None else timezone.localdate()
    if due_date is not None and due_date < today:
        raise ValidationFailed(_("办理期限不能早于下发当天（%(d)s）") % {"d": today}, field="due_date")
    own_org = getattr(acting_user, "org_id", None)
    if unit.kind == OrgKind.COMMITTEE or (own_org is not None and unit.pk == own_org):
        raise ValidationFailed(_("督办通知不能下发给安委会或安委办自己"), field="unit")
    if task is not None and not task.units.filter(unit_id__in=unit_and_groups(unit.pk)).exists():
        raise ValidationFailed(
            _("%(unit)s 不承担任务 %(code)s，不能就此任务下发督办") % {"unit": unit.name, "code": task.code},
            field="unit",
        )


@transaction.atomic
def do_send_notice(
    *,
    unit: OrgUnit,
    title: str,
    body: str,
    acting_user: Any,
    task: PlanTask | None = None,
    due_date: dt.date | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SupervisionNotice:
    """The committee office sends a 督办 notice to a unit (optionally about a task)."""
    _require_office(acting_user)
    if unit.is_group:
        raise ValidationFailed(_("督办通知须下发给具体单位，不能下发给单位组"), field="unit")
    _check_notice_target(unit, task, due_date, acting_user=acting_user, now=now)
    notice = SupervisionNotice(
        task=task,
        unit=unit,
        title=(title or "").strip(),
        body=(body or "").strip(),
        due_date=due_date,
        status=NoticeStatus.SENT,
        sent_at=now or timezone.now(),
        sent_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    try:
        notice.clean()
    except ValidationError as exc:
        _raise_validation(exc)
    notice.save()
    record(AuditEvent.NOTICE_SENT, notice, acting_user=acting_user, after=snapshot(notice), reason=reason)
    return notice


def can_act_as_recipient(notice: SupervisionNotice, user: Any) -> bool:
    """The receiving unit's users sign for and answer a notice."""
    return is_notice_recipient(scope_of(user), notice)


def allowed_notice_actions(notice: SupervisionNotice, user: Any) -> list[str]:
    """The workflow verbs ``user`` may take on ``notice`` now (for buttons)."""
    return [edge.verb for edge in allowed_verbs(NOTICE_FLOW, notice, user)]


@transaction.atomic
def do_acknowledge_notice(
    notice: SupervisionNotice,
    *,
    acting_user: Any,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SupervisionNotice:
    """The receiving unit signs for a notice (已下发 → 已签收)."""
    result: SupervisionNotice = apply(
        NOTICE_FLOW, notice, "acknowledge", acting_user=acting_user, reason=reason, now=now
    )
    return result


@transaction.atomic
def do_answer_notice(
    notice: SupervisionNotice,
    *,
    answer: str,
    acting_user: Any,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SupervisionNotice:
    """The receiving unit answers a notice it signed for (已签收 → 已回复)."""
    result: SupervisionNotice = apply(
        NOTICE_FLOW,
        notice,
        "answer",
        acting_user=acting_user,
        reason=reason,
        now=now,
        data={"answer": answer},
    )
    return result


@transaction.atomic
def do_close_notice(
    notice: SupervisionNotice,
    *,
    acting_user: Any,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SupervisionNotice:
    """The committee office closes an answered notice (已回复 → 已办结)."""
    result: SupervisionNotice = apply(
        NOTICE_FLOW, notice, "close", acting_user=acting_user, reason=reason, now=now
    )
    return result


# ---------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------


@transaction.atomic
def do_bind_target(target: Target, *, metric_key: str, acting_user: Any, reason: str = "") -> Target:
    """Bind a target to a live metric (or unbind with ""); only the committee office; one TARGET_BOUND row."""
    if acting_user is not None and not scope_of(acting_user).sees_all:
        raise PermissionDeniedError(_("只有安委办可以绑定指标"), code="not_committee")
    metric_key = (metric_key or "").strip()
    if metric_key and not METRIC_KEY_RE.fullmatch(metric_key):
        raise ValidationFailed(
            _("指标键格式应为“模块.指标”，如 standardization.above_scale_rate"), field="metric_key"
        )
    locked = Target.objects.select_for_update().get(pk=target.pk)
    if locked.metric_key == metric_key:
        return locked
    before = {"metric_key": locked.metric_key}
    locked.metric_key = metric_key
    locked.save(update_fields=["metric_key", "updated_at"])
    record(
        AuditEvent.TARGET_BOUND,
        locked,
        acting_user=acting_user,
        before=before,
        after={"metric_key": metric_key},
        reason=reason,
    )
    target.metric_key = metric_key
    return locked
