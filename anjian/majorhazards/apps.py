from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorHazardsConfig(AppConfig):
    name = "anjian.majorhazards"
    verbose_name = _("重大危险源")

    def ready(self) -> None:
        from anjian.core.calculators import register_calculator
        from anjian.core.choices import register_audit_events
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.core.todos import register
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.majorhazards import (  # noqa: F401  (majorhazards.* metrics; status table)
            metrics,
            workflows,
        )
        from anjian.majorhazards.calculator import CALCULATOR
        from anjian.majorhazards.choices import MajorHazardEvent
        from anjian.majorhazards.jobs import register as register_job
        from anjian.majorhazards.map_layer import register as register_map_layer
        from anjian.majorhazards.tabs import enterprise_tab_context
        from anjian.majorhazards.todos import gap_todos
        from anjian.orgs.choices import GOVERNMENT_ROLES, REGISTER_ROLES, Role

        register_audit_events("majorhazards", MajorHazardEvent)
        register_map_layer()
        register_job()
        register_calculator(CALCULATOR)
        register(gap_todos)
        register_tab(
            EnterpriseTab(
                "majorhazards", "重大危险源", "majorhazards/_enterprise_tab.html", enterprise_tab_context
            )
        )
        register_section(
            "majorhazards",
            MenuSection(
                "重大危险源",
                "⚠",
                (
                    MenuItem("重大危险源", "majorhazards:installation_list"),
                    MenuItem("分布图", "majorhazards:map"),
                    MenuItem(
                        "包保履职检查",
                        "majorhazards:my_checks",
                        REGISTER_ROLES,
                    ),
                    MenuItem("包保缺口", "majorhazards:gap_list"),
                    MenuItem(
                        "备案与安全评估", "majorhazards:assessment_list", GOVERNMENT_ROLES | {Role.ENTERPRISE}
                    ),
                    MenuItem("辨识计算器", "majorhazards:calculator"),
                ),
            ),
            order=45,
        )
