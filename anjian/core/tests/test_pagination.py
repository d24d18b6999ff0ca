"""core.pagination: a list counts only as far as the page asked for needs (issue 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, models
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from anjian.core.pagination import CappedPaginator


class _Small(CappedPaginator):
    cap = 100
    first_count = 20


def test_the_first_pages_count_up_to_the_first_count() -> None:
    # given 1,000 rows, 5 a page
    paginator = _Small(list(range(1000)), 5)
    # when page 1 is asked for
    page = paginator.get_page(1)
    # then 20 rows are counted, with more to come, and page 2 is offered
    assert (paginator.count, paginator.capped, paginator.count_display) == (20, True, "20+")
    assert paginator.num_pages == 4 and page.has_next()


def test_a_later_page_counts_one_page_beyond_itself_up_to_the_cap() -> None:
    paginator = _Small(list(range(1000)), 5)
    page = paginator.get_page(10)
    # one page beyond page 10: 55 rows, so "next" is there
    assert (paginator.count, paginator.capped, page.number) == (55, True, 10)
    assert page.has_next() and list(page.object_list) == [45, 46, 47, 48, 49]
    # never past the cap: page 30 asks for more than 100 rows, and is beyond them
    deep = _Small(list(range(1000)), 5)
    page = deep.get_page(30)
    assert (deep.count, deep.capped, page.number) == (100, True, 20)
    assert not page.has_next()


def test_a_short_list_is_counted_exactly() -> None:
    paginator = _Small(list(range(13)), 5)
    paginator.get_page("abc")  # not a number: page 1
    assert (paginator.count, paginator.capped, paginator.count_display, paginator.num_pages) == (
        13,
        False,
        "13",
        3,
    )


@pytest.mark.django_db
def test_the_count_reads_keys_only(enterprise_factory: Any, person_factory: Any) -> None:
    from anjian.people.models import Certificate, Person

    # given a list annotated with a per-row subquery (the people list's "holds a valid certificate")
    enterprise = enterprise_factory()
    for _ in range(3):
        person_factory(enterprise)
    valid = Certificate.objects.filter(person_id=models.OuterRef("pk"))
    qs = Person.objects.annotate(has_valid_cert=models.Exists(valid)).order_by("name", "id")
    # when it is counted
    with CaptureQueriesContext(connection) as queries:
        count = _Small(qs, 2).count
    # then neither the annotation nor the order is in the count
    assert count == 3
    sql = queries[0]["sql"].upper()
    assert "EXISTS" not in sql and "ORDER BY" not in sql, sql


def test_the_pager_says_more_than_in_chinese() -> None:
    # given a capped list
    paginator = _Small(list(range(1000)), 5)
    page = paginator.get_page(1)
    # then the pager reads "第 1 / 4+ 页，超过 20 条"
    html = render_to_string("includes/pagination.html", {"page_obj": page, "query_without_page": ""})
    assert "第 1 / 4+ 页，超过 20 条" in html
    exact = _Small(list(range(13)), 5)
    html = render_to_string(
        "includes/pagination.html", {"page_obj": exact.get_page(1), "query_without_page": ""}
    )
    assert "第 1 / 3 页，共 13 条" in html
