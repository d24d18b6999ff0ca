"""The enterprise import at scale (issue 8): queries do not grow with the rows; new enterprises are saved in
bulk with what the single-row action adds (supervising department, enterprise-side unit, one audit row)."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.enterprises.sheets import import_enterprises
from anjian.enterprises.tests.fixtures import make_uscc
from anjian.orgs.models import OrgUnit
from anjian.people.tests.fixtures import xlsx_bytes

HEADER = ["统一社会信用代码", "企业名称", "所在镇", "状态", "规模", "行业"]


def _rows(n: int, start: int) -> list[list[Any]]:
    return [
        [
            make_uscc(500 + i),
            f"批量化工{i}有限公司",
            "腾格里镇" if i % 2 else "孛井滩镇",
            "在营",
            "小微",
            "危险化学品生产",
        ]
        for i in range(start, start + n)
    ]


def _queries(user: Any, rows: list[list[Any]]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        report = import_enterprises(xlsx_bytes(HEADER, rows), user)
    return len(queries), report


@pytest.mark.django_db
def test_enterprise_import_queries_do_not_grow_and_rows_get_what_the_action_adds(committee_user: Any) -> None:
    # given a unit already named like one of the new enterprises
    OrgUnit.objects.create(code="X-CLASH", name="批量化工20有限公司", kind="enterprise")
    # when 10, then 100 enterprises are imported
    small, report_small = _queries(committee_user, _rows(10, 0))
    large, report_large = _queries(committee_user, _rows(100, 10))
    # then the number of queries is the same
    assert report_small.ok and report_large.ok, report_large.errors[:3]
    assert large <= small + 2, (small, large)
    # and each enterprise has its supervising department, its own unit (renamed on a clash) and one audit row
    clash = Enterprise.objects.select_related("org_unit", "supervising_unit").get(name="批量化工20有限公司")
    assert clash.org_unit is not None and clash.org_unit.name.startswith("批量化工20有限公司（")
    assert clash.supervising_unit is not None and clash.town is not None
    assert Enterprise.objects.filter(org_unit__isnull=True).count() == 0
    assert AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count() == 110


@pytest.mark.django_db
def test_enterprise_import_refuses_bad_rows_alone(committee_user: Any) -> None:
    rows = _rows(5, 0)
    rows.append(["91152921MA0000000X", "坏代码公司", "腾格里镇", "在营", "小微", "危险化学品生产"])
    rows.append([make_uscc(900), "无镇公司", "不存在镇", "在营", "小微", "危险化学品生产"])
    _n, report = _queries(committee_user, rows)
    assert report.created == 5
    assert {e.row for e in report.errors} == {7, 8}
    assert {e.column for e in report.errors} == {"统一社会信用代码", "所在镇"}
