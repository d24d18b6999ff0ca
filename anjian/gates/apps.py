from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "anjian.gates"
    verbose_name = _("智能化二道门")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.core.todos import register
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.gates import workflows  # noqa: F401  (registration and roll-call tables)
        from anjian.gates.choices import GateEvent
        from anjian.gates.todos import gate_todos
        from anjian.gates.views import enterprise_tab_context

        register_audit_events("gates", GateEvent)
        register_section(
            "gates",
            MenuSection(
                "智能化二道门",
                "🚪",
                (
                    MenuItem("在场人数", "gates:headcount"),
                    MenuItem("区域与门禁", "gates:zone_list"),
                    MenuItem("通行记录", "gates:event_list"),
                    MenuItem("应急点名", "gates:rollcall_list"),
                    MenuItem("访客/承包商", "gates:registration_list"),
                ),
            ),
            order=65,
        )
        register_tab(EnterpriseTab("gates", "二道门", "gates/_enterprise_tab.html", enterprise_tab_context))
        register(gate_todos)
        from anjian.gates.jobs import register as register_jobs

        register_jobs()

        from anjian.gates.layers import register_layers

        register_layers()
