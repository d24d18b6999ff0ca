"""Issue 9's browser tests: the park map (load, toggle a layer, open a popup) and the overview's charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anjian.geo import actions
from anjian.geo.models import Area, Road
from tests.browser.conftest import wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # the password user_factory gives every user
DRAWN = "el => Number(el.dataset.drawn || 0) >= 1 && Number(el.dataset.loading || 0) === 0"


def _console_error(message: Any, errors: list[str]) -> None:
    # The browser asks for /favicon.ico by itself; the platform has none (not this page's doing).
    if message.type == "error" and "favicon" not in str(message.location.get("url", "")):
        errors.append(message.text)


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def mapped_zone(
    enterprise_factory: Any, user_factory: Any, licence_factory: Any, standardization_factory: Any
) -> Any:
    a = enterprise_factory(
        name="甲地图化工有限公司",
        industry="hazchem_production",
        town="腾格里镇",
        in_park=True,
        lon=Decimal("105.250000"),
        lat=Decimal("37.840000"),
        major_hazard=True,
    )
    enterprise_factory(
        name="乙地图建筑有限公司",
        industry="construction",
        town="孛井滩镇",
        lon=Decimal("105.350000"),
        lat=Decimal("37.650000"),
    )
    licence_factory(a, valid_until=timezone.localdate() + dt.timedelta(days=30))
    standardization_factory(a, grade="level2")
    actions.do_save_area(
        Area(
            kind="functional",
            code="FZ-1",
            name="北部化工生产区",
            function="production",
            geometry={
                "type": "Polygon",
                "coordinates": [
                    [[105.24, 37.83], [105.26, 37.83], [105.26, 37.85], [105.24, 37.85], [105.24, 37.83]]
                ],
            },
        ),
        acting_user=None,
    )
    actions.do_save_road(
        Road(
            code="R-1",
            name="腾格里大道",
            grade="trunk",
            width_m=Decimal("60"),
            geometry={"type": "LineString", "coordinates": [[105.245, 37.80], [105.245, 37.88]]},
        ),
        acting_user=None,
    )
    user_factory(role="committee", org="安委会办公室", username="awb", name="王芳")
    return a


def test_map_loads_toggles_a_layer_and_opens_a_popup(page: Any, live_server: Any, mapped_zone: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda m: _console_error(m, errors))
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, "awb")
    # given the map page
    page.goto(f"{live_server.url}/geo/")
    el = page.locator("#geo-main-map")
    el.wait_for()
    wait_js(page, f"({DRAWN})(document.getElementById('geo-main-map'))")
    # then the enterprises layer is drawn: two features, its legend shown under it in the layer panel,
    # scale bar and north arrow present
    count = page.evaluate(
        "document.getElementById('geo-main-map')._anjianLayers['enterprises'].group.getLayers().length"
    )
    assert count == 2
    panel = page.locator("#geo-main-map .geo-panel")
    assert panel.inner_text().splitlines().count("构成重大危险源") == 1
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    expect(page.locator(".geo-north")).to_be_visible()
    # when the grade layer is switched on in the layer panel
    grade = panel.locator("label", has_text="企业（标准化等级）").locator("input")
    grade.check()
    wait_js(
        page,
        "document.getElementById('geo-main-map')._anjianLayers['enterprises.grade'].group.getLayers().length === 2",
    )
    assert "未达标/无等级" in panel.inner_text()
    # and switched off again: off the map, its legend gone
    grade.uncheck()
    expect(panel).not_to_contain_text("未达标/无等级", use_inner_text=True)
    assert not page.evaluate(
        "(() => { const el = document.getElementById('geo-main-map');"
        " return el._anjianMap.hasLayer(el._anjianLayers['enterprises.grade'].group); })()"
    )
    # the panel folds away and comes back
    panel.locator(".geo-panel-toggle").click()
    expect(panel.locator(".geo-panel-body")).to_be_hidden()
    panel.locator(".geo-panel-toggle").click()
    expect(panel.locator(".geo-panel-body")).to_be_visible()
    # when an enterprise marker is clicked (its pixel position on the canvas)
    page.evaluate(
        "() => { const m = document.getElementById('geo-main-map')._anjianMap; m.setView([37.84, 105.25], 14); }"
    )
    wait_js(page, f"({DRAWN})(document.getElementById('geo-main-map'))")
    popup = page.locator(".leaflet-popup-content")
    # On a loaded machine the layers may still be redrawing after the zoom: click again until the popup opens.
    for _attempt in range(5):
        point = page.evaluate(
            "() => { const el = document.getElementById('geo-main-map'); const p = el._anjianMap.latLngToContainerPoint([37.84, 105.25]);"
            " const r = el.getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }"
        )
        page.mouse.click(point["x"], point["y"])
        try:
            popup.wait_for(timeout=4000)
            break
        except Exception:  # playwright's TimeoutError: the click landed before the marker was drawn
            page.wait_for_timeout(1000)
    popup.wait_for()
    # the popup's rows are loaded from the server when the marker is clicked
    wait_js(
        page, "(document.querySelector('.leaflet-popup-content') || {}).innerText.includes('两重点一重大')"
    )
    assert "甲地图化工" in popup.inner_text() and "重大危险源" in popup.inner_text()
    assert popup.get_by_role("link", name="详情 ›").get_attribute("href") == f"/enterprises/{mapped_zone.pk}/"
    assert errors == []


def test_overview_renders_its_charts(page: Any, live_server: Any, mapped_zone: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda m: _console_error(m, errors))
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, "awb")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/cockpit/")
        wait_js(
            page,
            "document.querySelector('.cockpit') && Number(document.querySelector('.cockpit').dataset.rendered || 0) >= 1",
        )
        charts = page.locator(".cockpit-chart")
        assert charts.count() >= 4
        for i in range(charts.count()):
            assert charts.nth(i).locator("canvas").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # the big screen and the print view render too
        # every chart says its unit
        assert page.locator(".cockpit-card-head .cockpit-unit").count() == charts.count()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/cockpit/screen/")
    wait_js(page, "Number(document.querySelector('.cockpit').dataset.rendered || 0) >= 1")
    assert page.locator(".cockpit-chart canvas").count() >= 4
    # the wall screen shows everything at once: no card below the screen's bottom edge, the map beside
    bottoms = page.evaluate(
        "[...document.querySelectorAll('.bigscreen .card, .bigscreen-map')].map(e => e.getBoundingClientRect().bottom)"
    )
    assert bottoms and max(bottoms) <= 1080
    wait_js(page, f"({DRAWN})(document.getElementById('bigscreen-map'))")
    page.goto(f"{live_server.url}/cockpit/print/")
    wait_js(page, "Number(document.querySelector('.cockpit').dataset.rendered || 0) >= 1")
    assert page.locator(".cockpit-chart svg").count() >= 4
    assert errors == []


def test_plot_is_drawn_moved_and_reshaped_on_the_map(
    page: Any, live_server: Any, mapped_zone: Any, user_factory: Any
) -> None:
    import json

    from anjian.enterprises.models import Enterprise

    errors: list[str] = []
    page.on("console", lambda m: _console_error(m, errors))
    page.on("pageerror", lambda e: errors.append(str(e)))
    user_factory(role="dept", org="应急管理局", username="yjj", name="李明")
    log_in(page, live_server, "yjj")
    page.set_viewport_size({"width": 1280, "height": 900})
    # given the plot editor of an enterprise without an outline
    page.goto(f"{live_server.url}/geo/enterprises/{mapped_zone.pk}/plot/")
    wait_js(page, "document.getElementById('geo-edit-map').dataset.editor === 'ready'")

    def click_at(lon: float, lat: float) -> None:
        point = page.evaluate(
            f"() => {{ const el = document.getElementById('geo-edit-map');"
            f" const p = el._anjianMap.latLngToContainerPoint([{lat}, {lon}]);"
            " const r = el.getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }"
        )
        page.mouse.click(point["x"], point["y"])

    # when four corners are clicked
    for lon, lat in ((105.2495, 37.8395), (105.2505, 37.8395), (105.2505, 37.8405), (105.2495, 37.8405)):
        click_at(lon, lat)
    drawn = json.loads(page.locator("textarea[name=geometry_text]").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    # and the whole shape is dragged east with the move handle
    handle = page.locator(".geo-move").bounding_box()
    assert handle is not None
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 60, handle["y"] + 11, steps=6)
    page.mouse.up()
    moved = json.loads(page.locator("textarea[name=geometry_text]").input_value())
    assert moved["coordinates"][0][0][0] > drawn["coordinates"][0][0][0]
    # and one vertex is dragged (reshaped)
    vertex = page.locator(".geo-vertex:not(.geo-vertex-mid)").first.bounding_box()
    assert vertex is not None
    page.mouse.move(vertex["x"] + 6, vertex["y"] + 6)
    page.mouse.down()
    page.mouse.move(vertex["x"] - 30, vertex["y"] + 40, steps=6)
    page.mouse.up()
    reshaped = json.loads(page.locator("textarea[name=geometry_text]").input_value())
    assert reshaped["coordinates"][0][0] != moved["coordinates"][0][0]
    # then saving stores it through the registry (and the map tab shows it)
    page.get_by_label("原因").fill("按红线图")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/enterprises/{mapped_zone.pk}/?tab=map")
    stored = Enterprise.objects.get(pk=mapped_zone.pk).plot_geojson
    assert stored == reshaped
    assert "已登记轮廓" in page.content()
    assert errors == []
