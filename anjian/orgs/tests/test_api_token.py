"""API tokens: obtained with a password, used as ``Authorization: Token``, revoked; every change audited."""

import pytest
from rest_framework.test import APIClient

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_token_round_trip_is_audited(user_factory):
    # given a department user
    user = user_factory(username="gateway")
    client = APIClient()
    # when they ask for a token with their password
    response = client.post(
        "/api/v1/auth/token/", {"username": "gateway", "password": "pw-12345678"}, format="json"
    )
    token = response.json()["token"]
    # then the token authenticates API calls as them
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "gateway"
    # and asking again returns the same token without a second audit row
    again = APIClient().post(
        "/api/v1/auth/token/", {"username": "gateway", "password": "pw-12345678"}, format="json"
    )
    assert again.json()["token"] == token
    assert (
        AuditEntry.objects.filter(event_type=AuditEvent.API_TOKEN_ISSUED, object_id=str(user.pk)).count() == 1
    )
    # when they revoke it, it no longer works and the revocation is audited
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code in {401, 403}
    assert AuditEntry.objects.filter(event_type=AuditEvent.API_TOKEN_REVOKED).count() == 1


def test_wrong_password_is_refused_in_chinese(user_factory):
    user_factory(username="gateway")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "gateway", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "detail": "用户名或密码不正确"}
