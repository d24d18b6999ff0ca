"""Registry actions: derivation (三个必须), status edges, rule changes, enterprise logins, grades, licences."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from anjian.core.choices import AuditEvent
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair
from anjian.enterprises import actions
from anjian.enterprises.choices import EnterpriseStatus, Industry
from anjian.enterprises.models import Enterprise, Licence, Standardization, SupervisionRule
from anjian.enterprises.seed import SUPERVISION_RULES
from anjian.enterprises.workflows import ENTERPRISE_FLOW

pytestmark = pytest.mark.django_db


def _events(obj, event):
    return AuditEntry.objects.filter(object_id=str(obj.pk), event_type=event)


# ---------------------------------------------------------------------------------------------
# 三个必须
# ---------------------------------------------------------------------------------------------


def test_seed_table_covers_every_industry():
    # given the migrated rules; then every industry has one, with the plan's named departments
    rules = {r.industry: r.unit.name for r in SupervisionRule.objects.select_related("unit")}
    assert set(rules) == set(Industry.values) == set(SUPERVISION_RULES)
    assert rules["hazchem_production"] == "应急管理局"
    assert rules["special_equipment"] == "市场监督管理局"
    assert rules["transport"] == "住建交通局"
    assert rules["tourism"] == "社会事务局（文旅办）"
    assert rules["hazardous_waste"] == "生态环境分局"
    assert rules["power"] == "发改统计局"


@pytest.mark.parametrize(
    ("industry", "department"),
    [
        ("hazchem_use", "应急管理局"),
        ("special_equipment", "市场监督管理局"),
        ("transport", "住建交通局"),
        ("tourism", "社会事务局（文旅办）"),
        ("hazardous_waste", "生态环境分局"),
        ("agri_machinery", "农牧林水局"),
    ],
)
def test_supervising_department_follows_industry(enterprise_factory, industry, department):
    assert enterprise_factory(industry=industry).supervising_unit.name == department


def test_industry_change_rederives_department_unless_overridden(enterprise_factory, unit, committee_user):
    # given a chemical enterprise and one with an override
    e = enterprise_factory(industry="hazchem_use")
    fixed = enterprise_factory(
        industry="hazchem_use",
        supervision_overridden=True,
        supervising_unit=unit("工业和科技局"),
        supervision_override_reason="园区统一监管",
    )
    # when both change industry
    actions.do_update_enterprise(e, {"industry": "tourism"}, acting_user=committee_user, reason="行业变更")
    actions.do_update_enterprise(fixed, {"industry": "tourism"}, acting_user=committee_user)
    # then only the first follows the rule, and each change is audited once
    assert Enterprise.objects.get(pk=e.pk).supervising_unit.name == "社会事务局（文旅办）"
    assert Enterprise.objects.get(pk=fixed.pk).supervising_unit.name == "工业和科技局"
    entry = _events(e, AuditEvent.ENTERPRISE_UPDATED).get()
    assert entry.before["industry"] == "hazchem_use" and entry.after["industry"] == "tourism"
    assert entry.reason == "行业变更"


def test_update_without_changes_writes_no_audit(enterprise_factory, committee_user):
    e = enterprise_factory()
    actions.do_update_enterprise(e, {"name": e.name}, acting_user=committee_user)
    assert not _events(e, AuditEvent.ENTERPRISE_UPDATED).exists()


def test_update_refuses_status(enterprise_factory, committee_user):
    e = enterprise_factory()
    with pytest.raises(ValidationFailed, match="变更状态"):
        actions.do_update_enterprise(e, {"status": "closed"}, acting_user=committee_user)


def test_rule_change_rederives_followers_in_one_transaction_with_audit(
    enterprise_factory, unit, committee_user
):
    # given two tourism enterprises, one overridden, and one chemical enterprise
    follower = enterprise_factory(industry="tourism")
    overridden = enterprise_factory(
        industry="tourism",
        supervision_overridden=True,
        supervising_unit=unit("腾格里镇"),
        supervision_override_reason="属地",
    )
    other = enterprise_factory(industry="hazchem_trade")
    # when the committee office moves tourism to 应急管理局
    rule, changed = actions.do_save_supervision_rule(
        "tourism", unit("应急管理局"), note="调整", acting_user=committee_user, reason="机构改革"
    )
    # then the follower moves, the overridden and the other stay
    assert [e.pk for e in changed] == [follower.pk]
    assert Enterprise.objects.get(pk=follower.pk).supervising_unit.name == "应急管理局"
    assert Enterprise.objects.get(pk=overridden.pk).supervising_unit.name == "腾格里镇"
    assert Enterprise.objects.get(pk=other.pk).supervising_unit.name == "应急管理局"
    # and the rule and the follower are audited once each
    rule_entry = _events(rule, AuditEvent.SUPERVISION_RULE_CHANGED).get()
    assert rule_entry.reason == "机构改革" and rule_entry.after["note"] == "调整"
    follower_entry = _events(follower, AuditEvent.ENTERPRISE_UPDATED).get()
    assert "监管部门随“三个必须”规则调整" in follower_entry.message
    assert not _events(overridden, AuditEvent.ENTERPRISE_UPDATED).exists()


def test_saving_the_same_rule_changes_nothing(unit, committee_user):
    rule = SupervisionRule.objects.get(industry="tourism")
    _rule, changed = actions.do_save_supervision_rule(
        "tourism", rule.unit, note=rule.note, acting_user=committee_user
    )
    assert changed == [] and not _events(rule, AuditEvent.SUPERVISION_RULE_CHANGED).exists()


def test_fallback_rule_applies_to_industries_without_their_own(enterprise_factory, unit, committee_user):
    # given the textile rule removed, so textile falls back to "other"
    SupervisionRule.objects.filter(industry="textile").delete()
    e = enterprise_factory(industry="textile")
    assert e.supervising_unit.name == "应急管理局"
    # when the fallback moves
    actions.do_save_supervision_rule("other", unit("工业和科技局"), acting_user=committee_user)
    # then the textile enterprise follows it
    assert Enterprise.objects.get(pk=e.pk).supervising_unit.name == "工业和科技局"


# ---------------------------------------------------------------------------------------------
# Status edges: every pair
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), list(itertools.product(EnterpriseStatus.values, repeat=2)))
def test_every_status_pair(enterprise_factory, committee_user, old, new):
    # given an enterprise in state ``old``
    e = enterprise_factory(status=old)
    allowed = ENTERPRISE_FLOW.edge_to(old, new) is not None
    # when it is moved to ``new``
    if allowed:
        actions.do_change_enterprise_status(e, new, acting_user=committee_user, reason="核查")
        # then it moved with one audit row
        assert Enterprise.objects.get(pk=e.pk).status == new
        entry = _events(e, AuditEvent.ENTERPRISE_STATUS_CHANGED).get()
        assert (entry.before, entry.after, entry.reason) == ({"status": old}, {"status": new}, "核查")
    else:
        with pytest.raises(TransitionNotAllowed):
            actions.do_change_enterprise_status(e, new, acting_user=committee_user, reason="核查")
        # then nothing changed and nothing was written
        assert Enterprise.objects.get(pk=e.pk).status == old
        assert not _events(e, AuditEvent.ENTERPRISE_STATUS_CHANGED).exists()


def test_status_table_has_exactly_these_edges():
    assert_edges(
        ENTERPRISE_FLOW,
        {
            ("preparing", "commission", "operating"),
            ("preparing", "close", "closed"),
            ("operating", "suspend", "suspended"),
            ("operating", "close", "closed"),
            ("suspended", "resume", "operating"),
            ("suspended", "close", "closed"),
        },
    )


def test_status_every_state_verb_pair(enterprise_factory, committee_user):
    tried = assert_every_pair(
        ENTERPRISE_FLOW,
        lambda state: enterprise_factory(status=state),
        actor=lambda edge, obj: committee_user,
    )
    assert tried == 4 * 4


def test_enterprise_user_cannot_change_its_status(enterprise_factory, enterprise_user_factory):
    e = enterprise_factory()
    with pytest.raises(PermissionDeniedError):
        actions.do_change_enterprise_status(
            e, "suspended", acting_user=enterprise_user_factory(e), reason="停产检修"
        )


def test_status_change_needs_a_reason(enterprise_factory, committee_user):
    e = enterprise_factory()
    with pytest.raises(ValidationFailed, match="必须填写原因"):
        actions.do_change_enterprise_status(e, "suspended", acting_user=committee_user, reason=" ")


# ---------------------------------------------------------------------------------------------
# Enterprise logins
# ---------------------------------------------------------------------------------------------


def test_create_enterprise_user_is_scoped_to_the_enterprise(enterprise_factory, committee_user):
    # given an enterprise
    e = enterprise_factory()
    # when a login is created for it
    user = actions.do_create_enterprise_user(
        e, username="qiye1", password="pw-12345678", name="张三", acting_user=committee_user
    )
    # then it belongs to the enterprise's own unit with role enterprise
    assert (user.role, user.org_id) == ("enterprise", e.org_unit_id)
    from anjian.core.access import scope_of

    assert scope_of(user).enterprise_ids == frozenset({e.pk})
    with pytest.raises(ValidationFailed, match="已存在"):
        actions.do_create_enterprise_user(
            e, username="qiye1", password="pw-12345678", acting_user=committee_user
        )


def test_duplicate_enterprise_name_gets_a_distinct_unit(enterprise_factory):
    a = enterprise_factory(name="同名公司")
    b = enterprise_factory(name="同名公司")
    assert a.org_unit.name == "同名公司" and b.org_unit.name == f"同名公司（{b.uscc[-6:]}）"


# ---------------------------------------------------------------------------------------------
# Licences and grades
# ---------------------------------------------------------------------------------------------


def test_new_current_grading_supersedes_the_old_one(
    enterprise_factory, standardization_factory, committee_user
):
    # given a current 三级
    e = enterprise_factory(scale="above_scale")
    old = standardization_factory(e, grade="level3", certificate_no="OLD-1", issued_on=dt.date(2022, 1, 1))
    # when a 二级 is recorded
    new = actions.do_save_standardization(
        Standardization(enterprise=e, grade="level2", certificate_no="NEW-1", issued_on=dt.date(2024, 5, 1)),
        acting_user=committee_user,
    )
    # then it is the only current grading, due in three years, and one audit row names the superseded one
    assert list(e.standardizations.filter(is_current=True)) == [new]
    assert Standardization.objects.get(pk=old.pk).is_current is False
    assert new.review_due == dt.date(2027, 5, 1)
    entry = _events(new, AuditEvent.STANDARDIZATION_CHANGED).get()
    assert "OLD-1" in entry.message and entry.related_id == str(e.pk)


def test_licence_save_and_delete_are_audited_on_the_enterprise(enterprise_factory, committee_user):
    e = enterprise_factory()
    licence = actions.do_save_licence(
        Licence(
            enterprise=e,
            kind="hazchem_trade",
            number="阿应急经字〔2024〕0001",
            valid_until=dt.date(2027, 1, 1),
        ),
        acting_user=committee_user,
    )
    licence.valid_until = dt.date(2028, 1, 1)
    actions.do_save_licence(licence, acting_user=committee_user, reason="延续")
    actions.do_delete_licence(licence, acting_user=committee_user, reason="录入错误")
    entries = AuditEntry.objects.filter(related_id=str(e.pk), event_type=AuditEvent.LICENCE_CHANGED).order_by(
        "id"
    )
    assert [x.message for x in entries] == ["新增许可证", "修改许可证", "删除许可证"]
    assert (
        entries[1].before["valid_until"] == "2027-01-01" and entries[1].after["valid_until"] == "2028-01-01"
    )
    assert not Licence.objects.filter(pk=licence.pk).exists()


def test_invalid_licence_is_refused_with_chinese_message(enterprise_factory, committee_user):
    licence = Licence(
        enterprise=enterprise_factory(),
        kind="hazchem_trade",
        number="N",
        issued_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        actions.do_save_licence(licence, acting_user=committee_user)
    assert exc.value.message_dict["valid_until"] == ["有效期至不能早于发证日期"]
    assert not Licence.objects.exists()
