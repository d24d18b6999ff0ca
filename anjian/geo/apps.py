from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "anjian.geo"
    verbose_name = _("园区地图")

    def ready(self) -> None:
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.geo.enterprise_layers import ENTERPRISE_LAYERS
        from anjian.geo.layers import register_layer

        for layer in ENTERPRISE_LAYERS:
            register_layer(layer)
        register_section(
            "geo",
            MenuSection(
                "总览", "🗺️", (MenuItem("驾驶舱", "cockpit:overview"), MenuItem("园区地图", "geo:map"))
            ),
            order=5,
        )
