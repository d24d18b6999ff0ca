"""Map layers over HTTP: the layers a user may see, and each layer's features within a bounding box."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core.access import scope_of
from anjian.core.errors import ObjectNotFound, ValidationFailed
from anjian.geo.layers import layers_for
from anjian.geo.service import layer_features, layer_popup

__all__ = ["LayerFeaturesView", "LayerListView", "LayerPopupView"]


class LayerListView(APIView):
    """The layers the user may see (``?keys=a,b`` restricts to those keys)."""

    @extend_schema(
        operation_id="geo_layers_list",
        parameters=[OpenApiParameter("keys", OpenApiTypes.STR, description="逗号分隔的图层键")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        keys = request.query_params.get("keys")
        layers = layers_for(scope_of(request.user), keys.split(",") if keys else None)
        return Response({"layers": [layer.meta() for layer in layers]})


class LayerFeaturesView(APIView):
    """One layer as a GeoJSON FeatureCollection (WGS 84), scoped to the user, filtered by ``?bbox=w,s,e,n``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="west,south,east,north（WGS 84 经纬度）")
        ],
        description=(
            "一个图层的要素（GeoJSON FeatureCollection，WGS 84），只含用户可见的对象，按 bbox 过滤；"
            "企业图层另接受企业名录的筛选参数（q、industry、town_id、major_hazard 等），只返回符合条件的企业。"
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, key: str) -> Response:
        try:
            collection: dict[str, Any] = layer_features(
                scope_of(request.user), key, request.query_params.get("bbox"), request.query_params
            )
        except LookupError as exc:
            raise ObjectNotFound(_("图层不存在或无权查看")) from exc
        except ValueError as exc:
            raise ValidationFailed(
                _("范围参数 bbox 应为“西经度,南纬度,东经度,北纬度”四个数字，且西小于东、南小于北"),
                code="bad_bbox",
                field="bbox",
            ) from exc
        return Response(collection)


class LayerPopupView(APIView):
    """One feature's popup (name, link, rows), for layers whose features carry none (loaded on click)."""

    @extend_schema(operation_id="geo_layers_feature_popup", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, key: str, feature_id: str) -> Response:
        try:
            return Response(layer_popup(scope_of(request.user), key, feature_id))
        except LookupError as exc:
            raise ObjectNotFound(_("要素不存在或无权查看")) from exc
