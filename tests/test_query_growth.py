"""Query counts of the main lists do not grow with their rows (issue 8): each list, page and API, costs the same
number of queries with 3 rows per register as with 12, for the committee office, a department and a town.

``test_query_counts.py`` bounds the counts; this file proves they are independent of the data's size, which is
what lets a list of 600,000 people answer as fast as one of 1,500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anjian.dangers.actions import report_danger
from anjian.people.choices import CertificateKind, RoleCategory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/enterprises/",
    "/enterprises/?q=化工",
    "/enterprises/licences/",
    "/enterprises/standardization/",
    "/people/persons/",
    "/people/persons/?q=张",
    "/people/certificates/",
    "/people/certificates/?q=张",
    "/people/expiring/",
    "/people/expiring/?tab=expired",
    "/people/trainings/",
    "/dangers/",
    "/dangers/?q=消防",
    "/plans/targets/",
    "/orgs/",
]
APIS = [
    "/api/v1/enterprises/enterprises/",
    "/api/v1/enterprises/licences/",
    "/api/v1/people/persons/",
    "/api/v1/people/persons/?search=张",
    "/api/v1/people/certificates/",
    "/api/v1/people/trainings/",
    "/api/v1/dangers/",
]


@pytest.fixture
def grow(
    enterprise_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
    training_factory: Any,
    licence_factory: Any,
    standardization_factory: Any,
    committee_user: Any,
) -> Any:
    """``grow(n)`` adds n chemical enterprises of 孛井滩镇, each with a person (two certificates, one renewed and
    one expiring), a training record, a licence, a grade and a hidden danger."""
    soon = timezone.localdate() + dt.timedelta(days=20)

    def add(n: int) -> None:
        for _ in range(n):
            enterprise = enterprise_factory(name="孛井滩精细化工有限公司", town="孛井滩镇")
            person = person_factory(enterprise, name="张建国", role=RoleCategory.PRINCIPAL)
            certificate_factory(person, issued_on=dt.date(2019, 1, 1), expires_on=dt.date(2022, 1, 1))
            certificate_factory(person, issued_on=dt.date(2022, 1, 2), expires_on=soon)
            certificate_factory(person, kind=CertificateKind.OTHER, expires_on=dt.date(2024, 1, 1))
            training_factory(person)
            licence_factory(enterprise)
            standardization_factory(enterprise)
            report_danger(enterprise=enterprise, title="消防通道堵塞", acting_user=committee_user)

    return add


def _counts(client: Any, urls: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for url in urls:
        client.get(url)  # warm: content types, the user's scope, cached metrics and to-dos
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url] = len(queries)
    return out


@pytest.mark.parametrize("who", ["committee", "department", "town"])
def test_list_query_counts_do_not_grow_with_rows(
    who: str, grow: Any, committee_user: Any, user_factory: Any, client_for: Any, api_client_for: Any
) -> None:
    user = {
        "committee": lambda: committee_user,
        "department": lambda: user_factory(role="dept", org="应急管理局", username="dept_yj"),
        "town": lambda: user_factory(role="dept", org="孛井滩镇", username="town_bjt"),
    }[who]()
    # given 3 rows in every register
    grow(3)
    small = _counts(client_for(user), PAGES) | _counts(api_client_for(user), APIS)
    # when there are 12
    grow(9)
    large = _counts(client_for(user), PAGES) | _counts(api_client_for(user), APIS)
    # then every list costs the same number of queries
    grown = {url: (small[url], large[url]) for url in small if large[url] != small[url]}
    assert not grown, f"query counts grew with the rows (3 → 12): {grown}"
