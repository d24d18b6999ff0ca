"""Extra tabs of the 一企一档 page, contributed by later modules (risks, dangers, installations, monitoring).

A module registers a tab in its ``AppConfig.ready``::

    from anjian.enterprises.tabs import EnterpriseTab, register_tab
    register_tab(EnterpriseTab("risks", "风险分级管控", "risks/_enterprise_tab.html", risks_tab_context))

``context(enterprise, user)`` returns the template's context (already scoped to ``user``); the tab is
rendered with ``{% include template %}`` between the built-in tabs and 变更记录.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["EnterpriseTab", "extra_tabs", "register_tab"]


@dataclass(frozen=True)
class EnterpriseTab:
    """One tab: URL key, Chinese label, template, and a context function."""

    key: str
    label: str
    template: str
    context: Callable[[Any, Any], dict[str, Any]]


_TABS: dict[str, EnterpriseTab] = {}


def register_tab(tab: EnterpriseTab) -> EnterpriseTab:
    """Add (or replace) a tab; registering twice is harmless."""
    _TABS[tab.key] = tab
    return tab


def extra_tabs() -> list[EnterpriseTab]:
    """Registered tabs in registration order."""
    return list(_TABS.values())
