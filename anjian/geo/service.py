"""Reading layers for a scope: the one function the API, the pages and the bench call."""

from __future__ import annotations

from typing import Any

from anjian.domain.geodesy import BBox
from anjian.geo.layers import feature_bounds, get_layer

__all__ = ["layer_features"]


def layer_features(scope: Any, key: str, bbox_text: str | None) -> dict[str, Any]:
    """The FeatureCollection of layer ``key`` for ``scope`` within ``bbox_text`` (``w,s,e,n``; empty = all).

    Raises ``LookupError`` when the layer is unknown or not visible to ``scope`` (the caller answers 404
    for both), ``ValueError`` for a malformed bounding box (the caller answers 400).
    """
    layer = get_layer(key)
    if layer is None or not layer.visible_to(scope):
        raise LookupError(key)
    bbox = BBox.parse(bbox_text) if bbox_text else None
    features = layer.features(scope, bbox)
    if bbox is not None:
        kept = []
        for feat in features:
            bounds = feature_bounds(feat)
            if bounds is not None and bbox.intersects_bounds(bounds):
                kept.append(feat)
        features = kept
    return {"type": "FeatureCollection", "layer": layer.key, "features": features}
