"""Live metrics of the people register, bound to the plan's targets (imported in ``PeopleConfig.ready``).

* ``people.three_types_certified_rate`` — 三类人员持证上岗率 (target 100%).
* ``people.enforcement_qualified_rate`` — 监管执法人员中具有安全相关专业学历和实践经验的比例 (target ≥ 75%).
* ``people.special_training_coverage`` — 监管执法人员专题业务培训覆盖率 (target 100%).
* ``people.leader_rotation_rate`` — 领导干部年度安全生产轮训率 (target: every leader once a year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from anjian.core.metrics import MetricValue, metric, rate
from anjian.people.choices import RoleCategory, TrainingKind
from anjian.people.constants import ENFORCEMENT_MIN_YEARS, ROLE_CERTIFICATE_KINDS, THREE_TYPES
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = [
    "RoleCount",
    "certified_q",
    "enforcement_qualified_rate",
    "leader_rotation_rate",
    "operating_enterprise_q",
    "special_training_coverage",
    "three_types_certified_rate",
    "three_types_counts",
]


@dataclass(frozen=True)
class RoleCount:
    """三类人员 of one role: how many there are and how many hold a valid certificate."""

    role: str
    label: str
    total: int
    certified: int

    @property
    def missing(self) -> int:
        """People of this role without a valid certificate."""
        return self.total - self.certified


def operating_enterprise_q(prefix: str = "employer_enterprise__") -> models.Q:
    """Enterprises that count in rates: 在营 and 停产 (``enterprises.choices.ACTIVE_STATES``)."""
    from anjian.enterprises.choices import ACTIVE_STATES

    return models.Q(**{f"{prefix}status__in": sorted(ACTIVE_STATES)})


def certified_q(as_of: dt.date) -> models.Q:
    """People holding, on ``as_of``, a valid certificate of the kind their 三类人员 role requires."""
    q = models.Q(pk__in=[])
    for role, kinds in ROLE_CERTIFICATE_KINDS.items():
        valid = Certificate.objects.valid_on(as_of).filter(person_id=models.OuterRef("pk"), kind__in=kinds)
        q |= models.Q(role_category=role) & models.Q(models.Exists(valid))
    return q


def three_types_counts(people: models.QuerySet[Person], as_of: dt.date) -> list[RoleCount]:
    """Per 三类人员 role, active people of ``people`` and how many hold a valid matching certificate.

    Two grouped queries, no correlated subquery per person: the totals, and the distinct holders counted from the
    certificate side joined to ``people`` (a semi-join the database plans as it sees fit — a nested loop on the
    ``(person, kind)`` index for one enterprise, a hash join for the whole zone).
    """
    active = people.filter(is_active=True, role_category__in=THREE_TYPES)
    totals = dict(active.order_by().values_list("role_category").annotate(n=models.Count("pk")))
    matching = models.Q(pk__in=[])
    for role, kinds in ROLE_CERTIFICATE_KINDS.items():
        matching |= models.Q(person__role_category=role, kind__in=kinds)
    certified = dict(
        Certificate.objects.valid_on(as_of)
        .filter(matching, person__in=active.order_by().values("pk"))
        .order_by()
        .values_list("person__role_category")
        .annotate(n=models.Count("person_id", distinct=True))
    )
    return [
        RoleCount(
            role=role,
            label=str(RoleCategory(role).label),
            total=totals.get(role, 0),
            certified=certified.get(role, 0),
        )
        for role in THREE_TYPES
    ]


def _year_range(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(as_of.year, 1, 1), as_of


@metric("people.three_types_certified_rate", "三类人员持证上岗率", unit="%")
def three_types_certified_rate(as_of: dt.date) -> MetricValue:
    """Active 主要负责人、安全生产管理人员、特种作业人员 of operating enterprises holding a valid certificate."""
    people = Person.objects.filter(employer_enterprise__isnull=False).filter(operating_enterprise_q())
    counts = three_types_counts(people, as_of)
    total = sum(c.total for c in counts)
    certified = sum(c.certified for c in counts)
    parts = "，".join(f"{c.label} {c.certified}/{c.total}" for c in counts)
    return MetricValue(
        value=rate(certified, total),
        numerator=certified,
        denominator=total,
        detail=_("截至%(day)s，在营企业三类人员%(total)d人，持有效证书%(certified)d人（%(parts)s）")
        % {"day": f"{as_of:%Y年%m月%d日}", "total": total, "certified": certified, "parts": parts},
        breakdown={c.role: {"label": c.label, "total": c.total, "certified": c.certified} for c in counts},
    )


def _enforcement_staff() -> models.QuerySet[Person]:
    return Person.objects.filter(is_active=True, role_category=RoleCategory.ENFORCEMENT)


@metric("people.enforcement_qualified_rate", "具有安全生产相关专业学历和实践经验的监管执法人员比例", unit="%")
def enforcement_qualified_rate(as_of: dt.date) -> MetricValue:
    """Active 监管执法人员 with a safety-related major and ≥ ``ENFORCEMENT_MIN_YEARS`` years of practice."""
    staff = _enforcement_staff()
    total = staff.count()
    qualified = staff.filter(major_safety_related=True, years_experience__gte=ENFORCEMENT_MIN_YEARS).count()
    return MetricValue(
        value=rate(qualified, total),
        numerator=qualified,
        denominator=total,
        detail=_(
            "在职监管执法人员%(total)d人，其中安全相关专业且从业满%(years)d年的%(n)d人（目标不低于75%%）"
        )
        % {"total": total, "years": ENFORCEMENT_MIN_YEARS, "n": qualified},
    )


@metric("people.special_training_coverage", "监管执法人员专题业务培训覆盖率", unit="%")
def special_training_coverage(as_of: dt.date) -> MetricValue:
    """Active 监管执法人员 with a 专题业务培训 record from 1 January to ``as_of`` of that year."""
    start, end = _year_range(as_of)
    trained = TrainingRecord.objects.filter(
        person_id=models.OuterRef("pk"), kind=TrainingKind.SPECIAL_TOPIC, date__range=(start, end)
    )
    staff = _enforcement_staff()
    total = staff.count()
    covered = staff.filter(models.Exists(trained)).count()
    return MetricValue(
        value=rate(covered, total),
        numerator=covered,
        denominator=total,
        detail=_("%(year)d年在职监管执法人员%(total)d人，已参加专题业务培训%(n)d人（目标100%%）")
        % {"year": as_of.year, "total": total, "n": covered},
    )


@metric("people.leader_rotation_rate", "领导干部安全生产轮训率", unit="%")
def leader_rotation_rate(as_of: dt.date) -> MetricValue:
    """Active 领导干部 with a 轮训 record from 1 January to ``as_of`` of that year."""
    start, end = _year_range(as_of)
    rotated = TrainingRecord.objects.filter(
        person_id=models.OuterRef("pk"), kind=TrainingKind.ROTATION, date__range=(start, end)
    )
    leaders = Person.objects.filter(is_active=True, role_category=RoleCategory.LEADER)
    total = leaders.count()
    done = leaders.filter(models.Exists(rotated)).count()
    return MetricValue(
        value=rate(done, total),
        numerator=done,
        denominator=total,
        detail=_("%(year)d年在职领导干部%(total)d人，已参加安全生产轮训%(n)d人（每年轮训一遍）")
        % {"year": as_of.year, "total": total, "n": done},
    )
