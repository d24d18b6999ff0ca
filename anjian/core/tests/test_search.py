"""Chinese substring search (core.search): the same answers on every database, an index on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from anjian.core.search import ngrams, search_q
from anjian.people.choices import RoleCategory
from anjian.people.models import Person

pytestmark = pytest.mark.django_db


def test_ngrams_are_the_pairs_or_the_single_character() -> None:
    assert ngrams("张") == ["张"]
    assert ngrams("化工") == ["化工"]
    assert ngrams("精细化工") == ["化工", "精细", "细化"]
    assert ngrams("ABc") == ["ab", "bc"]
    assert ngrams("") == []


@pytest.fixture
def people(enterprise_factory: Any, person_factory: Any) -> dict[str, Any]:
    chem = enterprise_factory(name="腾格里精细化工有限公司")
    other = enterprise_factory(name="孛井滩建材有限公司", town="孛井滩镇")
    return {
        "zhang": person_factory(chem, name="张建国", role=RoleCategory.PRINCIPAL),
        "li": person_factory(other, name="李红梅", role=RoleCategory.SAFETY_MANAGER),
        "wang": person_factory(other, name="王张弓"),
    }


FIELDS = ["name", "^id_number", "job", "employer_enterprise__name", "^phone"]


def _names(value: str) -> set[str]:
    return set(Person.objects.filter(search_q(Person, value, FIELDS)).values_list("name", flat=True))


def test_a_name_character_a_pair_an_enterprise_word_and_an_id_prefix_are_found(
    people: dict[str, Any],
) -> None:
    # one character anywhere in a name
    assert _names("张") == {"张建国", "王张弓"}
    # two characters of the employer's name
    assert _names("化工") == {"张建国"}
    # three characters: every pair must be there, and the exact substring
    assert _names("李红梅") == {"李红梅"}
    assert _names("红李") == set()
    # an identity number by its prefix (stored upper-case)
    number = people["li"].id_number
    assert _names(number[:10]) == {"李红梅"}
    assert _names("   ") == set(Person.objects.values_list("name", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the ngram index exists on PostgreSQL only")
def test_postgresql_answers_a_name_search_from_the_ngram_index(people: dict[str, Any]) -> None:
    # given a table too small to matter, so sequential scans are forbidden for the plan
    qs = Person.objects.filter(name__ngram="张")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then the plan reads the anjian_ngrams index
    assert "people_person_name_ngram" in plan, plan
    assert {p.name for p in qs} == {"张建国", "王张弓"}
