"""Issue 13's browser test: the gate operator runs an emergency roll call on a phone until it closes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anjian.gates import actions
from anjian.gates.models import RollCall
from tests.browser.conftest import wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_operator_runs_a_roll_call_until_everyone_is_accounted_for(page, live_server, gate_site_factory):
    # given: two people inside the zone, one outside
    site = gate_site_factory(quota=10)
    wang, wang_card = site.enrol("王大力", phone="13912345678")
    li, li_card = site.enrol("李小红", phone="13987654321")
    site.enrol("赵在外")
    t0 = int((timezone.now() - dt.timedelta(minutes=20)).timestamp() * 1000)
    actions.do_decide_event(site.gate, credential=wang_card, direction="in", ts=t0)
    actions.do_decide_event(site.gate, credential=li_card, direction="in", ts=t0 + 1000)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, site.operator.username)

    # when: the operator starts the roll call of the zone from the headcount page
    page.goto(f"{live_server.url}/gates/")
    assert page.locator(f'[data-zone="{site.zone.pk}"]').inner_text() == "2"
    page.once("dialog", lambda d: d.accept())
    page.locator(f'tr[data-zone-row="{site.zone.pk}"]').get_by_role("button", name="点名").click()
    page.wait_for_url(f"{live_server.url}/gates/roll-calls/*/")

    # then: the people inside are listed with their phone numbers, nobody else
    body = page.locator("main")
    assert (
        "王大力" in body.inner_text() and "李小红" in body.inner_text() and "赵在外" not in body.inner_text()
    )
    assert page.locator('a[href="tel:13912345678"]').count() == 1
    assert page.locator("[data-rc-missing]").inner_text() == "2"

    # when: 王大力 swipes out at the gate — the open page follows without a click
    actions.do_decide_event(site.gate, credential=wang_card, direction="out", ts=t0 + 60_000)
    wait_js(page, "document.querySelector('[data-rc-missing]').textContent.trim() === '1'", timeout=20_000)
    roll_call = RollCall.objects.get()
    wang_entry = roll_call.entries.get(person=wang)
    expect(page.locator(f'[data-entry-status="{wang_entry.pk}"]')).to_have_text("已刷卡离开")

    # and 李小红 is checked at the muster point
    li_entry = roll_call.entries.get(person=li)
    with page.expect_navigation():
        page.locator(f'[data-check="{li_entry.pk}"]').click()

    # then: the roll call is closed, with its timeline
    expect(page.locator("[data-rc-status]")).to_have_text("已结束")
    timeline = page.locator(".timeline")
    for line in ("王大力：已刷卡离开", "李小红：集合点已确认", "点名结束"):
        expect(timeline).to_contain_text(line)
    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
