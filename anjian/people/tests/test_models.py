"""Model rules: exactly one employer, derived identity fields, certificate validity and renewal."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from anjian.people.choices import CertificateKind, CertificateStatus, IdType, RoleCategory
from anjian.people.models import Certificate, Person

pytestmark = pytest.mark.django_db


def _person(**fields):
    base = {
        "name": "王强",
        "id_type": IdType.RESIDENT,
        "id_number": "11010519491231002X",
        "role_category": RoleCategory.OTHER_WORKER,
    }
    return Person(**{**base, **fields})


def test_person_needs_exactly_one_employer(enterprise_factory, unit):
    enterprise = enterprise_factory()
    # given a person with no employer, then one with both
    with pytest.raises(ValidationError) as neither:
        _person().full_clean()
    with pytest.raises(ValidationError) as both:
        _person(employer_enterprise=enterprise, employer_unit=unit("应急管理局")).full_clean()
    # then each is refused with a Chinese message naming the rule
    assert neither.value.message_dict["employer_enterprise"] == [
        "请填写所在企业或所在部门（二者必须且只能填写一项）"
    ]
    assert both.value.message_dict["employer_unit"] == ["所在企业和所在部门只能填写一项"]
    # and exactly one employer passes
    _person(employer_enterprise=enterprise).full_clean()
    _person(employer_unit=unit("应急管理局"), role_category=RoleCategory.ENFORCEMENT).full_clean()


def test_role_must_fit_the_employer(enterprise_factory, unit):
    with pytest.raises(ValidationError) as exc:
        _person(employer_enterprise=enterprise_factory(), role_category=RoleCategory.ENFORCEMENT).full_clean()
    assert exc.value.message_dict["role_category"] == ["企业人员的类别不能是“监管执法人员”"]
    with pytest.raises(ValidationError) as exc:
        _person(employer_unit=unit("应急管理局"), role_category=RoleCategory.PRINCIPAL).full_clean()
    assert "三类人员属于企业" in exc.value.message_dict["role_category"][0]


def test_sex_and_birth_date_come_from_a_resident_id(enterprise_factory):
    # given a person saved with a lower-case x and wrong sex/birth date typed in
    person = _person(
        employer_enterprise=enterprise_factory(),
        id_number="11010519491231002x",
        sex="男",
        birth_date=dt.date(2000, 1, 1),
    )
    person.save()
    # then the number is normalised and sex and birth date follow it
    person.refresh_from_db()
    assert (person.id_number, person.sex, person.birth_date) == (
        "11010519491231002X",
        "女",
        dt.date(1949, 12, 31),
    )


def test_duplicate_document_number_is_refused(person_factory, enterprise_factory):
    existing = person_factory(enterprise_factory())
    with pytest.raises(ValidationError) as exc:
        _person(employer_enterprise=enterprise_factory(), id_number=existing.id_number.lower()).full_clean()
    assert exc.value.message_dict["id_number"][0].startswith("无权登记该证件号码")


def test_phone_format(enterprise_factory):
    with pytest.raises(ValidationError) as exc:
        _person(employer_enterprise=enterprise_factory(), phone="12345").full_clean()
    assert exc.value.message_dict["phone"] == ["联系电话格式不正确（手机号11位，或区号-号码）"]


def test_special_operation_certificate_needs_a_category(person_factory, enterprise_factory):
    person = person_factory(enterprise_factory(), role=RoleCategory.SPECIAL_WORKER)
    cert = Certificate(
        person=person,
        kind=CertificateKind.SPECIAL_OPERATION,
        number="t1",
        issuer="盟应急管理局",
        issued_on=dt.date(2023, 1, 1),
        expires_on=dt.date(2022, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        cert.full_clean()
    assert exc.value.message_dict["category"] == ["特种作业证书必须填写作业类别"]
    assert exc.value.message_dict["expires_on"] == ["有效期至必须晚于发证日期"]


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2022, 12, 31), CertificateStatus.NOT_YET_VALID),
        (dt.date(2025, 10, 2), CertificateStatus.VALID),  # 91 days before expiry
        (dt.date(2025, 10, 3), CertificateStatus.EXPIRING),  # 90 days before
        (dt.date(2026, 1, 1), CertificateStatus.EXPIRING),  # the last valid day
        (dt.date(2026, 1, 2), CertificateStatus.EXPIRED),
    ],
)
def test_certificate_status_on_a_day(person_factory, certificate_factory, enterprise_factory, day, status):
    cert = certificate_factory(
        person_factory(enterprise_factory(), role=RoleCategory.PRINCIPAL),
        issued_on=dt.date(2023, 1, 1),
        expires_on=dt.date(2026, 1, 1),
    )
    assert cert.status_on(day) == status


def test_expiring_and_expired_lists_with_fixed_dates(person_factory, certificate_factory, enterprise_factory):
    # given certificates expiring 10, 45, 80 and 120 days after 2025-01-01, one expired, one 长期有效
    person = person_factory(enterprise_factory(), role=RoleCategory.PRINCIPAL)
    day = dt.date(2025, 1, 1)
    certs = {
        n: certificate_factory(person, kind=CertificateKind.OTHER, expires_on=day + dt.timedelta(days=n))
        for n in (10, 45, 80, 120, -3)
    }
    certificate_factory(person, kind=CertificateKind.REGISTERED_ENGINEER, expires_on=None)
    qs = Certificate.objects.all()
    # then each window lists exactly the certificates inside it (each includes the shorter ones)
    assert set(qs.expiring_within(day, 30)) == {certs[10]}
    assert set(qs.expiring_within(day, 60)) == {certs[10], certs[45]}
    assert set(qs.expiring_within(day, 90)) == {certs[10], certs[45], certs[80]}
    assert set(qs.expired_on(day)) == {certs[-3]}
    assert qs.valid_on(day).count() == 5


def test_renewed_certificate_is_not_listed_as_expired(
    person_factory, certificate_factory, enterprise_factory
):
    # given an expired certificate and its renewal
    person = person_factory(enterprise_factory(), role=RoleCategory.PRINCIPAL)
    old = certificate_factory(person, issued_on=dt.date(2019, 1, 1), expires_on=dt.date(2022, 1, 1))
    new = certificate_factory(person, issued_on=dt.date(2022, 1, 1), expires_on=dt.date(2025, 1, 1))
    # then only the renewal is current
    assert list(Certificate.objects.current()) == [new]
    assert old in Certificate.objects.expired_on(dt.date(2023, 1, 1))


def test_audit_related_is_the_employer(person_factory, certificate_factory, enterprise_factory, unit):
    enterprise = enterprise_factory()
    worker = person_factory(enterprise)
    officer = person_factory(unit("应急管理局"), role=RoleCategory.ENFORCEMENT)
    assert worker.audit_related() == enterprise
    assert certificate_factory(worker).audit_related() == enterprise
    assert officer.audit_related() == unit("应急管理局")
