"""Every change to hidden dangers: reporting (from any module), the rectification loop, photos, 挂牌督办, escalation.

Each loop action is atomic, locks the danger first, checks ``choices.DANGER_EDGES`` and the edge's guard,
changes the row, writes exactly one audit row and defers notifications to ``transaction.on_commit``. A
refused step raises ``TransitionNotAllowed`` / ``ValidationFailed`` / ``PermissionDeniedError`` with a
Chinese message naming what is missing, and changes nothing.

Other modules report a danger through :func:`report_danger` (the stable interface)::

    from anjian.dangers.actions import report_danger
    report_danger(enterprise=e, title="可燃气体报警未处置", description="…", source="alarm",
                  source_object=alarm, acting_user=None)
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import restrict, scope_of
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.notifications import notify
from anjian.dangers.choices import (
    DANGER_EDGES,
    OPEN_STATES,
    VERB_LABELS,
    DangerEvents,
    DangerGrade,
    DangerSource,
    DangerStatus,
    PhotoStage,
)
from anjian.dangers.models import DangerPhoto, DangerSettings, HiddenDanger, ListingMessage, SupervisedListing
from anjian.domain import danger_rules

__all__ = [
    "MAJOR_ITEMS",
    "add_danger_photo",
    "allowed_verbs",
    "do_accept_danger",
    "do_add_listing_message",
    "do_assign_rectification",
    "do_change_settings",
    "do_dismiss_danger",
    "do_open_listing",
    "do_reject_danger",
    "do_report_danger",
    "do_submit_for_acceptance",
    "do_verify_danger",
    "lock_danger",
    "report_danger",
    "run_escalation",
]

#: Photos larger than this are refused before they are read as images.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@functools.cache
def major_items() -> dict[int, str]:
    """The 20 items of 安监总管三〔2017〕121号 (item → text), shipped in ``dangers/data``."""
    path = Path(__file__).parent / "data" / "major_hidden_danger_chem_2017_121.csv"
    with path.open(encoding="utf-8") as handle:
        return {int(row["item"]): row["text_cn"] for row in csv.DictReader(handle)}


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


def _edge(danger: HiddenDanger, verb: str) -> str:
    """The state ``verb`` leads to from the danger's state; refuse an undeclared edge."""
    for (source, target), name in DANGER_EDGES.items():
        if source == danger.status and name == verb:
            return str(target)
    raise TransitionNotAllowed(
        _("隐患当前状态为“%(state)s”，不能执行“%(verb)s”")
        % {"state": danger.get_status_display(), "verb": VERB_LABELS.get(verb, verb)},
        code=f"danger_{verb}_not_allowed",
    )


def _is_supervisor(user: Any, danger: HiddenDanger) -> bool:
    """The supervising department's staff (or the zone-wide roles)."""
    scope = scope_of(user)
    if scope.sees_all:
        return True
    return (
        scope.is_department
        and danger.supervising_unit_id is not None
        and danger.supervising_unit_id in scope.unit_ids
    )


def _may_change(user: Any, danger: HiddenDanger) -> bool:
    if user is None:
        return True
    return restrict(HiddenDanger.objects.filter(pk=danger.pk), user, "change").exists()


def _check_may(user: Any, danger: HiddenDanger) -> None:
    if not _may_change(user, danger):
        raise PermissionDeniedError(_("无权处理该隐患"), code="danger_forbidden")


def _require(text: str, field: str, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写%(label)s") % {"label": label}, code=f"{field}_required", field=field)
    return text


def _major_item(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        item = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("重大隐患判定条款须为 1–20"), code="major_item_invalid", field="major_item"
        ) from exc
    if item not in major_items():
        raise ValidationFailed(_("重大隐患判定条款须为 1–20"), code="major_item_invalid", field="major_item")
    return item


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


def _save(danger: HiddenDanger, fields: list[str]) -> None:
    danger.save(update_fields=[*fields, "updated_at"])


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
    item = _major_item(major_item)
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


#: The source a danger takes from the app of its source object, when the caller names none.
SOURCE_BY_APP = {
    "monitoring": DangerSource.ALARM,
    "emergency": DangerSource.INCIDENT,
    "enforcement": DangerSource.ENFORCEMENT,
    "credit": DangerSource.COMPLAINT,
}


def do_report_danger(
    *, source: str | None = None, source_object: models.Model | None = None, **kwargs: Any
) -> HiddenDanger:
    """:func:`report_danger` under the name other modules look for (monitoring's 转为隐患 calls it).

    Without ``source``, the source follows the source object's app (an alarm → 监测报警, an incident →
    事故事件, …; otherwise 其他).
    """
    if source is None:
        app = source_object._meta.app_label if source_object is not None else ""
        source = SOURCE_BY_APP.get(app, DangerSource.OTHER)
    return report_danger(source=source, source_object=source_object, **kwargs)


# ---------------------------------------------------------------------------------------------
# The loop: one action per edge
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_verify_danger(
    danger: HiddenDanger, *, acting_user: Any, grade: str, major_item: Any = None, reason: str = ""
) -> HiddenDanger:
    """已上报 → 已核实定级: confirm the danger and its grade (a 121号 item makes it 重大)."""
    danger = lock_danger(danger)
    target = _edge(danger, "verify")
    _check_may(acting_user, danger)
    item = _major_item(major_item)
    if item is not None:
        grade = DangerGrade.MAJOR
    if grade not in DangerGrade.values:
        raise ValidationFailed(_("请选择隐患等级"), code="grade_required", field="grade")
    before = snapshot(danger)
    was_major = danger.is_major
    danger.grade, danger.major_item = grade, item
    danger.status = target
    danger.verified_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    danger.verified_at = timezone.now()
    _save(danger, ["grade", "major_item", "status", "verified_by", "verified_at"])
    record(
        DangerEvents.DANGER_VERIFIED,
        danger,
        acting_user=acting_user,
        before=before,
        after=snapshot(danger),
        reason=reason,
    )
    if danger.is_major and not was_major:
        _notify_major(danger)
    return danger


@transaction.atomic
def do_dismiss_danger(danger: HiddenDanger, *, acting_user: Any, reason: str) -> HiddenDanger:
    """已上报 → 不予认定, with the reason."""
    danger = lock_danger(danger)
    target = _edge(danger, "dismiss")
    _check_may(acting_user, danger)
    reason = _require(reason, "reason", "不予认定理由")
    before = snapshot(danger)
    danger.status = target
    danger.dismissed_reason = reason
    danger.closed_at = timezone.now()
    _save(danger, ["status", "dismissed_reason", "closed_at"])
    record(
        DangerEvents.DANGER_DISMISSED,
        danger,
        acting_user=acting_user,
        before=before,
        after=snapshot(danger),
        reason=reason,
    )
    return danger


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("整改资金须为数字"), code="funds_invalid", field="funds") from exc


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
    """已核实定级 → 整改中: requires the 五到位 (措施、责任人、资金、期限, 重大 also 预案)."""
    danger = lock_danger(danger)
    target = _edge(danger, "assign")
    _check_may(acting_user, danger)
    amount = _decimal(funds)
    missing = danger_rules.missing_five_in_place(
        danger_rules.FiveInPlace(
            is_major=danger.is_major,
            measures=measures or "",
            rectifier_set=rectifier is not None,
            funds=amount,
            deadline=deadline,
            contingency_plan=contingency_plan or "",
            today=timezone.localdate(),
        )
    )
    if missing:
        raise TransitionNotAllowed(
            _("五到位未落实，缺少：%(missing)s") % {"missing": "、".join(missing)},
            code="five_in_place_missing",
        )
    if rectifier is not None and not _user_may_work_on(rectifier, danger):
        raise ValidationFailed(
            _("整改责任人须为本企业或监管部门的用户"), code="rectifier_invalid", field="rectifier"
        )
    before = snapshot(danger)
    danger.measures = (measures or "").strip()
    danger.rectifier = rectifier
    danger.funds = amount
    danger.deadline = deadline
    danger.contingency_plan = (contingency_plan or "").strip()
    danger.status = target
    danger.assigned_at = timezone.now()
    _save(danger, ["measures", "rectifier", "funds", "deadline", "contingency_plan", "status", "assigned_at"])
    record(
        DangerEvents.DANGER_ASSIGNED,
        danger,
        acting_user=acting_user,
        before=before,
        after=snapshot(danger),
        reason=reason,
    )
    if danger.rectifier is not None:
        rectifier_user, title = danger.rectifier, f"隐患整改任务：{danger.title}"
        body = f"整改期限 {deadline:%Y-%m-%d}。" if deadline else ""
        notify(
            [rectifier_user],
            title=title,
            body=body,
            target=danger,
            kind="dangers",
            why="您是该隐患的整改责任人",
        )
    return danger


def _user_may_work_on(user: Any, danger: HiddenDanger) -> bool:
    return restrict(HiddenDanger.objects.filter(pk=danger.pk), user, "view").exists()


@transaction.atomic
def do_submit_for_acceptance(danger: HiddenDanger, *, acting_user: Any, statement: str) -> HiddenDanger:
    """整改中 → 待验收: requires at least one after-photo and a statement of what was done."""
    danger = lock_danger(danger)
    target = _edge(danger, "submit")
    _check_may(acting_user, danger)
    missing: list[str] = []
    if not (statement or "").strip():
        missing.append(str(_("整改情况说明")))
    if not danger.photos.filter(stage=PhotoStage.AFTER).exists():
        missing.append(str(_("整改后照片")))
    if missing:
        raise TransitionNotAllowed(
            _("不能申请验收，缺少：%(missing)s") % {"missing": "、".join(missing)},
            code="submission_incomplete",
        )
    before = snapshot(danger)
    danger.statement = statement.strip()
    danger.status = target
    danger.submitted_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    danger.submitted_at = timezone.now()
    _save(danger, ["statement", "status", "submitted_by", "submitted_at"])
    record(
        DangerEvents.DANGER_SUBMITTED, danger, acting_user=acting_user, before=before, after=snapshot(danger)
    )
    return danger


def acceptance_refusal(danger: HiddenDanger, user: Any) -> str | None:
    """Why ``user`` may not accept ``danger`` now (``None`` when they may)."""
    return danger_rules.acceptance_refusal(
        danger_rules.AcceptanceFacts(
            is_major=danger.is_major,
            acceptor_id=getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
            rectifier_id=danger.rectifier_id,
            submitter_id=danger.submitted_by_id,
            acceptor_is_supervisor=user is not None and _is_supervisor(user, danger),
        )
    )


@transaction.atomic
def do_accept_danger(danger: HiddenDanger, *, acting_user: Any, opinion: str) -> HiddenDanger:
    """待验收 → 已销号: by someone other than the rectifier; a 重大 danger by the supervising department."""
    danger = lock_danger(danger)
    target = _edge(danger, "accept")
    _check_may(acting_user, danger)
    refusal = acceptance_refusal(danger, acting_user)
    if refusal:
        raise TransitionNotAllowed(_(refusal), code="acceptance_not_allowed")
    opinion = _require(opinion, "opinion", "验收意见")
    before = snapshot(danger)
    now = timezone.now()
    danger.status = target
    danger.accepted_by = acting_user
    danger.accepted_at = now
    danger.acceptance_opinion = opinion
    danger.closed_at = now
    _save(danger, ["status", "accepted_by", "accepted_at", "acceptance_opinion", "closed_at"])
    SupervisedListing.objects.filter(danger=danger, closed_at__isnull=True).update(
        closed_at=now, updated_at=now
    )
    record(
        DangerEvents.DANGER_ACCEPTED, danger, acting_user=acting_user, before=before, after=snapshot(danger)
    )
    return danger


@transaction.atomic
def do_reject_danger(danger: HiddenDanger, *, acting_user: Any, reason: str) -> HiddenDanger:
    """待验收 → 整改中 (驳回): the acceptor says what is still wrong."""
    danger = lock_danger(danger)
    target = _edge(danger, "reject")
    _check_may(acting_user, danger)
    reason = _require(reason, "reason", "驳回理由")
    before = snapshot(danger)
    danger.status = target
    danger.rejections += 1
    _save(danger, ["status", "rejections"])
    record(
        DangerEvents.DANGER_REJECTED,
        danger,
        acting_user=acting_user,
        before=before,
        after=snapshot(danger),
        reason=reason,
    )
    return danger


VERB_ACTIONS: dict[str, Any] = {
    "verify": do_verify_danger,
    "dismiss": do_dismiss_danger,
    "assign": do_assign_rectification,
    "submit": do_submit_for_acceptance,
    "accept": do_accept_danger,
    "reject": do_reject_danger,
}


def allowed_verbs(danger: HiddenDanger, user: Any) -> list[str]:
    """The loop's verbs ``user`` may try now (drives buttons and API actions)."""
    if not _may_change(user, danger):
        return []
    verbs = [verb for (source, _target), verb in DANGER_EDGES.items() if source == danger.status]
    if "accept" in verbs and acceptance_refusal(danger, user):
        verbs.remove("accept")
    return verbs


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
    if acting_user is not None and not _user_may_work_on(acting_user, danger):
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
