"""Constants of the plans app: the indicator → live-metric mapping used when a plan is imported."""

from __future__ import annotations

import re

__all__ = ["DEFAULT_PLAN_CODE", "METRIC_BINDINGS", "SEED_PLAN_FILE", "metric_key_for"]

DEFAULT_PLAN_CODE = "safety-plan-2021-2025"
SEED_PLAN_FILE = "safety-plan-2021-2025.txt"

# Indicator wording (a regular expression searched in the parsed indicator) → metric key. The metrics
# are registered by the enterprises and people modules; until they are, the target says "尚未接入指标".
METRIC_BINDINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"规模以上企业安全生产标准化达标率"), "standardization.above_scale_rate"),
    (re.compile(r"小微企业规范化达标率"), "standardization.small_rate"),
    (re.compile(r"二级安全标准化企业数量"), "standardization.level2_added"),
    (re.compile(r"三类人员持证上岗率"), "people.three_types_certified_rate"),
    (re.compile(r"具有.*学历和实践经验.*执法人员"), "people.enforcement_qualified_rate"),
    (re.compile(r"专题业务培训覆盖率"), "people.special_training_coverage"),
    (re.compile(r"可燃和有毒气体检测报警.*有效投用率"), "monitoring.effective_use_rate"),
)


def metric_key_for(indicator: str) -> str:
    """The metric key a target with this indicator binds to on import, or "" when none is known."""
    for pattern, key in METRIC_BINDINGS:
        if pattern.search(indicator):
            return key
    return ""
