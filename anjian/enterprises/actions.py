"""State changes of the enterprise registry (the only code that writes enterprises, licences, grades, rules).

Each action is atomic and writes exactly one audit row per changed object.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import apply
from anjian.domain.supervision import FALLBACK_INDUSTRY, supervising_unit_for
from anjian.enterprises.choices import EnterpriseStatus, Industry
from anjian.enterprises.models import Enterprise, Licence, Standardization, SupervisionRule
from anjian.enterprises.workflows import ENTERPRISE_FLOW
from anjian.orgs.models import OrgUnit, User

__all__ = [
    "derive_supervising_unit",
    "do_bulk_create_enterprises",
    "do_bulk_update_enterprises",
    "do_change_enterprise_status",
    "do_create_enterprise",
    "do_create_enterprise_user",
    "do_delete_licence",
    "do_save_licence",
    "do_save_standardization",
    "do_save_supervision_rule",
    "do_update_enterprise",
    "supervision_table",
]

#: Fields that set a department by hand instead of the 三个必须 rule: the committee office's decision.
OVERRIDE_FIELDS = ("supervision_overridden", "supervising_unit", "supervision_override_reason")

#: Fields an enterprise's own user may change (contact details only).
ENTERPRISE_SELF_FIELDS = (
    "short_name",
    "address",
    "legal_rep",
    "principal",
    "safety_manager_name",
    "phone",
    "employees",
)


# ---------------------------------------------------------------------------------------------
# Supervising department (三个必须)
# ---------------------------------------------------------------------------------------------


def supervision_table() -> dict[str, OrgUnit]:
    """The current industry → department table."""
    return {r.industry: r.unit for r in SupervisionRule.objects.select_related("unit")}


def derive_supervising_unit(industry: str, table: dict[str, OrgUnit] | None = None) -> OrgUnit | None:
    """The department that supervises ``industry`` by the 三个必须 table."""
    return supervising_unit_for(industry, supervision_table() if table is None else table)


def _apply_derivation(enterprise: Enterprise, table: dict[str, OrgUnit] | None = None) -> None:
    if not enterprise.supervision_overridden:
        enterprise.supervising_unit = derive_supervising_unit(enterprise.industry, table)
        enterprise.supervision_override_reason = ""


def touches_override(enterprise: Enterprise | None, data: dict[str, Any]) -> bool:
    """True when ``data`` would set or change a hand-picked supervising department."""
    if enterprise is None:
        return bool(data.get("supervision_overridden"))
    if (
        "supervision_overridden" in data
        and data["supervision_overridden"] != enterprise.supervision_overridden
    ):
        return True
    if not enterprise.supervision_overridden:
        return False
    return any(name in data and data[name] != getattr(enterprise, name) for name in OVERRIDE_FIELDS)


def _validate(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise exc from None


# ---------------------------------------------------------------------------------------------
# Enterprise
# ---------------------------------------------------------------------------------------------


def _org_unit_for(enterprise: Enterprise) -> OrgUnit:
    """Create the enterprise-side unit its users belong to (name made unique with the code's tail)."""
    name = enterprise.name[:100]
    if OrgUnit.objects.filter(name=name).exists():
        name = f"{enterprise.name[:80]}（{enterprise.uscc[-6:]}）"
    unit = OrgUnit(code=f"E{enterprise.uscc}", name=name, full_name=enterprise.name, kind="enterprise")
    unit.save()
    return unit


@transaction.atomic
def do_create_enterprise(
    enterprise: Enterprise,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int = AuditEvent.ENTERPRISE_CREATED,
    message: str = "",
) -> Enterprise:
    """Validate and save a new enterprise: derive its supervising department and create its enterprise-side unit."""
    _apply_derivation(enterprise)
    _validate(enterprise, exclude=["org_unit"])
    enterprise.org_unit = _org_unit_for(enterprise)
    enterprise.save()
    record(
        event, enterprise, acting_user=acting_user, after=snapshot(enterprise), reason=reason, message=message
    )
    return enterprise


@transaction.atomic
def do_bulk_create_enterprises(
    enterprises: list[Enterprise],
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.ENTERPRISE_CREATED,
    message: Any = "",
) -> list[Enterprise]:
    """Save many new enterprises already validated by the caller (the Excel import): what
    :func:`do_create_enterprise` does — the supervising department from one read of the 三个必须 table, an
    enterprise-side unit each (names checked against the stored units in one query) — in a few statements,
    and one audit row per enterprise. The caller saves them one by one if the database refuses the batch."""
    from anjian.core.actions import insert_rows
    from anjian.core.audit import record_many

    if not enterprises:
        return enterprises
    table = supervision_table()
    wanted = {e.name[:100] for e in enterprises}
    taken: set[str] = set()
    names = sorted(wanted)
    for start in range(0, len(names), 500):
        taken.update(
            OrgUnit.objects.filter(name__in=names[start : start + 500]).values_list("name", flat=True)
        )
    units = []
    for enterprise in enterprises:
        _apply_derivation(enterprise, table)
        name = enterprise.name[:100]
        if name in taken:
            name = f"{enterprise.name[:80]}（{enterprise.uscc[-6:]}）"
        taken.add(name)
        units.append(
            OrgUnit(code=f"E{enterprise.uscc}", name=name, full_name=enterprise.name, kind="enterprise")
        )
    insert_rows(units)
    for enterprise, unit in zip(enterprises, units, strict=True):
        enterprise.org_unit = unit
    insert_rows(enterprises)
    record_many(event, enterprises, acting_user=acting_user, message=message)
    return enterprises


@transaction.atomic
def do_bulk_update_enterprises(
    items: list[tuple[Enterprise, dict[str, Any]]],
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.ENTERPRISE_UPDATED,
    message: Any = "",
) -> list[Enterprise]:
    """Save many enterprises the caller changed in memory and validated (the Excel import), each with the
    snapshot read before its changes: what :func:`do_update_enterprise` does — the department re-derived by
    the 三个必须 table (read once) unless overridden, the enterprise-side unit's full name kept, an unchanged
    row neither written nor audited, one audit row per changed enterprise — in a few statements
    (``core.actions.do_bulk_update``). The caller saves them one by one if the database refuses the batch."""
    from anjian.core.actions import do_bulk_update, update_rows

    if not items:
        return []
    table = supervision_table()
    for enterprise, _before in items:
        _apply_derivation(enterprise, table)
    changed = do_bulk_update(items, acting_user=acting_user, event=event, message=message)
    names = {e.org_unit_id: e.name for e in changed if e.org_unit_id is not None}
    ids = sorted(names)
    stale = []
    for start in range(0, len(ids), 2000):
        part = OrgUnit.objects.filter(pk__in=ids[start : start + 2000]).values_list("pk", "full_name")
        stale += [pk for pk, full_name in part if full_name != names[pk]]
    renamed = list(OrgUnit.objects.filter(pk__in=stale)) if stale else []
    for unit in renamed:
        unit.full_name = names[unit.pk]
    update_rows(renamed)
    return changed


@transaction.atomic
def do_update_enterprise(
    enterprise: Enterprise,
    changes: dict[str, Any],
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int = AuditEvent.ENTERPRISE_UPDATED,
    message: str = "",
    before: dict[str, Any] | None = None,
) -> Enterprise:
    """Apply ``changes`` to ``enterprise``, re-derive its department unless overridden, validate, save, audit.

    ``status`` is not changed here (see :func:`do_change_enterprise_status`). ``before`` is the snapshot
    to audit against when the caller already applied the changes to the instance.
    """
    if "status" in changes and changes["status"] != enterprise.status:
        raise ValidationFailed(_("企业状态请通过“变更状态”操作修改"), field="status")
    if before is None:
        before = snapshot(Enterprise.objects.select_for_update().get(pk=enterprise.pk))
    for name, value in changes.items():
        setattr(enterprise, name, value)
    _apply_derivation(enterprise)
    _validate(enterprise)
    after = snapshot(enterprise)
    if after == before:
        return enterprise
    enterprise.save()
    unit = enterprise.org_unit
    if unit is not None and unit.full_name != enterprise.name:
        unit.full_name = enterprise.name
        unit.save(update_fields=["full_name", "updated_at"])
    record(
        event, enterprise, acting_user=acting_user, before=before, after=after, reason=reason, message=message
    )
    return enterprise


def can_change_status(current: str, new: str) -> bool:
    """True when ``current → new`` is a declared edge of ``ENTERPRISE_FLOW``."""
    return ENTERPRISE_FLOW.edge_to(current, new) is not None


@transaction.atomic
def do_change_enterprise_status(
    enterprise: Enterprise, status: str, *, acting_user: Any, reason: str
) -> Enterprise:
    """Move an enterprise along a declared status edge (筹建→在营, 在营→停产, …); a reason is required."""
    if status not in EnterpriseStatus.values:
        raise ValidationFailed(_("无效的企业状态"), field="status")
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    edge = ENTERPRISE_FLOW.edge_to(locked.status, status)
    if edge is None:
        raise TransitionNotAllowed(
            _("企业状态不能从“%(old)s”变为“%(new)s”")
            % {"old": EnterpriseStatus(locked.status).label, "new": EnterpriseStatus(status).label},
            code="status_transition",
        )
    result: Enterprise = apply(ENTERPRISE_FLOW, locked, edge.verb, acting_user=acting_user, reason=reason)
    enterprise.status = result.status
    return result


@transaction.atomic
def do_create_enterprise_user(
    enterprise: Enterprise,
    *,
    username: str,
    password: str | None,
    name: str = "",
    acting_user: Any,
    reason: str = "",
) -> User:
    """Create a login scoped to ``enterprise`` (role enterprise, org = its enterprise-side unit)."""
    from anjian.orgs.actions import do_create_user

    if enterprise.org_unit_id is None:
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        locked.org_unit = _org_unit_for(locked)
        locked.save(update_fields=["org_unit", "updated_at"])
        enterprise.org_unit = locked.org_unit
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名“%(name)s”已存在") % {"name": username}, field="username")
    try:
        return do_create_user(
            username,
            org=enterprise.org_unit,
            role="enterprise",
            password=password,
            name=name,
            acting_user=acting_user,
            reason=reason,
        )
    except ValidationError as exc:
        field = "password" if hasattr(exc, "error_dict") and "password" in exc.error_dict else "username"
        raise ValidationFailed("；".join(exc.messages), field=field) from exc


# ---------------------------------------------------------------------------------------------
# Supervision rules
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_save_supervision_rule(
    industry: str,
    unit: OrgUnit,
    *,
    note: str = "",
    acting_user: Any,
    reason: str = "",
) -> tuple[SupervisionRule, list[Enterprise]]:
    """Set the department for ``industry`` and re-derive every enterprise that follows the rule (not overridden).

    Writes one SUPERVISION_RULE_CHANGED row for the rule and one ENTERPRISE_UPDATED row per enterprise
    whose department changes. Returns the rule and the changed enterprises.
    """
    if industry not in Industry.values:
        raise ValidationFailed(_("无效的行业"), field="industry")
    rule = SupervisionRule.objects.select_for_update().filter(industry=industry).first()
    before = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = SupervisionRule(industry=industry)
    rule.unit = unit
    rule.note = note
    _validate(rule)
    after = snapshot(rule)
    if before is not None and before == after:
        return rule, []
    rule.save()
    record(
        AuditEvent.SUPERVISION_RULE_CHANGED,
        rule,
        acting_user=acting_user,
        before=before,
        after=snapshot(rule),
        reason=reason,
    )
    table = supervision_table()
    affected = {industry}
    if industry == FALLBACK_INDUSTRY:
        affected |= set(Industry.values) - set(table)
    changed: list[Enterprise] = []
    qs = Enterprise.objects.select_for_update().filter(industry__in=affected, supervision_overridden=False)
    for enterprise in qs.order_by("pk"):
        new_unit = derive_supervising_unit(enterprise.industry, table)
        if enterprise.supervising_unit_id == (new_unit.pk if new_unit else None):
            continue
        before_e = snapshot(enterprise)
        enterprise.supervising_unit = new_unit
        enterprise.save(update_fields=["supervising_unit", "updated_at"])
        record(
            AuditEvent.ENTERPRISE_UPDATED,
            enterprise,
            acting_user=acting_user,
            before=before_e,
            after=snapshot(enterprise),
            reason=reason,
            message=_("监管部门随“三个必须”规则调整：%(rule)s") % {"rule": str(rule)},
        )
        changed.append(enterprise)
    return rule, changed


# ---------------------------------------------------------------------------------------------
# Licences and standardisation
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_save_licence(
    licence: Licence,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int = AuditEvent.LICENCE_CHANGED,
    message: str = "",
) -> Licence:
    """Validate and save a new or edited licence; one audit row on the enterprise's history."""
    before = None
    if licence.pk is not None:
        before = snapshot(Licence.objects.select_for_update().get(pk=licence.pk))
    _validate(licence)
    after = snapshot(licence)
    if before == after:
        return licence
    licence.save()
    record(
        event,
        licence,
        acting_user=acting_user,
        before=before,
        after=snapshot(licence),
        reason=reason,
        message=message or (_("新增许可证") if before is None else _("修改许可证")),
    )
    return licence


@transaction.atomic
def do_delete_licence(licence: Licence, *, acting_user: Any, reason: str = "") -> None:
    """Delete a licence (entered by mistake); audited on the enterprise's history."""
    record(
        AuditEvent.LICENCE_CHANGED,
        licence,
        acting_user=acting_user,
        before=snapshot(licence),
        reason=reason,
        message=_("删除许可证"),
    )
    licence.delete()


@transaction.atomic
def do_save_standardization(
    grading: Standardization,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int = AuditEvent.STANDARDIZATION_CHANGED,
    message: str = "",
) -> Standardization:
    """Record or edit a grading; a current one supersedes the enterprise's other current grading.

    One audit row for the grading; the superseded certificate numbers are named in its message.
    """
    before = None
    if grading.pk is not None:
        before = snapshot(Standardization.objects.select_for_update().get(pk=grading.pk))
    _validate(grading)
    after = snapshot(grading)
    if before == after:
        return grading
    grading.save()
    superseded: list[str] = []
    if grading.is_current:
        others = (
            Standardization.objects.select_for_update()
            .filter(enterprise_id=grading.enterprise_id, is_current=True)
            .exclude(pk=grading.pk)
        )
        superseded = list(others.values_list("certificate_no", flat=True))
        others.update(is_current=False)
    text = message or (_("登记标准化等级") if before is None else _("修改标准化等级"))
    if superseded:
        text += _("；原等级（%(nos)s）不再为当前等级") % {"nos": "、".join(superseded)}
    record(
        event,
        grading,
        acting_user=acting_user,
        before=before,
        after=snapshot(grading),
        reason=reason,
        message=text,
    )
    return grading
