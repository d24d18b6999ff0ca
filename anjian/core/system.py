"""The named system user that the CLI, scheduled jobs and seed data act as, so their changes are audited
under a name ("系统") rather than as nobody.

It cannot log in (inactive, no usable password); its role is 系统管理员, so the access layer lets it do
what the committee office may. A person running a command may name themselves with ``--user``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SYSTEM_USERNAME", "acting_user_for_cli", "system_user"]

SYSTEM_USERNAME = "system"


def system_user() -> Any:
    """The system user (created on first use)."""
    from anjian.orgs.choices import Role
    from anjian.orgs.models import User

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, last_name="系统", role=Role.ADMIN, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def acting_user_for_cli(username: str | None) -> Any:
    """The user a command acts as: the named one (``--user``), else the system user.

    Raises ``LookupError`` for an unknown name.
    """
    if not username:
        return system_user()
    from anjian.orgs.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise LookupError(username)
    return user
