"""Home-page to-dos of the people register: certificates expired or expiring within 30 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.orgs.choices import Role
from anjian.people.models import Certificate

__all__ = ["TODO_ROLES", "TODO_WINDOW_DAYS", "certificate_todos"]

#: Enterprise users keep their own staff's certificates valid; supervising departments follow them up.
TODO_ROLES = frozenset({Role.ENTERPRISE, Role.DEPARTMENT})
TODO_WINDOW_DAYS = 30


def certificate_todos(user: Any) -> list[TodoItem]:
    """Expired and soon-expiring certificates among the people ``user`` may see."""
    scope = scope_of(user)
    if scope.role not in TODO_ROLES:
        return []
    today = timezone.localdate()
    certs = restrict(Certificate.objects.of_active_people().current(), user)
    # One query over the expiry index range (superseded certificates are flagged, not searched for).
    row = (
        certs.filter(expires_on__lte=today + dt.timedelta(days=TODO_WINDOW_DAYS))
        .order_by()
        .aggregate(
            expired=models.Count("pk", filter=models.Q(expires_on__lt=today)),
            expiring=models.Count("pk", filter=models.Q(expires_on__gte=today)),
        )
    )
    expired, expiring = int(row["expired"] or 0), int(row["expiring"] or 0)
    url = reverse("people:expiring")
    items: list[TodoItem] = []
    if expired:
        items.append(
            TodoItem(
                module=_("人员证书"),
                title=_("%(n)d 本证书已过期") % {"n": expired},
                detail=(
                    _("本单位在岗人员持过期证书，请尽快安排复审或换证")
                    if scope.is_enterprise
                    else _("在岗人员持过期证书，请督促复审或换证")
                ),
                url=f"{url}?tab=expired",
                level="danger",
                count=expired,
            )
        )
    if expiring:
        items.append(
            TodoItem(
                module=_("人员证书"),
                title=_("%(n)d 本证书将在%(days)d天内到期") % {"n": expiring, "days": TODO_WINDOW_DAYS},
                detail=_("请提前安排复审或换证"),
                url=f"{url}?tab=30",
                level="warning",
                count=expiring,
            )
        )
    return items
