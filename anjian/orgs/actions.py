"""State changes of organisation units and users (the only code that writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.orgs.choices import Role
from anjian.orgs.models import OrgUnit, User

__all__ = ["do_create_user", "do_issue_api_token", "do_revoke_api_token"]


@transaction.atomic
def do_create_user(
    username: str,
    *,
    org: OrgUnit | None,
    role: str,
    password: str | None,
    name: str = "",
    acting_user: Any = None,
    reason: str = "",
) -> User:
    """Create a login for ``org`` with ``role``; the password may be ``None`` for an unusable one."""
    user = User(username=username, org=org, role=role, last_name=name[:1], first_name=name[1:])
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.full_clean(exclude=["password"])
    if password:
        # The configured AUTH_PASSWORD_VALIDATORS apply wherever a password is set (page, API, CLI).
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(AuditEvent.USER_CREATED, user, acting_user=acting_user, after=snapshot(user), reason=reason)
    return user


@transaction.atomic
def do_issue_api_token(user: User) -> str:
    """The user's API token, issued (and audited, by the user) when they have none yet."""
    from rest_framework.authtoken.models import Token

    token, created = Token.objects.get_or_create(user=user)
    if created:
        record(AuditEvent.API_TOKEN_ISSUED, user, acting_user=user, message="签发接口令牌")
    return str(token.key)


@transaction.atomic
def do_revoke_api_token(user: User) -> bool:
    """Revoke the user's API token (audited when there was one); True when one was revoked."""
    from rest_framework.authtoken.models import Token

    deleted, _count = Token.objects.filter(user=user).delete()
    if deleted:
        record(AuditEvent.API_TOKEN_REVOKED, user, acting_user=user, message="吊销接口令牌")
    return bool(deleted)
