"""Issue 3's browser tests: registering an enterprise, an enterprise user's own scope, importing people."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from anjian.domain.check_digits import org_code_check_char, resident_id_check_char, uscc_check_char
from anjian.enterprises.models import Enterprise
from anjian.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # the password user_factory gives every user


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def valid_uscc(serial):
    """A 统一社会信用代码 of an enterprise in 阿拉善左旗 with both check characters right."""
    body = f"{serial:08d}"
    first17 = "91152921" + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def test_committee_office_registers_an_enterprise(page, live_server, user_factory):
    # given a user of the committee office and a code whose 18th (check) character is wrong
    user_factory(role="committee", org="安委会办公室", username="awb", name="王芳")
    good = valid_uscc(73920418)
    wrong_char = "1" if good[-1] != "1" else "2"
    log_in(page, live_server, "awb")
    # when they fill in the new-enterprise form with the wrong code
    page.goto(f"{live_server.url}/enterprises/")
    page.get_by_role("link", name="新建企业").click()
    page.locator("#id_uscc").fill(good[:17] + wrong_char)
    page.locator("#id_name").fill("阿拉善腾格里环保科技有限公司")
    page.locator("#id_industry").select_option(label="危险废物")
    page.locator("#id_town").select_option(label="腾格里镇")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    # then the form comes back naming position 18 and the expected character, and nothing is saved
    message = f"统一社会信用代码第18位校验码应为“{good[-1]}”，实际为“{wrong_char}”"
    expect(page.get_by_text(message)).to_be_visible()
    assert not Enterprise.objects.exists()
    # when they correct the code and save
    page.locator("#id_uscc").fill(good)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    # then the enterprise page shows the department derived by 三个必须 (危险废物 → 生态环境分局)
    enterprise = Enterprise.objects.get(uscc=good)
    assert enterprise.supervising_unit.name == "生态环境分局"
    expect(page.get_by_role("heading", name="阿拉善腾格里环保科技有限公司")).to_be_visible()
    department = page.locator("dt:text-is('行业监管部门') + dd")
    assert "生态环境分局" in department.inner_text()
    assert "按“三个必须”规则" in department.inner_text()
    # and the history tab shows the creation by the user, by name
    page.get_by_role("link", name="变更记录").click()
    page.wait_for_url(re.compile(r"\?tab=history$"))
    row = page.locator("tr", has_text="新建企业")
    assert row.count() == 1
    assert "王芳" in row.inner_text()


def test_enterprise_user_sees_only_its_own_enterprise(
    page, live_server, enterprise_factory, enterprise_user_factory
):
    # given two enterprises and a user of the first one
    own = enterprise_factory(name="腾格里甲化工有限公司")
    other = enterprise_factory(name="孛井滩乙化工有限公司", town="孛井滩镇")
    enterprise_user_factory(own, username="jiahua")
    log_in(page, live_server, "jiahua")
    # when they open the enterprise list
    page.goto(f"{live_server.url}/enterprises/")
    # then only their own enterprise is listed
    names = page.locator("td[data-label='企业名称']").all_inner_texts()
    assert names == ["腾格里甲化工有限公司"]
    # when they search for the other enterprise by name
    page.get_by_role("searchbox").fill("孛井滩乙化工")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"q=.+"))
    # then nothing is found and the other name appears nowhere but in the search box
    expect(page.get_by_text("没有符合条件的企业。")).to_be_visible()
    assert page.locator("td[data-label='企业名称']").count() == 0
    assert "孛井滩乙化工有限公司" not in page.content()
    # when they open the other enterprise's page by its URL
    response = page.goto(f"{live_server.url}{other.get_absolute_url()}")
    # then they get the 404 page, which does not name the enterprise
    assert response.status == 404
    assert "孛井滩乙化工有限公司" not in page.content()
    # while their own page opens
    assert page.goto(f"{live_server.url}{own.get_absolute_url()}").status == 200
    expect(page.get_by_role("heading", name="腾格里甲化工有限公司")).to_be_visible()


def resident_id(first17, *, valid=True):
    check = resident_id_check_char(first17)
    if valid:
        return first17 + check
    return first17 + ("1" if check != "1" else "2")


def test_department_user_imports_people_with_one_bad_row(page, live_server, user_factory):
    # given a user of 应急管理局
    user_factory(username="yingji", name="李明", org="应急管理局")
    log_in(page, live_server, "yingji")
    page.goto(f"{live_server.url}/people/excel/persons/import/")
    # and the import template downloaded from the import page
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    assert download.value.suggested_filename.startswith("人员名录导入模板")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook.worksheets[0]
    headers = [str(cell.value).rstrip("*") for cell in sheet[1] if cell.value]
    # and filled in with three people of the department, the second with a wrong check digit
    bad_id = resident_id("15292119880909005", valid=False)
    people = [
        {"姓名": "赵强", "证件号码": resident_id("15292119850612003"), "岗位/职务": "执法队员"},
        {"姓名": "钱丽", "证件号码": bad_id, "岗位/职务": "科员"},
        {"姓名": "孙伟", "证件号码": resident_id("15292119920214004"), "岗位/职务": "科长"},
    ]
    for row, person in enumerate(people, start=2):  # as typed into Excel: from row 2, under the header
        values = {**person, "所在部门": "应急管理局", "人员类别": "监管执法人员"}
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=row, column=column, value=values.get(header))
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when they upload it on the import page
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "人员名录.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": buffer.getvalue(),
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    # then the report names the rejected row, its column and the reason in Chinese
    expect(page.get_by_role("heading", name="导入结果")).to_be_visible()
    rejected = page.locator("tbody tr")
    assert rejected.count() == 1
    cells = rejected.first.locator("td").all_inner_texts()
    expected = resident_id_check_char("15292119880909005")
    assert cells == ["第 3 行", "证件号码", f"公民身份号码第18位校验码应为“{expected}”，实际为“{bad_id[-1]}”"]
    # and the two valid rows are saved for the department
    saved = Person.objects.order_by("name")
    assert [(p.name, p.employer_unit.name) for p in saved] == [("孙伟", "应急管理局"), ("赵强", "应急管理局")]
