"""Kinds of organisation unit, user roles and the role groups every permission check uses.

Name a group, never a set of role strings: ``scope.is_government``, ``scope.is_zone_wide``,
``scope.is_unit_staff``, ``scope.is_enterprise_side`` (``core.access.Scope``), or the frozensets below for
menus (``MenuItem(..., roles=GOVERNMENT_ROLES)``).
"""

from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices


class OrgKind(ColoredChoices):
    """What an organisation unit is."""

    COMMITTEE = "committee", _("议事协调机构")
    DEPARTMENT = "department", _("职能部门")
    TOWN = "town", _("镇")
    RESCUE = "rescue", _("救援队伍")
    COMPANY = "company", _("企事业单位")
    ENTERPRISE = "enterprise", _("企业（企业端）")
    GROUP = "group", _("单位组")

    __colours__ = {
        "committee": "danger",
        "department": "primary",
        "town": "success",
        "rescue": "warning",
        "company": "info",
        "enterprise": "secondary",
        "group": "dark",
    }


class Role(ColoredChoices):
    """What a user does; decides the default scope (see ``core.access``)."""

    ADMIN = "admin", _("系统管理员")
    COMMITTEE = "committee", _("安委办")
    DEPARTMENT = "dept", _("部门人员")
    ENTERPRISE = "enterprise", _("企业用户")
    GATE_OPERATOR = "gate", _("门岗操作员")
    COMMANDER = "commander", _("应急指挥")

    __colours__ = {
        "admin": "dark",
        "committee": "danger",
        "dept": "primary",
        "enterprise": "secondary",
        "gate": "info",
        "commander": "warning",
    }


#: The whole zone: system administrators and the committee office (安委办).
ZONE_WIDE_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.COMMITTEE})
#: Government users: the zone-wide roles, department and town staff, and emergency command.
GOVERNMENT_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.COMMITTEE, Role.DEPARTMENT, Role.COMMANDER})
#: Government users who act for their own unit rather than for the whole zone.
UNIT_STAFF_ROLES: frozenset[str] = frozenset({Role.DEPARTMENT, Role.COMMANDER})
#: Users on an enterprise's side: its own users and its gate operators.
ENTERPRISE_SIDE_ROLES: frozenset[str] = frozenset({Role.ENTERPRISE, Role.GATE_OPERATOR})
#: Users who keep registers and act on their to-dos: the zone-wide roles, department/town staff and
#: enterprises (not emergency command, which reads; not gate operators, who run the gate).
REGISTER_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.COMMITTEE, Role.DEPARTMENT, Role.ENTERPRISE})
#: Roles whose user must belong to a unit.
ROLES_NEEDING_UNIT: frozenset[str] = frozenset({Role.DEPARTMENT, Role.ENTERPRISE, Role.GATE_OPERATOR})
