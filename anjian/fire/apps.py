from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireConfig(AppConfig):
    name = "anjian.fire"
    verbose_name = _("消防设施")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.fire.choices import FireEvent

        register_audit_events("fire", FireEvent)
