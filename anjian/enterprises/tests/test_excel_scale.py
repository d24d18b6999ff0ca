"""The enterprise import at scale (issue 8): queries do not grow with the rows; new enterprises are saved in
bulk with what the single-row action adds (supervising department, enterprise-side unit, one audit row)."""

import datetime as dt
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


def _changed(rows: list[list[Any]], **cells: Any) -> list[list[Any]]:
    columns = {name: HEADER.index(name) for name in cells}
    out = []
    for row in rows:
        row = list(row)
        for name, value in cells.items():
            row[columns[name]] = value(row) if callable(value) else value
        out.append(row)
    return out


@pytest.mark.django_db
def test_updating_stored_enterprises_costs_no_query_per_row(committee_user: Any) -> None:
    """A file naming stored enterprises (a registry edited in Excel and imported back): the scope, the stored
    status and the stored keys are read for the whole file, and the changed rows are written in bulk with what
    ``do_update_enterprise`` adds (department re-derived, the enterprise-side unit's name, one audit row)."""
    import_enterprises(xlsx_bytes(HEADER, _rows(110, 0)), committee_user)
    small_rows, large_rows = _rows(10, 0), _rows(100, 10)
    # when the same files are imported again, nothing changed
    unchanged_small, report = _queries(committee_user, small_rows)
    assert report.unchanged == 10 and report.ok
    unchanged_large, report = _queries(committee_user, large_rows)
    assert report.unchanged == 100 and report.ok
    assert unchanged_large <= unchanged_small + 2, (unchanged_small, unchanged_large)
    audits = AuditEntry.objects.count()
    assert audits == 110
    # when the files change every row: a new name, and the industry of the small file's rows
    renamed = _changed(small_rows, 企业名称=lambda r: r[1].replace("批量", "更名"), 行业="建筑施工")
    changed_small, report = _queries(committee_user, renamed)
    assert report.updated == 10 and report.ok, report.errors[:3]
    changed_large, report = _queries(committee_user, _changed(large_rows, 企业名称=lambda r: r[1] + "二"))
    assert report.updated == 100 and report.ok, report.errors[:3]
    # then the queries do not grow with the rows
    assert changed_large <= changed_small + 2, (changed_small, changed_large)
    # and each row got what the single-row action adds
    first = Enterprise.objects.select_related("org_unit", "supervising_unit").get(uscc=small_rows[0][0])
    assert first.name == "更名化工0有限公司" and first.industry == "construction"
    assert first.supervising_unit is not None and first.supervising_unit.name == "住建交通局"
    assert first.org_unit is not None and first.org_unit.full_name == "更名化工0有限公司"
    assert AuditEntry.objects.count() == audits + 110
    entry = AuditEntry.objects.filter(object_id=str(first.pk), event_type=AuditEvent.IMPORTED).latest("pk")
    assert entry.before["name"] == "批量化工0有限公司" and entry.after["name"] == "更名化工0有限公司"
    assert entry.message == "Excel 导入第 2 行"


@pytest.mark.django_db
def test_a_status_change_by_import_follows_the_declared_edges_without_a_query_per_row(
    committee_user: Any,
) -> None:
    import_enterprises(xlsx_bytes(HEADER, _rows(3, 0)), committee_user)
    # 在营 → 停产 is an edge, 在营 → 筹建 is not
    rows = _rows(3, 0)
    rows[0][3] = "停产"
    rows[1][3] = "筹建"
    _n, report = _queries(committee_user, rows)
    assert report.updated == 1 and report.unchanged == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "状态")]
    assert "不能从“在营”变为“筹建”" in report.errors[0].reason
    assert Enterprise.objects.get(uscc=rows[0][0]).status == "suspended"
    assert Enterprise.objects.get(uscc=rows[1][0]).status == "operating"


@pytest.mark.django_db
def test_a_department_user_updates_only_the_enterprises_it_supervises(
    committee_user: Any, user_factory: Any
) -> None:
    # given enterprises of two industries (应急管理局 supervises 危险化学品生产, 住建交通局 建筑施工)
    rows = _rows(4, 0)
    for row in rows[2:]:
        row[5] = "建筑施工"
    import_enterprises(xlsx_bytes(HEADER, rows), committee_user)
    yingji = user_factory(role="dept", org="应急管理局", username="yj_scope")
    # when the 应急管理局 user imports the four rows with new names
    report = import_enterprises(xlsx_bytes(HEADER, _changed(rows, 企业名称=lambda r: r[1] + "新")), yingji)
    # then its two are updated, the other department's two refused and unchanged
    assert report.updated == 2
    assert [(e.row, e.reason) for e in report.errors] == [
        (4, "该企业不在您的管理范围内"),
        (5, "该企业不在您的管理范围内"),
    ]
    assert Enterprise.objects.filter(name__endswith="新").count() == 2


@pytest.mark.django_db
def test_licences_are_imported_and_updated_in_bulk_on_the_enterprise_history(committee_user: Any) -> None:
    from anjian.core.audit import history_for
    from anjian.enterprises.models import Licence
    from anjian.enterprises.sheets import import_licences

    import_enterprises(xlsx_bytes(HEADER, _rows(100, 0)), committee_user)
    codes = list(Enterprise.objects.order_by("pk").values_list("uscc", flat=True))
    header = ["统一社会信用代码", "许可证类型", "证书编号", "有效期至"]

    def licences(n: int, start: int, until: str) -> list[list[Any]]:
        return [[codes[i], "危险化学品经营许可证", f"JY-{i}", until] for i in range(start, start + n)]

    def run(rows: list[list[Any]]) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as queries:
            report = import_licences(xlsx_bytes(header, rows), committee_user)
        assert report.ok, report.errors[:3]
        return len(queries), report

    # new licences: 5, then 80 (the queries do not grow with the rows)
    small, report = run(licences(5, 0, "2027-05-01"))
    large, report = run(licences(80, 5, "2027-05-01"))
    assert report.created == 80 and large <= small + 2, (small, large)
    # renewed: every licence's date changes
    small, report = run(licences(5, 0, "2030-05-01"))
    large, report = run(licences(80, 5, "2030-05-01"))
    assert report.updated == 80 and large <= small + 2, (small, large)
    assert set(Licence.objects.values_list("valid_until", flat=True)) == {dt.date(2030, 5, 1)}
    # and each change is on its enterprise's history, by row
    first = Enterprise.objects.get(uscc=codes[0])
    rows = [
        e
        for e in history_for(first)
        if e.event_type == AuditEvent.IMPORTED and e.object_type.model == "licence"
    ]
    assert [(e.before is None, e.message) for e in rows] == [
        (False, "Excel 导入第 2 行"),
        (True, "Excel 导入第 2 行"),
    ]
