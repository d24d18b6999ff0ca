"""API tokens for scripts and gateways: obtained with username and password, revoked by their owner; audited."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from anjian.core.errors import TooManyAttempts, ValidationFailed
from anjian.orgs.actions import do_issue_api_token, do_revoke_api_token
from anjian.orgs.models import User


class TokenLoginThrottle(AnonRateThrottle):
    """Slow down password guessing against the token endpoint, per client address, logged in or not.

    (``AnonRateThrottle`` skips authenticated requests: sending any valid token used to lift the limit.)
    The address honours ``NUM_PROXIES`` (= ``ANJIAN_TRUSTED_PROXIES``), so a forged ``X-Forwarded-For``
    does not make a new client. The account/address lockout (``core.lockout``) applies as well.
    """

    rate = "20/min"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CredentialsSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


TokenSerializer = inline_serializer(
    "Token", {"token": serializers.CharField(), "username": serializers.CharField()}
)


class TokenView(APIView):
    """``POST`` username and password → the user's API token (``Authorization: Token …``); ``DELETE`` revokes it."""

    throttle_classes = [TokenLoginThrottle]

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=CredentialsSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except DjangoValidationError as exc:  # the lockout policy (core.lockout): 429 with the time to wait
            raise TooManyAttempts("；".join(exc.messages), code="login_locked") from exc
        if user is None or not user.is_active:
            raise ValidationFailed(_("用户名或密码不正确"), code="invalid_credentials")
        key = do_issue_api_token(user)
        return Response({"token": key, "username": user.get_username()})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        do_revoke_api_token(cast(User, request.user))  # IsAuthenticated above
        return Response(status=status.HTTP_204_NO_CONTENT)
