"""Organisation units (departments, towns, committee, …), their aliases and groups, and users."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.domain.org_names import UnitEntry, UnitRegistry, normalize_name
from anjian.orgs.choices import ROLES_NEEDING_UNIT, OrgKind, Role

__all__ = ["OrgAlias", "OrgUnit", "User"]


class OrgUnit(BaseModel):
    """A unit of the zone: department, town, committee, rescue team, company; or a named group of units.

    A group ("两镇", "安委会各成员单位") has ``kind=group`` and lists its ``members``.
    """

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("简称"), max_length=100, unique=True)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="groups", verbose_name=_("成员单位")
    )
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:unit_detail", args=[self.pk])

    @property
    def is_group(self) -> bool:
        """True for a named group of units."""
        return self.kind == OrgKind.GROUP

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Government units are public inside the platform; only zone-wide roles change them.

        An enterprise-side unit carries its enterprise's name and code, so it is visible exactly when
        its enterprise is (an enterprise user never lists the other enterprises through ``/orgs/``).
        """
        if scope.sees_all:
            return models.Q()
        if action != "view":
            return None
        public = ~models.Q(kind=OrgKind.ENTERPRISE)
        try:
            from anjian.enterprises.models import enterprise_scope_q
        except ImportError:  # the registry is not installed: no enterprise-side unit is anyone's
            return public
        enterprise_q = enterprise_scope_q(scope, "view", prefix="enterprise__")
        if enterprise_q is None:
            return public
        if not enterprise_q:
            # ``Q()``: every enterprise (the commander), so every unit.
            return models.Q()
        return public | (models.Q(kind=OrgKind.ENTERPRISE) & enterprise_q)

    def clean(self) -> None:
        # One spelling for brackets and spaces, so "社会事务局(文旅办)" and "社会事务局（文旅办）" are one unit.
        self.name = normalize_name(self.name or "")


class OrgAlias(models.Model):
    """Another spelling of a unit's name ("市监局" for "市场监督管理局")."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位")
    )
    name = models.CharField(_("别名"), max_length=100, unique=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self) -> str:
        return f"{self.name} → {self.unit.name}"

    def clean(self) -> None:
        clash = OrgUnit.objects.filter(name=self.name).exclude(pk=self.unit_id).first()
        if clash is not None:
            raise ValidationError({"name": _("别名与单位“%(name)s”的简称重复") % {"name": clash.name}})


def registry_from_db() -> UnitRegistry:
    """Build a ``UnitRegistry`` from the units stored in the database (aliases and groups included)."""
    units = OrgUnit.objects.prefetch_related("aliases", "members").filter(is_active=True)
    return UnitRegistry(
        UnitEntry(
            name=u.name,
            aliases=tuple(a.name for a in u.aliases.all()),
            is_group=u.is_group,
            members=tuple(m.name for m in u.members.all()) if u.is_group else (),
        )
        for u in units
    )


class AnjianUserManager(UserManager["User"]):
    """Users, with the restricted-queryset hook."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet[User]:
        from anjian.core.access import restrict

        return restrict(self.get_queryset(), user, action)


class User(AbstractUser):
    """A person who logs in: belongs to one unit and has one role."""

    org = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.DEPARTMENT)
    phone = models.CharField(_("手机"), max_length=20, blank=True)

    objects: ClassVar[AnjianUserManager] = AnjianUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    def role_label(self) -> str:
        """The role as the badge shows it: a town's staff are 镇街人员, not 部门人员."""
        org = getattr(self, "org", None)
        if self.role == Role.DEPARTMENT and org is not None and getattr(org, "kind", "") == "town":
            return "镇街人员"
        return str(self.get_role_display())

    def get_short_name(self) -> str:
        # A Chinese name is not split for a greeting (the admin said "欢迎，理员" to 管理员).
        return self.get_full_name() or self.username

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Zone-wide roles see all users; others see the users of their own unit, and change only themselves."""
        if scope.sees_all:
            return models.Q()
        if action == "view" and scope.org_id is not None:
            return models.Q(org_id=scope.org_id)
        return models.Q(pk=scope.user_id)

    def clean(self) -> None:
        super().clean()
        if self.role in ROLES_NEEDING_UNIT and self.org_id is None:
            raise ValidationError({"org": _("该角色的用户必须属于一个单位")})
        if self.role == Role.ENTERPRISE and self.org is not None and self.org.kind != "enterprise":
            raise ValidationError({"org": _("企业用户必须属于企业端单位")})
