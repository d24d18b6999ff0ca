"""One lockout policy for every way in: the login page, the admin login and the API token endpoint.

All three call ``django.contrib.auth.authenticate``; :class:`LockoutBackend` (the project's only
authentication backend) refuses *before* checking the password when the account or the client address
has too many recent failures, so the right password does not get in during a lockout either. The refusal
is a ``ValidationError`` with a Chinese message and the time to wait: the login forms show it on the
form, the API answers it as a 400 in the error shape (``code: "login_locked"``).

Failed logins are audited (``AuditEvent.LOGIN_FAILED``, one row per failure, with the username tried and
the client address) and the policy counts those rows, so every server process and node shares the same
count without a cache. The client address is ``REMOTE_ADDR`` unless ``ANJIAN_TRUSTED_PROXIES`` (the number
of reverse proxies in front of the server) says how many ``X-Forwarded-For`` entries were added by
proxies we trust: a client cannot sidestep the limit with a made-up header.

Settings (environment variables of the same name): ``ANJIAN_LOGIN_MAX_FAILURES`` per account (default 5),
``ANJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS`` (default 20), ``ANJIAN_LOGIN_LOCKOUT_MINUTES`` (window and
lock time, default 15).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = ["LockoutBackend", "client_address", "lockout_remaining", "record_failure"]


def client_address(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or the ``X-Forwarded-For`` entry added by the outermost trusted proxy."""
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "ANJIAN_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()
    ]
    # Each trusted proxy appends the address it received the request from; entries further left were sent
    # by the client and may be forged.
    if len(forwarded) >= proxies:
        return forwarded[-proxies][:64]
    return remote


def _policy() -> tuple[int, int, dt.timedelta]:
    per_account = int(getattr(settings, "ANJIAN_LOGIN_MAX_FAILURES", 5))
    per_address = int(getattr(settings, "ANJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
    minutes = int(getattr(settings, "ANJIAN_LOGIN_LOCKOUT_MINUTES", 15))
    return per_account, per_address, dt.timedelta(minutes=minutes)


def _failures(**lookup: Any) -> Any:
    from anjian.core.choices import AuditEvent
    from anjian.core.models import AuditEntry

    _a, _b, window = _policy()
    return AuditEntry.objects.filter(
        event_type=AuditEvent.LOGIN_FAILED, time__gte=timezone.now() - window, **lookup
    ).order_by("-time")


def lockout_remaining(username: str, address: str) -> dt.timedelta | None:
    """How long the account or the address stays locked (``None`` when neither is)."""
    per_account, per_address, window = _policy()
    now = timezone.now()
    waits: list[dt.timedelta] = []
    if username:
        from anjian.orgs.models import User

        since = now - window
        last_login = User.objects.filter(username=username).values_list("last_login", flat=True).first()
        if last_login is not None and last_login > since:
            since = last_login  # a successful login starts the count afresh
        times = list(
            _failures(object_repr=username[:200])
            .filter(time__gt=since)
            .values_list("time", flat=True)[:per_account]
        )
        if len(times) >= per_account:
            waits.append(times[per_account - 1] + window - now)
    if address:
        times = list(_failures(related_id=address[:64]).values_list("time", flat=True)[:per_address])
        if len(times) >= per_address:
            waits.append(times[per_address - 1] + window - now)
    waits = [w for w in waits if w.total_seconds() > 0]
    return max(waits) if waits else None


def locked_message(wait: dt.timedelta) -> str:
    """The Chinese refusal with the time to wait (whole minutes, at least one)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return _("登录失败次数过多，已临时锁定，请 %(minutes)d 分钟后再试") % {"minutes": minutes}


def record_failure(username: str, request: Any) -> None:
    """Audit one failed login: the username tried (``object_repr``) and the client address (``related_id``)."""
    from anjian.core.choices import AuditEvent
    from anjian.core.middleware import current_request_id
    from anjian.core.models import AuditEntry
    from anjian.orgs.models import User

    user = User.objects.filter(username=username).first() if username else None
    address = client_address(request)
    path = getattr(request, "path", "")
    AuditEntry.objects.create(
        user=None,
        user_name=_("未登录"),
        request_id=current_request_id(),
        event_type=int(AuditEvent.LOGIN_FAILED),
        object_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk) if user is not None else "",
        object_repr=(username or "")[:200],
        related_id=address[:64],
        message=(_("登录失败：%(path)s，来源 %(address)s") % {"path": path, "address": address or "-"})[:500],
    )


class LockoutBackend(ModelBackend):
    """``ModelBackend`` behind the lockout policy: a locked account or address is refused before the password."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            from anjian.orgs.models import User

            username = kwargs.get(User.USERNAME_FIELD)
        wait = lockout_remaining(username or "", client_address(request))
        if wait is not None:
            raise ValidationError(locked_message(wait), code="login_locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username:
            record_failure(username, request)
        return user
