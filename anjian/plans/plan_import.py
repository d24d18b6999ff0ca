"""Compare a parsed plan text with the stored plan: what an import would add, remove and change.

Read-only; :func:`anjian.plans.actions.do_import_plan` applies a :class:`PlanImport` prepared here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from anjian.domain.org_names import UnitRegistry
from anjian.domain.plan_text import ParsedPlan, ParsedTask, parse_plan
from anjian.plans.choices import Comparator, TaskRole
from anjian.plans.models import Plan, PlanTask

__all__ = [
    "PlanDiff",
    "PlanImport",
    "TargetSpec",
    "TaskChange",
    "TaskSpec",
    "period_from_title",
    "prepare_import",
]

_ROLE_FIELDS = (
    (TaskRole.LEAD, "lead_units"),
    (TaskRole.COOPERATING, "cooperating_units"),
    (TaskRole.RESPONSIBLE, "responsible_units"),
)


@dataclass(frozen=True)
class TargetSpec:
    """A target as compared between text and database."""

    indicator: str
    comparator: str
    value: Decimal
    unit: str
    deadline: dt.date | None
    source: str = field(default="", compare=False)

    def describe(self) -> str:
        """ "规模以上企业安全生产标准化达标率 不低于100%（2025-12-31）"."""
        value = format(self.value.normalize(), "f")
        deadline = self.deadline.isoformat() if self.deadline else "无期限"
        return f"{self.indicator} {Comparator(self.comparator).label}{value}{self.unit}（{deadline}）"


@dataclass(frozen=True)
class TaskSpec:
    """A task as compared between text and database; ``units`` are ``(role, unit name)`` in plan order."""

    code: str
    chapter: str
    chapter_title: str
    section: int
    position: int
    title: str
    text: str
    units: tuple[tuple[str, str], ...]
    targets: tuple[TargetSpec, ...]

    def names(self, role: str) -> list[str]:
        return [name for r, name in self.units if r == role]


def _value(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def spec_from_parsed(task: ParsedTask, position: int) -> TaskSpec:
    """A parsed task as a :class:`TaskSpec`."""
    units = tuple((role, name) for role, attr in _ROLE_FIELDS for name in getattr(task, attr))
    targets = tuple(
        TargetSpec(t.indicator, t.comparator, _value(t.value), t.unit, t.deadline, t.source)
        for t in task.targets
    )
    return TaskSpec(
        task.code,
        task.chapter,
        task.chapter_title,
        task.section,
        position,
        task.title,
        task.text,
        units,
        targets,
    )


def spec_from_db(task: PlanTask) -> TaskSpec:
    """A stored task as a :class:`TaskSpec` (prefetch ``units__unit`` and ``targets``)."""
    order: dict[str, int] = {role: i for i, (role, _attr) in enumerate(_ROLE_FIELDS)}
    units = tuple(
        (tu.role, tu.unit.name)
        for tu in sorted(task.units.all(), key=lambda tu: (order.get(tu.role, 9), tu.position, tu.pk))
    )
    targets = tuple(
        TargetSpec(t.indicator, t.comparator, _value(t.value), t.unit, t.deadline, t.source)
        for t in task.targets.all()
    )
    return TaskSpec(
        task.code,
        task.chapter,
        task.chapter_title,
        task.section,
        task.position,
        task.title,
        task.text,
        units,
        targets,
    )


@dataclass
class TaskChange:
    """A task present before and after, with a Chinese line per changed aspect."""

    code: str
    title: str
    changes: list[str]


def _compare(old: TaskSpec, new: TaskSpec) -> list[str]:
    lines: list[str] = []
    if old.title != new.title:
        lines.append(f"标题：“{old.title}” → “{new.title}”")
    if (old.chapter, old.chapter_title, old.section) != (new.chapter, new.chapter_title, new.section):
        lines.append(f"章节：{old.chapter}、{old.chapter_title} → {new.chapter}、{new.chapter_title}")
    if old.text != new.text:
        lines.append(f"正文已修改（{len(old.text)} → {len(new.text)} 字）")
    for role, _attr in _ROLE_FIELDS:
        before, after = old.names(role), new.names(role)
        if before != after:
            added = [n for n in after if n not in before]
            removed = [n for n in before if n not in after]
            parts = [f"+{n}" for n in added] + [f"−{n}" for n in removed]
            lines.append(f"{TaskRole(role).label}：{' '.join(parts) or '顺序调整'}")
    if old.targets != new.targets:
        added_t = [t for t in new.targets if t not in old.targets]
        removed_t = [t for t in old.targets if t not in new.targets]
        parts = [f"+{t.describe()}" for t in added_t] + [f"−{t.describe()}" for t in removed_t]
        lines.append(f"指标：{'；'.join(parts) or '顺序调整'}")
    return lines


@dataclass
class PlanDiff:
    """What importing a text would do to the stored plan."""

    is_new: bool
    same_source: bool
    title_change: tuple[str, str] | None = None
    added: list[TaskSpec] = field(default_factory=list)
    removed: list[TaskSpec] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    reports_on_removed: int = 0

    @property
    def has_task_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.title_change)

    def lines(self) -> list[str]:
        """The diff in Chinese, one line per task."""
        out: list[str] = []
        if self.title_change:
            out.append(f"~ 标题：“{self.title_change[0]}” → “{self.title_change[1]}”")
        out += [f"+ 新增任务 {t.code} {t.title}" for t in self.added]
        out += [f"- 删除任务 {t.code} {t.title}" for t in self.removed]
        if self.reports_on_removed:
            out.append(f"  注意：删除的任务已有 {self.reports_on_removed} 份进展报告，将一并删除。")
        for change in self.changed:
            out.append(f"~ 修改任务 {change.code} {change.title}")
            out += [f"    {line}" for line in change.changes]
        return out

    def as_dict(self) -> dict[str, Any]:
        """Summary for the audit row and ``--json``."""
        return {
            "added": [t.code for t in self.added],
            "removed": [t.code for t in self.removed],
            "changed": {c.code: c.changes for c in self.changed},
            "title": list(self.title_change) if self.title_change else None,
        }


@dataclass
class PlanImport:
    """A parsed text ready to import: the plan it updates (if any) and the diff."""

    code: str
    text: str
    sha256: str
    period_start: dt.date
    period_end: dt.date
    parsed: ParsedPlan
    specs: list[TaskSpec]
    plan: Plan | None
    diff: PlanDiff

    @property
    def unchanged(self) -> bool:
        """Importing would change nothing (same text, or the same tasks and the same source)."""
        return self.plan is not None and self.diff.same_source and not self.diff.has_task_changes


_PERIOD_RE = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)")
_FIVE_YEAR = {"十四五": (2021, 2025), "十五五": (2026, 2030), "十三五": (2016, 2020)}


def period_from_title(*candidates: str) -> tuple[dt.date, dt.date] | None:
    """The plan period from its title or file name ("十四五" → 2021–2025, "2021-2025" → 2021–2025)."""
    for text in candidates:
        for word, (start, end) in _FIVE_YEAR.items():
            if word in text:
                return dt.date(start, 1, 1), dt.date(end, 12, 31)
        match = _PERIOD_RE.search(text)
        if match:
            return dt.date(int(match[1]), 1, 1), dt.date(int(match[2]), 12, 31)
    return None


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_specs(plan: Plan) -> list[TaskSpec]:
    tasks = plan.tasks.prefetch_related("units__unit", "targets")
    return [spec_from_db(t) for t in tasks]


def prepare_import(
    text: str,
    registry: UnitRegistry,
    *,
    code: str,
    period: tuple[dt.date, dt.date] | None = None,
    hint: str = "",
) -> PlanImport:
    """Parse ``text`` and compare it with the stored plan ``code``; raises ``ValueError`` if no period is known."""
    from anjian.plans.models import ProgressReport

    sha = sha256_of(text)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    period = period or period_from_title(first_line, hint)
    if period is None:
        raise ValueError("无法从标题识别规划期，请用 --start 和 --end 指定")
    parsed = parse_plan(text, registry, plan_end=period[1])
    specs = [spec_from_parsed(t, i) for i, t in enumerate(parsed.tasks, start=1)]
    # The same text under another file name is the same plan, not a second one.
    plan = Plan.objects.filter(code=code).first() or Plan.objects.filter(source_sha256=sha).first()
    if plan is not None:
        code = plan.code
    if plan is None:
        diff = PlanDiff(is_new=True, same_source=False, added=specs)
        return PlanImport(code, text, sha, period[0], period[1], parsed, specs, None, diff)
    old = {s.code: s for s in _stored_specs(plan)}
    new = {s.code: s for s in specs}
    diff = PlanDiff(is_new=False, same_source=plan.source_sha256 == sha)
    if plan.title != parsed.title:
        diff.title_change = (plan.title, parsed.title)
    diff.added = [s for c, s in new.items() if c not in old]
    diff.removed = [s for c, s in old.items() if c not in new]
    for c, spec in new.items():
        if c in old:
            changes = _compare(old[c], spec)
            if changes:
                diff.changed.append(TaskChange(c, spec.title, changes))
            elif old[c].position != spec.position:
                diff.changed.append(TaskChange(c, spec.title, ["顺序调整"]))
    if diff.removed:
        diff.reports_on_removed = ProgressReport.objects.filter(
            task__plan=plan, task__code__in=[s.code for s in diff.removed]
        ).count()
    return PlanImport(code, text, sha, period[0], period[1], parsed, specs, plan, diff)
