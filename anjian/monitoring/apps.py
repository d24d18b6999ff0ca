from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "anjian.monitoring"
    verbose_name = _("监测预警")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.monitoring import (  # noqa: F401  (monitoring.* metrics; the alarm table)
            metrics,
            workflows,
        )
        from anjian.monitoring.choices import MonitoringEvent
        from anjian.monitoring.views import enterprise_tab_context
        from anjian.orgs.choices import ZONE_WIDE_ROLES

        register_audit_events("monitoring", MonitoringEvent)
        register_section(
            "monitoring",
            MenuSection(
                "监测预警",
                "📈",
                (
                    MenuItem("监测总览", "monitoring:overview"),
                    MenuItem("报警台", "monitoring:console"),
                    MenuItem("报警记录", "monitoring:alarm_list"),
                    MenuItem("监测点", "monitoring:point_list"),
                    MenuItem("报警质量", "monitoring:quality"),
                    MenuItem("有效投用率", "monitoring:availability"),
                    MenuItem("接入统计", "monitoring:ingest", ZONE_WIDE_ROLES),
                ),
            ),
            order=60,
        )
        from anjian.monitoring.layers import register as register_map_layer

        register_map_layer()
        register_tab(
            EnterpriseTab("monitoring", "监测预警", "monitoring/_enterprise_tab.html", enterprise_tab_context)
        )
