from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "anjian.risks"
    verbose_name = _("风险分级管控")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.risks.choices import RiskEvents

        register_audit_events("risks", RiskEvents)

        from anjian.risks import calculators

        calculators.register()
