from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "anjian.orgs"
    verbose_name = _("单位与用户")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_audit_login, dispatch_uid="anjian-audit-login")


def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Logins are security events: record who logged in, from where."""
    from anjian.core.audit import record
    from anjian.core.choices import AuditEvent

    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    record(AuditEvent.USER_LOGGED_IN, user, acting_user=user, message=f"登录 {address}".strip())
