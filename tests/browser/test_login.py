"""A user logs in through the real login page and lands on their to-do list."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_home_with_sidebar(page, live_server, user_factory):
    # given a department user
    user_factory(username="yingji", name="李明", org="应急管理局")
    # when they log in through the form
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("yingji")
    page.get_by_label("密码").fill("pw-12345678")
    page.get_by_role("button", name="登录").click()
    # then the home page greets them and the sidebar lists the modules
    page.wait_for_url(f"{live_server.url}/")
    assert "您好，李明" in page.content()
    expect(page.get_by_role("navigation", name="模块")).to_be_visible()
    # and the sidebar's background reaches the bottom of the window on a long page scrolled to its end
    # (issue 7: it stopped at 770 px)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.evaluate(
        "(() => { const r = document.querySelector('.sidebar').getBoundingClientRect();"
        " return [r.bottom, window.innerHeight]; })()"
    )
    assert box[0] >= box[1] - 1


def test_wrong_password_says_so_in_chinese(page, live_server, user_factory):
    user_factory(username="yingji")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("yingji")
    page.get_by_label("密码").fill("wrong-password")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
