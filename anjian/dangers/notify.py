"""Notifications of 隐患排查治理 — kept in one small function until ``core.notifications`` lands on main.

``send(recipients, title=..., body=..., target=...)`` is deferred to ``transaction.on_commit`` by the
actions. Until the core inbox exists, messages go to the ``anjian.dangers.notify`` logger and to
``OUTBOX`` (read by tests).
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["OUTBOX", "send"]

logger = logging.getLogger(__name__)

#: Messages sent in this process (tests read and clear it).
OUTBOX: list[dict[str, Any]] = []


def send(recipients: list[Any], *, title: str, body: str, target: Any = None, why: str = "") -> None:
    """Tell ``recipients`` (users or org units) about ``target``."""
    try:
        from anjian.core import notifications  # type: ignore[attr-defined]
    except ImportError:
        notifications = None
    if notifications is not None and hasattr(notifications, "notify"):
        notifications.notify(
            recipients, title=title, body=body, why=why or title, target=target, kind="dangers"
        )
    names = [str(r) for r in recipients]
    OUTBOX.append({"recipients": names, "title": title, "body": body, "target": target, "why": why})
    logger.info("notify %s: %s — %s", "、".join(names), title, body)
