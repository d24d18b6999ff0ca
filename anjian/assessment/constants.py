"""Defaults of a new assessment scheme, and limits the committee office works within."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["ASSESSED_KINDS", "DEFAULT_RULES", "DEFAULT_VETOES", "MAX_ADJUSTMENT"]

# Unit kinds that are assessed: departments and towns (not groups, the committee or companies).
ASSESSED_KINDS = ("department", "town")

# A new scheme starts with these (kind, title, points, params); 100 points in all.
DEFAULT_RULES: tuple[tuple[str, str, Decimal, dict[str, Any]], ...] = (
    ("reports_on_time", "季度进展报告按时报送", Decimal(40), {"late_factor": "0.5"}),
    ("targets_on_track", "牵头指标进度", Decimal(40), {}),
    ("notices_answered", "督办通知按期回复", Decimal(20), {"late_factor": "0"}),
)

# (kind, title, params)
DEFAULT_VETOES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("accident_at_least", "辖区发生较大及以上生产安全事故", {"grade": "较大"}),
    ("notice_ignored", "督办通知到期未签收", {"count": 1}),
)

# The most points one manual adjustment may add or take off.
MAX_ADJUSTMENT = Decimal(20)
