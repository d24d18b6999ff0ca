"""``{% live "key" %}``: a value rendered now and refreshed by htmx polling (see ``anjian.core.live``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from anjian.core.live import live_values, poll_seconds

register = template.Library()


@register.simple_tag(takes_context=True)
def live(context: Any, key: str, css: str = "") -> SafeString:
    """A ``<span>`` with the current value of ``key``, polled every few seconds while the tab is visible."""
    value = live_values().get(key)
    request = context.get("request")
    if value is None or request is None:
        return mark_safe("")
    # No htmx filter expression ("[document.visibilityState…]"): htmx evaluates it with eval, which the CSP
    # refuses. app.js cancels a poll while the tab is hidden instead.
    trigger = f"every {poll_seconds(value)}s"
    return format_html(
        '<span class="live {}" data-live="{}" hx-get="{}" hx-trigger="{}" hx-swap="innerHTML">{}</span>',
        css,
        key,
        reverse("core:live", args=[key]),
        trigger,
        mark_safe(value.render(request)),
    )
