"""API tokens that expire and die with the password.

* :class:`ExpiringTokenAuthentication` refuses a token older than ``ANJIAN_TOKEN_TTL_HOURS`` (default 30
  days; 0 = never) with a Chinese 401-style answer; the holder asks for a new one at ``/api/v1/auth/token/``.
* :func:`revoke_on_credential_change` (connected in ``CoreConfig.ready``) deletes a user's tokens when their
  password changes or the account is deactivated, so a leaked token does not outlive the credentials.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

__all__ = ["ExpiringTokenAuthentication", "revoke_on_credential_change"]


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …`` with an expiry."""

    def authenticate_credentials(self, key: str) -> Any:
        user, token = super().authenticate_credentials(key)
        hours = int(getattr(settings, "ANJIAN_TOKEN_TTL_HOURS", 0))
        if hours > 0 and token.created < timezone.now() - dt.timedelta(hours=hours):
            token.delete()
            raise exceptions.AuthenticationFailed(_("接口令牌已过期，请重新获取"), code="token_expired")
        return user, token


def revoke_on_credential_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_save`` of the user model: a changed password or a deactivation deletes the user's tokens."""
    if instance.pk is None or kwargs.get("raw"):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    if stored["password"] != instance.password or (stored["is_active"] and not instance.is_active):
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user_id=instance.pk).delete()
