from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "anjian.cockpit"
    verbose_name = _("驾驶舱")

    def ready(self) -> None:
        from anjian.cockpit import signals

        signals.connect()
