"""Excel sheets of the enterprise registers (企业, 网格, 许可证, 标准化) and their import rules.

Each ``*_sheet(user)`` builds the spec for one user: cells that name another object (a town, a grid, an
enterprise by its code) are looked up inside that user's scope, so an import can never reach an object
the user cannot see. ``import_*(file, user)`` applies the register's own actions (same validation and
audit as the pages and the API).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from anjian.core.access import restrict, scope_of
from anjian.core.choices import AuditEvent
from anjian.core.excel import (
    CellError,
    Column,
    ImportReport,
    ImportRow,
    Sheet,
    StoredScope,
    bulk_savers,
    import_rows,
    lookup_parser,
    parse_text,
)
from anjian.domain.check_digits import check_uscc
from anjian.enterprises import actions
from anjian.enterprises.choices import EnterpriseStatus, Industry, LicenceKind, Scale, StandardizationGrade
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization
from anjian.orgs.models import OrgUnit

__all__ = [
    "enterprise_sheet",
    "grid_sheet",
    "import_enterprises",
    "import_grids",
    "import_licences",
    "import_standardizations",
    "licence_sheet",
    "standardization_sheet",
]


def _towns() -> Any:
    return OrgUnit.objects.filter(kind="town")


def _parse_uscc(value: Any) -> str:
    result = check_uscc(parse_text(value))
    if not result.valid:
        raise CellError(result.message)
    return result.normalized


def _import_message(row: ImportRow) -> str:
    return _("Excel 导入第 %(row)d 行") % {"row": row.row}


def _changeable(model: type[models.Model], user: Any) -> StoredScope:
    """The stored rows of ``model`` an import may change for ``user`` (read once per file, see ``StoredScope``)."""
    return StoredScope(restrict(model._default_manager.all(), user, "change"))


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


def enterprise_sheet(user: Any) -> Sheet:
    """The 企业名录 sheet for ``user``."""
    return Sheet(
        title="企业名录",
        model=Enterprise,
        key=("uscc",),
        help_text=_(
            "每行一家企业，以统一社会信用代码识别：已有企业按代码更新，新代码新建企业。监管部门按“三个必须”规则自动确定。"
        ),
        columns=(
            Column(
                "统一社会信用代码",
                "uscc",
                required=True,
                parse=_parse_uscc,
                width=22,
                help=_("18位，按 GB 32100-2015 校验"),
            ),
            Column("企业名称", "name", required=True, width=32),
            Column("简称", "short_name"),
            Column("地址", "address", width=30),
            Column(
                "所在镇",
                "town",
                parse=lookup_parser(_towns(), "name", "aliases__name", label=_("镇")),
                value=lambda e: e.town.name if e.town_id else "",
                help=_("腾格里镇 或 孛井滩镇"),
            ),
            Column("位于园区", "in_park", kind="bool", help=_("是否位于腾格里技术产业园区")),
            Column(
                "网格编码",
                "grid",
                parse=lookup_parser(restrict(Grid.objects.all(), user), "code", label=_("网格")),
                value=lambda e: e.grid.code if e.grid_id else "",
            ),
            Column("经度", "lon", kind="decimal"),
            Column("纬度", "lat", kind="decimal"),
            Column(
                "地块轮廓",
                "plot_geojson",
                kind="json",
                width=30,
                help=_(
                    'GeoJSON Polygon/MultiPolygon，如 {"type":"Polygon","coordinates":[[[105.1,37.8],…]]}'
                ),
            ),
            Column("状态", "status", required=True, choices=EnterpriseStatus.choices),
            Column("规模", "scale", required=True, choices=Scale.choices),
            Column("行业", "industry", required=True, choices=Industry.choices, width=20),
            Column("重点监管危险化工工艺", "key_process", kind="bool"),
            Column("重点监管危险化学品", "key_chemical", kind="bool"),
            Column("重大危险源", "major_hazard", kind="bool"),
            Column("法定代表人", "legal_rep"),
            Column("主要负责人", "principal"),
            Column("安全管理负责人", "safety_manager_name"),
            Column("联系电话", "phone"),
            Column("从业人员数", "employees", kind="int"),
            Column(
                "行业监管部门",
                "supervising_unit",
                read_only=True,
                value=lambda e: e.supervising_unit.name if e.supervising_unit_id else "",
            ),
        ),
    )


def import_enterprises(file: Any, user: Any, *, progress: Any = None) -> ImportReport:
    """Import the 企业名录 sheet as ``user``: new codes create enterprises, known codes update them."""
    scope = scope_of(user)
    changeable = _changeable(Enterprise, user)
    stored_status: dict[int, str] = {}

    def preload(stored: list[Enterprise]) -> None:
        changeable.load(stored)
        stored_status.update((e.pk, e.status) for e in stored)  # as read, before the file's values

    def prepare(obj: Enterprise, values: dict[str, Any], created: bool) -> None:
        if not created and "status" in values:
            stored = stored_status.get(obj.pk)
            if stored is None:
                stored = Enterprise.objects.values_list("status", flat=True).get(pk=obj.pk)
            if stored != obj.status and not actions.can_change_status(stored, obj.status):
                from django.core.exceptions import ValidationError

                raise ValidationError(
                    {
                        "status": _("企业状态不能从“%(old)s”变为“%(new)s”")
                        % {"old": EnterpriseStatus(stored).label, "new": EnterpriseStatus(obj.status).label}
                    }
                )

    table: dict[str, Any] = {}

    def can_change(obj: Enterprise, created: bool) -> str | None:
        if created:
            if scope.sees_all:
                return None
            if not table:  # the 三个必须 table, read once per file
                table.update(actions.supervision_table())
            unit = actions.derive_supervising_unit(obj.industry, table)
            if scope.is_department and unit is not None and unit.pk in scope.unit_ids:
                return None
            return _("只能新建本部门监管的企业（该行业的监管部门为%(unit)s）") % {"unit": unit or "—"}
        if changeable(obj):
            return None
        return _("该企业不在您的管理范围内")

    def save_row(row: ImportRow) -> None:
        obj: Enterprise = row.obj
        if row.created:
            actions.do_create_enterprise(
                obj, acting_user=user, event=AuditEvent.IMPORTED, message=_import_message(row)
            )
        else:
            actions.do_update_enterprise(
                obj,
                {},
                acting_user=user,
                before=row.before,
                event=AuditEvent.IMPORTED,
                message=_import_message(row),
            )

    return import_rows(
        file,
        enterprise_sheet(user),
        acting_user=user,
        prepare=prepare,
        can_change=can_change,
        save_row=save_row,
        progress=progress,
        preload=preload,
        **bulk_savers(
            user,
            AuditEvent.IMPORTED,
            create=actions.do_bulk_create_enterprises,
            update=actions.do_bulk_update_enterprises,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Grids
# ---------------------------------------------------------------------------------------------


def grid_sheet(user: Any) -> Sheet:
    """The 网格 sheet."""
    return Sheet(
        title="网格",
        model=Grid,
        key=("code",),
        columns=(
            Column("网格编码", "code", required=True),
            Column("网格名称", "name", required=True),
            Column(
                "所属镇",
                "town",
                required=True,
                parse=lookup_parser(_towns(), "name", "aliases__name", label=_("镇")),
                value=lambda g: g.town.name,
            ),
            Column("园区网格", "in_park", kind="bool"),
            Column("网格员", "staff_name"),
            Column("网格员电话", "staff_phone"),
            Column("备注", "note"),
        ),
    )


def import_grids(file: Any, user: Any) -> ImportReport:
    """Import grids: zone-wide roles for any town, a town's staff for their own town."""
    scope = scope_of(user)
    changeable = _changeable(Grid, user)

    def can_change(obj: Grid, created: bool) -> str | None:
        if scope.sees_all or (
            scope.is_department and obj.town_id in scope.unit_ids and (created or changeable(obj))
        ):
            return None
        return _("无权维护该镇的网格")

    return import_rows(
        file, grid_sheet(user), acting_user=user, can_change=can_change, preload=changeable.load
    )


# ---------------------------------------------------------------------------------------------
# Licences
# ---------------------------------------------------------------------------------------------


class _EnterpriseByCode:
    """A cell's 统一社会信用代码, checked (GB 32100) and looked up among the enterprises ``user`` may change; the
    import reads every code of the file at once (``prefetch``; without it, one query a row)."""

    def __init__(self, user: Any) -> None:
        self.lookup = lookup_parser(
            restrict(Enterprise.objects.all(), user, "change"), "uscc", label=_("可维护的企业")
        )

    def __call__(self, value: Any) -> Enterprise:
        enterprise: Enterprise = self.lookup(_parse_uscc(value))
        return enterprise

    def prefetch(self, cells: Iterable[Any]) -> None:
        codes = []
        for cell in cells:
            try:
                codes.append(_parse_uscc(cell))
            except CellError:
                continue  # reported by the row's own parse
        self.lookup.prefetch(codes)


def _enterprise_parser(user: Any) -> _EnterpriseByCode:
    return _EnterpriseByCode(user)


def licence_sheet(user: Any) -> Sheet:
    """The 许可证 sheet; a licence is identified by its type and number."""
    return Sheet(
        title="许可证",
        model=Licence,
        key=("kind", "number"),
        columns=(
            Column(
                "统一社会信用代码",
                "enterprise",
                required=True,
                parse=_enterprise_parser(user),
                value=lambda lic: lic.enterprise.uscc,
                width=22,
            ),
            Column(
                "企业名称", "enterprise_name", read_only=True, value=lambda lic: lic.enterprise.name, width=30
            ),
            Column("许可证类型", "kind", required=True, choices=LicenceKind.choices, width=24),
            Column("证书编号", "number", required=True, width=24),
            Column("发证机关", "issuer", width=20),
            Column("发证日期", "issued_on", kind="date"),
            Column("有效期至", "valid_until", required=True, kind="date"),
            Column("许可范围", "scope", width=30),
            Column("状态", "state", read_only=True, value=lambda lic: lic.state().label),
        ),
    )


def import_licences(file: Any, user: Any) -> ImportReport:
    """Import licences of enterprises ``user`` may change."""

    changeable = _changeable(Licence, user)

    def can_change(obj: Licence, created: bool) -> str | None:
        if created or changeable(obj):
            return None
        return _("该许可证不在您的管理范围内")

    def save_row(row: ImportRow) -> None:
        actions.do_save_licence(
            row.obj,
            acting_user=user,
            event=AuditEvent.IMPORTED,
            message=_import_message(row),
        )

    # ``do_save_licence`` adds nothing to a validated row but its save and audit row: many rows go through
    # core's bulk writers (``Licence.save`` is the plain one), a chunk the database refuses through ``save_row``.
    return import_rows(
        file,
        licence_sheet(user),
        acting_user=user,
        can_change=can_change,
        save_row=save_row,
        preload=changeable.load,
        **bulk_savers(user, AuditEvent.IMPORTED),
    )


# ---------------------------------------------------------------------------------------------
# Standardisation
# ---------------------------------------------------------------------------------------------


def standardization_sheet(user: Any) -> Sheet:
    """The 安全生产标准化 sheet; a grading is identified by its certificate number."""
    return Sheet(
        title="安全生产标准化",
        model=Standardization,
        key=("certificate_no",),
        columns=(
            Column(
                "统一社会信用代码",
                "enterprise",
                required=True,
                parse=_enterprise_parser(user),
                value=lambda s: s.enterprise.uscc,
                width=22,
            ),
            Column(
                "企业名称", "enterprise_name", read_only=True, value=lambda s: s.enterprise.name, width=30
            ),
            Column("等级", "grade", required=True, choices=StandardizationGrade.choices),
            Column("证书编号", "certificate_no", required=True, width=22),
            Column("发证日期", "issued_on", required=True, kind="date"),
            Column("复评到期日", "review_due", kind="date", help=_("不填则为发证日期后三年")),
            Column("评审机构", "agency", width=24),
            Column("当前有效", "is_current", kind="bool", help=_("新的当前等级会替代该企业原有的当前等级")),
            Column("备注", "note"),
        ),
    )


def import_standardizations(file: Any, user: Any) -> ImportReport:
    """Import gradings of enterprises ``user`` may change.

    At most one row per enterprise may be marked 当前有效: with two, the second would supersede the first
    and a re-import would flip them back, so the later row is refused.
    """
    current_seen: set[int] = set()
    changeable = _changeable(Standardization, user)

    def prepare(obj: Standardization, values: dict[str, Any], created: bool) -> None:
        if obj.is_current and obj.enterprise_id is not None:
            if obj.enterprise_id in current_seen:
                from django.core.exceptions import ValidationError

                raise ValidationError(
                    {"is_current": _("同一企业在本文件中已有一行当前有效等级，每家企业只能有一个当前等级")}
                )
            current_seen.add(obj.enterprise_id)

    def can_change(obj: Standardization, created: bool) -> str | None:
        if created or changeable(obj):
            return None
        return _("该标准化记录不在您的管理范围内")

    def save_row(row: ImportRow) -> None:
        actions.do_save_standardization(
            row.obj,
            acting_user=user,
            event=AuditEvent.IMPORTED,
            message=_import_message(row),
        )

    return import_rows(
        file,
        standardization_sheet(user),
        acting_user=user,
        prepare=prepare,
        can_change=can_change,
        save_row=save_row,
        preload=changeable.load,
    )
