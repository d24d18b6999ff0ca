"""``core.batch``: the set-based ``full_clean`` gives the errors ``Model.full_clean`` gives, with fewer queries."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.batch import UniqueIndex, full_clean, unique_sets, unique_taken, using_index
from anjian.orgs.models import OrgUnit


def _errors(call: Any) -> dict[str, list[str]]:
    try:
        call()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_unique_sets_of_a_model() -> None:
    assert ("code",) in unique_sets(OrgUnit) and ("name",) in unique_sets(OrgUnit)


@pytest.mark.django_db
def test_batch_full_clean_reports_what_full_clean_reports() -> None:
    # given units that clash with stored ones, and one that does not
    candidates = [
        OrgUnit(code="YJJ", name="新单位", kind="department"),  # code taken
        OrgUnit(code="NEW1", name="应急管理局", kind="department"),  # name taken
        OrgUnit(code="NEW2", name="全新单位", kind="department"),  # fine
        OrgUnit(code="", name="", kind="department"),  # blank
    ]
    index = UniqueIndex(OrgUnit)
    index.prefetch({"code": u.code, "name": u.name} for u in candidates)
    for unit in candidates:
        # when checked both ways
        expected = _errors(unit.full_clean)
        got = _errors(lambda u=unit: full_clean(u, index))
        # then the errors are the same
        assert got == expected, unit.code


@pytest.mark.django_db
def test_batch_full_clean_asks_nothing_for_a_clean_row() -> None:
    units = [OrgUnit(code=f"B{i}", name=f"批量单位{i}", kind="department") for i in range(20)]
    index = UniqueIndex(OrgUnit)
    index.prefetch({"code": u.code, "name": u.name} for u in units)
    with CaptureQueriesContext(connection) as queries:
        for unit in units:
            full_clean(unit, index)
    assert len(queries) == 0


@pytest.mark.django_db
def test_unique_taken_answers_only_inside_a_batch() -> None:
    index = UniqueIndex(OrgUnit)
    index.prefetch([{"code": "YJJ", "name": "x"}])
    assert unique_taken(OrgUnit, {"code": "YJJ"}) is None
    with using_index(index):
        assert unique_taken(OrgUnit, {"code": "YJJ"}) is True
        assert unique_taken(OrgUnit, {"code": "NOT-READ"}) is None


@pytest.mark.django_db
def test_quick_field_checks_give_the_errors_and_values_of_clean_fields(enterprise_factory: Any) -> None:
    # given people with good values and with each kind of bad value the quick checks see
    import datetime as dt

    from anjian.core.batch import FieldChecks
    from anjian.people.models import Person

    plant = enterprise_factory()
    cases: list[dict[str, Any]] = [
        {},
        {"name": "长" * 51},
        {"name": ""},
        {"id_type": "nonsense"},
        {"sex": "X"},
        {"years_experience": -1},
        {"years_experience": True},
        {"years_experience": "7"},
        {"birth_date": "2020-01-02"},
        {"birth_date": dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.UTC)},
        {"is_active": "yes"},
        {"role_category": "principal"},
    ]
    checks = FieldChecks(Person)
    for case in cases:
        values = {"name": "张三", "id_number": "110105194912310029", "employer_enterprise": plant, **case}
        expected, got = Person(**values), Person(**values)
        # when checked by Django and by the quick checks
        want = _errors(expected.clean_fields)
        have = _errors(lambda p=got: checks.clean_fields(p))
        # then the errors and the cleaned values are the same
        assert have == want, case
        for field in Person._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(expected, field.attname), (case, field.name)
