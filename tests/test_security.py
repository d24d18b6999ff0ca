"""Login lockout, tokens, passwords and production settings (issue 7, "Security")."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

PASSWORD = "pw-12345678"
ROOT = Path(__file__).resolve().parent.parent


def _page_login(client: Any, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _admin_login(client: Any, username: str, password: str) -> Any:
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
    )


def _token(username: str, password: str, **extra: Any) -> Any:
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("way", ["page", "admin", "token"])
def test_every_way_in_locks_the_account_after_repeated_failures(
    way: str, user_factory: Any, client: Any, settings: Any
) -> None:
    settings.ANJIAN_LOGIN_MAX_FAILURES = 3
    user = user_factory(role="admin", username="victim")
    login = {
        "page": lambda p: _page_login(client, "victim", p),
        "admin": lambda p: _admin_login(client, "victim", p),
    }
    login["token"] = lambda p: _token("victim", p)
    for _ in range(3):
        login[way]("wrong-password")
    # The right password does not get in during the lockout, and the answer says how long to wait.
    response = login[way](PASSWORD)
    text = response.content.decode()
    assert "分钟后再试" in text
    if way == "token":
        assert response.status_code == 429 and response.json()["code"] == "login_locked"
    else:
        assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(event_type=AuditEvent.LOGIN_FAILED, object_repr="victim")
    assert failures.count() == 3
    assert user.pk is not None


@pytest.mark.django_db
def test_lockout_is_shared_across_ways_and_expires(user_factory: Any, client: Any, settings: Any) -> None:
    settings.ANJIAN_LOGIN_MAX_FAILURES = 2
    user_factory(role="admin", username="victim")
    _token("victim", "nope")
    _admin_login(client, "victim", "nope")
    assert _page_login(client, "victim", PASSWORD).status_code == 200  # form shown again: refused
    AuditEntry.objects.filter(event_type=AuditEvent.LOGIN_FAILED).update(
        time=timezone.now() - dt.timedelta(minutes=settings.ANJIAN_LOGIN_LOCKOUT_MINUTES + 1)
    )
    assert _page_login(client, "victim", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_per_address_limit_cannot_be_sidestepped_with_forwarded_for(user_factory: Any, settings: Any) -> None:
    settings.ANJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    settings.ANJIAN_TRUSTED_PROXIES = 0
    user_factory(role="admin", username="target")
    for i in range(4):
        _token(f"guess{i}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = _token("target", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


@pytest.mark.django_db
def test_trusted_proxy_count_picks_the_proxy_added_address(settings: Any) -> None:
    from django.test import RequestFactory

    from anjian.core.lockout import client_address

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4", REMOTE_ADDR="10.0.0.1")
    settings.ANJIAN_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.1"
    settings.ANJIAN_TRUSTED_PROXIES = 1
    assert client_address(request) == "1.2.3.4"


@pytest.mark.django_db
def test_token_expires(user_factory: Any, settings: Any) -> None:
    user = user_factory(role="committee", username="script")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/orgs/units/").status_code == 200
    settings.ANJIAN_TOKEN_TTL_HOURS = 1
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=2))
    response = client.get("/api/v1/orgs/units/")
    assert response.status_code in {401, 403}
    assert "过期" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_token_dies_with_password_change_or_deactivation(change: str, user_factory: Any) -> None:
    user = user_factory(role="committee", username="script")
    Token.objects.create(user=user)
    if change == "password":
        user.set_password("another-long-pass-2026")
    else:
        user.is_active = False
    user.save()
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["12345678", "password"])
def test_weak_passwords_are_refused_by_api_and_page(
    weak: str, world: Any, api_client_for: Any, client_for: Any
) -> None:
    enterprise = world.a.enterprise
    response = api_client_for(world.committee).post(
        f"/api/v1/enterprises/enterprises/{enterprise.pk}/create-user/",
        {"username": "weakling", "password": weak},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["field"] == "password"
    page = client_for(world.committee).post(
        reverse("enterprises:enterprise_create_user", args=[enterprise.pk]),
        {"username": "weakling2", "password": weak},
    )
    from anjian.orgs.models import User

    assert not User.objects.filter(username__in=["weakling", "weakling2"]).exists()
    assert page.status_code in {200, 302}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment: the test session's own switches (ANJIAN_*, DJANGO_ALLOW_ASYNC_UNSAFE set by the
    # browser tests) are not part of the documented production configuration.
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ANJIAN_", "DJANGO_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "anjian.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


#: The production configuration documented in README.md ("Running in production").
PRODUCTION_ENV = {
    "ANJIAN_SECRET_KEY": "a-long-random-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
    "ANJIAN_ALLOWED_HOSTS": "anjian.example.cn",
    "ANJIAN_CSRF_TRUSTED_ORIGINS": "https://anjian.example.cn",
    "ANJIAN_HTTPS": "1",
    "ANJIAN_PROXY_SSL_HEADER": "1",
    "ANJIAN_TRUSTED_PROXIES": "1",
}


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path: Path) -> None:
    result = _check_deploy({**PRODUCTION_ENV, "ANJIAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in PRODUCTION_ENV:
        assert name in readme, f"README does not document {name}"


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_secret_key_fails_fast(value: str, tmp_path: Path) -> None:
    result = _check_deploy({**PRODUCTION_ENV, "ANJIAN_SECRET_KEY": value, "ANJIAN_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ANJIAN_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_csp_without_inline_scripts(world: Any, client_for: Any) -> None:
    import re

    response = client_for(world.committee).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    html = response.content.decode()
    # a <script type="application/json"> (json_script) is data, not code: the CSP does not apply to it
    inline = r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>"
    assert not re.search(inline, html), "inline <script> breaks the CSP"
    assert not re.search(r"\son(submit|click|change|load)=", html)


def test_no_template_carries_inline_script_or_handler() -> None:
    """Every page, not only the home page: the CSP (script-src 'self') blocks inline code, so a template may
    load scripts by src, carry json_script data, and declare behaviour with data attributes (app.js)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "anjian"
    inline = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>")
    handler = re.compile(r"\son[a-z]+=[\"']")
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if "static" not in p.parts
        and (inline.search(t := p.read_text(encoding="utf-8")) or handler.search(t))
    ]
    assert not offenders, f"inline script or on*= handler (move it to a static file): {offenders}"
