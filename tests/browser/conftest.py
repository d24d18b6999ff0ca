"""Headless Debian chromium through Playwright (never ``playwright install``).

On a user's machine without chromium these tests skip with the reason; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's guard would refuse ORM calls in the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ANJIAN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"chromium not found at {CHROMIUM}: CI must run the browser tests")
    pytest.skip(f"chromium not installed ({CHROMIUM}); apt-get install -y chromium fonts-wqy-microhei")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless chromium for the whole session."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    # Web-first assertions (``expect``) retry until the page shows what is asserted, as long as an action waits.
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def seeded_units(transactional_db: Any) -> None:
    """Transactional tests flush the database between tests; put the migrations' seed data back first
    (the units, aliases and groups, and the 三个必须 rules)."""
    from anjian.enterprises import seed as enterprise_seed
    from anjian.enterprises.models import SupervisionRule
    from anjian.orgs import seed
    from anjian.orgs.models import OrgAlias, OrgUnit

    seed.load(OrgUnit, OrgAlias)
    enterprise_seed.load(OrgUnit, SupervisionRule)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page; a screenshot lands in test-artifacts/ when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def wait_js(page: Any, expression: str, *, timeout: float = 15_000) -> Any:
    """Poll ``expression`` in the page until it is truthy; return its value.

    Playwright's ``wait_for_function`` evaluates its predicate with ``eval`` inside the page, which the
    platform's Content-Security-Policy (``script-src 'self'``, no ``unsafe-eval``) refuses; the tests keep
    the CSP on so that the pages are tested under it, and poll from here (``evaluate`` runs over the
    DevTools protocol, outside the page's CSP).
    """
    import time

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            value = page.evaluate(expression)
        except Exception:  # the page is navigating or the element is not there yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {expression}")
        page.wait_for_timeout(100)
