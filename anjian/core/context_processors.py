"""Template context shared by every page: the sidebar filtered by role and installed URLs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from anjian.core.access import scope_of
from anjian.core.navigation import MENU


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return ``nav``: sections with the links this user may follow, marking the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    scope = scope_of(user)
    sections = []
    for section in MENU:
        links = []
        for item in section.items:
            if item.roles and not (scope.is_superuser or scope.role in item.roles):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            active = request.path == url or (url != "/" and request.path.startswith(url))
            links.append({"label": item.label, "url": url, "active": active})
        if links:
            sections.append({"label": section.label, "icon": section.icon, "links": links})
    return {"nav": sections, "scope": scope}
