"""Reading layers for a scope: the functions the API, the pages and the bench call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anjian.domain.geodesy import BBox
from anjian.geo.layers import feature_bounds, get_layer

__all__ = ["layer_features", "layer_popup"]


def layer_features(
    scope: Any, key: str, bbox_text: str | None, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The FeatureCollection of layer ``key`` for ``scope`` within ``bbox_text`` (``w,s,e,n``; empty = all),
    narrowed by ``params`` (a list page's filters) for layers that take them.

    Raises ``LookupError`` when the layer is unknown or not visible to ``scope`` (the caller answers 404
    for both), ``ValueError`` for a malformed bounding box (the caller answers 400).
    """
    layer = get_layer(key)
    if layer is None or not layer.visible_to(scope):
        raise LookupError(key)
    bbox = BBox.parse(bbox_text) if bbox_text else None
    features = layer.features(scope, bbox)
    if bbox is not None and not layer.clips_bbox:
        kept = []
        for feat in features:
            bounds = feature_bounds(feat)
            if bounds is not None and bbox.intersects_bounds(bounds):
                kept.append(feat)
        features = kept
    if layer.filter_ids is not None and params:
        ids = layer.filter_ids(scope, params)
        if ids is not None:
            features = [f for f in features if f.get("id") in ids]
    return {"type": "FeatureCollection", "layer": layer.key, "features": features}


def layer_popup(scope: Any, key: str, feature_id: str) -> dict[str, Any]:
    """One feature's popup (``{"id", "name", "url", "popup"}``) of a layer that loads popups on click.

    Raises ``LookupError`` when the layer is unknown, hidden, has no such popups, or the feature is not one
    ``scope`` may see (the caller answers 404 for all of them).
    """
    layer = get_layer(key)
    if layer is None or layer.popup is None or not layer.visible_to(scope):
        raise LookupError(key)
    if not feature_id.isascii() or not feature_id.isdigit() or len(feature_id) > 18:
        raise LookupError(feature_id)
    found = layer.popup(scope, feature_id)
    if found is None:
        raise LookupError(feature_id)
    popup = [[str(label), "" if value is None else str(value)] for label, value in found.get("popup", ())]
    return {
        "id": found.get("id", feature_id),
        "name": found.get("name", ""),
        "url": found.get("url", ""),
        "popup": popup,
    }
