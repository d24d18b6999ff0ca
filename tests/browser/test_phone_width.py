"""No page is wider than a 390 px phone, and none breaks the Content-Security-Policy: every page of the
registered sidebar, for each role that sees it.

The pages come from ``anjian.core.navigation.menu()``, so each module's pages are covered as soon as it
registers its sidebar section.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from anjian.core.navigation import menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw-12345678")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _pages_for(role: str) -> list[tuple[str, str]]:
    pages = []
    for section in menu():
        for item in section.items:
            if item.roles and role not in item.roles:
                continue
            try:
                pages.append((f"{section.label}/{item.label}", reverse(item.url_name)))
            except NoReverseMatch:
                continue
    return pages


@pytest.mark.parametrize("who", ["committee", "enterprise"])
def test_every_sidebar_page_fits_a_phone(who: str, browser: Any, live_server: Any, world: Any) -> None:
    user = world.committee if who == "committee" else world.a.ent_user
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None,
    )
    try:
        _login(page, live_server.url, user.username)
        too_wide = []
        for label, url in [("首页", "/"), *_pages_for(user.role)]:
            page.goto(f"{live_server.url}{url}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{label} {url}: {width}px")
        assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)
        assert not violations, "the CSP refused something on these pages:\n" + "\n".join(violations)
        # The measurement sees overflow when there is some (the check above is not vacuous).
        wide = page.evaluate(
            "document.querySelector('main, body').insertAdjacentHTML('beforeend', "
            "'<div style=\"width:900px;height:1px\"></div>'); document.documentElement.scrollWidth"
        )
        assert wide > PHONE["width"]
    finally:
        context.close()
