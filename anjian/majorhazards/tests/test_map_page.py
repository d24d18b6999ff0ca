"""The 分布图 page embeds the park map with the installations layer (and lists them by grade)."""

import pytest

pytestmark = pytest.mark.django_db


def test_map_page_embeds_the_layer(client_for, committee_user):
    html = client_for(committee_user).get("/majorhazards/map/").content.decode()
    assert "重大危险源分布图" in html and "一级重大危险源" in html
    assert "anjian-map" in html and "majorhazards.installations" in html
