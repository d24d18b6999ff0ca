"""Notifications: an in-app inbox per user, and outbound channels (SMS, WeCom, e-mail) behind one interface.

``notify(recipients, title=…, why=…, target=obj)`` writes one ``Notification`` per user — recipients may be
users, user ids, or org units (a unit means its active users; a group unit means its members' users) —
and, after the surrounding transaction commits, hands each to the configured channels. The default
channel writes a line to the ``anjian.notifications`` log; a deployment lists its own classes in
``ANJIAN_NOTIFICATION_CHANNELS`` (each has ``send(notification)``).

``dedupe_key`` makes a notification idempotent per user (a job that runs every hour tells a user about
an overdue report once, not every hour).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from anjian.core.models import Notification

__all__ = [
    "Channel",
    "LogChannel",
    "mark_all_read",
    "mark_read",
    "notify",
    "resolve_recipients",
    "unread_count",
    "unread_count_html",
]

log = logging.getLogger("anjian.notifications")


class Channel(Protocol):
    """An outbound channel: deliver one notification (best effort; failures are logged, never raised)."""

    def send(self, notification: Notification) -> None: ...


class LogChannel:
    """The default channel: one log line per notification (the place to plug SMS or WeCom)."""

    def send(self, notification: Notification) -> None:
        log.info(
            "notify user=%s title=%s why=%s url=%s",
            notification.recipient_id,
            notification.title,
            notification.why,
            notification.url,
        )


def channels() -> list[Channel]:
    paths = getattr(settings, "ANJIAN_NOTIFICATION_CHANNELS", ["anjian.core.notifications.LogChannel"])
    return [import_string(p)() for p in paths]


def resolve_recipients(recipients: Iterable[Any] | Any) -> list[Any]:
    """Users named by ``recipients`` (users, user ids, org units; groups expand to their members), once each,
    active users only, in id order."""
    from anjian.orgs.models import OrgUnit, User

    if isinstance(recipients, models.Model | int):
        recipients = [recipients]
    user_ids: set[int] = set()
    unit_ids: set[int] = set()
    for r in recipients:
        if isinstance(r, OrgUnit):
            unit_ids.add(r.pk)
            if r.is_group:
                unit_ids.update(r.members.values_list("id", flat=True))
        elif isinstance(r, User):
            user_ids.add(r.pk)
        elif isinstance(r, int):
            user_ids.add(r)
        elif r is None:
            continue
        else:
            raise TypeError(f"cannot notify {r!r}")
    q = models.Q(pk__in=user_ids) | models.Q(org_id__in=unit_ids)
    return list(User.objects.filter(q, is_active=True).order_by("id"))


def _url_of(target: models.Model | None) -> str:
    if target is None:
        return ""
    getter = getattr(target, "get_absolute_url", None)
    try:
        return str(getter()) if getter else ""
    except Exception:
        return ""


def notify(
    recipients: Iterable[Any] | Any,
    *,
    title: str,
    why: str,
    body: str = "",
    target: models.Model | None = None,
    kind: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Send a notification to every user of ``recipients``; return the ones written (deduplicated).

    ``why`` says in Chinese why this user receives it ("您是该隐患的整改责任人"); ``target`` is the object
    it links to.
    """
    users = resolve_recipients(recipients)
    if not users:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    link = url or _url_of(target)
    if dedupe_key:
        seen = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in seen]
    rows = [
        Notification(
            recipient=u,
            kind=kind[:40],
            title=title[:200],
            body=body,
            why=why[:200],
            target_type=target_type,
            target_id=str(target.pk) if target is not None else "",
            url=link[:500],
            dedupe_key=dedupe_key[:200],
        )
        for u in users
    ]
    written: list[Notification] = []
    for row in rows:
        # One by one inside a savepoint, so a concurrent duplicate (the unique key) skips only that user.
        try:
            with transaction.atomic():
                row.save()
            written.append(row)
        except IntegrityError:
            continue
    if written:
        transaction.on_commit(lambda: _deliver(written))
    return written


def _deliver(rows: list[Notification]) -> None:
    for channel in channels():
        for row in rows:
            try:
                channel.send(row)
            except Exception:
                log.exception("notification channel %s failed for %s", type(channel).__name__, row.pk)


def unread_count(user: Any) -> int:
    """How many unread notifications ``user`` has."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def unread_count_html(request: Any) -> str:
    """The header's unread badge (empty when there is nothing unread), for the live poll."""
    n = unread_count(request.user)
    return f'<span class="badge badge-danger unread-count">{n}</span>' if n else ""


def mark_read(notification: Notification) -> Notification:
    """Mark one notification read (the caller fetched it through the access layer)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of ``user`` read; return how many."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
