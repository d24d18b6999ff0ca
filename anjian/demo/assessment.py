"""Demo part: the yearly assessment of the last full plan year (e.g. 2025), computed over the plans demo's
reports and targets. Runs after the ``plans`` part.

So that every kind of line and veto shows, it adds for that year:

* three 督办 notices of that year, sent and handled through the plans actions with back-dated times
  (the plans part's notices are recent ones): one answered in time, one answered late, and one
  acknowledged only after its due date — which triggers the "督办通知到期未签收" veto;
* one recorded 较大 accident in 腾格里镇's remit — the "较大及以上事故" veto, with its reason;
* one manual adjustment (+2) for 应急管理局 — the 人工调整 line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from anjian.assessment.actions import (
    do_add_adjustment,
    do_create_scheme,
    do_record_veto_event,
    do_run_assessment,
)
from anjian.assessment.facts import assessed_units, default_as_of
from anjian.assessment.models import AssessmentScheme
from anjian.demo.context import DemoContext
from anjian.orgs.models import User
from anjian.plans import actions as plan_actions
from anjian.plans.models import Plan

__all__ = ["build", "last_full_year"]

# The town whose remit the demo accident falls in, and the department whose work earns a bonus.
ACCIDENT_UNIT = "腾格里镇"
BONUS_UNIT = "应急管理局"

# Historical notices of the assessed year, each acknowledged, answered and closed: (demo login of the
# unit, task code, title, sent (month, day), days allowed, days to acknowledge, days to answer).
HISTORICAL_NOTICES = (
    ("shijian", "4.9", "关于特种设备使用单位安全管理问题整改的督办通知", (3, 10), 30, 2, 20),
    ("zhujian", "4.11", "关于建筑施工领域安全隐患整改进度滞后的督办通知", (5, 6), 20, 3, 31),
    ("gongke", "4.7", "关于化工园区封闭化管理建设进度滞后的督办通知", (10, 15), 15, 21, 28),
)


def last_full_year(today: dt.date) -> int | None:
    """The latest year before ``today``'s year that lies inside a plan's period, or ``None`` without plans."""
    years = [
        min(plan.period_end.year, today.year - 1)
        for plan in Plan.objects.all()
        if plan.period_start.year <= today.year - 1
    ]
    return max(years) if years else None


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _historical_notices(year: int, office: User) -> None:
    """Send and handle the year's demo notices through the plans workflow, back-dated."""
    plan = Plan.objects.filter(period_start__year__lte=year, period_end__year__gte=year).first()
    for login, code, title, (month, day), allowed, ack_after, answer_after in HISTORICAL_NOTICES:
        member = User.objects.filter(username=login).select_related("org").first()
        task = plan.tasks.filter(code=code).first() if plan is not None else None
        if member is None or member.org is None:
            continue
        sent = dt.date(year, month, day)
        notice = plan_actions.do_send_notice(
            unit=member.org,
            task=task,
            title=title,
            acting_user=office,
            reason="演示数据：历史督办",
            body="请对照问题清单逐项整改，并于期限内报送整改情况。",
            due_date=sent + dt.timedelta(days=allowed),
            now=_at(sent, 9),
        )
        plan_actions.do_acknowledge_notice(
            notice, acting_user=member, reason="已签收", now=_at(sent + dt.timedelta(days=ack_after), 10)
        )
        answered = sent + dt.timedelta(days=answer_after)
        plan_actions.do_answer_notice(
            notice,
            acting_user=member,
            now=_at(answered, 15),
            answer="已对照问题清单完成整改，相关台账已更新，请审核。",
        )
        plan_actions.do_close_notice(
            notice,
            acting_user=office,
            reason="整改到位，同意办结",
            now=_at(answered + dt.timedelta(days=5), 11),
        )


def build(ctx: DemoContext) -> None:
    """Create and run the scheme of the last full plan year; skipped when there is no plan or it exists."""
    year = last_full_year(ctx.today)
    if year is None or AssessmentScheme.objects.filter(year=year).exists():
        return
    office = User.objects.filter(username="anweiban").first()
    if office is not None:
        _historical_notices(year, office)
    scheme = do_create_scheme(year, acting_user=office)
    units = {u.name: u for u in assessed_units(year)}
    rng = ctx.child_rng("assessment")
    if ACCIDENT_UNIT in units:
        day = dt.date(year, 8, 1) + dt.timedelta(days=rng.randrange(30))
        do_record_veto_event(
            unit=units[ACCIDENT_UNIT],
            year=year,
            grade="larger",
            occurred_on=day,
            acting_user=office,
            description=f"{ACCIDENT_UNIT}辖区内某化工企业反应釜爆燃事故，造成 3 人死亡、5 人受伤",
        )
    if BONUS_UNIT in units:
        do_add_adjustment(
            scheme,
            unit=units[BONUS_UNIT],
            points=Decimal(2),
            acting_user=office,
            reason="牵头开展危险化学品安全专项整治，成效突出，经安委会审议加分",
        )
    do_run_assessment(scheme, acting_user=office, as_of=default_as_of(year, ctx.today))
    ctx.refs["assessment_scheme"] = scheme
