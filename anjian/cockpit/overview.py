"""The overview (驾驶舱) of one audience, computed for the user's scope.

Every number that is a count carries the URL of the list it counts (the same filters, the same scope), so
a reader can click through and find exactly that many rows; the tests check it. Counts are done by the
database (``GROUP BY``); the whole overview is cached per scope for :data:`CACHE_SECONDS` and the cache
is dropped when a register the overview reads changes (see :mod:`anjian.cockpit.signals`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import Scope, restrict, scope_of

__all__ = [
    "CACHE_SECONDS",
    "Chart",
    "Datum",
    "Fact",
    "Overview",
    "Series",
    "Stat",
    "TargetRow",
    "build_overview",
    "overview_for",
]

CACHE_SECONDS = 60
_GEN_KEY = "anjian:cockpit:generation"

STATUS_COLOURS = {"not_started": "#90a4ae", "in_progress": "#1e88e5", "done": "#43a047", "behind": "#e53935"}
COMPLIANCE_COLOURS = {"on_time": "#43a047", "late": "#fb8c00", "missing": "#e53935", "open": "#90caf9"}


@dataclass
class Datum:
    """One number of a chart; ``url`` lists what it counts (when ``is_count``)."""

    value: float | int | None
    url: str = ""
    is_count: bool = True
    label: str = ""
    colour: str = ""


@dataclass
class Series:
    """A named series; ``data`` aligns with the chart's ``categories``."""

    name: str
    data: list[Datum]
    colour: str = ""
    stack: str = ""


@dataclass
class Chart:
    """A chart: ``kind`` is ``bar`` (vertical, stacked when series share a stack), ``hbar``, ``pie``,
    ``url`` is the list behind the whole chart."""

    key: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    url: str = ""
    note: str = ""
    unit: str = ""
    wide: bool = False

    def __post_init__(self) -> None:
        # Many categories (units, industries, months) need the whole row to stay readable.
        self.wide = self.wide or len(self.categories) > 10


@dataclass
class Stat:
    """A headline number (``unit``: 家, 项, 件 … shown beside it); ``is_count`` when ``url`` lists exactly
    ``value`` rows (a score links to its explanation instead)."""

    label: str
    value: int | float
    url: str
    tone: str = ""
    unit: str = ""
    is_count: bool = True


@dataclass
class Fact:
    """A line of the enterprise audience's own card (industry, supervising department, grade …)."""

    label: str
    value: str
    url: str = ""


@dataclass
class TargetRow:
    """A numeric target of the plan: goal, current value, deadline, and how far along (0–100)."""

    task_code: str
    indicator: str
    goal: str
    actual: str
    deadline: str
    on_track: bool | None
    percent: float | None
    url: str
    detail: str = ""
    deadline_label: str = ""


@dataclass
class Overview:
    """What one audience sees first."""

    audience: str
    scope_label: str
    as_of: str
    stats: list[Stat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    map_layers: str = ""
    map_focus: str = ""
    map_highlight: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for the page's charts and the API)."""
        return asdict(self)


class _Report(NamedTuple):
    """What :func:`anjian.plans.selectors.task_status` reads of a progress report."""

    task_id: int
    unit_id: int
    year: int
    quarter: int
    status: str


def _chapter_label(chapter: str, title: str) -> str:
    """``一、健全落实安全责任`` from the chapter number and the title's first clause."""
    head = title.split("，")[0].split(",")[0]
    return f"{chapter}、{head[:12]}"


def _url(name: str, args: list[Any] | None = None, **params: Any) -> str:
    base = reverse(name, args=args or [])
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""}, doseq=True)
    return f"{base}?{query}" if query else base


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


def _enterprise_facts(user: Any, out: Overview) -> None:
    """An enterprise user's own card: what the platform holds about it, each line linking to its page."""
    from anjian.enterprises.models import Enterprise

    scope = scope_of(user)
    e = (
        restrict(Enterprise.objects.filter(pk__in=sorted(scope.enterprise_ids)), user)
        .select_related("supervising_unit", "town", "grid")
        .first()
    )
    if e is None:
        return
    grade = e.standardizations.filter(is_current=True).order_by("-pk").first()
    flags = "、".join(
        label
        for on, label in (
            (e.key_process, "重点监管危险化工工艺"),
            (e.key_chemical, "重点监管危险化学品"),
            (e.major_hazard, "重大危险源"),
        )
        if on
    )
    page = e.get_absolute_url()
    if e.lon is not None and e.lat is not None:
        out.map_focus = f"{e.lon},{e.lat},15"
        out.map_highlight = str(e.pk)
    out.facts = [
        Fact("行业", e.get_industry_display(), page),
        Fact("监管部门", e.supervising_unit.name if e.supervising_unit else "未确定", page),
        Fact(
            "安全生产标准化",
            f"{grade.get_grade_display()}（{grade.review_due:%Y-%m-%d} 复评到期）"
            if grade is not None and grade.review_due
            else (grade.get_grade_display() if grade is not None else "未达标"),
            _url("enterprises:standardization_list", enterprise_id=e.pk),
        ),
        Fact("两重点一重大", flags or "不涉及", page),
        Fact(
            "所在",
            " · ".join(x for x in (e.town.name if e.town else "", e.grid.name if e.grid else "") if x) or "—",
            page + "?tab=map",
        ),
    ]


def _enterprise_charts(user: Any, out: Overview) -> None:
    from anjian.enterprises.choices import Industry, StandardizationGrade
    from anjian.enterprises.models import Enterprise, Standardization
    from anjian.orgs.models import OrgUnit

    base = restrict(Enterprise.objects.all(), user)
    totals = base.aggregate(
        n=Count("id", distinct=True),
        flagged=Count(
            "id", filter=Q(key_process=True) | Q(key_chemical=True) | Q(major_hazard=True), distinct=True
        ),
        major=Count("id", filter=Q(major_hazard=True), distinct=True),
    )
    if out.audience == "enterprise":
        # Counting one enterprise says nothing: its own card says it in words.
        _enterprise_facts(user, out)
        return
    out.stats += [
        Stat("企业", totals["n"], _url("enterprises:enterprise_list"), unit="家"),
        Stat(
            "两重点一重大企业",
            totals["flagged"],
            _url("enterprises:enterprise_list", two_key_one_major="true"),
            "orange",
            "家",
        ),
        Stat(
            "重大危险源企业",
            totals["major"],
            _url("enterprises:enterprise_list", major_hazard="true"),
            "red",
            "家",
        ),
    ]
    by_industry = list(
        base.order_by().values("industry").annotate(n=Count("id", distinct=True)).order_by("-n", "industry")
    )
    labels = dict(Industry.choices)
    charts: list[Chart] = []
    charts.append(
        Chart(
            "industry",
            "企业行业分布",
            "hbar",
            [str(labels.get(r["industry"], r["industry"])) for r in by_industry],
            [
                Series(
                    "企业数",
                    [
                        Datum(r["n"], _url("enterprises:enterprise_list", industry=r["industry"]))
                        for r in by_industry
                    ],
                )
            ],
            url=_url("enterprises:enterprise_list"),
            unit="家",
        )
    )
    by_unit = list(
        base.exclude(supervising_unit=None)
        .order_by()
        .values("supervising_unit_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "supervising_unit_id")
    )
    names = dict(
        OrgUnit.objects.filter(pk__in=[r["supervising_unit_id"] for r in by_unit]).values_list("pk", "name")
    )
    charts.append(
        Chart(
            "department",
            "各行业监管部门监管企业数",
            "hbar",
            [names.get(r["supervising_unit_id"], "—") for r in by_unit],
            [
                Series(
                    "企业数",
                    [
                        Datum(
                            r["n"],
                            _url("enterprises:enterprise_list", supervising_unit_id=r["supervising_unit_id"]),
                        )
                        for r in by_unit
                    ],
                    "#1e88e5",
                )
            ],
            url=_url("enterprises:enterprise_list"),
            note="按“三个必须”确定的监管部门",
            unit="家",
        )
    )
    grades = restrict(Standardization.objects.filter(is_current=True), user)
    by_grade = dict(
        grades.order_by()
        .values_list("grade")
        .annotate(n=Count("id", distinct=True))
        .values_list("grade", "n")
    )
    order = [g for g in StandardizationGrade.values if by_grade.get(g)]
    charts.append(
        Chart(
            "grade",
            "安全生产标准化等级（当前有效）",
            "pie",
            [str(StandardizationGrade(g).label) for g in order],
            [
                Series(
                    "企业数",
                    [
                        Datum(
                            by_grade[g], _url("enterprises:standardization_list", grade=g, is_current="true")
                        )
                        for g in order
                    ],
                )
            ],
            url=_url("enterprises:standardization_list", is_current="true"),
            unit="家",
        )
    )
    # A distribution over one category (a department's own unit) is a headline, not a chart.
    out.charts += [c for c in charts if len(c.categories) >= (1 if c.kind == "pie" else 2)]


def _month_range(start: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        last = calendar.monthrange(y, m)[1]
        out.append((dt.date(y, m, 1), dt.date(y, m, last)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _per_month(qs: Any, field: str) -> dict[tuple[int, int], int]:
    """Rows of ``qs`` per (year, month) of date ``field``, counted by the database."""
    rows = (
        qs.order_by()
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("id", distinct=True))
        .values_list("month", "n")
    )
    out: dict[tuple[int, int], int] = defaultdict(int)
    for month, n in rows:
        if month is not None:
            out[(month.year, month.month)] += n
    return out


def _expiry_chart(user: Any, today: dt.date, out: Overview) -> None:
    from anjian.enterprises.models import Licence
    from anjian.people.models import Certificate

    months = _month_range(today.replace(day=1), 12)
    first, last = months[0][0], months[-1][1]
    licences = restrict(Licence.objects.filter(valid_until__gte=first, valid_until__lte=last), user)
    certs = restrict(Certificate.objects.filter(expires_on__gte=first, expires_on__lte=last), user)
    lic_by = _per_month(licences, "valid_until")
    cert_by = _per_month(certs, "expires_on")
    out.charts.append(
        Chart(
            "expiry",
            "未来 12 个月到期的许可证与证书",
            "bar",
            [f"{a.year}-{a.month:02d}" for a, _b in months],
            [
                Series(
                    "许可证",
                    [
                        Datum(
                            lic_by[(a.year, a.month)],
                            _url(
                                "enterprises:licence_list",
                                valid_until_after=a.isoformat(),
                                valid_until_before=b.isoformat(),
                            ),
                        )
                        for a, b in months
                    ],
                    "#fb8c00",
                    "expiry",
                ),
                Series(
                    "人员证书",
                    [
                        Datum(
                            cert_by[(a.year, a.month)],
                            _url(
                                "people:certificate_list",
                                expires_after=a.isoformat(),
                                expires_before=b.isoformat(),
                            ),
                        )
                        for a, b in months
                    ],
                    "#8e24aa",
                    "expiry",
                ),
            ],
            url=_url("people:expiring"),
            note="按到期月份统计，含本月",
            unit="件",
        )
    )
    expired_licences = restrict(Licence.objects.filter(valid_until__lt=today), user).count()
    out.stats.append(
        Stat("已过期许可证", expired_licences, _url("enterprises:licence_list", state="expired"), "red", "件")
    )
    soon = today + dt.timedelta(days=30)
    expiring = restrict(Certificate.objects.filter(expires_on__gte=today, expires_on__lte=soon), user).count()
    out.stats.append(
        Stat(
            "30 天内到期的人员证书",
            expiring,
            _url("people:certificate_list", expires_after=today.isoformat(), expires_before=soon.isoformat()),
            "orange",
            "本",
        )
    )


# ---------------------------------------------------------------------------------------------
# Plan: tasks, targets, reporting, assessment (government roles)
# ---------------------------------------------------------------------------------------------


def _plan_charts(user: Any, today: dt.date, out: Overview) -> None:
    from anjian.plans.choices import ComplianceState, ReportStatus
    from anjian.plans.models import Plan, ProgressReport, Target
    from anjian.plans.selectors import compliance_for_units, task_status, visible_tasks

    plan = restrict(Plan.objects.defer("source_text"), user).first()
    if plan is None:
        return
    # Every task the user may see (all plans: the compliance page counts them all), loaded once with its
    # units; a department sees exactly the tasks it reports on, the office all of them.
    all_tasks = list(visible_tasks(user).order_by("plan_id", "position"))
    tasks = [t for t in all_tasks if t.plan_id == plan.pk]
    # Rows, not model instances: a five-year plan holds thousands of quarterly reports.
    reports: dict[int, list[Any]] = defaultdict(list)
    for row in (
        restrict(ProgressReport.objects.filter(task__plan=plan), user)
        .order_by()
        .values_list("task_id", "unit_id", "year", "quarter", "status")
    ):
        reports[row[0]].append(_Report(*row))
    chapters: dict[str, str] = {}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for t in tasks:
        chapters.setdefault(t.chapter, t.chapter_title)
        counts[(t.chapter, task_status(reports[t.pk]))] += 1
    out.charts.append(
        Chart(
            "tasks",
            "规划任务进展（按章）",
            "hbar",
            [_chapter_label(c, title) for c, title in chapters.items()],
            [
                Series(
                    str(label),
                    [
                        Datum(counts[(c, status)], _url("plans:task_list", chapter=c, status=status))
                        for c in chapters
                    ],
                    STATUS_COLOURS[status],
                    "tasks",
                )
                for status, label in ReportStatus.choices
            ],
            url=_url("plans:task_list"),
            note=f"{plan.title}：任务状态取各责任单位最近一次报送",
            unit="项",
        )
    )
    behind = sum(v for (c, s), v in counts.items() if s == ReportStatus.BEHIND)
    out.stats.append(Stat("滞后任务", behind, _url("plans:task_list", status="behind"), "red", "项"))

    # Targets: every numeric target, actual vs goal, with its deadline.
    values: dict[str, Any] = {}
    for target in restrict(Target.objects.select_related("task"), user).order_by(
        "task__position", "position"
    ):
        if target.metric_key not in values:
            values[target.metric_key] = target.current(today)
        current = values[target.metric_key]
        actual = None if current is None or current.value is None else Decimal(current.value)
        percent = target.progress_percent(current)
        out.targets.append(
            TargetRow(
                task_code=target.task.code,
                indicator=target.indicator,
                goal=target.goal_display,
                actual="尚未接入指标"
                if actual is None
                else f"{format(actual.normalize(), 'f')}{target.unit}",
                deadline=target.deadline.isoformat() if target.deadline else "",
                deadline_label=f"{target.deadline.year}年底前"
                if target.deadline
                else f"规划期末（{plan.period_end.year}年）",
                on_track=target.on_track(current=current) if current is not None else None,
                percent=percent,
                url=target.get_absolute_url(),
                detail=current.detail if current is not None else "",
            )
        )

    # Reporting compliance by unit and by quarter (this year).
    from anjian.orgs.models import OrgUnit

    # The units whose reporting the user is shown, as on the compliance page: all for the office, else its own.
    scope = scope_of(user)
    if scope.sees_all:
        units = list(OrgUnit.objects.exclude(kind__in=["group", "enterprise"]))
    else:
        units = list(OrgUnit.objects.filter(pk=scope.org_id)) if scope.org_id else []
    # The plan's last year once it has ended (a five-year plan is still reviewed after its end).
    year = min(today.year, plan.period_end.year)
    due = compliance_for_units(units, year=year, as_of=today, tasks=all_tasks)
    states = [s for s in ComplianceState.values if s != ComplianceState.OPEN]
    per_unit = []
    for unit in units:
        items = due.get(unit.pk, [])
        if items:
            per_unit.append(
                (unit, {s: sum(1 for i in items if i.state == s) for s in ComplianceState.values})
            )
    per_unit.sort(key=lambda p: (-p[1][ComplianceState.MISSING], -p[1][ComplianceState.LATE], p[0].code))
    compliance_url = _url("plans:compliance", year=year)
    if len(per_unit) > 1:
        out.charts.append(
            Chart(
                "compliance",
                f"{year}年进展报送情况（按单位）",
                "hbar",
                [u.name for u, _c in per_unit],
                [
                    Series(
                        str(ComplianceState(s).label),
                        [Datum(c[s], compliance_url + f"#unit-{u.pk}") for u, c in per_unit],
                        COMPLIANCE_COLOURS[s],
                        "compliance",
                    )
                    for s in states
                ],
                url=compliance_url,
                unit="份",
            )
        )
    if per_unit:
        quarters = [1, 2, 3, 4]
        per_q = {(q, s): 0 for q in quarters for s in states}
        for items in due.values():
            for i in items:
                if i.state in states and i.quarter in quarters:
                    per_q[(i.quarter, i.state)] += 1
        out.charts.append(
            Chart(
                "compliance_quarter",
                f"{year}年进展报送情况（按季度）",
                "bar",
                [f"第{q}季度" for q in quarters],
                [
                    Series(
                        str(ComplianceState(s).label),
                        [Datum(per_q[(q, s)], compliance_url) for q in quarters],
                        COMPLIANCE_COLOURS[s],
                        "q",
                    )
                    for s in states
                ],
                url=compliance_url,
                unit="份",
            )
        )
        missing = sum(c[ComplianceState.MISSING] for _u, c in per_unit)
        out.stats.append(Stat("未报送进展", missing, compliance_url, "red", "份"))

    # Assessment ranking: the latest scheme with results the user may see.
    from anjian.assessment.models import AssessmentResult

    results = restrict(AssessmentResult.objects.select_related("scheme", "unit"), user)
    latest = results.order_by("-scheme__year").values_list("scheme_id", flat=True).first()
    if latest is not None:
        ranked = list(results.filter(scheme_id=latest).order_by("rank", "unit__code"))
        scheme = ranked[0].scheme
        if len(ranked) == 1:
            own = ranked[0]
            out.stats.append(
                Stat(
                    f"{scheme.year}年度考核得分（一票否决，排第{own.rank}名）"
                    if own.vetoed
                    else (
                        f"{scheme.year}年度考核得分（第{own.rank}名）"
                        if own.rank
                        else f"{scheme.year}年度考核得分"
                    ),
                    float(own.total),
                    reverse("assessment:result_detail", args=[own.pk]),
                    "red" if own.vetoed else "",
                    "分",
                    is_count=False,
                )
            )
            return
        out.charts.append(
            Chart(
                "assessment",
                f"{scheme.year}年度考核排名",
                "hbar",
                [f"{r.rank}. {r.unit.name}{'（否决）' if r.vetoed else ''}" for r in ranked],
                [
                    Series(
                        "得分",
                        [
                            Datum(
                                float(r.total),
                                reverse("assessment:result_detail", args=[r.pk]),
                                False,
                                r.get_grade_display(),
                                "#e53935" if r.vetoed else "",
                            )
                            for r in ranked
                        ],
                        "#3949ab",
                    )
                ],
                url=reverse("assessment:scheme_detail", args=[scheme.pk]),
                note="一票否决的单位（红色）不论得分排在最后" if any(r.vetoed for r in ranked) else "",
                unit="分",
            )
        )


# ---------------------------------------------------------------------------------------------
# Assembling and caching
# ---------------------------------------------------------------------------------------------


def _audience(scope: Scope, user: Any) -> tuple[str, str]:
    org = getattr(user, "org", None)
    name = getattr(org, "name", "") or "全区"
    if scope.sees_all:
        return "committee", "全区（孛井滩示范区）"
    if scope.is_enterprise:
        return "enterprise", name
    if getattr(org, "kind", "") == "town":
        return "town", f"{name}辖区企业"
    return "department", f"{name}牵头、监管的工作"


def build_overview(user: Any, today: dt.date | None = None) -> Overview:
    """Compute the overview of ``user`` (no cache)."""
    scope = scope_of(user)
    today = today or timezone.localdate()
    audience, label = _audience(scope, user)
    out = Overview(
        audience=audience, scope_label=label, as_of=timezone.localtime().strftime("%Y-%m-%d %H:%M")
    )
    _enterprise_charts(user, out)
    _expiry_chart(user, today, out)
    if scope.is_government:
        _plan_charts(user, today, out)
    out.map_layers = ""
    order = {"tasks": 0, "targets": 1, "compliance": 2, "compliance_quarter": 3, "assessment": 4, "expiry": 5}
    out.charts.sort(key=lambda c: order.get(c.key, 10))
    return out


def generation() -> int:
    """The overview cache generation (bumped whenever an input changes)."""
    value = cache.get(_GEN_KEY)
    if value is None:
        cache.add(_GEN_KEY, 1, timeout=None)
        value = cache.get(_GEN_KEY, 1)
    return int(value)


def invalidate() -> None:
    """Drop every cached overview."""
    try:
        cache.incr(_GEN_KEY)
    except ValueError:
        cache.set(_GEN_KEY, 2, timeout=None)


def _scope_key(scope: Scope) -> str:
    raw = f"{scope.role}|{scope.org_id}|{sorted(scope.unit_ids)}|{sorted(scope.enterprise_ids)}|{scope.is_superuser}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


def overview_for(user: Any) -> Overview:
    """The user's overview, cached per scope for :data:`CACHE_SECONDS`."""
    scope = scope_of(user)
    key = f"anjian:cockpit:{generation()}:{timezone.localdate().isoformat()}:{_scope_key(scope)}"
    cached = cache.get(key)
    if isinstance(cached, Overview):
        return cached
    result = build_overview(user)
    cache.set(key, result, CACHE_SECONDS)
    return result
