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

        from anjian.core import todos
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.emergency.todos import emergency_todos

        todos.register(emergency_todos)

        register_section(
            "emergency",
            MenuSection(
                "应急管理",
                "🚨",
                (
                    MenuItem("事故接报与处置", "emergency:incident_list"),
                    MenuItem("应急预案", "emergency:plan_list"),
                    MenuItem("应急资源", "emergency:resource_list"),
                    MenuItem("应急演练", "emergency:drill_list"),
                ),
            ),
            order=70,
        )
