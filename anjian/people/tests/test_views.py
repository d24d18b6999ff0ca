"""Pages: forms with Chinese validation through the actions, detail with history, import page, to-dos."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.core.todos import collect
from anjian.people.choices import RoleCategory
from anjian.people.models import Certificate, Person, TrainingRecord
from anjian.people.tests.fixtures import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(enterprise_factory):
    return enterprise_factory(name="甲化工有限公司")


@pytest.fixture
def plant_client(plant, enterprise_user_factory, client_for):
    return client_for(enterprise_user_factory(plant))


def _form(plant, **extra):
    return {
        "name": "张伟",
        "id_type": "resident",
        "id_number": "11010519491231002X",
        "employer_enterprise": plant.pk,
        "role_category": "principal",
        "years_experience": "10",
        "is_active": "on",
        **extra,
    }


def test_create_form_shows_the_check_digit_error(plant, plant_client):
    response = plant_client.post("/people/persons/new/", _form(plant, id_number="110105194912310021"))
    assert response.status_code == 200
    assert "公民身份号码第18位校验码应为“X”，实际为“1”" in response.content.decode()
    assert not Person.objects.exists()


def test_create_form_offers_only_own_enterprise_and_saves_through_the_action(
    plant, plant_client, enterprise_factory
):
    other = enterprise_factory(name="乙化工有限公司")
    page = plant_client.get("/people/persons/new/").content.decode()
    assert "甲化工有限公司" in page and "乙化工有限公司" not in page and 'name="employer_unit"' not in page
    # posting another enterprise's id is refused by the form's choices
    refused = plant_client.post("/people/persons/new/", _form(other))
    assert refused.status_code == 200 and not Person.objects.exists()
    # a valid post creates the person and one audit row
    response = plant_client.post("/people/persons/new/", _form(plant))
    person = Person.objects.get()
    assert response.status_code == 302 and response.url == f"/people/persons/{person.pk}/"
    assert (person.sex, person.birth_date) == ("女", dt.date(1949, 12, 31))
    assert AuditEntry.objects.filter(event_type=401, object_id=str(person.pk)).count() == 1


def test_department_form_enforces_exactly_one_employer(plant, committee_user, client_for, unit):
    client = client_for(committee_user)
    response = client.post("/people/persons/new/", _form(plant, employer_unit=unit("应急管理局").pk))
    assert "所在企业和所在部门只能填写一项" in response.content.decode()
    response = client.post("/people/persons/new/", _form(plant, employer_enterprise=""))
    assert "请填写所在企业或所在部门（二者必须且只能填写一项）" in response.content.decode()


def test_detail_shows_certificates_training_and_their_history(plant, plant_client, person_factory):
    person = person_factory(plant, RoleCategory.SPECIAL_WORKER)
    # when a certificate and a training record are added through the pages
    response = plant_client.post(
        f"/people/persons/{person.pk}/certificates/new/",
        {
            "person": person.pk,
            "kind": "special_operation",
            "category": "welding",
            "number": "t-9",
            "issuer": "阿拉善盟应急管理局",
            "issued_on": "2024-01-01",
            "expires_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    plant_client.post(
        f"/people/persons/{person.pk}/trainings/new/",
        {
            "person": person.pk,
            "course": "焊工复训",
            "kind": "continuing",
            "hours": "8",
            "date": "2025-01-05",
            "result": "passed",
        },
    )
    cert = Certificate.objects.get()
    plant_client.post(f"/people/certificates/{cert.pk}/delete/", {"reason": "录入错误"})
    # then the detail page lists the training and the history of all three changes
    html = plant_client.get(f"/people/persons/{person.pk}/").content.decode()
    assert "焊工复训" in html and "录入错误" in html
    assert html.count("变更证书") == 2 and "登记培训" in html
    assert TrainingRecord.objects.get().person == person and not Certificate.objects.exists()


def test_read_only_viewer_gets_403_on_edit(plant, person_factory, user_factory, client_for):
    person = person_factory(plant)
    commander = client_for(user_factory(role="commander", org="示范区综合应急救援大队"))
    assert commander.get(f"/people/persons/{person.pk}/").status_code == 200
    assert commander.get(f"/people/persons/{person.pk}/edit/").status_code == 403


def test_import_page_reports_rejected_rows(plant, plant_client):
    data = xlsx_bytes(
        ["姓名", "证件号码", "所在企业", "人员类别"],
        [
            ["张伟", "11010519491231002X", plant.name, "主要负责人"],
            ["李娜", "110105194912310021", plant.name, "安全生产管理人员"],
        ],
    )
    upload = SimpleUploadedFile("人员.xlsx", data)
    html = plant_client.post("/people/excel/persons/import/", {"file": upload}).content.decode()
    assert "第 3 行" in html and "公民身份号码第18位校验码应为“X”，实际为“1”" in html
    assert "共 2 行：新增 1，更新 0，未变 0，拒绝 1" in html
    assert Person.objects.count() == 1


def test_expiring_page_tabs_count_each_window(plant, plant_client, person_factory, certificate_factory):
    person = person_factory(plant, RoleCategory.SPECIAL_WORKER)
    today = timezone.localdate()
    for days, kind in (
        (3, "other"),
        (40, "registered_engineer"),
        (70, "special_equipment"),
        (-5, "principal"),
    ):
        certificate_factory(person, kind=kind, expires_on=today + dt.timedelta(days=days))
    html = plant_client.get("/people/expiring/", {"tab": "expired"}).content.decode()
    for label, count in (("30天内到期", 1), ("60天内到期", 2), ("90天内到期", 3), ("已过期", 1)):
        assert f'{label} <span class="badge' in html and f">{count}</span></a>" in html
    assert "已过期 5 天" in html


def test_home_todos_for_enterprise_and_department(
    plant, enterprise_user_factory, user_factory, person_factory, certificate_factory
):
    person = person_factory(plant, RoleCategory.PRINCIPAL)
    today = timezone.localdate()
    certificate_factory(person, kind="principal", expires_on=today + dt.timedelta(days=20))
    certificate_factory(person, kind="special_equipment", expires_on=today - dt.timedelta(days=1))
    titles = lambda user: [i.title for i in collect(user) if i.module == "人员证书"]  # noqa: E731
    expected = ["1 本证书已过期", "1 本证书将在30天内到期"]
    assert titles(enterprise_user_factory(plant)) == expected
    assert titles(user_factory(role="dept", org="应急管理局")) == expected
    assert titles(user_factory(role="dept", org="市监局")) == []
