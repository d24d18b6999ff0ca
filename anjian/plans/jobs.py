"""Scheduled jobs of the plans app (``core.jobs``): tell units about quarterly reports that became overdue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from anjian.core.notifications import notify
from anjian.orgs.choices import OrgKind
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import ComplianceState
from anjian.plans.selectors import compliance_for_units

__all__ = ["RECENT_DAYS", "notify_overdue_reports"]

#: Only quarters whose deadline passed within this many days are announced (older ones are on the pages).
RECENT_DAYS = 92


def notify_overdue_reports(now: dt.datetime) -> str:
    """Each reporting unit's users hear once per quarter that its reports for that quarter are overdue."""
    today = timezone.localdate(now)
    units = list(
        OrgUnit.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.RESCUE], is_active=True)
    )
    due = compliance_for_units(units, as_of=today)
    sent = 0
    for unit in units:
        late: dict[tuple[int, int], list[str]] = defaultdict(list)
        for item in due.get(unit.pk, []):
            if item.state == ComplianceState.MISSING and (today - item.due_date).days <= RECENT_DAYS:
                late[(item.year, item.quarter)].append(item.task_code)
        for (year, quarter), codes in sorted(late.items()):
            codes = sorted(set(codes), key=lambda c: tuple(int(x) for x in c.split(".") if x.isdigit()))
            sent += len(
                notify(
                    unit,
                    title=f"{year}年第{quarter}季度有{len(codes)}份进展报告逾期未报",
                    body=f"涉及任务：{'、'.join(codes[:10])}{' 等' if len(codes) > 10 else ''}。请尽快补报。",
                    why=f"您所在的{unit.name}是这些规划任务的责任单位",
                    url=reverse("plans:my_tasks"),
                    kind="plans.report_overdue",
                    dedupe_key=f"plans.report_overdue:{unit.pk}:{year}Q{quarter}",
                )
            )
    return f"发出 {sent} 条逾期报告提醒"
