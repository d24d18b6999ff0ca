"""``{% import_rejects_link report %}``: the rejected rows of the file just imported, as an Excel download.

See ``anjian.core.rejects``. Used by ``includes/import_report.html``, so every import page has it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from anjian.core.rejects import rejects_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def import_rejects_link(context: Any, report: Any, sheet_title: str = "") -> SafeString:
    """A download button for the rejected rows with their reasons (nothing when no data row was rejected)."""
    request = context.get("request")
    if request is None or request.method != "POST":
        return mark_safe("")
    token = rejects_for_request(request, report, sheet_title=sheet_title or None)
    if token is None:
        return mark_safe("")
    return format_html(
        '<p class="rejects"><a class="btn" href="{}" download>下载被拒绝的行（Excel，含拒绝原因）</a>'
        '<span class="muted">改正后可直接重新导入</span></p>',
        reverse("core:import_rejects", args=[token]),
    )
