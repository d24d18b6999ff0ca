from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DangersConfig(AppConfig):
    name = "anjian.dangers"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.dangers.choices import DangerEvents

        register_audit_events("dangers", DangerEvents)
