from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "anjian.risks"
    verbose_name = _("风险分级管控")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.risks import calculators, map_layer, signals
        from anjian.risks.choices import RiskEvents
        from anjian.risks.tabs import risks_tab_context

        register_audit_events("risks", RiskEvents)
        calculators.register()
        map_layer.register()
        signals.connect()
        register_tab(EnterpriseTab("risks", "风险", "risks/_enterprise_tab.html", risks_tab_context))
        register_section(
            "risks",
            MenuSection(
                "风险分级管控",
                "🟧",
                (
                    MenuItem("安全风险清单", "risks:register"),
                    MenuItem("四色风险分布图", "risks:map"),
                    MenuItem("导入风险清单", "risks:import"),
                    MenuItem("风险分级设置", "risks:bands"),
                ),
            ),
            order=50,
        )
