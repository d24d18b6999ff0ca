"""Excel: a file with bad rows gives a row/column/reason report; re-importing changes nothing; round trip."""

import io

import pytest
from openpyxl import load_workbook

from anjian.core.models import AuditEntry
from anjian.people import excel
from anjian.people.choices import RoleCategory
from anjian.people.models import Certificate, Person
from anjian.people.tests.fixtures import xlsx_bytes

pytestmark = pytest.mark.django_db

PERSON_HEADER = ["姓名", "证件类型", "证件号码", "所在企业", "所在部门", "岗位/职务", "人员类别", "从业年限"]


@pytest.fixture
def plant(enterprise_factory):
    return enterprise_factory(name="甲化工有限公司")


@pytest.fixture
def plant_user(plant, enterprise_user_factory):
    return enterprise_user_factory(plant)


def _person_file(plant):
    return xlsx_bytes(
        PERSON_HEADER,
        [
            [
                "张伟",
                "居民身份证",
                "11010519491231002x",
                plant.name,
                None,
                "厂长",
                "主要负责人",
                20,
            ],  # row 2 ok
            [
                "李娜",
                "居民身份证",
                "110105194912310021",
                plant.name,
                None,
                "安全员",
                "安全生产管理人员",
                5,
            ],  # 3 check
            [
                "",
                "居民身份证",
                "15292119900307001X",
                plant.name,
                None,
                "电工",
                "特种作业人员",
                3,
            ],  # 4 no name
            [
                "王芳",
                "居民身份证",
                "152921199002300015",
                plant.uscc,
                None,
                "焊工",
                "特种作业人员",
                2,
            ],  # 5 date
            [
                "刘洋",
                "居民身份证",
                "15292119850601013X",
                plant.name,
                "应急管理局",
                "电工",
                "特种作业人员",
                2,
            ],  # 6 unit
            ["陈静", "护照", "E12345678", "不存在的企业", None, "顾问", "其他从业人员", 1],  # 7 enterprise
            [
                "赵磊",
                "居民身份证",
                "11010519491231002X",
                plant.name,
                None,
                "厂长",
                "主要负责人",
                20,
            ],  # 8 dup of 2
            ["孙敏", "护照", "E12345678", plant.uscc, None, "顾问", "其他从业人员", "三年"],  # 9 int
            ["周杰", "护照", "E87654321", plant.uscc, None, "顾问", "外聘专家", 1],  # 10 choice
            [
                "吴刚",
                "外国人永久居留身份证",
                "USA123456789012",
                plant.uscc,
                None,
                "工程师",
                "其他从业人员",
                4,
            ],  # 11 ok
        ],
    )


def test_import_reports_each_bad_row_and_saves_the_valid_ones(plant, plant_user):
    # when a file with two good and eight bad rows is imported by the enterprise's user
    report = excel.import_file("persons", _person_file(plant), acting_user=plant_user)
    # then the good rows are saved and every bad one is reported with row, column and a Chinese reason
    assert (report.created, report.updated, report.unchanged, report.total_rows) == (2, 0, 0, 10)
    errors = {(e.row, e.column): e.reason for e in report.errors}
    assert errors == {
        (3, "证件号码"): "公民身份号码第18位校验码应为“X”，实际为“1”",
        (4, "姓名"): "必填",
        (5, "证件号码"): "公民身份号码中的出生日期“19900230”不是有效日期",
        (6, "所在部门"): "找不到部门“应急管理局”，或无权在该部门登记人员",
        (7, "所在企业"): "找不到企业“不存在的企业”，或无权在该企业登记人员",
        (8, "证件号码"): "与第 2 行重复",
        (9, "从业年限"): "“三年”不是整数",
        (
            10,
            "人员类别",
        ): "“外聘专家”不在可选值中（主要负责人、安全生产管理人员、特种作业人员、其他从业人员、监管执法人员、领导干部）",
    }
    assert sorted(Person.objects.values_list("name", flat=True)) == ["吴刚", "张伟"]
    assert AuditEntry.objects.filter(event_type=10).count() == 2


def test_reimporting_the_same_file_changes_nothing(plant, plant_user):
    data = _person_file(plant)
    excel.import_file("persons", data, acting_user=plant_user)
    before = (list(Person.objects.values()), AuditEntry.objects.count())
    # when the same file is imported again
    report = excel.import_file("persons", data, acting_user=plant_user)
    # then nothing is created or updated, no audit row is written, the same rows are rejected
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 2, 8)
    assert (list(Person.objects.values()), AuditEntry.objects.count()) == before


def test_export_then_import_is_a_round_trip(
    plant, plant_user, person_factory, certificate_factory, training_factory
):
    # given people with certificates and training records
    for role in (RoleCategory.PRINCIPAL, RoleCategory.SPECIAL_WORKER):
        person = person_factory(plant, role, phone="13800000000", years_experience=4)
        certificate_factory(person)
        training_factory(person)
    for register, rows in (
        ("persons", Person.objects.all()),
        ("certificates", Certificate.objects.all()),
        ("trainings", person.trainings.model.objects.all()),
    ):
        data = excel.export_response(register, rows, plant_user).content
        # when the exported file is imported back
        report = excel.import_file(register, data, acting_user=plant_user)
        # then every row is unchanged
        assert (report.created, report.updated, report.errors) == (0, 0, []), register
        assert report.unchanged == 2


def test_import_updates_changed_rows_and_audits_once(plant, plant_user, person_factory):
    person = person_factory(plant, RoleCategory.SPECIAL_WORKER, job="电工")
    data = xlsx_bytes(
        ["姓名", "证件号码", "所在企业", "岗位/职务"], [[person.name, person.id_number, plant.name, "焊工"]]
    )
    report = excel.import_file("persons", data, acting_user=plant_user)
    assert (report.created, report.updated) == (0, 1)
    person.refresh_from_db()
    assert person.job == "焊工"
    assert AuditEntry.objects.filter(object_id=str(person.pk), event_type=10).count() == 1


def test_certificate_import_reports_bad_rows(plant, plant_user, person_factory, enterprise_factory):
    worker = person_factory(plant, RoleCategory.SPECIAL_WORKER)
    stranger = person_factory(enterprise_factory(name="乙化工有限公司"), RoleCategory.SPECIAL_WORKER)
    header = ["持证人证件号码", "证书类别", "作业类别", "证书编号", "发证机关", "发证日期", "有效期至"]
    data = xlsx_bytes(
        header,
        [
            [
                worker.id_number,
                "特种作业",
                "电工作业",
                "T001",
                "阿拉善盟应急管理局",
                "2023-01-01",
                "2029-01-01",
            ],
            [worker.id_number, "特种作业", None, "T002", "阿拉善盟应急管理局", "2023-01-01", "2029-01-01"],
            [
                stranger.id_number,
                "特种作业",
                "电工作业",
                "T003",
                "阿拉善盟应急管理局",
                "2023-01-01",
                "2029-01-01",
            ],
            [worker.id_number, "主要负责人", None, "Z001", "阿拉善盟应急管理局", "2023-01-01", "2022-01-01"],
            [worker.id_number, "主要负责人", None, "Z002", "阿拉善盟应急管理局", "2023年13月1日", None],
        ],
    )
    report = excel.import_file("certificates", data, acting_user=plant_user)
    assert report.created == 1
    assert {(e.row, e.column): e.reason for e in report.errors} == {
        (3, "作业类别"): "特种作业证书必须填写作业类别",
        (
            4,
            "持证人证件号码",
        ): f"找不到证件号码为“{stranger.id_number}”的人员，或无权修改该人员（请先导入人员名录）",
        (5, "有效期至"): "有效期至必须晚于发证日期",
        (6, "发证日期"): "“2023年13月1日”不是有效日期，应写作 2024-03-01",
    }


def test_template_has_headers_and_help_sheet(plant_user):
    wb = load_workbook(io.BytesIO(excel.template_response("persons", plant_user).content))
    assert wb.sheetnames[:2] == ["人员名录", "填写说明"]
    headers = [c.value for c in wb["人员名录"][1]]
    assert headers[:3] == ["姓名*", "证件类型", "证件号码*"]
