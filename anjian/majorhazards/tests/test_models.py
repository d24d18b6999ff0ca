"""The register's models: scoping follows the enterprise, one current 包保 person per level."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from anjian.majorhazards.models import HazardInstallation, InventoryLine, Responsibility
from anjian.people.choices import RoleCategory

pytestmark = pytest.mark.django_db


def test_installations_are_scoped_like_their_enterprise(
    two_enterprises, installation_factory, user_factory, committee_user
):
    a, b = two_enterprises["a"], two_enterprises["b"]
    ia = installation_factory(
        a["enterprise"], name="甲液氯罐区", inventory=[{"substance": "氯", "max_quantity_t": 9}]
    )
    ib = installation_factory(b["enterprise"], name="乙液氨罐区")
    assert set(HazardInstallation.objects.restrict(a["user"])) == {ia}
    assert set(HazardInstallation.objects.restrict(b["user"])) == {ib}
    assert set(HazardInstallation.objects.restrict(committee_user)) == {ia, ib}
    # both are 危化生产 enterprises supervised by 应急管理局; another department sees neither
    assert set(HazardInstallation.objects.restrict(user_factory(org="应急管理局"))) == {ia, ib}
    assert not HazardInstallation.objects.restrict(user_factory(org="自然资源局")).exists()
    # the inventory follows its installation
    assert list(InventoryLine.objects.restrict(b["user"])) == []
    assert InventoryLine.objects.restrict(a["user"]).get().substance == "氯"


def test_one_current_responsible_person_per_level(two_enterprises, installation_factory, person_factory):
    a = two_enterprises["a"]
    inst = installation_factory(a["enterprise"])
    boss = person_factory(a["enterprise"], role=RoleCategory.PRINCIPAL, name="甲厂长")
    Responsibility.objects.create(installation=inst, level="principal", person=boss, since="2025-01-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(installation=inst, level="principal", person=boss, since="2025-02-01")
    # someone of another enterprise cannot be responsible
    other = Responsibility(
        installation=inst, level="technical", person=two_enterprises["b"]["person"], since="2025-01-01"
    )
    with pytest.raises(ValidationError) as err:
        other.full_clean()
    assert "本企业人员" in str(err.value)
