"""Live updates: the home page's to-do count and the header's unread badge change without a reload."""

import pytest

from tests.browser.conftest import wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_todo_count_and_unread_badge_change_without_reload(
    page, live_server, user_factory, notice_factory, settings
):
    from anjian.core.notifications import notify
    from anjian.orgs.models import OrgUnit

    settings.ANJIAN_LIVE_POLL_SECONDS = 1
    # given a department user of 应急管理局 on their home page with nothing to do
    user = user_factory(username="live", name="王芳", org="应急管理局")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("live")
    page.get_by_label("密码").fill("pw-12345678")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    count = page.locator("[data-live='todos.count']")
    assert count.inner_text() == "0"
    page.evaluate("window.__marker = 'same page'")
    # when the committee office sends the unit a 督办 notice and the user gets a notification
    notice = notice_factory(OrgUnit.objects.get(name="应急管理局"))
    notify(user, title="新的督办通知", why="您所在单位收到督办通知", target=notice)
    # then the count and the badge change on the open page, without a reload
    wait_js(page, "document.querySelector(\"[data-live='todos.count']\").innerText === '1'")
    wait_js(
        page,
        "document.querySelector(\"[data-live='notifications.unread'] .unread-count\")?.innerText === '1'",
    )
    assert page.evaluate("window.__marker") == "same page"
