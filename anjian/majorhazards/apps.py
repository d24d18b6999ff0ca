from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorHazardsConfig(AppConfig):
    name = "anjian.majorhazards"
    verbose_name = _("重大危险源")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.majorhazards.choices import MajorHazardEvent

        register_audit_events("majorhazards", MajorHazardEvent)
