"""API: create/update with the same validation as forms, audit, filters, expiring endpoint."""

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.people.choices import RoleCategory
from anjian.people.models import Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/persons/"


@pytest.fixture
def plant(enterprise_factory):
    return enterprise_factory(name="甲化工有限公司")


@pytest.fixture
def plant_client(plant, enterprise_user_factory, api_client_for):
    return api_client_for(enterprise_user_factory(plant))


def _payload(plant, **extra):
    return {
        "name": "李四",
        "id_type": "resident",
        "id_number": "11010519491231002x",
        "employer_enterprise": plant.pk,
        "job": "安全员",
        "role_category": "safety_manager",
        **extra,
    }


def test_create_person_validates_derives_and_audits(plant, plant_client):
    # when an enterprise user registers a person with a valid resident ID
    response = plant_client.post(URL, _payload(plant), format="json")
    # then it is created, normalised, sex/birth date derived
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["id_number"], body["sex"], body["birth_date"]) == ("11010519491231002X", "女", "1949-12-31")
    # and one PERSON_CREATED audit row points at the enterprise (so 一企一档 shows it)
    entry = AuditEntry.objects.get(object_id=str(body["id"]), event_type=401)
    assert entry.related_id == str(plant.pk)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "公民身份号码第18位校验码应为“X”，实际为“1”"),
        ("110105194902300021", "公民身份号码中的出生日期“19490230”不是有效日期"),
        ("1101051949123100", "公民身份号码长度应为18位，实际为16位"),
    ],
)
def test_create_person_refuses_a_bad_resident_id(plant, plant_client, number, message):
    response = plant_client.post(URL, _payload(plant, id_number=number), format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == [message]
    assert not Person.objects.exists()


def test_create_person_refuses_two_employers(plant, committee_user, api_client_for, unit):
    response = api_client_for(committee_user).post(
        URL, _payload(plant, employer_unit=unit("应急管理局").pk), format="json"
    )
    assert response.status_code == 400
    assert response.json()["employer_unit"] == ["所在企业和所在部门只能填写一项"]


def test_enterprise_user_cannot_register_in_another_enterprise(plant, plant_client, enterprise_factory):
    other = enterprise_factory(name="乙化工有限公司")
    response = plant_client.post(URL, _payload(other), format="json")
    # another enterprise answers exactly like an absent one: 404, naming the field
    assert response.status_code == 404
    assert response.json()["field"] == "employer_enterprise"
    assert not Person.objects.exists()


def test_update_person_audits_before_and_after(plant, plant_client, person_factory):
    person = person_factory(plant, RoleCategory.SPECIAL_WORKER, job="电工")
    response = plant_client.patch(f"{URL}{person.pk}/", {"job": "焊工", "reason": "调岗"}, format="json")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(object_id=str(person.pk), event_type=402)
    assert (entry.before["job"], entry.after["job"], entry.reason) == ("电工", "焊工", "调岗")


def test_person_cannot_be_deleted_by_api(plant, plant_client, person_factory):
    person = person_factory(plant)
    assert plant_client.delete(f"{URL}{person.pk}/").status_code == 405


def test_list_filters_and_query_bound(plant, plant_client, person_factory, django_assert_max_num_queries):
    for _ in range(6):
        person_factory(plant, RoleCategory.SPECIAL_WORKER)
    person_factory(plant, RoleCategory.PRINCIPAL, name="王厂长")
    with django_assert_max_num_queries(8):
        response = plant_client.get(URL, {"role_category": "principal"})
    assert [p["name"] for p in response.json()["results"]] == ["王厂长"]
    assert plant_client.get(URL, {"search": "王厂"}).json()["count"] == 1
    assert plant_client.get(URL, {"uncertified": "true"}).json()["count"] == 7


def test_certificate_api_validates_category_and_lists_expiring(
    plant, plant_client, person_factory, certificate_factory
):
    worker = person_factory(plant, RoleCategory.SPECIAL_WORKER)
    url = "/api/v1/people/certificates/"
    # a 特种作业 certificate without a category is refused with the model's message
    bad = plant_client.post(
        url,
        {
            "person": worker.pk,
            "kind": "special_operation",
            "number": "T1",
            "issuer": "阿拉善盟应急管理局",
            "issued_on": "2023-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["category"] == ["特种作业证书必须填写作业类别"]
    # certificates (of different kinds, so none replaces another) expiring 5, 50, 85 days from today, one expired
    today = timezone.localdate()
    for days, kind in (
        (5, "other"),
        (50, "registered_engineer"),
        (85, "special_equipment"),
        (-1, "principal"),
    ):
        certificate_factory(worker, kind=kind, expires_on=today + dt.timedelta(days=days))
    counts = {d: plant_client.get(f"{url}expiring/", {"days": d}).json()["count"] for d in (30, 60, 90)}
    assert counts == {30: 1, 60: 2, 90: 3}
    assert plant_client.get(f"{url}expiring/", {"days": 45}).status_code == 400
    assert plant_client.get(url, {"status": "expired"}).json()["count"] == 1


def test_training_api_creates_with_audit(plant, plant_client, person_factory):
    worker = person_factory(plant)
    response = plant_client.post(
        "/api/v1/people/trainings/",
        {
            "person": worker.pk,
            "course": "三级安全教育",
            "kind": "three_level",
            "hours": "24",
            "date": "2025-03-01",
            "result": "passed",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert AuditEntry.objects.filter(event_type=420, related_id=str(plant.pk)).count() == 1
    zero = plant_client.post(
        "/api/v1/people/trainings/",
        {"person": worker.pk, "course": "复训", "hours": "0", "date": "2025-03-02"},
        format="json",
    )
    assert zero.json()["hours"] == ["学时应大于0且不超过2000"]


def test_certificate_and_training_lists_have_bounded_queries(
    plant, plant_client, person_factory, certificate_factory, training_factory, django_assert_max_num_queries
):
    for _ in range(8):
        person = person_factory(plant, RoleCategory.SPECIAL_WORKER)
        certificate_factory(person)
        training_factory(person)
    with django_assert_max_num_queries(8):
        assert plant_client.get("/api/v1/people/certificates/").json()["count"] == 8
    with django_assert_max_num_queries(8):
        assert plant_client.get("/api/v1/people/trainings/").json()["count"] == 8
