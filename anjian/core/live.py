"""Live values on pages: a number or a small fragment that updates without a reload (to-do count, alarm
console, gate headcount).

A module registers a value once — ``register_live("todos.count", lambda request: str(n), every=10)`` —
and a template shows it with ``{% load live %}{% live "todos.count" %}``: the value is rendered with the
page and then polled by htmx from ``/core/live/<key>/``. The render function receives the request, so the
value is computed for (and scoped to) the logged-in user like any page; it returns HTML-safe text (use
``django.utils.html.escape`` or ``render_to_string``).

Why polling rather than server-sent events: it is plain short HTTP GETs, so it works the same under
``runserver`` (``make demo``), gunicorn/uwsgi workers and any reverse proxy, holds no connection or worker
open per viewer, and is scoped by the normal session. Polling stops while the tab is hidden, and a
logged-out poll answers htmx's "stop polling" status (286; any other logged-out request goes to the login page). The interval is per value (seconds), and
``ANJIAN_LIVE_POLL_SECONDS`` overrides them all (tests use 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["LiveValue", "live_response", "live_values", "poll_seconds", "register_live"]


@dataclass(frozen=True)
class LiveValue:
    """A value a page shows live: ``render(request)`` returns safe HTML text."""

    key: str
    render: Callable[[HttpRequest], str]
    every: int = 10
    label: str = ""


_LIVE: dict[str, LiveValue] = {}

#: htmx stops polling an element when a response has this status.
STOP_POLLING = 286


def register_live(
    key: str, render: Callable[[HttpRequest], str], *, every: int = 10, label: str = ""
) -> LiveValue:
    """Register (or replace) live value ``key``; ``every`` is the poll interval in seconds (at least 1)."""
    value = LiveValue(key, render, max(1, int(every)), label)
    _LIVE[key] = value
    return value


def live_values() -> dict[str, LiveValue]:
    return dict(_LIVE)


def poll_seconds(value: LiveValue) -> int:
    override = getattr(settings, "ANJIAN_LIVE_POLL_SECONDS", None)
    return int(override) if override else value.every


def live_response(request: HttpRequest, key: str) -> HttpResponse:
    """The current value of ``key`` for the request's user (404 for an unknown key)."""
    from django.http import Http404

    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponse("", status=STOP_POLLING)
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    value = _LIVE.get(key)
    if value is None:
        raise Http404
    response = HttpResponse(value.render(request), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
