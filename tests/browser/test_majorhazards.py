"""Issue 11's browser tests: the GB 18218 calculator, and an enterprise adding a substance that re-grades its
installation, on a desktop and on a 390 px phone (no page wider than the phone)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from anjian.majorhazards import actions
from anjian.majorhazards.models import HazardInstallation, InventoryLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_calculator_explains_the_standards_example(page, live_server, user_factory):
    user_factory(role="dept", org="自然资源局", username="zrj")
    log_in(page, live_server, "zrj")
    page.goto(f"{live_server.url}/majorhazards/calculator/")
    page.locator("input[name=population]").fill("60")
    page.locator("input[name=name_0]").fill("二氧化硫")
    page.locator("input[name=q_0]").fill("200")
    with page.expect_navigation():
        page.get_by_role("button", name="计算").click()
    expect(page.get_by_text("三级重大危险源").first).to_be_visible()
    expect(page.get_by_text("R=α·Σβq/Q=1.5×20=30")).to_be_visible()
    # an unknown substance without a category is refused, naming it
    page.locator("input[name=name_1]").fill("某溶剂")
    page.locator("input[name=q_1]").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="计算").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("^“某溶剂”不在GB 18218-2018表1中"))


@pytest.mark.parametrize("width", [1440, 390])
def test_enterprise_adds_a_substance_and_sees_the_new_grade(
    page, live_server, enterprise_factory, enterprise_user_factory, width
):
    enterprise = enterprise_factory(name="丁化工有限公司")
    enterprise_user_factory(enterprise, username="ding")
    inst = actions.do_save_installation(
        HazardInstallation(
            enterprise=enterprise, code="ZDWXY-D1", name="液氨罐区", unit_kind="storage", population_500m=60
        ),
        acting_user=None,
    )
    actions.do_save_inventory_line(
        InventoryLine(installation=inst, substance="液氨", max_quantity_t=Decimal("100")), acting_user=None
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "ding")
    page.goto(f"{live_server.url}/majorhazards/{inst.pk}/?tab=inventory")
    expect(page.get_by_text("R = 30")).to_be_visible()  # 1.5 × 2 × 100/10
    page.get_by_role("link", name="添加危险化学品").click()
    page.locator("#id_substance").fill("液氯")
    page.locator("#id_max_quantity_t").fill("20")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/majorhazards/{inst.pk}/\?tab=inventory$"))
    # 1.5 × (2 × 10 + 4 × 4) = 54 → 二级
    expect(page.get_by_text("R = 54")).to_be_visible()
    inst.refresh_from_db()
    assert inst.grade == 2
    for path in (
        "/majorhazards/",
        f"/majorhazards/{inst.pk}/",
        f"/majorhazards/{inst.pk}/?tab=duty",
        "/majorhazards/calculator/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
