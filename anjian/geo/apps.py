from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "anjian.geo"
    verbose_name = _("园区地图")

    def ready(self) -> None:
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.geo import (
            choices,  # noqa: F401 - registers the audit events
            signals,
        )
        from anjian.geo.area_layers import AREA_LAYERS
        from anjian.geo.enterprise_layers import ENTERPRISE_LAYERS
        from anjian.geo.layers import register_layer
        from anjian.geo.tabs import enterprise_map_context

        signals.connect()
        for layer in (*AREA_LAYERS, *ENTERPRISE_LAYERS):
            register_layer(layer)
        register_tab(EnterpriseTab("map", "地图", "geo/_enterprise_tab.html", enterprise_map_context))
        register_section(
            "geo",
            MenuSection(
                "总览",
                "🗺️",
                (
                    MenuItem("驾驶舱", "cockpit:overview"),
                    MenuItem("园区地图", "geo:map"),
                    MenuItem("企业分布图", "geo:enterprise_map"),
                    MenuItem("区域与网格", "geo:area_list"),
                    MenuItem("道路", "geo:road_list"),
                ),
            ),
            order=5,
        )
