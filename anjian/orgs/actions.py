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

__all__ = ["do_create_user"]


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
