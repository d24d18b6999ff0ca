"""Issue 10's browser tests on a 390 px phone: a danger reported with a photo and closed by another user
through acceptance; the checklist queued while offline and sent once when the network is back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask
from anjian.dangers.tests.fixtures import jpeg_bytes
from tests.browser.conftest import wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"
PHONE = {"width": 390, "height": 844}


def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    return context, pg


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_report_with_photo_and_another_user_closes_it(browser, live_server, danger_world, tmp_path):
    w = danger_world
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(jpeg_bytes(when=dt.datetime(2026, 5, 3, 9, 15, tzinfo=dt.UTC), lat=39.2, lon=105.4))
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg_bytes())
    # given the reporter on a phone
    context, page = phone(browser)
    log_in(page, live_server, "ent_reporter")
    page.goto(f"{live_server.url}/dangers/report/")
    assert no_horizontal_scroll(page)
    page.locator("#id_title").fill("罐区消防通道堆放空桶")
    page.locator("#id_description").fill("北侧消防通道堆放约 20 个空桶")
    page.locator("#id_photo").set_input_files(str(photo))
    page.get_by_role("button", name="上报").click()
    page.wait_for_url(re.compile(r"/dangers/\d+/\?sent=1$"))
    danger = HiddenDanger.objects.get()
    assert danger.status == "reported" and danger.photos.get().lat is not None
    expect(page.get_by_text("已上报隐患")).to_be_visible()
    context.close()

    # the manager verifies and sets the 五到位 on a phone
    context, page = phone(browser)
    log_in(page, live_server, "ent_manager")
    page.goto(f"{live_server.url}/dangers/{danger.pk}/")
    with page.expect_navigation():
        page.locator("form.verb-verify").get_by_role("button", name="核实定级").click()
    assert HiddenDanger.objects.get().status == "verified"
    form = page.locator("form.verb-assign")
    # an illegal step first: 整改中 without the 五到位 is refused, nothing changes
    with page.expect_navigation():
        form.get_by_role("button", name="下达整改（五到位）").click()
    expect(page.get_by_text("五到位未落实，缺少：整改措施")).to_be_visible()
    assert HiddenDanger.objects.get().status == "verified"
    form = page.locator("form.verb-assign")
    form.locator("#id_assign-measures").fill("清走空桶，设置禁止堆放标识")
    form.locator("#id_assign-rectifier").select_option(label=str(w.reporter))
    form.locator("#id_assign-funds").fill("200")
    form.locator("#id_assign-deadline").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="下达整改（五到位）").click()
    assert HiddenDanger.objects.get().status == "rectifying"
    context.close()

    # the reporter rectifies: after-photo and statement
    context, page = phone(browser)
    log_in(page, live_server, "ent_reporter")
    page.goto(f"{live_server.url}/dangers/{danger.pk}/")
    page.locator("#id_file").set_input_files(str(after))
    page.locator("#id_stage").select_option("after")
    with page.expect_navigation():
        page.get_by_role("button", name="上传照片").click()
    page.locator("form.verb-submit textarea[name=statement]").fill("空桶已清走，已设标识")
    with page.expect_navigation():
        page.locator("form.verb-submit").get_by_role("button", name="整改完成，申请验收").click()
    assert HiddenDanger.objects.get().status == "awaiting_acceptance"
    # the rectifier is offered no acceptance and told why
    assert page.locator("form.verb-accept").count() == 0
    expect(page.get_by_text("验收人不能是整改责任人或申请验收人本人")).to_be_visible()
    context.close()

    # another user accepts and closes it
    context, page = phone(browser)
    log_in(page, live_server, "ent_manager")
    page.goto(f"{live_server.url}/dangers/{danger.pk}/")
    assert no_horizontal_scroll(page)
    page.locator("form.verb-accept textarea[name=opinion]").fill("现场复核，整改到位")
    with page.expect_navigation():
        page.locator("form.verb-accept").get_by_role("button", name="验收销号").click()
    expect(page.locator("#danger-status")).to_have_text("已销号")
    closed = HiddenDanger.objects.get()
    assert closed.status == "closed" and closed.accepted_by == w.manager
    # the audit trail is on the page, by name
    assert page.locator("tr", has_text="验收销号").count() >= 1
    context.close()


def test_checklist_survives_a_dropped_network(browser, live_server, danger_world):
    task = InspectionTask.objects.create(
        enterprise=danger_world.enterprise,
        title="罐区日常巡检",
        content="防火堤排水阀是否关闭",
        cycle="daily",
        assignee=danger_world.reporter,
        valid_from=timezone.localdate(),
    )
    context, page = phone(browser)
    log_in(page, live_server, "ent_reporter")
    page.goto(f"{live_server.url}/dangers/check/task/{task.pk}/")
    assert no_horizontal_scroll(page)
    page.get_by_label("正常").check()
    # the network drops before the send
    context.set_offline(True)
    page.get_by_role("button", name="提交排查结果").click()
    page.locator("#queue-note").wait_for(state="visible")
    assert InspectionRecord.objects.count() == 0
    assert page.evaluate("JSON.parse(localStorage.getItem('anjian-inspection-queue')).length") == 1
    # back online: the queued record is sent once
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_js(page, "JSON.parse(localStorage.getItem('anjian-inspection-queue') || '[]').length === 0")
    page.evaluate("window.anjianFlush()")
    assert InspectionRecord.objects.count() == 1
    context.close()
