"""Issue 12 in the browser: an alarm appears in the console without a reload, the sound can be muted, and the
alarm is acknowledged, handled and closed on a phone-sized screen."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, write_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"


def feed(enterprise, tag: str, value: float) -> None:
    registry = Registry.load()
    batch = Batch()
    body = {"ts": int(time.time() * 1000), "readings": [{"tag": tag, "v": value}]}
    decode_into(batch, enterprise.uscc, json.dumps(body).encode(), registry, Rejects())
    with transaction.atomic():
        write_batch(batch, registry, Rejects())


def test_alarm_appears_live_and_is_handled_on_a_phone(
    browser, live_server, enterprise_factory, enterprise_user_factory, point_factory
):
    # given an enterprise with a gas detector, its duty user on a phone, and the console open
    ent = enterprise_factory(name="演示监测化工")
    point_factory(ent, tag="GT-0701", h=25, hh=50, deadband=2)
    enterprise_user_factory(ent, username="zhiban")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("zhiban")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/monitoring/console/")
    page.get_by_text("当前没有未关闭的报警").wait_for()
    page.evaluate("window.__noReload = true")
    # when the detector reads 31 %LEL
    feed(ent, "GT-0701", 31.0)
    # then the alarm shows up without a reload
    page.get_by_role("link", name="GT-0701 可燃气体探测器", exact=False).wait_for()
    assert page.evaluate("window.__noReload") is True
    assert "高报（一级）" in page.content()
    # and the operator can mute the sound (remembered)
    page.get_by_role("button", name="声音：开").click()
    assert page.evaluate("localStorage.getItem('anjian.alarm.muted')") == "1"
    page.get_by_role("button", name="声音：关").wait_for()
    # when they acknowledge and handle it
    page.get_by_role("link", name="GT-0701", exact=False).first.click()
    page.get_by_role("button", name="确认报警").click()
    page.get_by_text("已确认").first.wait_for()
    page.get_by_label("报警原因").fill("进料阀内漏")
    page.get_by_label("处置措施").fill("关闭阀门并更换阀芯")
    page.get_by_role("button", name="提交处置记录").click()
    page.get_by_text("已处置").first.wait_for()
    # the value clears, then it can be closed
    feed(ent, "GT-0701", 2.0)
    page.reload()
    page.get_by_role("button", name="关闭报警（销警）").click()
    page.get_by_text("已关闭").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
