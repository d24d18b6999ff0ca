"""三个必须: which department supervises an enterprise follows from its industry.

"管行业必须管安全、管业务必须管安全、管生产经营必须管安全" (the plan, chapter 一（二）, citing the
Work Safety Law art. 10). The zone keeps the industry → department table as data (editable by the
committee office); this module only applies it, so the rule stays testable without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["FALLBACK_INDUSTRY", "supervising_unit_for"]

T = TypeVar("T")

#: The table row used for an industry that has no row of its own (综合监管: 应急管理局 in the seed).
FALLBACK_INDUSTRY = "other"


def supervising_unit_for(industry: str, table: Mapping[str, T]) -> T | None:
    """Return the department for ``industry`` from ``table`` (industry → unit).

    An industry without a row falls back to the ``"other"`` row (the comprehensive supervisor);
    ``None`` when neither exists.
    """
    if industry in table:
        return table[industry]
    return table.get(FALLBACK_INDUSTRY)
