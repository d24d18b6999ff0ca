"""The park map's layer registry: modules add layers to the one map, as they add tabs to 一企一档.

A module registers a layer from its ``AppConfig.ready``::

    from anjian.geo.layers import MapLayer, register_layer

    def hydrant_features(scope, bbox):
        qs = restrict(Hydrant.objects.all(), scope)
        if bbox is not None:
            qs = qs.filter(point_in_bbox_q(bbox))          # lon/lat fields named ``lon``/``lat``
        return [point_feature(h.lon, h.lat, id=h.pk, name=h.code, colour="#d32f2f",
                              url=h.get_absolute_url(), popup=[["压力", f"{h.pressure} MPa"]]) for h in qs]

    register_layer(MapLayer("fire.hydrants", "消火栓", "消防", hydrant_features,
                            legend=(("#d32f2f", "消火栓"),), geometry="point"))

``features(scope, bbox)`` receives the user's :class:`anjian.core.access.Scope` and a
:class:`anjian.domain.geodesy.BBox` (or ``None`` for everything) and returns GeoJSON Feature dicts in
WGS 84 ``[lon, lat]``. It must return only what ``scope`` may see: the endpoint adds no scoping of its own.
The endpoint also drops features outside the bbox, so a layer may ignore ``bbox`` if it is small.

Feature ``properties`` the map understands: ``name`` (tooltip and popup title), ``colour`` (stroke and
fill), ``url`` (the popup's 详情 link), ``popup`` (list of ``[label, value]`` rows), and for lines
``width_m`` (drawn to scale when zoomed in) and ``dash``. Anything else is passed through untouched.

A layer with many features should leave ``popup`` out of them and give ``popup=`` to :class:`MapLayer`: a
function ``(scope, feature_id) -> dict | None`` returning ``{"name", "url", "popup"}`` for one feature the scope
may see (``None`` otherwise, answered 404); the map asks ``/api/v1/geo/layers/<key>/features/<id>/`` when the
feature is clicked. Such a layer also says ``clips_bbox=True`` when its function already applies the bbox
exactly, so the endpoint does not measure every feature again.

A page shows the map with ``{% include "geo/_map.html" with layers="key1,key2" %}`` (see that template).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from anjian.domain.geodesy import BBox

__all__ = [
    "GEOMETRIES",
    "MapLayer",
    "feature",
    "feature_bounds",
    "get_layer",
    "layers_for",
    "point_feature",
    "point_in_bbox_q",
    "register_layer",
    "registered_layers",
]

GEOMETRIES = ("point", "line", "polygon")

FeatureFunction = Callable[[Any, BBox | None], list[dict[str, Any]]]
PopupFunction = Callable[[Any, str], dict[str, Any] | None]
FilterFunction = Callable[[Any, Mapping[str, Any]], set[Any] | None]


@dataclass(frozen=True)
class MapLayer:
    """One layer of the map.

    ``key`` is unique and URL-safe (``module.thing``); ``group`` heads the layer switcher section;
    ``legend`` is a tuple of ``(colour, label)``; ``visible`` decides whether a scope sees the layer at all
    (default: every logged-in user; the features are scoped either way); ``order`` stacks layers
    (lower is drawn first: areas under lines under points). ``popup(scope, feature_id)`` loads one
    feature's popup on click (the features then carry none); ``clips_bbox`` says ``features`` applies the bbox
    exactly (the endpoint skips its own check). ``filter_ids(scope, params)`` narrows the layer by a
    register's list filters (the query string of its list page): the ids to keep, or ``None`` for no filter.
    """

    key: str
    label: str
    group: str
    features: FeatureFunction
    legend: tuple[tuple[str, str], ...] = ()
    geometry: str = "point"
    default_visible: bool = False
    visible: Callable[[Any], bool] | None = field(default=None, compare=False)
    order: int = 50
    popup: PopupFunction | None = field(default=None, compare=False)
    clips_bbox: bool = False
    filter_ids: FilterFunction | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.geometry not in GEOMETRIES:
            raise ValueError(f"geometry must be one of {GEOMETRIES}, not {self.geometry!r}")
        if not self.key or any(c in self.key for c in "/?#&, "):
            raise ValueError(f"layer key {self.key!r} must be non-empty and URL-safe")

    def visible_to(self, scope: Any) -> bool:
        """Whether ``scope`` may see this layer."""
        return True if self.visible is None else bool(self.visible(scope))

    def meta(self) -> dict[str, Any]:
        """What the map component needs to know before loading features."""
        return {
            "key": self.key,
            "label": self.label,
            "group": self.group,
            "legend": [list(item) for item in self.legend],
            "geometry": self.geometry,
            "default_visible": self.default_visible,
            "order": self.order,
            "lazy_popup": self.popup is not None,
            "filterable": self.filter_ids is not None,
        }


_LAYERS: dict[str, MapLayer] = {}


def register_layer(layer: MapLayer) -> MapLayer:
    """Add (or replace) a layer; registering twice is harmless."""
    _LAYERS[layer.key] = layer
    return layer


def registered_layers() -> list[MapLayer]:
    """Every registered layer, stacked by ``order`` then registration."""
    return sorted(_LAYERS.values(), key=lambda layer: layer.order)


def get_layer(key: str) -> MapLayer | None:
    """The layer registered under ``key``, or ``None``."""
    return _LAYERS.get(key)


def layers_for(scope: Any, keys: Iterable[str] | None = None) -> list[MapLayer]:
    """The layers ``scope`` may see, restricted to ``keys`` (in registry order) when given."""
    if scope is None or getattr(scope, "user_id", None) is None:
        return []
    wanted = None if keys is None else {k.strip() for k in keys if k.strip()}
    return [
        layer
        for layer in registered_layers()
        if (wanted is None or layer.key in wanted) and layer.visible_to(scope)
    ]


# ---------------------------------------------------------------------------------------------
# Helpers for layer authors
# ---------------------------------------------------------------------------------------------


def _num(value: Any) -> float:
    return float(value)


def feature(
    geometry: dict[str, Any],
    *,
    id: Any = None,
    name: str = "",
    colour: str = "",
    url: str = "",
    popup: Sequence[Sequence[Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A GeoJSON Feature with the properties the map understands (RFC 7946 §3.2)."""
    properties: dict[str, Any] = {"name": name, "colour": colour, "url": url}
    properties["popup"] = [[str(label), "" if value is None else str(value)] for label, value in popup]
    properties.update(extra)
    out: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if id is not None:
        out["id"] = id
    return out


def point_feature(lon: Any, lat: Any, **kwargs: Any) -> dict[str, Any]:
    """A Point feature at ``lon``/``lat`` (Decimals welcome), see :func:`feature`."""
    return feature({"type": "Point", "coordinates": [round(_num(lon), 6), round(_num(lat), 6)]}, **kwargs)


def point_in_bbox_q(bbox: BBox, *, lon: str = "lon", lat: str = "lat") -> models.Q:
    """A query filter for rows whose ``lon``/``lat`` fields lie in ``bbox`` (done by the database)."""
    return models.Q(
        **{
            f"{lon}__gte": Decimal(str(bbox.west)),
            f"{lon}__lte": Decimal(str(bbox.east)),
            f"{lat}__gte": Decimal(str(bbox.south)),
            f"{lat}__lte": Decimal(str(bbox.north)),
        }
    )


def _walk(coords: Any, acc: list[float]) -> None:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        x, y = float(coords[0]), float(coords[1])
        acc[0], acc[1] = min(acc[0], x), min(acc[1], y)
        acc[2], acc[3] = max(acc[2], x), max(acc[3], y)
        return
    if isinstance(coords, list | tuple):
        for item in coords:
            _walk(item, acc)


def feature_bounds(feat: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` of a feature's geometry, or ``None`` when it has no coordinates."""
    geometry = feat.get("geometry") or {}
    acc = [float("inf"), float("inf"), float("-inf"), float("-inf")]
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            _walk(part.get("coordinates"), acc)
    else:
        _walk(geometry.get("coordinates"), acc)
    if acc[0] == float("inf"):
        return None
    return (acc[0], acc[1], acc[2], acc[3])
