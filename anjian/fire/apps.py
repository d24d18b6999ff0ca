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
        _register_map_layers()


def _register_map_layers() -> None:
    """Hydrants (gaps highlighted), pools and the compliance gaps as layers of the park map, once the geo
    module's layer registry (``anjian.geo.layers``) exists."""
    try:
        from anjian.geo.layers import MapLayer, register_layer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    from anjian.fire import maps

    register_layer(
        MapLayer(
            "fire.hydrants", "消火栓", "消防", maps.hydrant_features,
            legend=(("#2c6fbb", "完好"), ("#e74c3c", "损坏或停用")), geometry="point",
        )
    )  # fmt: skip
    register_layer(
        MapLayer(
            "fire.pools",
            "消防水池",
            "消防",
            maps.pool_features,
            legend=(("#16a085", "消防水池"),),
            geometry="point",
        )
    )
    register_layer(
        MapLayer(
            "fire.gaps",
            "消防规则缺口",
            "消防",
            maps.gap_features,
            legend=(("#e74c3c", "不符合规划八.六"),),
            geometry="polygon",
        )
    )
