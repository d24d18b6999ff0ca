"""Template context shared by every page: the sidebar filtered by role and installed URLs."""

from __future__ import annotations

from typing import Any, TypedDict

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from anjian.core.access import scope_of
from anjian.core.navigation import menu


class NavLink(TypedDict):
    """One sidebar link as the template reads it."""

    label: str
    url: str
    active: bool


class NavSection(TypedDict):
    """One sidebar section with the links this user may follow."""

    label: str
    icon: str
    links: list[NavLink]
    open: bool


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return ``nav``: sections with the links this user may follow, marking the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    scope = scope_of(user)
    sections: list[NavSection] = []
    for section in menu():
        links: list[NavLink] = []
        for item in section.items:
            if item.roles and not (scope.is_superuser or scope.role in item.roles):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            links.append({"label": item.label, "url": url, "active": False})
        if links:
            sections.append({"label": section.label, "icon": section.icon, "links": links, "open": False})
    # Only the link with the longest URL that the current path starts with is active (/enterprises/licences/
    # marks "许可证", not also "企业名录" at /enterprises/).
    matches = [
        link
        for s in sections
        for link in s["links"]
        if request.path == link["url"] or (link["url"] != "/" and request.path.startswith(link["url"]))
    ]
    if matches:
        max(matches, key=lambda link: len(link["url"]))["active"] = True
    # A department sees about seventy pages: the sidebar shows its sections folded, the work bench and the
    # section of the current page open (plain <details>, no script). A short sidebar stays unfolded.
    folded = sum(len(s["links"]) for s in sections) > FOLD_ABOVE
    for i, s in enumerate(sections):
        s["open"] = not folded or i == 0 or any(link["active"] for link in s["links"])
    return {"nav": sections, "scope": scope}


#: More links than this and the sidebar folds its sections.
FOLD_ABOVE = 24
