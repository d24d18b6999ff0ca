"""Shared fixtures: API clients logged in as a given user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client_for() -> Callable[[Any], APIClient]:
    """Return a factory: ``api_client_for(user)`` gives an APIClient authenticated as ``user``."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def client_for(client: Any) -> Callable[[Any], Any]:
    """Return a factory: ``client_for(user)`` gives the Django test client logged in as ``user``."""

    def make(user: Any) -> Any:
        client.force_login(user)
        return client

    return make
