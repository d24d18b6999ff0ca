"""An enterprise user reports an incident from a phone-sized screen and sees its grade and reporting clocks."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_report_shows_grade_and_clocks(page, live_server, enterprise_factory, user_factory):
    # given an enterprise user on a 390 px phone
    enterprise = enterprise_factory(name="甲化工有限公司")
    user_factory(role="enterprise", org=enterprise.org_unit, username="qiye")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("qiye")
    page.get_by_label("密码").fill("pw-12345678")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    # when they report 3 deaths
    page.goto(f"{live_server.url}/emergency/incidents/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("事故简述").fill("罐区爆燃")
    page.get_by_label("发生地点").fill("罐区")
    page.get_by_label("死亡人数").fill("3")
    page.get_by_role("button", name="提交接报").click()
    # then the incident page shows 较大 and the three reports with their deadlines, within the phone's width
    page.wait_for_url("**/emergency/incidents/*/")
    body = page.content()
    assert "较大事故" in body
    assert "市级上报省级安全监管部门" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
