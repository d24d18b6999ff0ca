"""Core's generic audited writes (``core.actions``) and the dispatch to an app's own writers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anjian.core import actions
from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.orgs.models import OrgUnit
from anjian.people.models import Person

pytestmark = pytest.mark.django_db


def _rows(obj):
    # By type too: on PostgreSQL another table's row (the admin test's alias) can have the same id.
    from django.contrib.contenttypes.models import ContentType

    object_type = ContentType.objects.get_for_model(obj)
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=str(obj.pk)).order_by("id"))


def test_create_validates_saves_and_audits_once_with_the_reason(committee_user):
    unit = actions.do_create(
        OrgUnit(code="T1", name="测试单位", kind="department"),
        acting_user=committee_user,
        reason="新设机构",
        m2m={"members": []},
    )
    [row] = _rows(unit)
    assert row.event_type == AuditEvent.OBJECT_CREATED and row.reason == "新设机构"
    assert row.user == committee_user and row.after["name"] == "测试单位" and row.before is None


def test_create_refuses_an_invalid_row_and_writes_nothing(committee_user):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        actions.do_create(OrgUnit(code="", name="", kind="nonsense"), acting_user=committee_user)
    assert AuditEntry.objects.count() == before and not OrgUnit.objects.filter(name="").exists()


def test_update_applies_changes_to_the_locked_row_and_audits_before_and_after(committee_user):
    unit = actions.do_create(OrgUnit(code="T2", name="旧名", kind="department"), acting_user=None)
    stale = OrgUnit.objects.get(pk=unit.pk)
    OrgUnit.objects.filter(pk=unit.pk).update(contact="张三 123")  # a concurrent edit of another field
    saved = actions.do_update(stale, {"name": "新名"}, acting_user=committee_user, reason="更名")
    stored = OrgUnit.objects.get(pk=unit.pk)
    assert (stored.name, stored.contact) == ("新名", "张三 123")
    assert stale.name == saved.name == "新名"
    row = _rows(unit)[-1]
    assert row.event_type == AuditEvent.OBJECT_UPDATED and row.reason == "更名"
    assert (row.before["name"], row.after["name"]) == ("旧名", "新名")


def test_update_that_changes_nothing_is_neither_saved_nor_audited(committee_user):
    unit = actions.do_create(OrgUnit(code="T3", name="不变", kind="department"), acting_user=None)
    stamp = OrgUnit.objects.get(pk=unit.pk).updated_at
    count = AuditEntry.objects.count()
    actions.do_update(unit, {"name": "不变"}, acting_user=committee_user)
    actions.do_update(unit, {"members": []}, acting_user=committee_user)
    assert AuditEntry.objects.count() == count
    assert OrgUnit.objects.get(pk=unit.pk).updated_at == stamp


def test_update_of_many_to_many_is_audited(committee_user):
    unit = actions.do_create(OrgUnit(code="T4", name="组", kind="group"), acting_user=None)
    member = OrgUnit.objects.exclude(pk=unit.pk).order_by("pk").first()
    actions.do_update(unit, {"members": [member]}, acting_user=committee_user)
    row = _rows(unit)[-1]
    assert row.before["members"] == [] and row.after["members"] == [member.pk]
    assert list(unit.members.all()) == [member]


def test_update_with_values_already_on_the_object(committee_user):
    unit = actions.do_create(OrgUnit(code="T5", name="甲", kind="department"), acting_user=None)
    unit.name = "乙"
    actions.do_update(unit, None, acting_user=committee_user, message="表单")
    row = _rows(unit)[-1]
    assert (row.before["name"], row.after["name"], row.message) == ("甲", "乙", "表单")


def test_delete_audits_the_last_state(committee_user):
    unit = actions.do_create(OrgUnit(code="T6", name="撤销", kind="department"), acting_user=None)
    pk = unit.pk
    actions.do_delete(unit, acting_user=committee_user, reason="机构撤并")
    assert not OrgUnit.objects.filter(pk=pk).exists()
    row = AuditEntry.objects.filter(object_id=str(pk)).order_by("-id").first()
    assert row.event_type == AuditEvent.OBJECT_DELETED and row.before["name"] == "撤销"
    assert row.reason == "机构撤并" and row.after is None


def test_dispatch_uses_the_app_writer_and_falls_back_to_the_generic_one(committee_user, enterprise_factory):
    # people declares writers: its own events
    assert actions.writer_for(Person).create is not None
    person = actions.create_object(
        Person(name="王五", id_number="152921198506010014", employer_enterprise=enterprise_factory()),
        acting_user=committee_user,
    )
    assert _rows(person)[-1].event_type == AuditEvent.PERSON_CREATED
    # a caller may override the event (the Excel import audits as IMPORTED)
    actions.update_object(person, {"job": "操作工"}, acting_user=committee_user, event=AuditEvent.IMPORTED)
    assert _rows(person)[-1].event_type == AuditEvent.IMPORTED
    # orgs declares none: the generic action with the caller's fallback event
    assert actions.writer_for(OrgUnit).create is None
    unit = actions.create_object(
        OrgUnit(code="T7", name="回退", kind="department"),
        acting_user=committee_user,
        fallback_event=AuditEvent.ORG_CREATED,
    )
    assert _rows(unit)[-1].event_type == AuditEvent.ORG_CREATED


def test_admin_edits_and_inline_rows_go_through_the_actions(user_factory, client):
    from anjian.orgs.models import OrgAlias

    admin = user_factory(role="admin", org=None)
    client.force_login(admin)
    unit = actions.do_create(OrgUnit(code="T8", name="后台单位", kind="department"), acting_user=None)
    form = {
        "code": "T8",
        "name": "后台单位",
        "full_name": "后台单位全称",
        "kind": "department",
        "contact": "",
        "is_active": "on",
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "后台别名",
        "aliases-0-unit": str(unit.pk),
    }
    response = client.post(f"/admin/orgs/orgunit/{unit.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    # the unit's change and the new alias: one audit row each, by the admin, from the admin
    row = _rows(unit)[-1]
    assert row.event_type == AuditEvent.OBJECT_UPDATED and row.user == admin
    assert row.after["full_name"] == "后台单位全称" and row.message.startswith("管理后台")
    alias = OrgAlias.objects.get(name="后台别名")
    [alias_row] = AuditEntry.objects.filter(object_id=str(alias.pk), object_type__model="orgalias")
    assert alias_row.event_type == AuditEvent.OBJECT_CREATED and alias_row.user == admin
    # saving again unchanged writes nothing
    count = AuditEntry.objects.count()
    form.update({"aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "1", "aliases-0-id": str(alias.pk)})
    assert client.post(f"/admin/orgs/orgunit/{unit.pk}/change/", form).status_code == 302
    assert AuditEntry.objects.count() == count


def test_bulk_create_writes_the_audit_rows_record_writes(committee_user):
    # given two new units, one created the single-row way and one in bulk
    from anjian.core.audit import record

    one = OrgUnit(code="A1", name="单个单位", kind="department")
    one.save()
    record(AuditEvent.IMPORTED, one, acting_user=committee_user, after={"x": 1}, message="第 2 行")
    # when the other is created in bulk (audit rows written as column values, COPY on PostgreSQL)
    [two] = actions.do_bulk_create(
        [OrgUnit(code="A2", name="批量单位", kind="department")],
        acting_user=committee_user,
        event=AuditEvent.IMPORTED,
        message=lambda obj: "第 3 行",
    )
    # then both audit rows carry the same kinds of values
    [a] = _rows(one)
    [b] = _rows(two)
    for name in ("user", "user_name", "event_type", "object_type", "related_type", "related_id", "reason"):
        assert getattr(a, name) == getattr(b, name), name
    assert b.object_repr == "批量单位" and b.message == "第 3 行" and b.before is None
    assert b.after["code"] == "A2" and b.time is not None
    assert two.pk and OrgUnit.objects.get(pk=two.pk).created_at is not None


def test_bulk_inserts_raise_django_integrity_errors(committee_user):
    # given a unit whose code is taken (COPY on PostgreSQL, a multi-row INSERT elsewhere)
    from django.db import IntegrityError, transaction

    from anjian.core.audit import _AUDIT_COLUMNS

    OrgUnit.objects.create(code="DUP", name="已有单位", kind="department")
    # when new rows clash in the database, then the error is Django's (the import saves that chunk row by row)
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.insert_rows([OrgUnit(code="DUP", name="重复单位", kind="department")])
    # and a row the audit table refuses (no time: NOT NULL) is Django's error too
    row = (None, None, "", "", 1, 999999, "1", "x", None, "", None, None, "", "")
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.insert_values(AuditEntry, _AUDIT_COLUMNS, [row])
    assert not OrgUnit.objects.filter(name="重复单位").exists()


def test_bulk_inserts_store_every_kind_of_value_as_given(committee_user):
    """On PostgreSQL the bulk writer's COPY is binary for the column types it knows: each value must arrive as the
    type the column's binary format reads (a float in a numeric column is misread, not refused)."""
    from decimal import Decimal

    from django.db import connection

    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.tests.fixtures import make_uscc
    from anjian.gates.models import Zone

    # given an enterprise with a Decimal and a float coordinate, a JSON plot, booleans, a number and text
    unit = OrgUnit.objects.create(code="BIN", name="二进制单位", kind="enterprise")
    plot = {"type": "Polygon", "coordinates": [[[105.1, 38.2], [105.2, 38.2], [105.2, 38.3], [105.1, 38.2]]]}
    enterprise = Enterprise(
        uscc=make_uscc(7),
        name="腾格里二进制化工有限公司",
        org_unit=unit,
        lon=Decimal("105.123456"),
        lat=38.654321,  # a float, as a caller may give one
        plot_geojson=plot,
        in_park=True,
        employees=321,
    )
    # when it is written by the bulk writer
    actions.insert_rows([enterprise])
    # then it reads back as given
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert (stored.lon, stored.lat) == (Decimal("105.123456"), Decimal("38.654321"))
    assert stored.plot_geojson == plot and stored.in_park is True and stored.employees == 321
    assert stored.name == "腾格里二进制化工有限公司" and stored.created_at is not None
    if connection.vendor == "postgresql":
        # and the enterprise's columns go binary, a table with a time column as text
        assert actions._copy_types(Enterprise._meta.concrete_fields, connection) is not None
        assert actions._copy_types(Zone._meta.concrete_fields, connection) is None


def test_bulk_updates_store_every_kind_of_value_and_touch_only_their_rows(committee_user):
    """``update_rows`` (the import's bulk update: a COPY into a temporary table and one UPDATE on PostgreSQL,
    ``executemany`` elsewhere) writes every field as ``save()`` would, the ``auto_now`` stamp included."""
    import datetime as dt
    from decimal import Decimal

    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.tests.fixtures import make_uscc

    def make(n):
        unit = OrgUnit.objects.create(code=f"UPD{n}", name=f"更新单位{n}", kind="enterprise")
        return Enterprise.objects.create(uscc=make_uscc(40 + n), name=f"更新{n}化工有限公司", org_unit=unit)

    first, second, other = make(1), make(2), make(3)
    stamp = Enterprise.objects.get(pk=other.pk).updated_at
    plot = {"type": "Polygon", "coordinates": [[[105.1, 38.2], [105.2, 38.2], [105.2, 38.3], [105.1, 38.2]]]}
    first.lon, first.lat, first.plot_geojson, first.in_park, first.employees = (
        Decimal("105.123456"),
        38.654321,
        plot,
        True,
        321,
    )
    first.name = "更新后的“引号”化工\t有限公司"
    second.phone, second.updated_at = "0483-1234567", dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    # when both are written by the bulk writer
    actions.update_rows([first, second])
    # then they read back as given, stamped now, and the third enterprise is untouched
    stored = Enterprise.objects.get(pk=first.pk)
    assert (stored.lon, stored.lat) == (Decimal("105.123456"), Decimal("38.654321"))
    assert stored.plot_geojson == plot and stored.in_park is True and stored.employees == 321
    assert stored.name == "更新后的“引号”化工\t有限公司"
    again = Enterprise.objects.get(pk=second.pk)
    assert again.phone == "0483-1234567" and again.updated_at.year >= 2026
    assert again.updated_at == stored.updated_at == second.updated_at
    assert Enterprise.objects.get(pk=other.pk).updated_at == stamp
    assert Enterprise.objects.get(pk=other.pk).name == "更新3化工有限公司"
