"""Every change to hidden dangers: reporting (from any module), the rectification loop, photos, 挂牌督办, escalation.

The loop's edges are the transition table ``workflows.DANGER_FLOW`` (``core.workflow``): each loop action
takes one edge through ``core.workflow.apply`` — the danger locked, the edge, the permission, the required
data and the guard checked, one audit row — and then does what touches other rows (telling the
supervising department, ending a 挂牌督办). A refused step raises ``TransitionNotAllowed`` /
``ValidationFailed`` / ``PermissionDeniedError`` with a Chinese message naming what is missing, and changes
nothing.

Other modules report a danger through :func:`report_danger` (the stable interface)::

    from anjian.dangers.actions import report_danger
    report_danger(enterprise=e, title="可燃气体报警未处置", description="…", source="alarm",
                  source_object=alarm, acting_user=None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import restrict, scope_of
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.notifications import notify
from anjian.core.workflow import allowed_verbs as workflow_allowed_verbs
from anjian.core.workflow import apply
from anjian.dangers.choices import (
    OPEN_STATES,
    DangerEvents,
    DangerGrade,
    DangerSource,
    DangerStatus,
    ItemResult,
    PhotoStage,
)
from anjian.dangers.inspections import LATE_GRACE, MAX_OFFLINE_AGE, current_period
from anjian.dangers.models import (
    DangerPhoto,
    DangerSettings,
    HiddenDanger,
    InspectionItem,
    InspectionRecord,
    InspectionTask,
    ListingMessage,
    SupervisedListing,
    TaskCompletionStat,
)
from anjian.dangers.workflows import (
    DANGER_FLOW,
    acceptance_refusal,
    is_supervisor,
    major_items,
    parse_major_item,
    user_may_work_on,
)
from anjian.domain import danger_rules

__all__ = [
    "MAJOR_ITEMS",
    "acceptance_refusal",
    "add_danger_photo",
    "allowed_verbs",
    "compute_completion",
    "create_tasks_for_measures",
    "do_accept_danger",
    "do_add_listing_message",
    "do_assign_rectification",
    "do_change_settings",
    "do_dismiss_danger",
    "do_open_listing",
    "do_reject_danger",
    "do_submit_for_acceptance",
    "do_verify_danger",
    "lock_danger",
    "major_items",
    "report_danger",
    "run_escalation",
    "submit_inspection",
]

#: Photos larger than this are refused before they are read as images.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


MAJOR_ITEMS = major_items


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def lock_danger(danger: HiddenDanger) -> HiddenDanger:
    """Re-read ``danger`` with a row lock (the first lock every loop action takes)."""
    locked: HiddenDanger = (
        HiddenDanger.objects.select_for_update().select_related("enterprise").get(pk=danger.pk)
    )
    return locked


def _is_supervisor(user: Any, danger: HiddenDanger) -> bool:
    """The supervising department's staff (or the zone-wide roles)."""
    return is_supervisor(user, danger)


def _may_change(user: Any, danger: HiddenDanger) -> bool:
    if user is None:
        return True
    return restrict(HiddenDanger.objects.filter(pk=danger.pk), user, "change").exists()


def _require(text: str, field: str, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, code=f"{field}_required", field=field)
    return text


def _supervisor_recipients(danger: HiddenDanger) -> list[Any]:
    return [danger.supervising_unit] if danger.supervising_unit_id else []


def _notify_major(danger: HiddenDanger) -> None:
    """Tell the supervising department at once about a 重大 danger (on commit) and audit it."""
    recipients = _supervisor_recipients(danger)
    item = f"（安监总管三〔2017〕121号 第{danger.major_item}项）" if danger.major_item else ""
    title = f"重大事故隐患：{danger.enterprise.name}"
    body = f"{danger.title}{item}，请及时挂牌督办。"
    notify(
        recipients,
        title=title,
        body=body,
        target=danger,
        kind="dangers",
        why="贵单位是该企业的监管部门（重大隐患）",
    )
    record(
        DangerEvents.DANGER_SUPERVISOR_NOTIFIED,
        danger,
        acting_user=None,
        message=f"已通知{'、'.join(str(r) for r in recipients) or '（无监管部门）'}：{body}"[:500],
    )


# ---------------------------------------------------------------------------------------------
# Reporting (the interface other modules use)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def report_danger(
    *,
    enterprise: Any,
    title: str,
    description: str = "",
    source: str = DangerSource.OTHER,
    source_object: models.Model | None = None,
    grade: str = DangerGrade.GENERAL,
    major_item: int | None = None,
    acting_user: Any,
    found_at: dt.datetime | None = None,
    location: str = "",
    risk_unit: Any = None,
    measure: Any = None,
    record_obj: Any = None,
) -> HiddenDanger:
    """Report a hidden danger of ``enterprise`` (status 已上报). ``acting_user=None`` for a system source.

    A user must be able to see the enterprise. Picking one of the 20 items of 安监总管三〔2017〕121号
    (``major_item``) makes the danger 重大; a 重大 danger notifies the supervising department at once.
    """
    if acting_user is not None:
        from anjian.enterprises.models import Enterprise

        if not restrict(Enterprise.objects.filter(pk=enterprise.pk), acting_user).exists():
            raise PermissionDeniedError(_("无权为该企业上报隐患"), code="danger_report_forbidden")
    title = _require(title, "title", "隐患名称")[:200]
    if source not in DangerSource.values:
        raise ValidationFailed(_("隐患来源无效"), code="source_invalid", field="source")
    if grade not in DangerGrade.values:
        raise ValidationFailed(_("隐患等级无效"), code="grade_invalid", field="grade")
    item = parse_major_item(major_item)
    if item is not None:
        grade = DangerGrade.MAJOR
    now = timezone.now()
    danger = HiddenDanger(
        enterprise=enterprise,
        title=title,
        description=(description or "").strip(),
        location=(location or "").strip()[:200],
        source=source,
        grade=grade,
        major_item=item,
        status=DangerStatus.REPORTED,
        supervising_unit_id=enterprise.supervising_unit_id,
        found_at=found_at or now,
        reported_at=now,
        reported_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        risk_unit=risk_unit,
        measure=measure,
        record=record_obj,
    )
    if source_object is not None:
        danger.source_type = ContentType.objects.get_for_model(source_object)
        danger.source_id = str(source_object.pk)
    danger.save()
    danger.code = f"YH{timezone.localtime(now):%Y}-{danger.pk:06d}"
    danger.save(update_fields=["code"])
    record(DangerEvents.DANGER_REPORTED, danger, acting_user=acting_user, after=snapshot(danger))
    if danger.is_major:
        _notify_major(danger)
    return danger


# ---------------------------------------------------------------------------------------------
# The loop: one action per edge
# ---------------------------------------------------------------------------------------------


def _step(
    danger: HiddenDanger, verb: str, *, acting_user: Any, reason: str = "", **data: Any
) -> HiddenDanger:
    result: HiddenDanger = apply(DANGER_FLOW, danger, verb, acting_user=acting_user, reason=reason, data=data)
    return result


@transaction.atomic
def do_verify_danger(
    danger: HiddenDanger, *, acting_user: Any, grade: str, major_item: Any = None, reason: str = ""
) -> HiddenDanger:
    """已上报 → 已核实定级: confirm the danger and its grade (a 121号 item makes it 重大); a danger that
    becomes 重大 here is reported to the supervising department at once."""
    was_major = lock_danger(danger).is_major
    danger = _step(
        danger, "verify", acting_user=acting_user, reason=reason, grade=grade, major_item=major_item
    )
    if danger.is_major and not was_major:
        _notify_major(lock_danger(danger))
    return danger


@transaction.atomic
def do_dismiss_danger(danger: HiddenDanger, *, acting_user: Any, reason: str) -> HiddenDanger:
    """已上报 → 不予认定, with the reason."""
    return _step(danger, "dismiss", acting_user=acting_user, reason=reason)


@transaction.atomic
def do_assign_rectification(
    danger: HiddenDanger,
    *,
    acting_user: Any,
    measures: str = "",
    rectifier: Any = None,
    funds: Any = None,
    deadline: dt.date | None = None,
    contingency_plan: str = "",
    reason: str = "",
) -> HiddenDanger:
    """已核实定级 → 整改中: requires the 五到位 (措施、责任人、资金、期限, 重大 also 预案); the rectifier is told."""
    danger = _step(
        danger,
        "assign",
        acting_user=acting_user,
        reason=reason,
        measures=measures,
        rectifier=rectifier,
        funds=funds,
        deadline=deadline,
        contingency_plan=contingency_plan,
    )
    if danger.rectifier is not None:
        body = f"整改期限 {deadline:%Y-%m-%d}。" if deadline else ""
        notify(
            [danger.rectifier],
            title=f"隐患整改任务：{danger.title}",
            body=body,
            target=danger,
            kind="dangers",
            why="您是该隐患的整改责任人",
        )
    return danger


@transaction.atomic
def do_submit_for_acceptance(danger: HiddenDanger, *, acting_user: Any, statement: str) -> HiddenDanger:
    """整改中 → 待验收: requires at least one after-photo and a statement of what was done."""
    return _step(danger, "submit", acting_user=acting_user, statement=statement)


@transaction.atomic
def do_accept_danger(danger: HiddenDanger, *, acting_user: Any, opinion: str) -> HiddenDanger:
    """待验收 → 已销号: by someone other than the rectifier; a 重大 danger by the supervising department.
    A 挂牌督办 of the danger ends with it."""
    danger = _step(danger, "accept", acting_user=acting_user, opinion=opinion)
    now = danger.closed_at or timezone.now()
    SupervisedListing.objects.filter(danger=danger, closed_at__isnull=True).update(
        closed_at=now, updated_at=now
    )
    return danger


@transaction.atomic
def do_reject_danger(danger: HiddenDanger, *, acting_user: Any, reason: str) -> HiddenDanger:
    """待验收 → 整改中 (驳回): the acceptor says what is still wrong."""
    return _step(danger, "reject", acting_user=acting_user, reason=reason)


VERB_ACTIONS: dict[str, Any] = {
    "verify": do_verify_danger,
    "dismiss": do_dismiss_danger,
    "assign": do_assign_rectification,
    "submit": do_submit_for_acceptance,
    "accept": do_accept_danger,
    "reject": do_reject_danger,
}


def allowed_verbs(danger: HiddenDanger, user: Any) -> list[str]:
    """The loop's verbs ``user`` may take now (``core.workflow.allowed_verbs``: drives buttons and the API)."""
    return [edge.verb for edge in workflow_allowed_verbs(DANGER_FLOW, danger, user)]


# ---------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------


def photo_metadata(data: bytes) -> tuple[str, dt.datetime | None, Decimal | None, Decimal | None]:
    """(extension, capture time, latitude, longitude) of an image; ``ValidationFailed`` if not a photo."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind not in PHOTO_FORMATS:
                raise ValidationFailed(_("只接受 JPEG、PNG 或 WebP 照片"), code="photo_type", field="file")
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationFailed(_("文件不是有效的照片"), code="photo_invalid", field="file") from exc
    captured: dt.datetime | None = None
    lat = lon = None
    try:
        raw = exif.get_ifd(0x8769).get(36867) or exif.get(306)
        if raw:
            # EXIF times carry no zone: a phone writes local time, taken as the zone's time.
            captured = dt.datetime.strptime(str(raw).strip("\x00"), "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=timezone.get_current_timezone()
            )
        gps = exif.get_ifd(0x8825)
        if gps and 2 in gps and 4 in gps:
            lat = _dms(gps[2], gps.get(1, "N"))
            lon = _dms(gps[4], gps.get(3, "E"))
    except (ValueError, TypeError, ZeroDivisionError, KeyError, ArithmeticError):
        captured = captured
    return PHOTO_FORMATS[kind], captured, lat, lon


def _dms(value: Any, ref: Any) -> Decimal:
    degrees, minutes, seconds = (Decimal(str(float(v))) for v in value)
    result = degrees + minutes / 60 + seconds / 3600
    if str(ref).upper().startswith(("S", "W")):
        result = -result
    return result.quantize(Decimal("0.000001"))


@transaction.atomic
def add_danger_photo(
    danger: HiddenDanger, upload: Any, *, acting_user: Any, stage: str = PhotoStage.BEFORE
) -> DangerPhoto:
    """Store a photo of ``danger`` (size bounded before it is read; EXIF capture time and GPS kept)."""
    danger = lock_danger(danger)
    if acting_user is not None and not user_may_work_on(acting_user, danger):
        raise PermissionDeniedError(_("无权为该隐患上传照片"))
    if stage not in PhotoStage.values:
        raise ValidationFailed(_("照片阶段无效"), code="stage_invalid", field="stage")
    if danger.status not in OPEN_STATES:
        raise TransitionNotAllowed(_("隐患已销号或不予认定，不能再上传照片"), code="danger_closed")
    if stage == PhotoStage.AFTER and danger.status != DangerStatus.RECTIFYING:
        raise TransitionNotAllowed(_("只有整改中的隐患才能上传整改后照片"), code="after_photo_state")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过 10 MB"), code="photo_too_large", field="file")
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过 10 MB"), code="photo_too_large", field="file")
    ext, captured, lat, lon = photo_metadata(data)
    digest = hashlib.sha256(data).hexdigest()
    photo = DangerPhoto(
        danger=danger,
        stage=stage,
        sha256=digest,
        captured_at=captured,
        lat=lat,
        lon=lon,
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    photo.file.save(f"{digest[:16]}.{ext}", ContentFile(data), save=False)
    photo.save()
    record(DangerEvents.DANGER_PHOTO_ADDED, photo, acting_user=acting_user, after=snapshot(photo))
    return photo


# ---------------------------------------------------------------------------------------------
# 挂牌督办
# ---------------------------------------------------------------------------------------------


def danger_settings() -> DangerSettings:
    """The zone's settings row (created with the defaults on first use)."""
    row = DangerSettings.objects.order_by("id").first()
    return row if row is not None else DangerSettings.objects.create()


@transaction.atomic
def do_open_listing(
    danger: HiddenDanger, *, acting_user: Any, deadline: dt.date | None = None, requirements: str = ""
) -> SupervisedListing:
    """挂牌督办 a 重大 danger: only the supervising department (or the committee office) may list it."""
    danger = lock_danger(danger)
    if not danger.is_major:
        raise TransitionNotAllowed(_("只有重大隐患才能挂牌督办"), code="listing_not_major")
    if danger.status not in OPEN_STATES:
        raise TransitionNotAllowed(_("隐患已销号或不予认定，不能挂牌督办"), code="listing_closed")
    if acting_user is not None and not _is_supervisor(acting_user, danger):
        raise PermissionDeniedError(_("只有监管部门或安委办可以挂牌督办"), code="listing_forbidden")
    if SupervisedListing.objects.filter(danger=danger).exists():
        raise TransitionNotAllowed(_("该隐患已挂牌督办"), code="listing_exists")
    unit = danger.supervising_unit
    if unit is None:
        scope = scope_of(acting_user)
        from anjian.orgs.models import OrgUnit

        own = OrgUnit.objects.filter(pk=scope.org_id).first() if scope.org_id is not None else None
        unit = own or OrgUnit.objects.get(code="AWB")
    now = timezone.now()
    deadline = (
        deadline
        or danger.deadline
        or (timezone.localdate() + dt.timedelta(days=danger_settings().major_listing_days))
    )
    listing = SupervisedListing.objects.create(
        danger=danger,
        unit=unit,
        supervisor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        deadline=deadline,
        requirements=(requirements or "").strip(),
        listed_at=now,
    )
    record(DangerEvents.LISTING_OPENED, listing, acting_user=acting_user, after=snapshot(listing))
    recipients = [danger.enterprise.org_unit] if danger.enterprise.org_unit_id else []
    title = f"挂牌督办：{danger.title}"
    body = f"督办期限 {deadline:%Y-%m-%d}。{listing.requirements}"
    notify(recipients, title=title, body=body, target=danger, kind="dangers", why="贵企业的隐患被挂牌督办")
    return listing


@transaction.atomic
def do_add_listing_message(listing: SupervisedListing, *, acting_user: Any, body: str) -> ListingMessage:
    """A 督办 notice (department) or reply (enterprise) on a listing."""
    listing = SupervisedListing.objects.select_for_update().select_related("danger").get(pk=listing.pk)
    body = _require(body, "body", "内容")
    if listing.closed_at is not None:
        raise TransitionNotAllowed(_("督办已摘牌，不能再发送"), code="listing_closed")
    from_dept = _is_supervisor(acting_user, listing.danger)
    if not from_dept and not _may_change(acting_user, listing.danger):
        raise PermissionDeniedError(_("无权回复该督办"))
    message = ListingMessage.objects.create(
        listing=listing, from_department=from_dept, body=body, author=acting_user, sent_at=timezone.now()
    )
    record(
        DangerEvents.LISTING_MESSAGE,
        listing,
        acting_user=acting_user,
        after={"from_department": from_dept, "body": body},
        related=listing.danger,
    )
    return message


# ---------------------------------------------------------------------------------------------
# Overdue escalation (run by the job runner)
# ---------------------------------------------------------------------------------------------

AUDIENCE_LABELS = {"principal": "企业主要负责人", "department": "监管部门", "committee": "安委办"}


def ladder() -> tuple[danger_rules.LadderStep, ...]:
    """The configured ladder: principal → supervising department → committee office."""
    row = danger_settings()
    return (
        danger_rules.LadderStep(1, row.principal_after_days, "principal"),
        danger_rules.LadderStep(2, row.department_after_days, "department"),
        danger_rules.LadderStep(3, row.committee_after_days, "committee"),
    )


def _audience(danger: HiddenDanger, audience: str) -> list[Any]:
    from anjian.orgs.models import OrgUnit

    if audience == "principal":
        return [danger.enterprise.org_unit] if danger.enterprise.org_unit_id else []
    if audience == "department":
        return [danger.supervising_unit] if danger.supervising_unit_id else []
    return list(OrgUnit.objects.filter(code="AWB"))


def run_escalation(now: dt.datetime | None = None) -> int:
    """Escalate every overdue open danger one rung as due; returns how many steps were taken."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    steps = ladder()
    taken = 0
    overdue = HiddenDanger.objects.filter(
        status__in=["rectifying", "awaiting_acceptance"], deadline__lt=today, escalation_step__lt=len(steps)
    ).values_list("pk", flat=True)
    for pk in [int(p) for p in overdue]:
        with transaction.atomic():
            danger = HiddenDanger.objects.select_for_update().select_related("enterprise").get(pk=pk)
            if danger.deadline is None or danger.status not in {"rectifying", "awaiting_acceptance"}:
                continue
            step = danger_rules.ladder_step_due(danger.deadline, today, steps, danger.escalation_step)
            if step is None:
                continue
            before = {"escalation_step": danger.escalation_step}
            danger.escalation_step = step.step
            danger.escalated_at = now
            danger.save(update_fields=["escalation_step", "escalated_at", "updated_at"])
            recipients = _audience(danger, step.audience)
            days = (today - danger.deadline).days
            title = f"隐患逾期未整改（第{step.step}级提醒）：{danger.enterprise.name}"
            body = f"{danger.title} 已超过整改期限 {days} 天（期限 {danger.deadline:%Y-%m-%d}）。"
            record(
                DangerEvents.DANGER_ESCALATED,
                danger,
                acting_user=None,
                before=before,
                after={"escalation_step": step.step, "audience": step.audience},
                message=f"提醒{AUDIENCE_LABELS[step.audience]}：{body}"[:500],
            )
            notify(
                recipients,
                title=title,
                body=body,
                target=danger,
                kind="dangers",
                why=f"隐患整改逾期，按升级规则提醒{AUDIENCE_LABELS[step.audience]}",
            )
            taken += 1
    return taken


@transaction.atomic
def do_change_settings(*, acting_user: Any, reason: str, **values: Any) -> DangerSettings:
    """Change the escalation ladder and the default 督办 period (committee office); one audit row."""
    if acting_user is not None and not scope_of(acting_user).sees_all:
        raise PermissionDeniedError(_("只有安委办可以修改隐患治理设置"))
    reason = _require(reason, "reason", "修改原因")
    row = DangerSettings.objects.select_for_update().filter(pk=danger_settings().pk).get()
    before = snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    if not (row.principal_after_days <= row.department_after_days <= row.committee_after_days):
        raise ValidationFailed(_("升级天数须逐级不减：主要负责人 ≤ 监管部门 ≤ 安委办"), code="ladder_invalid")
    row.save()
    record(
        DangerEvents.SETTINGS_CHANGED,
        row,
        acting_user=acting_user,
        before=before,
        after=snapshot(row),
        reason=reason,
    )
    return row


# ---------------------------------------------------------------------------------------------
# Inspection tasks and records (see ``inspections.py`` for the periods and the phone's to-do list)
# ---------------------------------------------------------------------------------------------


def create_tasks_for_measures(
    measures: Any,
    *,
    cycle: str,
    assignee: Any,
    valid_from: dt.date,
    valid_until: dt.date | None,
    acting_user: Any,
) -> list[InspectionTask]:
    """One task per control measure (its 隐患排查内容 as the checklist), audited once each."""
    tasks: list[InspectionTask] = []
    with transaction.atomic():
        for measure in measures:
            task = InspectionTask.objects.create(
                enterprise_id=measure.enterprise_id,
                measure=measure,
                unit_id=measure.event.unit_id,
                title=f"{measure.event.unit.name}：{measure.description[:60]}",
                content=measure.check_content or measure.description,
                cycle=cycle,
                assignee=assignee,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            record(DangerEvents.TASK_SAVED, task, acting_user=acting_user, after=snapshot(task))
            tasks.append(task)
    return tasks


def submit_inspection(
    *,
    acting_user: Any,
    client_token: str,
    items: list[dict[str, Any]],
    task: InspectionTask | None = None,
    unit: Any = None,
    checked_at: dt.datetime | None = None,
    note: str = "",
    lat: Decimal | None = None,
    lon: Decimal | None = None,
) -> tuple[InspectionRecord, bool]:
    """Store one inspection item by item; a found danger is reported (source 隐患排查) and linked.

    Returns ``(record, created)``; a resent ``client_token`` returns the stored record with ``False``.
    """
    token = (client_token or "").strip()[:64]
    if not token:
        raise ValidationFailed(_("缺少提交令牌"), code="token_required", field="client_token")
    existing = InspectionRecord.objects.filter(client_token=token).first()
    if existing is not None:
        if existing.inspector_id != getattr(acting_user, "pk", None):
            raise ValidationFailed(_("提交令牌已被使用"), code="token_used", field="client_token")
        return existing, False
    if task is None and unit is None:
        raise ValidationFailed(_("请选择排查任务或风险分析单元"), code="target_required")
    enterprise = task.enterprise if task is not None else unit.enterprise
    from anjian.enterprises.models import Enterprise

    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), acting_user).exists():
        raise PermissionDeniedError(_("无权排查该企业"), code="inspection_forbidden")
    if not items:
        raise ValidationFailed(_("请至少填写一项排查结果"), code="items_required", field="items")
    now = timezone.now()
    checked_at = checked_at or now
    if checked_at > now + dt.timedelta(minutes=5) or checked_at < now - MAX_OFFLINE_AGE:
        raise ValidationFailed(
            _("排查时间须在最近 7 天内且不晚于现在"), code="checked_at_invalid", field="checked_at"
        )
    for item in items:
        if item.get("result") not in ItemResult.values:
            raise ValidationFailed(_("排查结果无效"), code="result_invalid", field="items")
        if not str(item.get("content", "")).strip():
            raise ValidationFailed(_("排查项内容不能为空"), code="content_required", field="items")
        if item["result"] == ItemResult.DANGER and not str(item.get("note", "")).strip():
            raise ValidationFailed(
                _("“%(item)s”发现隐患，请写明隐患情况") % {"item": str(item["content"])[:40]},
                code="danger_note_required",
                field="items",
            )
    period_start = period_end = None
    if task is not None:
        period_start, period_end = current_period(task, checked_at)
    try:
        with transaction.atomic():
            rec = InspectionRecord.objects.create(
                enterprise=enterprise,
                task=task,
                unit=unit if unit is not None else (task.unit if task is not None else None),
                inspector=acting_user,
                checked_at=checked_at,
                period_start=period_start,
                on_time=period_end is None or now <= period_end + LATE_GRACE,
                note=(note or "").strip()[:500],
                lat=lat,
                lon=lon,
                client_token=token,
            )
            found = 0
            for item in items:
                line = InspectionItem(
                    record=rec,
                    measure_id=item.get("measure") or None,
                    content=str(item["content"]).strip()[:500],
                    result=item["result"],
                    note=str(item.get("note", "")).strip()[:500],
                )
                if line.result == ItemResult.DANGER:
                    found += 1
                    line.danger = report_danger(
                        enterprise=enterprise,
                        title=f"{line.content[:80]}：{line.note[:100]}",
                        description=line.note,
                        source=DangerSource.INSPECTION,
                        acting_user=acting_user,
                        found_at=checked_at,
                        risk_unit=rec.unit,
                        measure=line.measure,
                        record_obj=rec,
                    )
                line.save()
            if found:
                rec.dangers_found = found
                rec.save(update_fields=["dangers_found", "updated_at"])
            if task is not None and (task.last_checked_at is None or task.last_checked_at < checked_at):
                task.last_checked_at = checked_at
                task.save(update_fields=["last_checked_at", "updated_at"])
            record(
                DangerEvents.RECORD_SUBMITTED,
                rec,
                acting_user=acting_user,
                after={**snapshot(rec), "items": len(items), "dangers": found},
            )
    except IntegrityError:
        # Two sends of the same form raced: the other one stored it.
        stored = InspectionRecord.objects.filter(client_token=token).first()
        if stored is None:
            raise
        return stored, False
    return rec, True


def compute_completion(day: dt.date, *, acting_user: Any = None) -> dict[str, int]:
    """Count every task period that ended on ``day`` (due / on time / late / missed) per enterprise."""
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    day_end = day_start + dt.timedelta(days=1)
    tasks = InspectionTask.objects.filter(is_active=True, valid_from__lte=day).exclude(valid_until__lt=day)
    periods: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    cycle_periods = {c: danger_rules.periods_ending_on(c, day_start) for c in danger_rules.CYCLES}
    by_task_enterprise: dict[int, int] = {}
    for pk, enterprise_id, cycle in tasks.values_list("pk", "enterprise_id", "cycle"):
        if cycle_periods.get(cycle):
            periods[pk] = cycle_periods[cycle]
            by_task_enterprise[pk] = enterprise_id
    earliest = min((p[0] for ps in periods.values() for p in ps), default=day_start)
    done: dict[tuple[int, dt.datetime], bool] = {}
    task_ids = list(periods)
    for start in range(0, len(task_ids), 5000):
        chunk = task_ids[start : start + 5000]
        for task_id, period_start, ok in InspectionRecord.objects.filter(
            task_id__in=chunk, period_start__gte=earliest, period_start__lt=day_end
        ).values_list("task_id", "period_start", "on_time"):
            if task_id is None or period_start is None:
                continue
            key = (task_id, period_start)
            done[key] = done.get(key, False) or ok
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for task_id, task_periods in periods.items():
        row = counts[by_task_enterprise[task_id]]
        for period_start, _end in task_periods:
            row[0] += 1
            state = done.get((task_id, period_start))
            if state is True:
                row[1] += 1
            elif state is False:
                row[2] += 1
            else:
                row[3] += 1
    now = timezone.now()
    with transaction.atomic():
        TaskCompletionStat.objects.filter(day=day).exclude(enterprise_id__in=list(counts)).delete()
        existing = {s.enterprise_id: s for s in TaskCompletionStat.objects.filter(day=day)}
        new: list[TaskCompletionStat] = []
        changed: list[TaskCompletionStat] = []
        for enterprise_id, (due, on_time_n, late, missed) in counts.items():
            stat = existing.get(enterprise_id)
            if stat is None:
                new.append(
                    TaskCompletionStat(
                        enterprise_id=enterprise_id,
                        day=day,
                        due=due,
                        on_time=on_time_n,
                        late=late,
                        missed=missed,
                        computed_at=now,
                    )
                )
            else:
                stat.due, stat.on_time, stat.late, stat.missed, stat.computed_at = (
                    due,
                    on_time_n,
                    late,
                    missed,
                    now,
                )
                changed.append(stat)
        TaskCompletionStat.objects.bulk_create(new, batch_size=1000)
        TaskCompletionStat.objects.bulk_update(
            changed, ["due", "on_time", "late", "missed", "computed_at"], batch_size=1000
        )
    totals = {
        "enterprises": len(counts),
        "due": sum(r[0] for r in counts.values()),
        "on_time": sum(r[1] for r in counts.values()),
        "late": sum(r[2] for r in counts.values()),
        "missed": sum(r[3] for r in counts.values()),
    }
    return totals
