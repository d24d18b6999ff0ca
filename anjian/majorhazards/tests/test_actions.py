"""Re-grading on every inventory change, its history and audit, and the notification of a change of grade."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.core.audit import history_for
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.majorhazards import actions
from anjian.majorhazards.choices import FilingStatus, MajorHazardEvent
from anjian.majorhazards.models import Grading, HazardInstallation, InventoryLine
from anjian.people.choices import RoleCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Every notification the register sends, as (recipients, title, body)."""
    box = []

    def fake_send(recipients, *, title, body, why, target):
        box.append((list(recipients), title, body, target))

    monkeypatch.setattr(actions, "_send", fake_send)
    return box


@pytest.fixture
def plant(enterprise_factory, committee_user, django_capture_on_commit_callbacks):
    enterprise = enterprise_factory(name="丙化工有限公司")
    inst = HazardInstallation(
        enterprise=enterprise, code="ZDWXY-001", name="液氯储罐区", unit_kind="storage", population_500m=60
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_save_installation(inst, acting_user=committee_user)
    return inst


def _add(inst, user, capture, **fields):
    line = InventoryLine(installation=inst, **fields)
    with capture(execute=True):
        actions.do_save_inventory_line(line, acting_user=user)
    inst.refresh_from_db()
    return line


def test_every_inventory_change_regrades_with_history_and_audit(
    plant, committee_user, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    assert plant.is_major is False and plant.grade is None and plant.gradings.count() == 1
    # SO2 200 t, 60 people → R = 30, 三级 (the standard's example)
    line = _add(plant, committee_user, cap, substance="二氧化硫", max_quantity_t=Decimal("200"))
    assert (
        plant.is_major
        and plant.grade == 3
        and plant.r_value == Decimal("30.0000")
        and plant.alpha == Decimal("1.50")
    )
    latest = plant.gradings.first()
    assert latest.grade == 3 and latest.previous_grade is None and latest.contributions[0]["beta"] == 2
    # the quantity grows: R = 1.5·2·1000/20 = 150 → 一级
    line.max_quantity_t = Decimal("1000")
    with cap(execute=True):
        actions.do_save_inventory_line(line, acting_user=committee_user)
    plant.refresh_from_db()
    assert plant.grade == 1 and Grading.objects.filter(installation=plant).count() == 3
    # deleting the line: no longer a 重大危险源
    with cap(execute=True):
        actions.do_delete_inventory_line(InventoryLine.objects.get(pk=line.pk), acting_user=committee_user)
    plant.refresh_from_db()
    assert plant.is_major is False and plant.grade is None
    events = list(history_for(plant).order_by("id").values_list("event_type", flat=True))
    assert events.count(MajorHazardEvent.GRADE_CHANGED) == 3
    assert events.count(MajorHazardEvent.INVENTORY_CHANGED) == 3
    changed = AuditEntry.objects.filter(event_type=MajorHazardEvent.GRADE_CHANGED).order_by("id")
    assert "等级由“三级”变为“一级”" in changed[1].message


def test_a_regrade_notifies_exactly_the_supervising_department(
    plant, committee_user, sent, unit, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    supervising = plant.enterprise.supervising_unit
    assert supervising == unit("应急管理局")
    _add(plant, committee_user, cap, substance="二氧化硫", max_quantity_t=Decimal("200"))
    assert len(sent) == 1
    recipients, title, body, target = sent[0]
    assert recipients == [supervising] and target == plant
    assert "液氯储罐区" in title and "“不构成重大危险源”变为“三级”" in body
    # a change that keeps the grade is audited but notifies nobody
    _add(plant, committee_user, cap, substance="甲醇", max_quantity_t=Decimal("1"))
    assert plant.grade == 3 and len(sent) == 1
    assert AuditEntry.objects.filter(event_type=MajorHazardEvent.REGRADED).exists()


def test_population_change_regrades(plant, committee_user, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    _add(plant, committee_user, cap, substance="氯", max_quantity_t=Decimal("12.5"))
    # 氯 12.5 t: Σβq/Q = 4·2.5 = 10; α 1.5 → R = 15, 三级
    assert plant.grade == 3
    plant.population_500m = 0  # α 0.5 → R = 5, 四级
    with cap(execute=True):
        actions.do_save_installation(plant, acting_user=committee_user)
    plant.refresh_from_db()
    assert plant.grade == 4 and plant.r_value == Decimal("5.0000")
    assert [s[0] for s in sent] == [[plant.enterprise.supervising_unit]] * 2


def test_grade_change_of_a_filed_installation_needs_filing_again(
    plant, committee_user, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    _add(plant, committee_user, cap, substance="氯", max_quantity_t=Decimal("12.5"))
    plant.filing_status, plant.filing_number, plant.filed_on = FilingStatus.FILED, "BA-1", dt.date(2025, 1, 1)
    actions.do_save_installation(plant, acting_user=committee_user)
    assert AuditEntry.objects.filter(event_type=MajorHazardEvent.FILING_RECORDED).count() == 1
    _add(plant, committee_user, cap, substance="氯", max_quantity_t=Decimal("100"))
    assert plant.grade == 1 and plant.filing_status == FilingStatus.CHANGE_PENDING


def test_bad_inventory_lines_are_refused_with_the_substance_named(plant, committee_user):
    for fields, message in (
        ({"substance": "某溶剂", "max_quantity_t": Decimal("5")}, "“某溶剂”不在GB 18218-2018表1中"),
        (
            {"substance": "某溶剂", "category": "W77", "max_quantity_t": Decimal("5")},
            "“某溶剂”的危险性类别“W77”",
        ),
        ({"substance": "液氯", "cas": "7782-50-4", "max_quantity_t": Decimal("5")}, "校验码"),
        ({"substance": "甲醇", "max_quantity_t": Decimal("-1")}, "负数"),
    ):
        with pytest.raises(ValidationError) as err:
            actions.do_save_inventory_line(
                InventoryLine(installation=plant, **fields), acting_user=committee_user
            )
        assert message in str(err.value)
    assert not plant.inventory.exists()


def test_enterprise_cannot_record_its_own_filing(plant, enterprise_user_factory):
    user = enterprise_user_factory(plant.enterprise)
    plant.filing_status, plant.filed_on = FilingStatus.FILED, dt.date(2025, 1, 1)
    with pytest.raises(PermissionDeniedError):
        actions.do_save_installation(plant, acting_user=user)
    plant.refresh_from_db()
    plant.description = "企业可以修改说明"
    actions.do_save_installation(plant, acting_user=user)


def test_responsibility_assignment_and_checks(plant, committee_user, person_factory):
    boss = person_factory(plant.enterprise, role=RoleCategory.PRINCIPAL, name="丙厂长")
    other = person_factory(plant.enterprise, role=RoleCategory.PRINCIPAL, name="丙副厂长")
    first = actions.do_assign_responsibility(
        plant, "principal", boss, since=dt.date(2025, 1, 1), acting_user=committee_user
    )
    second = actions.do_assign_responsibility(
        plant, "principal", other, since=dt.date(2025, 6, 1), acting_user=committee_user
    )
    first.refresh_from_db()
    assert first.until == dt.date(2025, 6, 1) and second.until is None
    with pytest.raises(ValidationFailed, match="尚未指定技术负责人"):
        actions.do_log_check(plant, "technical", acting_user=committee_user)
    check = actions.do_log_check(
        plant,
        "principal",
        acting_user=committee_user,
        findings="罐区巡查正常",
        lon=Decimal("105.1"),
        lat=Decimal("38.2"),
    )
    assert check.person == other and check.responsibility == second
    with pytest.raises(ValidationFailed, match="不能晚于当前时间"):
        actions.do_log_check(
            plant, "principal", acting_user=committee_user, checked_at=timezone.now() + dt.timedelta(days=1)
        )
    events = set(history_for(plant).values_list("event_type", flat=True))
    assert {
        MajorHazardEvent.RESPONSIBILITY_ASSIGNED,
        MajorHazardEvent.RESPONSIBILITY_ENDED,
        MajorHazardEvent.CHECK_LOGGED,
    } <= events


def test_a_major_installation_flags_its_enterprise_in_the_registry(
    plant, committee_user, sent, django_capture_on_commit_callbacks
):
    enterprise = plant.enterprise
    enterprise.refresh_from_db()
    assert enterprise.major_hazard is False
    _add(
        plant,
        committee_user,
        django_capture_on_commit_callbacks,
        substance="甲醇",
        max_quantity_t=Decimal("1"),
    )
    enterprise.refresh_from_db()
    assert enterprise.major_hazard is False  # S = 0.002: not a 重大危险源
    _add(
        plant, committee_user, django_capture_on_commit_callbacks, substance="氯", max_quantity_t=Decimal("5")
    )
    enterprise.refresh_from_db()
    assert enterprise.major_hazard is True
    assert (
        "按重大危险源辨识结果标记" in history_for(enterprise).filter(message__contains="标记").first().message
    )


def test_assessment_file_is_typed_by_content(plant, committee_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # given: an executable named like a report
    plant.assessment_file = SimpleUploadedFile("评估报告.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    # when / then: refused with the field named, in Chinese
    with pytest.raises((ValidationError, ValidationFailed), match="安全评估报告文件只接受"):
        actions.do_save_installation(plant, acting_user=committee_user)
    # and a real PDF is accepted
    plant.assessment_file = SimpleUploadedFile(
        "评估报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    )
    actions.do_save_installation(plant, acting_user=committee_user)
    plant.refresh_from_db()
    assert plant.assessment_file.name.endswith(".pdf")
