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


def test_latin_letters_are_found_whatever_their_case(enterprise_factory: Any, person_factory: Any) -> None:
    # given a person whose job is written in mixed case (the ngram lookup once compared it with the upper-cased
    # pattern only, so "dcs" found nothing on PostgreSQL)
    chem = enterprise_factory(name="腾格里精细化工有限公司")
    person_factory(chem, name="赵敏", job="DCS操作工")
    # then
    assert _names("dcs") == {"赵敏"}
    assert _names("Dcs操作") == {"赵敏"}


@pytest.mark.parametrize("value", ["张", "化工", "李红梅", "红李", "精细化工", "孛井滩"])
def test_many_matches_give_the_same_rows_as_few(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # given the answer by key (few matches)
    few = _names(value)
    # when every search counts as one with many matches (fields tested on the row)
    monkeypatch.setattr("anjian.core.search.FEW_MATCHES", 0)
    # then the same rows, through the list's own joins
    assert _names(value) == few
    rows = Person.objects.select_related("employer_enterprise").filter(search_q(Person, value, FIELDS))
    assert sorted(p.name for p in rows) == sorted(few)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the two plans are PostgreSQL's")
def test_postgresql_pages_many_matches_along_the_list_index(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a search PostgreSQL must answer for 160,000 of 600,000 people (化工 among the employers): here forced
    monkeypatch.setattr("anjian.core.search.FEW_MATCHES", 0)
    page = Person.objects.select_related("employer_enterprise").filter(search_q(Person, "化工", FIELDS))[:50]

    def plan(qs: Any) -> str:
        with connection.cursor() as cursor:
            # A table of three rows: the planner's own choice would be to read it all and sort it. Forbidden here,
            # so the question is only whether the condition lets it walk the index row by row.
            for setting in ("seqscan", "bitmapscan", "sort", "hashjoin", "mergejoin"):
                cursor.execute(f"SET LOCAL enable_{setting} = off")
            sql, params = qs.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    # then the page walks the list's (name, id) index and stops at 50 rows: no sort of every match, no id array
    text = plan(page)
    assert "people_person_list" in text, text
    assert "Sort" not in text and "ANY" not in text, text
    assert {p.name for p in page} == {"张建国"}
    # and a search with few matches is read by key, its ids a constant (one probe query, then no subquery)
    monkeypatch.setattr("anjian.core.search.FEW_MATCHES", 1000)
    few = Person.objects.filter(search_q(Person, "李红梅", FIELDS))
    sql = str(few.query)
    assert "unnest" in sql and "anjian_ngrams" not in sql, sql
    assert [p.name for p in few] == ["李红梅"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the key arrays are PostgreSQL's")
def test_postgresql_tells_the_planner_how_many_keys_unless_they_sit_together_in_the_list_order(
    people: dict[str, Any], certificate_factory: Any
) -> None:
    from anjian.people.models import Certificate

    certificate = certificate_factory(people["zhang"])
    # given certificates ordered by expiry date, searched by their holder's name: the matches are spread over that
    # order, so the planner is given the constant array (it may walk the expiry index and stop at the page)
    q = search_q(Certificate, "张", ["^number", "person__name"])
    sql = str(Certificate.objects.filter(q).query)
    assert "unnest" not in sql and "= ANY(" in sql, sql
    assert list(Certificate.objects.filter(q)) == [certificate]
    # and people ordered by name, searched by name: the matches sit together, so the array is hidden (key by key)
    assert "unnest" in str(Person.objects.filter(search_q(Person, "张", FIELDS)).query)


def test_a_search_costs_one_query_that_stops_after_few_matches(people: dict[str, Any]) -> None:
    from django.test.utils import CaptureQueriesContext

    from anjian.core.search import FEW_MATCHES

    # when a search is built
    with CaptureQueriesContext(connection) as queries:
        q = search_q(Person, "张", FIELDS)
    # then one UNION ALL (streamed, so its LIMIT stops it) was read; the list's own queries follow
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert "UNION ALL" in sql and f"LIMIT {FEW_MATCHES + 1}" in sql, sql
    assert set(Person.objects.filter(q).values_list("name", flat=True)) == {"张建国", "王张弓"}


def _sqlite_plan(qs: Any) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the vocabularies exist on SQLite only")
def test_sqlite_answers_a_name_or_job_search_from_the_vocabulary_kept_by_triggers(
    people: dict[str, Any], enterprise_factory: Any, person_factory: Any
) -> None:
    # given the vocabulary was filled as the people were inserted
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM anjian_vocab WHERE k = 'people_person.name'")
        assert {"张建国", "李红梅", "王张弓"} <= {row[0] for row in cursor.fetchall()}
    # then a name search reads the vocabulary and the name index, never the table
    qs = Person.objects.filter(name__ngram="张")
    plan = _sqlite_plan(qs)
    assert "anjian_vocab_gram" in plan and "SCAN people_person" not in plan, plan
    assert {p.name for p in qs} == {"张建国", "王张弓"}
    # when a person is renamed and another is added with a job in mixed case
    li = people["li"]
    li.name = "李张红"
    li.save()
    chem = enterprise_factory(name="腾格里精细化工有限公司")
    person_factory(chem, name="赵敏", job="DCS操作工")
    # then both are found at once (the triggers added the new values), Latin letters in any case
    assert _names("张") == {"张建国", "王张弓", "李张红"}
    assert _names("dcs操") == {"赵敏"}
    assert _names("红梅") == set()  # the old name is known still, but no row holds it any more
    plan = _sqlite_plan(Person.objects.filter(job__ngram="dcs"))
    assert "people_person_job_vocab" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_sqlite_reads_a_search_through_a_foreign_key_from_the_small_table(
    people: dict[str, Any], certificate_factory: Any
) -> None:
    from anjian.core.search import _lookup, _matching
    from anjian.people.models import Certificate

    certificate = certificate_factory(people["zhang"])
    # given certificates searched by their holder's employer (a million certificates, 20,000 enterprises)
    qs = _matching(Certificate, _lookup(Certificate, "person__employer_enterprise__name", "化工"))
    plan = _sqlite_plan(qs)
    # then the enterprises are read first and the certificates by their person's index: no scan of certificates
    assert "SCAN people_certificate" not in plan and "SCAN people_person" not in plan, plan
    assert list(qs) == [certificate]
    # and a prefix is a range of the number's index
    prefix = _matching(Certificate, _lookup(Certificate, "^number", certificate.number[:4]))
    assert "people_certificate_number_prefix" in _sqlite_plan(prefix)
    assert list(prefix) == [certificate]


def test_a_prefix_is_case_sensitive_and_literal(people: dict[str, Any]) -> None:
    number = people["li"].id_number
    # the prefix of a stored (upper-case) number, and LIKE's wildcards taken literally
    assert list(Person.objects.filter(id_number__prefix=number[:-1]).values_list("name", flat=True)) == [
        "李红梅"
    ]
    assert not Person.objects.filter(id_number__prefix="%").exists()
    assert not Person.objects.filter(id_number__prefix="_" + number[1:-1]).exists()


def test_a_search_field_that_is_not_a_model_field_name_is_read_as_django_reads_it(
    people: dict[str, Any],
) -> None:
    # "pk" is no field of its own: the SQLite foreign-key rewrite must leave it to Django
    li = people["li"]
    assert li.pk in set(
        Person.objects.filter(search_q(Person, str(li.pk), ["pk"])).values_list("pk", flat=True)
    )
