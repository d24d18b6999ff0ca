"""Read side of the second gate: headcount per zone and enterprise (by category) and the alarms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from anjian.core.access import restrict
from anjian.domain.gate_rules import certificate_problem, local_day
from anjian.gates.choices import Category, RollCallStatus
from anjian.gates.models import Presence, RollCall, Zone

__all__ = ["Alarm", "EnterpriseCount", "ZoneCount", "alarms", "headcount"]


@dataclass
class ZoneCount:
    """One zone's live count."""

    zone_id: int
    code: str
    name: str
    enterprise_id: int
    enterprise: str
    quota: int | None
    warn_level: int | None
    total: int
    by_category: dict[str, int]
    level: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone": self.code,
            "zone_id": self.zone_id,
            "name": self.name,
            "enterprise_id": self.enterprise_id,
            "enterprise": self.enterprise,
            "quota": self.quota,
            "warn_level": self.warn_level,
            "headcount": self.total,
            "by_category": self.by_category,
            "level": self.level,
        }


@dataclass
class EnterpriseCount:
    """An enterprise's live count over its zones."""

    enterprise_id: int
    name: str
    total: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: {c.value: 0 for c in Category})
    zones: list[ZoneCount] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprise_id": self.enterprise_id,
            "enterprise": self.name,
            "headcount": self.total,
            "by_category": self.by_category,
            "zones": [z.as_dict() for z in self.zones],
        }


def headcount(user: Any, *, enterprise_id: int | None = None) -> list[EnterpriseCount]:
    """Live counts of the zones ``user`` sees (two queries), grouped by enterprise."""
    zones = restrict(Zone.objects.filter(is_active=True), user).select_related("enterprise")
    if enterprise_id is not None:
        zones = zones.filter(enterprise_id=enterprise_id)
    zone_list = list(zones.order_by("enterprise__name", "code"))
    per_cat: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Presence.objects.filter(zone__in=[z.pk for z in zone_list])
        .values("zone_id", "category")
        .annotate(n=Count("id"))
    ):
        per_cat[row["zone_id"]][row["category"]] = row["n"]
    result: dict[int, EnterpriseCount] = {}
    for z in zone_list:
        cats = {c.value: per_cat[z.pk].get(c.value, 0) for c in Category}
        zc = ZoneCount(
            z.pk,
            z.code,
            z.name,
            z.enterprise_id,
            z.enterprise.display_name,
            z.quota,
            z.warn_level,
            z.headcount,
            cats,
            z.level,
        )
        ent = result.setdefault(z.enterprise_id, EnterpriseCount(z.enterprise_id, z.enterprise.display_name))
        ent.zones.append(zc)
        ent.total += z.headcount
        for k, v in cats.items():
            ent.by_category[k] += v
    return list(result.values())


@dataclass(frozen=True)
class Alarm:
    """Something the gate operator or the supervisor should act on."""

    kind: str  # over_quota | full | warn | overstay | certificate_lapsed | roll_call
    level: str
    title: str
    detail: str
    zone_id: int | None = None
    enterprise_id: int | None = None
    #: Stable identity of the condition (for notifying once): kind, zone or presence, and the day.
    key: str = ""


def alarms(user: Any) -> list[Alarm]:
    """Full/over-quota zones, people past their permitted time, people inside with a lapsed certificate."""
    now = timezone.now()
    items: list[Alarm] = []
    zones = list(restrict(Zone.objects.filter(is_active=True), user).select_related("enterprise"))
    for z in zones:
        if z.level == "over":
            items.append(
                Alarm(
                    "over_quota",
                    "danger",
                    "区域超员",
                    f"{z.enterprise.display_name} {z.name}：在场 {z.headcount} 人，定员 {z.quota} 人",
                    z.pk,
                    z.enterprise_id,
                    f"over_quota:{z.pk}:{local_day(now)}",
                )
            )
        elif z.level == "full":
            items.append(
                Alarm(
                    "full",
                    "warning",
                    "区域满员",
                    f"{z.enterprise.display_name} {z.name}：已达定员 {z.quota} 人",
                    z.pk,
                    z.enterprise_id,
                )
            )
    presences = (
        Presence.objects.filter(zone__in=[z.pk for z in zones])
        .select_related("person", "zone", "access_pass", "zone__enterprise")
        .order_by("since")
    )
    today = local_day(now)
    needs_certs = {z.pk for z in zones if z.required_certificates}
    cert_people: dict[int, list[Any]] = defaultdict(list)
    if needs_certs:
        from anjian.domain.gate_rules import CertificateFact
        from anjian.people.models import Certificate

        person_ids = presences.filter(zone__in=needs_certs).values_list("person_id", flat=True)
        for c in Certificate.objects.filter(person_id__in=person_ids):
            cert_people[c.person_id].append(CertificateFact(c.kind, c.expires_on, c.issued_on))
            if c.category:
                cert_people[c.person_id].append(
                    CertificateFact(f"{c.kind}:{c.category}", c.expires_on, c.issued_on)
                )
    for p in presences:
        if p.access_pass.valid_until is not None and p.access_pass.valid_until < now:
            items.append(
                Alarm(
                    "overstay",
                    "danger",
                    "超时滞留",
                    f"{p.zone.enterprise.display_name} {p.person.name}（{p.get_category_display()}）仍在 {p.zone.name}，允许时间至 {timezone.localtime(p.access_pass.valid_until):%m-%d %H:%M}",
                    p.zone_id,
                    p.enterprise_id,
                    f"overstay:{p.pk}",
                )
            )
        if p.zone_id in needs_certs:
            problem = certificate_problem(cert_people[p.person_id], p.zone.required_certificates, today)
            if problem is not None:
                items.append(
                    Alarm(
                        "certificate_lapsed",
                        "danger",
                        "在场人员证书失效",
                        f"{p.zone.enterprise.display_name} {p.person.name} 在 {p.zone.name}，所需证书已失效或缺失",
                        p.zone_id,
                        p.enterprise_id,
                        f"certificate_lapsed:{p.pk}:{today}",
                    )
                )
    for rc in restrict(RollCall.objects.filter(status=RollCallStatus.OPEN), user).select_related(
        "enterprise"
    ):
        items.append(
            Alarm(
                "roll_call",
                "danger",
                "应急点名进行中",
                f"{rc.enterprise.display_name}：{rc.reason}",
                rc.zone_id,
                rc.enterprise_id,
            )
        )
    return items
