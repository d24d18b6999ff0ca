from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireConfig(AppConfig):
    name = "anjian.fire"
    verbose_name = _("消防设施")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.fire.choices import FireEvent

        register_audit_events("fire", FireEvent)

        from anjian.core.navigation import MenuItem, MenuSection, register_section

        register_section(
            "fire",
            MenuSection(
                "消防设施",
                "🧯",
                (
                    MenuItem("规则检查与地图", "fire:compliance"),
                    MenuItem("消防设施台账", "fire:hydrant_list"),
                ),
            ),
            order=75,
        )
