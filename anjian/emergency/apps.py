from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "anjian.emergency"
    verbose_name = _("应急管理")

    def ready(self) -> None:
        from anjian.core.calculators import register_calculator
        from anjian.core.choices import register_audit_events
        from anjian.emergency.calculators import ACCIDENT_GRADE
        from anjian.emergency.choices import EmergencyEvent

        register_calculator(ACCIDENT_GRADE)
        register_audit_events("emergency", EmergencyEvent)
