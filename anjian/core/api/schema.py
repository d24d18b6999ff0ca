"""The OpenAPI schema of ``/api/v1/``: every operation documents the project's error answers.

Set as ``DEFAULT_SCHEMA_CLASS``, so every module's endpoints get it without a decorator: each operation
lists 400 (invalid input or query parameter), 401/403 (not logged in, role), 404 (absent *or* out of
scope — the same answer), 409 on writes (a workflow state conflict), 413 on bodies (too large) and 500,
all in the one error shape ``{"code", "detail"}`` (validation errors add ``field`` and a list of
messages per field). See ``anjian.core.api_support.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

__all__ = ["AutoSchema", "ErrorSerializer"]


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error the API answers: a stable machine ``code`` and a Chinese ``detail`` for people.

    A validation error (400) also names the ``field`` when there is one, and carries one list of messages
    per invalid field or query parameter (extra properties named after the field).
    """

    code = serializers.CharField(help_text="稳定的错误代码，如 invalid、not_found、permission_denied")
    detail = serializers.CharField(help_text="中文说明，可直接展示给用户")
    field = serializers.CharField(required=False, help_text="出错的字段或参数（如有）")

    class Meta:
        ref_name = "Error"


_DESCRIPTIONS = {
    "400": "输入或查询参数无效（字段与原因见 detail 及同名属性）",
    "401": "未登录或令牌无效",
    "403": "无权执行该操作",
    "404": "对象不存在或超出您的可见范围（两者答复相同）",
    "409": "对象当前状态不允许该操作",
    "413": "请求内容过大",
    "500": "服务器内部错误（请求编号见 detail）",
}


def _nullable_by_model(field: Any) -> bool:
    """Whether a model-backed serializer field can answer ``null`` (a nullable column or relation on its path).

    DRF drops ``allow_null`` from read-only fields, so drf-spectacular would document a read-only nullable
    foreign key (``acknowledged_by``) or a name through a nullable relation (``grid.name``) as never null.
    """
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs or isinstance(field, serializers.ManyRelatedField):
        return False
    from django.core.exceptions import FieldDoesNotExist

    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
        if model is None:
            return False
    return False


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses every operation can give.

    Also tells the truth where the default mapping does not: a brief nested form (``PlanSerializer(brief=True)``)
    is its own component ``Brief<Name>``; read-only fields that can be ``null`` (a nullable column or a path
    through a nullable relation, a missing file) are documented as nullable.
    """

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        name = super().get_serializer_name(serializer, direction)
        return f"Brief{name}" if getattr(serializer, "brief", False) is True else name

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        if direction != "response" or not isinstance(schema, dict) or schema.get("nullable"):
            return schema
        from anjian.core.api.base import ProtectedFileField

        if isinstance(field, ProtectedFileField) or _nullable_by_model(field):
            if "$ref" in schema:
                return {"allOf": [schema], "nullable": True}
            return {**schema, "nullable": True}
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "401", "403", "404", "500"]
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes += ["409"]
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["413"]
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]),
                    code,
                    ["application/json"],
                    direction,
                )
        return responses
