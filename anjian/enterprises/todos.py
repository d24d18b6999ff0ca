"""Home-page to-dos of the enterprise registry: licences and standardisation reviews that need action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.enterprises.models import Licence, Standardization

__all__ = ["enterprise_todos"]

#: Licences ending within this many days are listed as a to-do (the pages offer 30/60/90).
TODO_LICENCE_DAYS = 30
#: Re-reviews due within this many days are listed.
TODO_REVIEW_DAYS = 90


def enterprise_todos(user: Any) -> list[TodoItem]:
    """Expired/expiring licences and due re-reviews of the enterprises ``user`` supervises (or owns)."""
    scope = scope_of(user)
    if scope.is_commander or not (scope.is_government or scope.is_enterprise):
        return []
    # Departments act on what they supervise (change scope); enterprise users on their own enterprise.
    action = "view" if scope.is_enterprise else "change"
    today = timezone.localdate()
    licences = restrict(
        Licence.objects.filter(enterprise__status__in=["operating", "suspended"]), user, action
    )
    items: list[TodoItem] = []
    expired = licences.filter(valid_until__lt=today).count()
    if expired:
        items.append(
            TodoItem(
                module="企业档案",
                title="许可证已过期",
                level="danger",
                count=expired,
                detail=(
                    f"{expired} 个许可证已过有效期，请尽快办理延续；延续前不得从事相关经营活动"
                    if scope.is_enterprise
                    else f"{expired} 个许可证已过有效期，请督促企业办理延续或停止相关经营活动"
                ),
                url=reverse("enterprises:licence_list") + "?state=expired",
            )
        )
    expiring = licences.filter(
        valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=TODO_LICENCE_DAYS)
    ).count()
    if expiring:
        items.append(
            TodoItem(
                module="企业档案",
                title="许可证即将到期",
                level="warning",
                count=expiring,
                detail=f"{expiring} 个许可证将在 {TODO_LICENCE_DAYS} 天内到期",
                url=reverse("enterprises:licence_list") + f"?state=expiring&days={TODO_LICENCE_DAYS}",
            )
        )
    gradings = restrict(Standardization.objects.filter(is_current=True), user, action)
    overdue = gradings.filter(review_due__lt=today).count()
    if overdue:
        items.append(
            TodoItem(
                module="企业档案",
                title="标准化复评已逾期",
                level="danger",
                count=overdue,
                detail=f"{overdue} 家企业的安全生产标准化已超过三年复评期限",
                url=reverse("enterprises:standardization_list") + "?review=overdue",
            )
        )
    due = gradings.filter(
        review_due__gte=today, review_due__lte=today + dt.timedelta(days=TODO_REVIEW_DAYS)
    ).count()
    if due:
        items.append(
            TodoItem(
                module="企业档案",
                title="标准化即将复评",
                level="info",
                count=due,
                detail=f"{due} 家企业的安全生产标准化将在 {TODO_REVIEW_DAYS} 天内到复评期限",
                url=reverse("enterprises:standardization_list") + "?review=due",
            )
        )
    return items
