"""Kinds of organisation unit and user roles."""

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
