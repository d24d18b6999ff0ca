from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "anjian.emergency"
    verbose_name = _("应急管理")

    def ready(self) -> None:
        from anjian.core.calculators import register_calculator
        from anjian.core.choices import register_audit_events
        from anjian.emergency import workflows  # noqa: F401  (the incident and improvement tables)
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
        _register_map_layers()


def _register_map_layers() -> None:
    """Resources, incidents and footprints as layers of the park map, once ``anjian.geo.layers`` exists."""
    try:
        from anjian.geo.layers import MapLayer, register_layer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    from anjian.emergency import maps

    register_layer(
        MapLayer(
            "emergency.resources", "应急资源", "应急", maps.resource_features,
            legend=tuple((c, str(k.label)) for k, c in maps.RESOURCE_COLOURS.items()), geometry="point",
        )
    )  # fmt: skip
    register_layer(
        MapLayer(
            "emergency.incidents", "事故", "应急", maps.incident_features,
            legend=(("#f1c40f", "一般"), ("#e67e22", "较大"), ("#c0392b", "重大"), ("#2c3e50", "特别重大")),
            geometry="point",
        )
    )  # fmt: skip
    register_layer(
        MapLayer(
            "emergency.footprints", "泄漏影响范围", "应急", maps.footprint_features,
            legend=(("#c0392b", "高浓度（IDLH）"), ("#f39c12", "防护行动浓度")), geometry="polygon",
        )
    )  # fmt: skip
