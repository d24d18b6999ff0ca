"""Demo 隐患排查治理: inspection tasks from the risk registers, a year of inspection records (completion
computed by the job), hidden dangers from every source through the loop's actions — most closed, some in
progress, a few overdue (escalated), and two 重大 under 挂牌督办."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from anjian.demo.context import DemoContext

CYCLE_BY_KIND = {
    "engineering": "weekly",
    "management": "weekly",
    "training": "quarterly",
    "ppe": "monthly",
    "emergency": "monthly",
}

DANGERS = [
    ("可燃气体报警器 GT-103 显示故障未修复", "inspection", "T-103 罐根部报警器故障灯亮", "甲醇储罐组"),
    ("防火堤排水阀未关闭", "inspection", "东侧防火堤排水阀处于开启状态", "甲醇储罐组"),
    ("静电接地报警器损坏", "self_check", "2# 装车鹤位静电接地夹断线", "甲醇储罐组"),
    ("空气呼吸器气瓶压力不足", "inspection", "液氨罐区应急柜 2 台空呼压力低于 25MPa", "液氨储罐"),
    ("安全阀超期未校验", "enforcement", "R-201 安全阀校验有效期已过 2 个月", "加氢反应单元"),
    ("精馏塔回流泵机封泄漏", "inspection", "P-305B 机封滴漏", "精馏单元"),
    ("动火作业票气体分析超时", "enforcement", "动火前气体分析时间距动火超过 30 分钟", "检修动火作业"),
    ("配电室绝缘手套超期未检测", "self_check", "绝缘手套检测标签过期", "10kV 配电室"),
    ("消防通道堆放物料", "snapshot", "罐区北侧消防通道堆放空桶", "甲醇储罐组"),
    ("员工反映夜班巡检不到位", "complaint", "举报称夜班未按规定巡检", "精馏单元"),
]


def _jpeg(when: dt.datetime | None = None, lon: Any = None, lat: Any = None) -> bytes:
    """A small after-rectification photo (a green square) with the phone's EXIF capture time and position."""
    import io

    from PIL import Image

    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[36867] = timezone.localtime(when).strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:

        def dms(value: float) -> tuple[float, float, float]:
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round(((value - d) * 60 - m) * 60, 2))

        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", dms(float(lat)), "E", dms(float(lon))
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (60, 160, 80)).save(out, "JPEG", exif=exif)
    return out.getvalue()


class _Clock:
    """Run actions as if at ``when`` (``django.utils.timezone.now`` patched): their audit rows, stamps and
    notifications then carry the day the demo says the step happened, so a danger's history reads true."""

    def __init__(self, when: dt.datetime) -> None:
        from unittest import mock

        self.when = when
        self._patch = mock.patch("django.utils.timezone.now", side_effect=lambda: self.when)

    def __enter__(self) -> _Clock:
        self._patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._patch.stop()

    def advance(self, **delta: float) -> dt.datetime:
        self.when += dt.timedelta(**delta)
        return self.when


def _user(enterprise: Any, username: str, name: str, *, login: bool = False) -> Any:
    from anjian.demo.users import DEMO_PASSWORD
    from anjian.enterprises.actions import do_create_enterprise_user
    from anjian.orgs.models import User

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return do_create_enterprise_user(
        enterprise, username=username, password=DEMO_PASSWORD, name=name, acting_user=None, reason="演示数据"
    )


def build(ctx: DemoContext) -> None:
    from anjian.dangers import actions
    from anjian.dangers.models import (
        InspectionRecord,
        InspectionTask,
    )
    from anjian.demo.users import DEMO_PASSWORD
    from anjian.domain import danger_rules
    from anjian.enterprises.models import Enterprise
    from anjian.orgs.models import User
    from anjian.risks.models import ControlMeasure, RiskUnit

    rng = ctx.child_rng("dangers")
    today = ctx.today
    tz = timezone.get_current_timezone()
    start_day = today - dt.timedelta(days=365)
    units_by_enterprise: dict[int, list[Any]] = ctx.refs.get("risk_units", {})
    enterprises = list(Enterprise.objects.filter(pk__in=list(units_by_enterprise)).order_by("id"))
    if not enterprises:
        return
    dept = {u.org_id: u for u in User.objects.filter(role="dept")}
    committee = User.objects.filter(role="committee").first()

    # Users: the first enterprise keeps its demo login (qiye) and gets an inspector (xunjian).
    inspectors: dict[int, Any] = {}
    managers: dict[int, Any] = {}
    for i, e in enumerate(enterprises):
        managers[e.pk] = User.objects.filter(org=e.org_unit, role="enterprise").first() or _user(
            e, f"anquan{i + 1:02d}", "安全员"
        )
        inspectors[e.pk] = _user(e, "xunjian" if i == 0 else f"xunjian{i + 1:02d}", "巡检员", login=i == 0)
    ctx.logins.append(
        ("xunjian", DEMO_PASSWORD, f"企业巡检员：{enterprises[0].name}（排查任务、随手拍上报隐患）")
    )

    # Tasks: one per control measure, cycle by kind, valid for the past year and the next.
    tasks: list[InspectionTask] = []
    for m in (
        ControlMeasure.objects.filter(enterprise__in=enterprises).select_related("event__unit").order_by("id")
    ):
        tasks.append(
            InspectionTask(
                enterprise_id=m.enterprise_id,
                measure=m,
                unit_id=m.event.unit_id,
                title=f"{m.event.unit.name}：{m.description[:40]}",
                content=m.check_content or m.description,
                cycle=CYCLE_BY_KIND.get(m.kind, "weekly"),
                assignee=inspectors[m.enterprise_id],
                valid_from=start_day,
                valid_until=today + dt.timedelta(days=365),
            )
        )
    InspectionTask.objects.bulk_create(tasks)
    tasks = list(InspectionTask.objects.filter(enterprise__in=enterprises).order_by("id"))

    # A year of records: ~93% on time, ~3% late (sent after the period), the rest missed.
    records: list[InspectionRecord] = []
    for t in tasks:
        day = start_day
        seen: set[dt.datetime] = set()
        while day < today:
            start, end = danger_rules.cycle_period(t.cycle, dt.datetime.combine(day, dt.time(9), tzinfo=tz))
            day = max(day + dt.timedelta(days=1), end.date())
            if start in seen or end.date() > today:
                continue
            seen.add(start)
            roll = rng.random()
            if roll > 0.96:
                continue
            checked = start + (end - start) * rng.uniform(0.1, 0.8)
            rec = InspectionRecord(
                enterprise_id=t.enterprise_id,
                task=t,
                unit_id=t.unit_id,
                inspector=t.assignee,
                checked_at=checked,
                period_start=start,
                on_time=roll <= 0.93,
                client_token=uuid.UUID(int=rng.getrandbits(128)).hex,
            )
            records.append(rec)
    InspectionRecord.objects.bulk_create(records, batch_size=2000)
    # Completion for every day of the year, as the nightly job would have done.
    cursor = start_day
    while cursor < today:
        actions.compute_completion(cursor)
        cursor += dt.timedelta(days=1)
    last = {}
    for r in InspectionRecord.objects.order_by("task_id", "checked_at").values_list("task_id", "checked_at"):
        last[r[0]] = r[1]
    for t in tasks:
        if t.pk in last:
            InspectionTask.objects.filter(pk=t.pk).update(last_checked_at=last[t.pk])

    # Dangers: a year of them, each step through the loop's actions on the day it happened.
    from django.core.files.uploadedfile import SimpleUploadedFile

    now = timezone.now()
    for i, e in enumerate(enterprises):
        units = {u.name: u for u in RiskUnit.objects.filter(enterprise=e)}
        manager, inspector = managers[e.pk], inspectors[e.pk]
        supervisor = dept.get(e.supervising_unit_id) or committee
        for j, (title, source, desc, unit_key) in enumerate(DANGERS[: 6 + (i % 5)]):
            unit = next((u for n, u in units.items() if unit_key in n), None)
            age = rng.randrange(5, 360)
            state = (
                "closed"
                if age > 40
                else rng.choice(["reported", "verified", "rectifying", "awaiting_acceptance", "closed"])
            )
            overdue_by = {(2, 1): 5, (4, 0): 2, (5, 2): 9}.get((i, j))
            if overdue_by is not None:  # deadline 7 days after the report, passed 2 / 5 / 9 days ago
                state, age = "overdue", 7 + overdue_by
            if state in {"reported", "verified", "rectifying", "awaiting_acceptance"}:
                age = min(age, 6)
            start = now - dt.timedelta(days=age, hours=rng.randrange(1, 8))
            with _Clock(start) as clock:
                d = actions.report_danger(
                    enterprise=e,
                    title=title,
                    description=desc,
                    source=source,
                    acting_user=inspector if source != "enforcement" else supervisor,
                    risk_unit=unit,
                    location=unit.name if unit else "",
                )
                if state == "reported":
                    continue
                clock.advance(hours=rng.uniform(2, 20))
                d = actions.do_verify_danger(d, acting_user=manager, grade="general", reason="现场核实属实")
                if state == "verified":
                    continue
                clock.advance(hours=rng.uniform(1, 6))
                # still in time unless meant to be overdue (the deadline lies beyond today)
                days = {"overdue": 7, "rectifying": rng.randrange(age + 3, age + 20)}.get(
                    state
                ) or rng.randrange(3, 20)
                deadline = timezone.localdate() + dt.timedelta(days=days)
                d = actions.do_assign_rectification(
                    d,
                    acting_user=manager,
                    measures=f"立即整改：{title.replace('未', '')}，完善巡检记录",
                    rectifier=inspector,
                    funds=rng.choice(["0", "500", "2000", "8000"]),
                    deadline=deadline,
                )
                if state in {"rectifying", "overdue"}:
                    continue
                # done on time three times out of four, otherwise a few days late (but never in the future)
                late = rng.random() < 0.25
                finish = dt.datetime.combine(deadline, dt.time(10), tzinfo=tz) + dt.timedelta(
                    days=rng.randrange(1, 6) if late else -rng.randrange(0, max(1, days - 1))
                )
                clock.when = max(clock.when + dt.timedelta(hours=4), min(finish, now - dt.timedelta(hours=3)))
                actions.add_danger_photo(
                    d,
                    SimpleUploadedFile("after.jpg", _jpeg(clock.when, e.lon, e.lat)),
                    acting_user=inspector,
                    stage="after",
                )
                d = actions.do_submit_for_acceptance(
                    d, acting_user=inspector, statement="已按整改措施完成整改，附整改后照片。"
                )
                if state == "awaiting_acceptance":
                    continue
                clock.when = min(
                    clock.when + dt.timedelta(hours=rng.uniform(2, 30)), now - dt.timedelta(hours=1)
                )
                d = actions.do_accept_danger(d, acting_user=manager, opinion="现场复核整改到位，同意销号。")

    # Two 重大 under 挂牌督办 (安监总管三〔2017〕121号 items 5 and 15), found by the department 20 days ago.
    for e, item, title, desc in (
        (
            enterprises[0],
            5,
            "一级重大危险源甲醇罐区未实现紧急切断功能",
            "T-101～T-104 罐根阀为手动阀，未设紧急切断阀。",
        ),
        (
            enterprises[min(1, len(enterprises) - 1)],
            15,
            "氯气液化装置安全阀未正常投用",
            "液化器出口安全阀前切断阀处于关闭状态。",
        ),
    ):
        supervisor = dept.get(e.supervising_unit_id) or committee
        with _Clock(now - dt.timedelta(days=20, hours=3)) as clock:
            d = actions.report_danger(
                enterprise=e,
                title=title,
                description=desc,
                source="enforcement",
                major_item=item,
                acting_user=supervisor,
            )
            clock.advance(hours=5)
            d = actions.do_verify_danger(
                d,
                acting_user=managers[e.pk],
                grade="major",
                major_item=item,
                reason="经核实，符合重大隐患判定标准",
            )
            clock.advance(hours=20)
            d = actions.do_assign_rectification(
                d,
                acting_user=managers[e.pk],
                measures="增设气动紧急切断阀并接入 SIS；整改期间专人监护、降低储存量。",
                rectifier=inspectors[e.pk],
                funds="380000",
                deadline=timezone.localdate() + dt.timedelta(days=45),
                contingency_plan="整改期间执行专项应急预案，罐区液位控制在 60% 以下，每班巡检。",
            )
            clock.advance(days=1)
            listing = actions.do_open_listing(
                d, acting_user=supervisor, requirements="限期完成整改，每半月报告一次进展。"
            )
            clock.advance(days=7)
            actions.do_add_listing_message(
                listing, acting_user=supervisor, body="请于本月底前报送整改方案和资金落实情况。"
            )
            clock.advance(days=2, hours=3)
            actions.do_add_listing_message(
                listing,
                acting_user=managers[e.pk],
                body="整改方案已编制，紧急切断阀已订货，预计 30 日内安装调试。",
            )

    actions.run_escalation()
