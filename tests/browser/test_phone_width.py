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


def test_the_header_fits_a_phone_with_a_square_logo_and_a_drawn_bell(
    browser: Any, live_server: Any, world: Any
) -> None:
    """The header at 390 px: the logo stays square, the title is not cut, the bell is an image that loaded
    (an emoji bell is a missing-glyph box where no colour-emoji font is installed)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _login(page, live_server.url, world.committee.username)
        logo = page.locator(".topbar .logo").bounding_box()
        assert logo is not None and abs(logo["width"] - logo["height"]) < 1, logo
        title = page.locator(".topbar .brand")
        assert title.evaluate("el => el.scrollWidth <= el.clientWidth"), "the platform title is cut"
        assert title.inner_text().strip().endswith("安监平台")
        bell = page.locator(".topbar .inbox-link img.icon")
        assert bell.evaluate("img => img.complete && img.naturalWidth > 0"), "the bell icon did not load"
        header = page.locator(".topbar").bounding_box()
        assert header is not None and header["width"] <= PHONE["width"]
        who = page.locator(".topbar .who").bounding_box()
        assert who is not None and who["x"] + who["width"] <= PHONE["width"] + 0.5, who
    finally:
        context.close()


def test_the_detail_pages_named_in_the_issue_fit_a_phone(browser: Any, live_server: Any, world: Any) -> None:
    """The plan page, a task, a notice, a report, the assessment scheme, an enterprise's history, a person: the
    pages issue 7 found scrolling sideways at 390 px, and the detail pages beside them."""
    pages = [
        reverse("plans:plan"),
        world.a.task.get_absolute_url(),
        world.a.notice.get_absolute_url(),
        world.a.own_report.get_absolute_url(),
        reverse("assessment:scheme_detail", args=[world.scheme.pk]),
        world.a.enterprise.get_absolute_url() + "?tab=history",
        world.a.enterprise.get_absolute_url() + "?tab=licences",
        world.a.person.get_absolute_url(),
        reverse("core:audit_list"),
    ]
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _login(page, live_server.url, world.committee.username)
        too_wide = []
        for url in pages:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{url}: {width}px")
        assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)
    finally:
        context.close()
