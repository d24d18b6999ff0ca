"""The audit helper and the access layer."""

import pytest

from anjian.core.access import access_by_id, access_for_change, restrict, scope_of
from anjian.core.audit import history_for, record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import ObjectNotFound, PermissionDeniedError
from anjian.core.models import AuditEntry
from anjian.orgs.models import OrgUnit, User

pytestmark = pytest.mark.django_db


def test_record_writes_who_what_why(user_factory, unit):
    # given a user and an object
    user = user_factory(name="张三")
    obj = unit("应急管理局")
    before = snapshot(obj)
    obj.contact = "李四 13800000000"
    # when a change is recorded
    entry = record(
        AuditEvent.OBJECT_UPDATED,
        obj,
        acting_user=user,
        before=before,
        after=snapshot(obj),
        reason="更新联系人",
    )
    # then the row names the user, the object, the change and the reason
    assert entry.user == user and entry.user_name == "张三"
    assert entry.object_repr == "应急管理局"
    assert entry.changed_fields() == [("contact", "", "李四 13800000000")]
    assert list(history_for(obj)) == [entry]


def test_record_without_user_is_the_system(unit):
    entry = record(AuditEvent.OBJECT_CREATED, unit("应急管理局"), acting_user=None)
    assert entry.user is None and entry.user_name == "系统"


def test_scope_includes_groups_of_the_unit(user_factory, unit):
    # given a user of a town, which belongs to "两镇" and "安委会各成员单位"
    user = user_factory(org="腾镇")
    # then its scope lists its own unit and both groups
    scope = scope_of(user)
    assert scope.org_id == unit("腾格里镇").id
    assert {unit("两镇").id, unit("安委会各成员单位").id, unit("腾格里镇").id} <= set(scope.unit_ids)
    assert not scope.sees_all


def test_users_are_scoped_to_their_unit(user_factory, committee_user):
    # given users in two departments
    a = user_factory(org="应急管理局")
    b = user_factory(org="市监局")
    # then each sees only their own unit's users; the committee office sees everyone
    assert set(restrict(User.objects.all(), a)) == {a}
    assert b in restrict(User.objects.all(), committee_user)
    # and an out-of-scope object answers exactly like an absent one
    with pytest.raises(ObjectNotFound) as out_of_scope:
        access_by_id(User, a, b.pk)
    with pytest.raises(ObjectNotFound) as absent:
        access_by_id(User, a, 987654)
    assert out_of_scope.value.message == absent.value.message


def test_visible_but_not_changeable_is_403(user_factory, unit):
    user = user_factory(org="应急管理局")
    with pytest.raises(PermissionDeniedError):
        access_for_change(OrgUnit, user, unit("应急管理局").pk)


def test_anonymous_sees_nothing(unit):
    from django.contrib.auth.models import AnonymousUser

    assert not restrict(OrgUnit.objects.all(), AnonymousUser()).exists()
    assert AuditEntry.objects.count() == 0
