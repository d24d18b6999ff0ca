"""Pagination that counts a list only up to a cap (issue 8).

A department of a province sees hundreds of thousands of certificates; ``COUNT(*)`` over them (joined to the
scope's enterprises) costs more than the page itself. Past :data:`COUNT_CAP` rows a list says "10000+ 条" and
offers that many rows page by page — search and filters narrow it, as on any large register. The count query is
``SELECT COUNT(*) FROM (… LIMIT cap + 1)``: it stops at the cap.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from anjian.envconfig import env_int

__all__ = ["COUNT_CAP", "CappedPaginator"]

#: Rows counted at most (``ANJIAN_LIST_COUNT_CAP``).
COUNT_CAP = env_int("ANJIAN_LIST_COUNT_CAP", 10_000)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A ``Paginator`` whose ``count`` stops at :data:`COUNT_CAP`; ``capped`` tells whether there are more."""

    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        # Without its ORDER BY: the order does not change a count, and a sort would read every row.
        n = (
            int(object_list.order_by()[: self.cap + 1].count())
            if hasattr(object_list, "query")
            else len(object_list)
        )
        self.capped = n > self.cap
        return min(n, self.cap)

    @property
    def count_display(self) -> str:
        """The count as shown: "10000+" when capped."""
        n = self.count  # sets ``capped``
        return f"{n}+" if self.capped else str(n)
