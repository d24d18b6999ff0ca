"""The live-value endpoint: scoped to the user, stops polling when logged out, 404 for unknown keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from anjian.core.notifications import notify
from anjian.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_todo_count_is_the_users_own(client_for: Any, user_factory: Any, notice_factory: Any) -> None:
    ours, other = user_factory(org="应急管理局"), user_factory(org="市场监督管理局")
    notice_factory(OrgUnit.objects.get(name="应急管理局"))
    assert client_for(ours).get("/core/live/todos.count/").content == b"1"
    assert client_for(other).get("/core/live/todos.count/").content == b"0"


def test_home_renders_the_value_and_the_poll(client_for: Any, user_factory: Any) -> None:
    user = user_factory()
    notify(user, title="一", why="测试")
    html = client_for(user).get("/").content.decode()
    assert 'data-live="todos.count" hx-get="/core/live/todos.count/"' in html
    assert 'hx-trigger="every 15s"' in html
    # no htmx filter expression: htmx would eval it, and the CSP refuses eval (app.js pauses hidden tabs)
    assert "[document" not in html
    assert 'data-live="notifications.unread"' in html and 'unread-count">1<' in html


def test_logged_out_poll_stops_and_unknown_key_is_404(client_for: Any, user_factory: Any) -> None:
    assert Client().get("/core/live/todos.count/", HTTP_HX_REQUEST="true").status_code == 286
    assert Client().get("/core/live/nope/")["Location"].startswith("/login/")
    assert client_for(user_factory()).get("/core/live/nope/").status_code == 404
