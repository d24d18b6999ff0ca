"""Demo part: the zone's plan, five years of quarterly progress reports, and a few 督办 notices.

Deterministic for a seed (``ctx.child_rng("plans")``): the same tasks, units, statuses, texts, late and
missing reports every run. Reports are back-filled as the committee office's historical records; notices
go through the workflow actions with the demo users of the ``users`` part when they exist.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from anjian.demo.context import DemoContext
from anjian.orgs.models import OrgUnit, User, registry_from_db
from anjian.plans import actions
from anjian.plans.choices import ReportStatus, TaskRole
from anjian.plans.constants import DEFAULT_PLAN_CODE, SEED_PLAN_FILE
from anjian.plans.models import Plan, PlanTask, SupervisionNotice
from anjian.plans.plan_import import prepare_import
from anjian.plans.selectors import quarter_bounds, quarter_in_plan, report_due_date, reporting_units

__all__ = ["build", "plan_text_path"]


def plan_text_path() -> Path:
    """The plan text: the copy inside the package, else ``shared/seed`` next to the project."""
    packaged = Path(__file__).resolve().parents[1] / "plans" / "data" / SEED_PLAN_FILE
    if packaged.exists():
        return packaged
    return Path(settings.PROJECT_DIR).parent / "shared" / "seed" / SEED_PLAN_FILE


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randrange(60))))


# --- report texts ----------------------------------------------------------------------------------

_LEAD_ACTIONS = [
    "召开专题推进会{a}次，印发工作要点，明确各配合单位责任分工",
    "牵头组织联合检查{a}次，检查企业{b}家，发现问题{c}项，已整改{d}项",
    "制定年度工作方案，建立工作台账，逐项明确完成时限",
    "组织开展专项督导{a}次，对{c}家单位下达整改通知",
    "汇总各配合单位进展，形成季度工作报告报安委会",
]
_COOP_ACTIONS = [
    "按照牵头单位部署，开展行业领域自查{a}次，检查企业{b}家",
    "配合牵头单位开展联合检查{a}次，报送本部门工作台账",
    "组织本系统培训{a}场、{b}人次，落实责任到岗到人",
    "梳理本行业领域风险点{c}处，建立清单并动态更新",
    "参加联席会议{a}次，落实会议确定的各项措施",
]
_RESP_ACTIONS = [
    "制定实施方案，组织推进{a}项重点工作",
    "开展专项检查{a}次，检查点位{b}处，整改隐患{d}项",
    "完善工作制度{a}项，落实经费保障",
]
_BEHIND = [
    "受专业人员不足影响，部分工作进度滞后，已调整人员力量，计划下季度补齐",
    "因项目资金尚未到位，相关建设内容推迟实施，已报请协调解决",
    "受疫情防控工作影响，现场检查次数少于计划，下一步将加密检查频次",
    "部分企业整改进度缓慢，已约谈企业主要负责人并下达限期整改通知",
]
_NEXT = [
    "下一步将持续跟踪整改落实情况。",
    "下季度将重点推进剩余工作。",
    "将建立长效机制，巩固工作成效。",
    "继续加强与相关部门的协调配合。",
]


def _topics(task: PlanTask) -> list[str]:
    """Short clauses from the task text that read well after "围绕"."""
    clauses = [c.strip('“”" ') for c in re.split(r"[，。；：、\n]", task.text)]
    good = [
        c
        for c in clauses
        if 6 <= len(c) <= 22
        and c[:2]
        in {
            "加强",
            "推进",
            "开展",
            "完善",
            "建立",
            "落实",
            "严格",
            "强化",
            "推动",
            "健全",
            "提升",
            "深化",
            "实施",
            "加快",
        }
    ]
    return good or [task.title]


def _text(task: PlanTask, roles: list[str], status: str, rng: random.Random, topics: list[str]) -> str:
    pool = (
        _LEAD_ACTIONS
        if TaskRole.LEAD in roles
        else _RESP_ACTIONS
        if TaskRole.RESPONSIBLE in roles
        else _COOP_ACTIONS
    )
    numbers = {"a": rng.randint(1, 6), "b": rng.randint(5, 60), "c": rng.randint(2, 20)}
    numbers["d"] = rng.randint(max(1, numbers["c"] - 4), numbers["c"])
    topic = rng.choice(topics)
    if status == ReportStatus.NOT_STARTED:
        return f"“{task.title}”相关工作正在前期调研和方案起草阶段，尚未全面启动。{rng.choice(_NEXT)}"
    if status == ReportStatus.DONE:
        return (
            f"围绕“{topic}”，{rng.choice(pool).format(**numbers)}。本项任务目标已完成，"
            f"转入常态化管理。{rng.choice(_NEXT)}"
        )
    body = f"围绕“{topic}”，{rng.choice(pool).format(**numbers)}。"
    if status == ReportStatus.BEHIND:
        return body + rng.choice(_BEHIND) + "。"
    return body + rng.choice(_NEXT)


# --- build -----------------------------------------------------------------------------------------


def _quarters(plan: Plan, today: dt.date) -> list[tuple[int, int]]:
    """Quarters of the plan that have ended by ``today``."""
    return [
        (y, q)
        for y in range(plan.period_start.year, plan.period_end.year + 1)
        for q in range(1, 5)
        if quarter_in_plan(plan, y, q) and quarter_bounds(y, q)[1] < today
    ]


def _reports(
    plan: Plan, ctx: DemoContext, rng: random.Random, users: dict[int, User]
) -> list[actions.ReportEntry]:
    tasks = list(plan.tasks.prefetch_related("units__unit__members").order_by("position"))
    quarters = _quarters(plan, ctx.today)
    unit_habits: dict[int, tuple[float, float]] = {}
    entries = []
    for task in tasks:
        topics = _topics(task)
        # Each task starts within the first year and is done somewhere in the period, or continues.
        start = rng.randint(0, 3)
        done_at = rng.choice([None, None, rng.randint(8, len(quarters) + 4)])
        slow = rng.random() < 0.2
        for unit, roles in reporting_units(task).items():
            miss_p, late_p = unit_habits.setdefault(
                unit.pk, (rng.uniform(0.01, 0.09), rng.uniform(0.03, 0.18))
            )
            for index, (year, quarter) in enumerate(quarters):
                if rng.random() < miss_p:
                    continue
                due = report_due_date(year, quarter)
                end = quarter_bounds(year, quarter)[1]
                if rng.random() < late_p:
                    filed = due + dt.timedelta(days=rng.randint(1, 40))
                else:
                    filed = end + dt.timedelta(days=rng.randint(1, (due - end).days))
                if filed >= ctx.today:
                    continue
                if index < start:
                    status = ReportStatus.NOT_STARTED
                elif done_at is not None and index >= done_at:
                    status = ReportStatus.DONE
                elif rng.random() < (0.18 if slow else 0.05):
                    status = ReportStatus.BEHIND
                else:
                    status = ReportStatus.IN_PROGRESS
                entries.append(
                    actions.ReportEntry(
                        task=task,
                        unit=unit,
                        year=year,
                        quarter=quarter,
                        status=status,
                        text=_text(task, roles, status, rng, topics),
                        submitted_at=_at(filed, rng),
                        submitted_by=users.get(unit.pk),
                    )
                )
    return entries


# (task code, unit, title, body, how far along the workflow: 0 sent, 1 acknowledged, 2 answered, 3 closed,
#  days before today it was sent, days allowed)
NOTICES = [
    (
        "4.6",
        "住建交通局",
        "关于加快推进道路运输安全专项整治的督办通知",
        "经查，道路运输安全专项整治进度滞后，部分重点车辆动态监控未全覆盖。请于期限内完成整改并书面回复。",
        0,
        6,
        20,
    ),
    (
        "5.1",
        "工业和科技局",
        "关于重点企业气体检测报警系统投用情况的督办通知",
        "请对园区重点冶金、危化品生产企业可燃和有毒气体检测报警系统装备和投用情况逐家核查，报送核查结果。",
        1,
        12,
        30,
    ),
    (
        "2.3",
        "应急管理局",
        "关于安全生产标准化达标工作进度的督办通知",
        "规模以上企业安全生产标准化达标率距目标尚有差距，请说明原因并提出下一步措施。",
        2,
        25,
        20,
    ),
    (
        "4.10",
        "腾格里镇",
        "关于城镇燃气安全隐患排查整治的督办通知",
        "请组织辖区燃气用户安全隐患排查，建立问题清单和整改台账，按期回复整改情况。",
        3,
        120,
        30,
    ),
    (
        "4.12",
        "农牧林水局",
        "关于水利工程安全度汛准备工作的督办通知",
        "汛期将至，请落实水利工程安全度汛各项措施，报送隐患排查和应急准备情况。",
        0,
        45,
        15,
    ),
    (
        "4.9",
        "市场监督管理局",
        "关于特种设备安全监察工作的督办通知",
        "请加强对园区特种设备使用单位的监督检查，重点核查定期检验和作业人员持证情况。",
        3,
        300,
        30,
    ),
]


def _notices(plan: Plan, ctx: DemoContext, users: dict[int, User], office: User | None) -> None:
    answers = [
        "已组织专题会议研究部署，逐项明确整改责任人和完成时限，目前已完成主要整改内容，剩余事项将于月底前完成。",
        "已完成逐家核查，形成核查报告（附件），对发现的问题已下达整改通知并跟踪落实。",
        "已对照问题清单完成整改，相关台账已更新，请审核。",
    ]
    for index, (code, unit_name, title, body, stage, days_ago, allowed) in enumerate(NOTICES):
        task = plan.tasks.filter(code=code).first()
        unit = OrgUnit.objects.filter(name=unit_name).first()
        if task is None or unit is None:
            continue
        sent = ctx.today - dt.timedelta(days=days_ago)
        notice = actions.do_send_notice(
            unit=unit,
            task=task,
            title=title,
            body=body,
            acting_user=office,
            due_date=sent + dt.timedelta(days=allowed),
            reason="演示数据",
            now=timezone.make_aware(dt.datetime.combine(sent, dt.time(9, 30))),
        )
        member = users.get(unit.pk)
        if member is None:
            continue
        step_day = sent
        for step in range(1, stage + 1):
            step_day = min(step_day + dt.timedelta(days=2 + step * 3), ctx.today)
            at = timezone.make_aware(dt.datetime.combine(step_day, dt.time(10 + step, 0)))
            if step == 1:
                actions.do_acknowledge_notice(notice, acting_user=member, reason="已签收", now=at)
            elif step == 2:
                actions.do_answer_notice(
                    notice, answer=answers[index % len(answers)], acting_user=member, reason="", now=at
                )
            else:
                actions.do_close_notice(notice, acting_user=office, reason="整改到位，同意办结", now=at)


def build(ctx: DemoContext) -> None:
    """Import the plan, back-fill quarterly reports up to ``ctx.today`` and send a few notices."""
    rng = ctx.child_rng("plans")
    text = plan_text_path().read_text(encoding="utf-8")
    prepared = prepare_import(text, registry_from_db(), code=DEFAULT_PLAN_CODE)
    plan = actions.do_import_plan(prepared, acting_user=None, reason="演示数据").plan
    ctx.refs["plan"] = plan
    office = User.objects.filter(role="committee").order_by("username").first()
    users: dict[int, User] = {}
    for user in User.objects.filter(role__in=["dept", "committee"], org__isnull=False).order_by("username"):
        if user.org_id is not None:  # always, by the filter
            users.setdefault(user.org_id, user)
    entries = _reports(plan, ctx, rng, users)
    actions.do_backfill_reports(entries, acting_user=office, reason="演示数据：历史进展报告")
    if not SupervisionNotice.objects.filter(task__plan=plan).exists():
        _notices(plan, ctx, users, office)
