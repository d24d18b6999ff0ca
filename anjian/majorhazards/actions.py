"""State changes of the 重大危险源 register: the only code that writes installations, inventories, grades,
包保 assignments, checks and gaps. Pages, the API, Excel import and the demo all come through here.

Every action is atomic, locks what it changes and writes one audit row per changed object. Every change of
an inventory (or of the population within 500 m) re-grades the installation by GB 18218-2018
(:func:`regrade`): a :class:`Grading` row keeps the history, the re-grade is audited, and a change of grade
notifies the supervising department (:func:`notify_grade_change`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import scope_of
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import check
from anjian.domain import gb18218
from anjian.majorhazards.choices import (
    FilingStatus,
    Grade,
    InstallationStatus,
    MajorHazardEvent,
    ResponsibilityLevel,
)
from anjian.majorhazards.gaps import RefreshSummary, find_gaps, installations_to_check
from anjian.majorhazards.models import (
    Grading,
    HazardInstallation,
    InventoryLine,
    Responsibility,
    ResponsibilityCheck,
    ResponsibilityGap,
)
from anjian.majorhazards.workflows import INSTALLATION_FLOW

__all__ = [
    "FILING_FIELDS",
    "check_inventory_line",
    "do_assign_responsibility",
    "do_delete_inventory_line",
    "do_end_responsibility",
    "do_log_check",
    "do_save_installation",
    "do_save_inventory_line",
    "grade_change_recipients",
    "notify_grade_change",
    "refresh_gaps",
    "regrade",
]

logger = logging.getLogger(__name__)

#: Filing (备案) is recorded by the department that receives it, not by the enterprise itself.
FILING_FIELDS = ("filing_status", "filing_number", "filed_on")
ASSESSMENT_FIELDS = (
    "assessment_report_no",
    "assessment_agency",
    "assessed_on",
    "assessment_conclusion",
    "assessment_file",
)
#: Fields written only by :func:`regrade`.
GRADING_FIELDS = ("is_major", "s_value", "r_value", "alpha", "grade", "graded_at", "grading_error")


def _validate(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise exc from None


def _decimal(value: Fraction | None, places: int = 4) -> Decimal | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)


def _grade_text(grade: int | None) -> str:
    return str(Grade(grade).label) if grade else str(_("不构成重大危险源"))


# ---------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------


def _inputs(installation: HazardInstallation) -> list[gb18218.SubstanceInput]:
    return [
        gb18218.SubstanceInput(
            q=line.max_quantity_t,
            name=line.substance or None,
            cas=line.cas or None,
            category=line.category or None,
        )
        for line in installation.inventory.order_by("pk")
    ]


def compute(installation: HazardInstallation) -> gb18218.Result | None:
    """The GB 18218-2018 result for the stored inventory; ``None`` for an empty inventory."""
    inputs = _inputs(installation)
    if not inputs:
        return None
    return gb18218.identify(inputs, installation.population_500m)


@transaction.atomic
def regrade(installation: HazardInstallation, *, acting_user: Any, reason: str = "") -> Grading:
    """Identify and grade ``installation`` from its current inventory; keep the history; audit; notify.

    Writes a :class:`Grading` row and one audit row (``GRADE_CHANGED`` when the grade moved, else
    ``REGRADED``). A filed installation whose grade changes must file again (备案变更, 40号令 第二十三条).
    """
    locked = HazardInstallation.objects.select_for_update().get(pk=installation.pk)
    before = {name: snapshot(locked).get(name) for name in GRADING_FIELDS}
    previous_grade = locked.grade if locked.is_major else None
    error = ""
    try:
        result = compute(locked)
    except (
        gb18218.IdentificationError
    ) as exc:  # stored lines are checked on save; a table change may still bite
        result, error = None, exc.message
    now = timezone.now()
    contributions: list[dict[str, Any]] = []
    if result is not None:
        contributions = gb18218.result_to_json(result, detailed=True)["contributions"]
        locked.is_major = result.is_major
        locked.s_value = _decimal(result.s_value)
        locked.r_value = _decimal(result.r_value)
        locked.alpha = _decimal(result.alpha, 2)
        locked.grade = result.grade
    else:
        alpha = gb18218.alpha_for(locked.population_500m)[0]
        locked.is_major = False
        locked.s_value = Decimal(0) if not error else None
        locked.r_value = None
        locked.alpha = _decimal(alpha, 2)
        locked.grade = None
    locked.grading_error = error[:300]
    locked.graded_at = now
    grade_changed = locked.grade != previous_grade
    extra_fields: list[str] = []
    if grade_changed and locked.filing_status == FilingStatus.FILED:
        locked.filing_status = FilingStatus.CHANGE_PENDING
        extra_fields.append("filing_status")
    locked.save(update_fields=[*GRADING_FIELDS, *extra_fields, "updated_at"])
    grading = Grading.objects.create(
        installation=locked,
        graded_at=now,
        is_major=locked.is_major,
        s_value=locked.s_value,
        r_value=locked.r_value,
        alpha=locked.alpha,
        population=locked.population_500m,
        grade=locked.grade,
        previous_grade=previous_grade,
        contributions=contributions,
        error=locked.grading_error,
        reason=(reason or "")[:200],
        graded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    after = {name: snapshot(locked).get(name) for name in GRADING_FIELDS}
    if extra_fields:
        after["filing_status"] = locked.filing_status
        before["filing_status"] = FilingStatus.FILED
    message = _("辨识分级：S=%(s)s，%(grade)s") % {
        "s": locked.s_value if locked.s_value is not None else "—",
        "grade": _grade_text(locked.grade) if not error else _("无法分级：%(e)s") % {"e": error},
    }
    if grade_changed:
        message = (
            _("等级由“%(old)s”变为“%(new)s”；")
            % {
                "old": _grade_text(previous_grade),
                "new": _grade_text(locked.grade),
            }
            + message
        )
    record(
        MajorHazardEvent.GRADE_CHANGED if grade_changed else MajorHazardEvent.REGRADED,
        locked,
        acting_user=acting_user,
        before=before,
        after=after,
        reason=reason,
        message=message,
    )
    for name in (*GRADING_FIELDS, *extra_fields):
        setattr(installation, name, getattr(locked, name))
    if locked.is_major and locked.status == InstallationStatus.IN_USE:
        _flag_enterprise(locked, acting_user)
    if grade_changed:
        transaction.on_commit(lambda: notify_grade_change(locked, previous_grade, locked.grade))
    return grading


def _flag_enterprise(installation: HazardInstallation, acting_user: Any) -> None:
    """Mark the enterprise 构成危险化学品重大危险源 in the registry once one of its units is one (audited there).

    The flag is only raised here, never cleared: an enterprise may hold 重大危险源 not yet registered.
    """
    from anjian.enterprises.actions import do_update_enterprise
    from anjian.enterprises.models import Enterprise

    enterprise = Enterprise.objects.get(pk=installation.enterprise_id)
    if enterprise.major_hazard:
        return
    do_update_enterprise(
        enterprise,
        {"major_hazard": True},
        acting_user=acting_user,
        message=str(_("按重大危险源辨识结果标记：%(name)s") % {"name": installation.name}),
    )


# ---------------------------------------------------------------------------------------------
# Notification of a change of grade (moves onto anjian.core.notifications when it lands on main)
# ---------------------------------------------------------------------------------------------


def grade_change_recipients(installation: HazardInstallation) -> list[Any]:
    """Exactly the enterprise's supervising department (三个必须); nobody when it has none."""
    unit = installation.enterprise.supervising_unit
    return [unit] if unit is not None else []


def _send(recipients: list[Any], *, title: str, body: str, why: str, target: Any) -> None:
    """Send the notice through core notifications (in-app inbox and the outbound channel).

    Kept in one place; tests replace this function to observe it.
    """
    from anjian.core import notifications

    notifications.notify(recipients, title=title, body=body, why=why, target=target, kind="majorhazards")
    logger.info("notify %s: %s — %s (%s)", [str(r) for r in recipients], title, body, why)


def notify_grade_change(installation: HazardInstallation, old: int | None, new: int | None) -> None:
    """Tell the supervising department that ``installation`` changed grade."""
    recipients = grade_change_recipients(installation)
    if not recipients:
        return
    title = _("重大危险源等级变化：%(name)s") % {"name": installation.name}
    body = _("%(ent)s 的“%(name)s”（%(code)s）等级由“%(old)s”变为“%(new)s”。") % {
        "ent": installation.enterprise.name,
        "name": installation.name,
        "code": installation.code,
        "old": _grade_text(old),
        "new": _grade_text(new),
    }
    why = _("贵单位是该企业的行业监管部门")
    _send(recipients, title=title, body=body, why=why, target=installation)


# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------


def _is_enterprise(user: Any) -> bool:
    return user is not None and scope_of(user).is_enterprise


@transaction.atomic
def do_save_installation(
    installation: HazardInstallation,
    *,
    acting_user: Any,
    reason: str = "",
    message: str = "",
) -> HazardInstallation:
    """Create or edit an installation (not its grade); re-grade when new or when the population changed.

    An enterprise user may not record filing (备案 is recorded by the department that receives it).
    """
    before: dict[str, Any] | None = None
    if installation.pk is not None:
        stored = HazardInstallation.objects.select_for_update().get(pk=installation.pk)
        before = snapshot(stored)
        if installation.enterprise_id != stored.enterprise_id:
            raise ValidationFailed(_("重大危险源不能转到其他企业"), field="enterprise")
    else:
        stored = None
    if _is_enterprise(acting_user):
        defaults: dict[str, Any] = {
            "filing_status": FilingStatus.NOT_FILED,
            "filing_number": "",
            "filed_on": None,
        }
        old = {f: (getattr(stored, f) if stored else defaults[f]) for f in FILING_FIELDS}
        if any(getattr(installation, f) != old[f] for f in FILING_FIELDS):
            raise PermissionDeniedError(_("备案情况由接收备案的监管部门登记，企业不能自行修改"))
    if stored is not None and installation.status != stored.status:
        # A status change is a step of ``INSTALLATION_FLOW`` (在用 ⇄ 停用 → 核销; 已核销 is final).
        edge = INSTALLATION_FLOW.edge_to(stored.status, installation.status)
        if edge is None:
            raise TransitionNotAllowed(
                _("重大危险源状态不能从“%(old)s”变为“%(new)s”")
                % {
                    "old": InstallationStatus(stored.status).label,
                    "new": InstallationStatus(installation.status).label,
                },
                code="status_transition",
            )
        check(INSTALLATION_FLOW, stored, edge.verb, acting_user=acting_user, reason=reason)
    _validate(installation)
    after = snapshot(installation)
    if before is not None and before == after:
        return installation
    installation.save()
    if before is None:
        event = MajorHazardEvent.INSTALLATION_CREATED
        text = message or _("新建重大危险源")
    else:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if changed and changed <= set(FILING_FIELDS):
            event = MajorHazardEvent.FILING_RECORDED
        elif changed and changed <= set(ASSESSMENT_FIELDS):
            event = MajorHazardEvent.ASSESSMENT_RECORDED
        elif "status" in changed:
            event = MajorHazardEvent.INSTALLATION_STATUS_CHANGED
        else:
            event = MajorHazardEvent.INSTALLATION_UPDATED
        text = message
    record(
        event,
        installation,
        acting_user=acting_user,
        before=before,
        after=snapshot(installation),
        reason=reason,
        message=text,
    )
    if before is None or before.get("population_500m") != installation.population_500m:
        regrade(
            installation,
            acting_user=acting_user,
            reason=_("新建") if before is None else _("500米内常住人口变化"),
        )
    return installation


# ---------------------------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------------------------


def check_inventory_line(line: InventoryLine) -> gb18218.Contribution:
    """Check one line against GB 18218-2018 (name/alias/CAS in Table 1, or a Table 2 category; q ≥ 0)."""
    try:
        return gb18218.contribution(
            gb18218.SubstanceInput(
                q=line.max_quantity_t,
                name=line.substance or None,
                cas=line.cas or None,
                category=line.category or None,
            )
        )
    except gb18218.IdentificationError as exc:
        field = (
            "max_quantity_t"
            if "存量" in exc.message
            else ("category" if "类别" in exc.message else "substance")
        )
        if "CAS" in exc.message:
            field = "cas"
        raise ValidationError({field: exc.message}) from None


@transaction.atomic
def do_save_inventory_line(
    line: InventoryLine, *, acting_user: Any, reason: str = "", regrade_after: bool = True
) -> InventoryLine:
    """Validate (including GB 18218 lookup), save and audit a line; then re-grade its installation."""
    before = None
    if line.pk is not None:
        stored = InventoryLine.objects.select_for_update().get(pk=line.pk)
        if stored.installation_id != line.installation_id:
            raise ValidationFailed(_("存量记录不能移到其他重大危险源"), field="installation")
        before = snapshot(stored)
    _validate(line)
    check_inventory_line(line)
    after = snapshot(line)
    if before == after:
        return line
    line.save()
    record(
        MajorHazardEvent.INVENTORY_CHANGED,
        line,
        acting_user=acting_user,
        before=before,
        after=snapshot(line),
        reason=reason,
        message=(_("新增危险化学品：%(s)s") if before is None else _("修改危险化学品存量：%(s)s"))
        % {"s": str(line)},
    )
    if regrade_after:
        regrade(
            line.installation, acting_user=acting_user, reason=_("存量变更：%(s)s") % {"s": line.substance}
        )
    return line


@transaction.atomic
def do_delete_inventory_line(line: InventoryLine, *, acting_user: Any, reason: str = "") -> None:
    """Remove a line (audited), then re-grade its installation."""
    installation = line.installation
    record(
        MajorHazardEvent.INVENTORY_CHANGED,
        line,
        acting_user=acting_user,
        before=snapshot(line),
        reason=reason,
        message=_("删除危险化学品：%(s)s") % {"s": str(line)},
    )
    name = line.substance
    line.delete()
    regrade(installation, acting_user=acting_user, reason=_("删除存量：%(s)s") % {"s": name})


# ---------------------------------------------------------------------------------------------
# 包保 responsibility and checks
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_assign_responsibility(
    installation: HazardInstallation,
    level: str,
    person: Any,
    *,
    since: dt.date | None = None,
    acting_user: Any,
    reason: str = "",
) -> Responsibility:
    """Make ``person`` the 包保 person of ``level``; the current one of that level (if any) ends the same day."""
    if level not in ResponsibilityLevel.values:
        raise ValidationFailed(_("无效的包保层级"), field="level")
    since = since or timezone.localdate()
    HazardInstallation.objects.select_for_update().get(pk=installation.pk)
    current = (
        Responsibility.objects.select_for_update()
        .filter(installation=installation, level=level, until__isnull=True)
        .first()
    )
    if current is not None and current.person_id == person.pk:
        return current
    new = Responsibility(installation=installation, level=level, person=person, since=since)
    _validate(new, exclude=["installation"] if current is not None else None)
    if current is not None:
        if since < current.since:
            raise ValidationFailed(_("新任包保责任人的起始日期不能早于现任的起始日期"), field="since")
        before = snapshot(current)
        current.until = since
        current.save(update_fields=["until", "updated_at"])
        record(
            MajorHazardEvent.RESPONSIBILITY_ENDED,
            current,
            acting_user=acting_user,
            before=before,
            after=snapshot(current),
            reason=reason,
            message=_("%(level)s由%(old)s改为%(new)s")
            % {"level": current.get_level_display(), "old": current.person.name, "new": person.name},
        )
        _validate(new)
    new.save()
    record(
        MajorHazardEvent.RESPONSIBILITY_ASSIGNED,
        new,
        acting_user=acting_user,
        after=snapshot(new),
        reason=reason,
        message=_("指定%(level)s：%(name)s") % {"level": new.get_level_display(), "name": person.name},
    )
    return new


@transaction.atomic
def do_end_responsibility(
    responsibility: Responsibility, *, until: dt.date | None = None, acting_user: Any, reason: str = ""
) -> Responsibility:
    """End a 包保 assignment (the level is then missing until someone is assigned: a gap)."""
    locked = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    if locked.until is not None:
        raise ValidationFailed(_("该包保责任已解除"))
    before = snapshot(locked)
    locked.until = until or timezone.localdate()
    _validate(locked)
    locked.save(update_fields=["until", "updated_at"])
    record(
        MajorHazardEvent.RESPONSIBILITY_ENDED,
        locked,
        acting_user=acting_user,
        before=before,
        after=snapshot(locked),
        reason=reason,
        message=_("解除%(level)s：%(name)s")
        % {"level": locked.get_level_display(), "name": locked.person.name},
    )
    return locked


@transaction.atomic
def do_log_check(
    installation: HazardInstallation,
    level: str,
    *,
    acting_user: Any,
    checked_at: dt.datetime | None = None,
    findings: str = "",
    problems_found: int = 0,
    lon: Decimal | None = None,
    lat: Decimal | None = None,
) -> ResponsibilityCheck:
    """Log one 包保 check by the current person of ``level`` (typically from a phone, with its position)."""
    if level not in ResponsibilityLevel.values:
        raise ValidationFailed(_("无效的包保层级"), field="level")
    if installation.status == InstallationStatus.WRITTEN_OFF:
        raise ValidationFailed(_("该重大危险源已核销，不能登记检查"))
    current = (
        Responsibility.objects.select_related("person")
        .filter(installation=installation, level=level, until__isnull=True)
        .first()
    )
    if current is None:
        raise ValidationFailed(
            _("该重大危险源尚未指定%(level)s，请先指定包保责任人")
            % {"level": ResponsibilityLevel(level).label},
            field="level",
        )
    now = timezone.now()
    checked_at = checked_at or now
    if checked_at > now + dt.timedelta(minutes=5):
        raise ValidationFailed(_("检查时间不能晚于当前时间"), field="checked_at")
    if problems_found < 0:
        raise ValidationFailed(_("发现问题数不能为负数"), field="problems_found")
    if (lon is None) != (lat is None):
        raise ValidationFailed(_("经度和纬度应同时提供"), field="lon")
    check = ResponsibilityCheck(
        installation=installation,
        responsibility=current,
        level=level,
        person=current.person,
        checked_at=checked_at,
        findings=(findings or "").strip(),
        problems_found=problems_found,
        lon=lon,
        lat=lat,
        recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _validate(check)
    check.save()
    record(
        MajorHazardEvent.CHECK_LOGGED,
        check,
        acting_user=acting_user,
        after=snapshot(check),
        message=_("%(level)s%(name)s 履职检查")
        % {"level": current.get_level_display(), "name": current.person.name},
    )
    return check


# ---------------------------------------------------------------------------------------------
# 包保 and filing gaps (found by ``gaps.find_gaps``; the job and the command call this)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def refresh_gaps(today: dt.date | None = None, *, acting_user: Any = None) -> RefreshSummary:
    """Open the gaps found now, close those no longer found; audit per installation whose gaps changed."""
    today = today or timezone.localdate()
    now = timezone.now()
    installations = list(installations_to_check())
    ids = [i.pk for i in installations]
    last: dict[tuple[int, str], dt.datetime] = {}
    rows = (
        ResponsibilityCheck.objects.filter(installation_id__in=ids, responsibility__until__isnull=True)
        .values("installation_id", "level")
        .annotate(last=Max("checked_at"))
    )
    for check_row in rows:
        last[(check_row["installation_id"], check_row["level"])] = check_row["last"]
    open_rows: dict[int, dict[tuple[str, str], ResponsibilityGap]] = {}
    for gap in ResponsibilityGap.objects.select_for_update().filter(resolved_at__isnull=True):
        open_rows.setdefault(gap.installation_id, {})[(gap.kind, gap.level)] = gap
    opened = resolved = 0
    seen: set[int] = set()
    for inst in installations:
        seen.add(inst.pk)
        checks = {level: at for (iid, level), at in last.items() if iid == inst.pk}
        found = {(g.kind, g.level): g for g in find_gaps(inst, today, checks)}
        existing = open_rows.get(inst.pk, {})
        new_keys = [k for k in found if k not in existing]
        gone = [k for k in existing if k not in found]
        changed_detail = [k for k in found if k in existing and existing[k].detail != found[k].detail]
        for key in new_keys:
            g = found[key]
            ResponsibilityGap.objects.create(
                installation=inst,
                kind=g.kind,
                level=g.level,
                person_id=g.person_id,
                detail=g.detail[:300],
                found_at=now,
            )
        for key in changed_detail:
            row = existing[key]
            row.detail = found[key].detail[:300]
            row.person_id = found[key].person_id
            row.save(update_fields=["detail", "person", "updated_at"])
        for key in gone:
            row = existing[key]
            row.resolved_at = now
            row.save(update_fields=["resolved_at", "updated_at"])
        if new_keys or gone:
            record(
                MajorHazardEvent.GAPS_REFRESHED,
                inst,
                acting_user=acting_user,
                before={"open": sorted(f"{k}:{lv}" for k, lv in existing)},
                after={"open": sorted(f"{k}:{lv}" for k, lv in found)},
                message=_("新发现%(n)s项缺口，消除%(m)s项") % {"n": len(new_keys), "m": len(gone)},
            )
        opened += len(new_keys)
        resolved += len(gone)
    # installations no longer major or in use: their open gaps are closed
    for iid, rows_by_key in open_rows.items():
        if iid in seen:
            continue
        for row in rows_by_key.values():
            row.resolved_at = now
            row.save(update_fields=["resolved_at", "updated_at"])
            resolved += 1
        record(
            MajorHazardEvent.GAPS_REFRESHED,
            HazardInstallation.objects.get(pk=iid),
            acting_user=acting_user,
            before={"open": sorted(f"{k}:{lv}" for k, lv in rows_by_key)},
            after={"open": []},
            message=_("已不构成重大危险源或不在用，消除%(m)s项缺口") % {"m": len(rows_by_key)},
        )
    open_now = ResponsibilityGap.objects.filter(resolved_at__isnull=True).count()
    return RefreshSummary(len(installations), opened, resolved, open_now)
