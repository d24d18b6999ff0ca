"""Excel at scale (issue 8): the import's queries do not grow with its rows, a bad row is still refused alone,
exports stream through the sheet writer, and a large export or import runs as a background task."""

import datetime as dt
import io
import time
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry, BackgroundTask
from anjian.people import excel
from anjian.people.models import Certificate, Person
from anjian.people.tests.fixtures import make_resident_id, xlsx_bytes

HEADER = ["姓名", "证件类型", "证件号码", "所在企业", "岗位/职务", "人员类别", "从业年限"]


@pytest.fixture
def plants(enterprise_factory: Any) -> list[Any]:
    return [enterprise_factory(name=f"规模化工{i}有限公司") for i in range(3)]


@pytest.fixture
def committee(user_factory: Any) -> Any:
    return user_factory(role="committee", org="安委会办公室", username="scale_awb")


def _people_rows(plants: list[Any], n: int, start: int = 0) -> list[list[Any]]:
    return [
        [
            f"员工{i}",
            "居民身份证",
            make_resident_id(dt.date(1990, 1, 1) + dt.timedelta(days=i // 900), i % 900),
            plants[i % len(plants)].uscc if i % 2 else plants[i % len(plants)].name,
            "操作工",
            "特种作业人员",
            i % 20,
        ]
        for i in range(start, start + n)
    ]


def _import_queries(plants: list[Any], user: Any, n: int, start: int) -> int:
    data = xlsx_bytes(HEADER, _people_rows(plants, n, start))
    with CaptureQueriesContext(connection) as queries:
        report = excel.import_file("persons", data, acting_user=user)
    assert report.ok, report.errors[:3]
    assert report.created == n
    return len(queries)


# ---------------------------------------------------------------------------------------------
# Import: set-based
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_query_count_does_not_grow_with_rows(plants: list[Any], committee: Any) -> None:
    # given two files of new people, 10 and 200 rows, naming the same enterprises
    # when each is imported
    small = _import_queries(plants, committee, 10, start=0)
    large = _import_queries(plants, committee, 200, start=10)
    # then the number of queries is the same (lookups, stored rows and unique values are read once)
    assert large <= small + 2, (small, large)
    assert Person.objects.count() == 210
    assert AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count() == 210


@pytest.mark.django_db
def test_bulk_import_refuses_bad_rows_alone_with_their_messages(plants: list[Any], committee: Any) -> None:
    # given 50 good rows, a row with a bad check digit, a row naming an unknown enterprise, a number already
    # registered (the row updates that person), and two rows of the file with the same number
    taken = make_resident_id(dt.date(1980, 5, 5), 7)
    Person.objects.create(name="已登记", id_number=taken, employer_enterprise=plants[0])
    rows = _people_rows(plants, 50)
    rows.append(["坏校验", "居民身份证", "110105194912310021", plants[0].name, "", "特种作业人员", 1])
    rows.append(["无企业", "居民身份证", make_resident_id(dt.date(1981, 1, 1), 1), "不存在的公司", "", "", 1])
    rows.append(["重复登记", "居民身份证", taken, plants[0].name, "", "特种作业人员", 1])
    dup = make_resident_id(dt.date(1982, 2, 2), 3)
    rows.append(["第一次", "居民身份证", dup, plants[0].name, "", "特种作业人员", 1])
    rows.append(["第二次", "居民身份证", dup, plants[0].name, "", "特种作业人员", 1])
    # when imported
    report = excel.import_file("persons", xlsx_bytes(HEADER, rows), acting_user=committee)
    # then the good rows (and the first of the two duplicates) are saved, each bad row is reported alone
    assert report.created == 51 and report.updated == 1
    by_row = {e.row: e for e in report.errors}
    assert set(by_row) == {52, 53, 56}
    assert by_row[52].column == "证件号码" and "校验" in by_row[52].reason
    assert by_row[53].column == "所在企业" and "找不到企业" in by_row[53].reason
    assert "第 55 行重复" in by_row[56].reason
    assert not Person.objects.filter(name__in=["坏校验", "无企业", "第二次", "已登记"]).exists()
    assert Person.objects.get(id_number=taken).name == "重复登记"
    # and every saved person was derived from the number (what Person.save adds) and audited once
    saved = Person.objects.get(name="员工3")
    assert saved.birth_date == dt.date(1990, 1, 1) and saved.sex
    assert AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count() == 52


@pytest.mark.django_db
def test_a_chunk_the_database_refuses_is_saved_row_by_row(
    plants: list[Any], committee: Any, monkeypatch: Any
) -> None:
    # given a database that refuses the bulk insert of a chunk (a clash the checks could not see)
    from django.db import IntegrityError

    from anjian.core import actions

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("simulated")

    monkeypatch.setattr(actions, "insert_rows", refuse)
    # when a file is imported
    report = excel.import_file("persons", xlsx_bytes(HEADER, _people_rows(plants, 5)), acting_user=committee)
    # then each row is saved on its own (the single-row action), as before
    assert report.created == 5 and report.ok
    assert AuditEntry.objects.filter(event_type=AuditEvent.IMPORTED).count() == 5


# ---------------------------------------------------------------------------------------------
# Export: streamed
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_of_many_rows_streams_with_one_query_and_keeps_formula_escaping(
    plants: list[Any], committee: Any
) -> None:
    # given 1,200 people, one with a name that Excel would read as a formula and one with a control character
    Person.objects.bulk_create(
        Person(
            name=f"人{i}",
            id_number=make_resident_id(dt.date(1991, 1, 1) + dt.timedelta(days=i // 900), i % 900),
            employer_enterprise=plants[i % 3],
        )
        for i in range(1200)
    )
    Person.objects.filter(name="人0").update(name='=HYPERLINK("http://x","点")')
    Person.objects.filter(name="人1").update(name="a\x01b")
    # when exported
    out = io.BytesIO()
    with CaptureQueriesContext(connection) as queries:
        count = excel.export_file("persons", excel.filtered_rows("persons", committee), committee, out)
    # then every row is written with one query for the rows (chunked reads of one statement)
    assert count == 1200
    assert len(queries) <= 3
    raw = zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in raw and "inlineStr" in raw
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    names = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=1) for r in range(2, ws.max_row + 1)}
    evil = names['=HYPERLINK("http://x","点")']
    assert evil.data_type == "s" and evil.quotePrefix
    assert "ab" in names and ws.max_row == 1201


@pytest.mark.django_db
def test_certificate_export_labels_and_dates(plants: list[Any], committee: Any) -> None:
    person = Person.objects.create(
        name="持证人", id_number=make_resident_id(dt.date(1985, 3, 3), 5), employer_enterprise=plants[0]
    )
    Certificate.objects.create(
        person=person,
        kind="special_operation",
        category="electrical",
        number="T1",
        issuer="应急管理局",
        issued_on=dt.date(2023, 5, 10),
        expires_on=dt.date(2100, 5, 9),
    )
    out = io.BytesIO()
    with CaptureQueriesContext(connection) as queries:
        excel.export_file("certificates", excel.filtered_rows("certificates", committee), committee, out)
    # the scope (two), the rows (one): a column reading a field the export does not load would add one
    assert len(queries) <= 3, [q["sql"][:200] for q in queries.captured_queries]
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert row["证书类别"] == "特种作业" and row["作业类别"] == "电工作业" and row["状态"] == "有效"
    assert row["发证日期"] == dt.datetime(2023, 5, 10)  # noqa: DTZ001 (openpyxl reads naive datetimes)
    assert ws.cell(row=2, column=header.index("发证日期") + 1).number_format == "yyyy-mm-dd"


# ---------------------------------------------------------------------------------------------
# Background tasks
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_large_export_runs_as_a_task_and_only_its_owner_downloads_it(
    plants: list[Any], committee: Any, user_factory: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    # given an export larger than the synchronous limit
    settings.ANJIAN_EXPORT_SYNC_MAX_ROWS = 5
    settings.ANJIAN_TASKS_INLINE = True
    settings.ANJIAN_TASK_DIR = tmp_path
    Person.objects.bulk_create(
        Person(
            name=f"人{i}", id_number=make_resident_id(dt.date(1992, 1, 1), i), employer_enterprise=plants[0]
        )
        for i in range(12)
    )
    client = client_for(committee)
    # when the list's export is asked for
    response = client.get("/people/excel/persons/export/", {"employer": ""})
    # then the user is sent to the task's page, which shows it done with the file offered
    assert response.status_code == 302
    task = BackgroundTask.objects.get()
    assert response["Location"] == f"/core/tasks/{task.pk}/"
    assert task.status == BackgroundTask.Status.DONE and task.total == 12
    page = client.get(response["Location"]).content.decode()
    assert f"/core/tasks/{task.pk}/download/" in page and "task_progress" not in page
    assert f"/core/tasks/{task.pk}/progress/" not in page
    # and the download is the export, audited
    download = client.get(f"/core/tasks/{task.pk}/download/")
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws.max_row == 13
    assert AuditEntry.objects.filter(event_type=AuditEvent.EXPORTED, object_id=str(task.pk)).count() == 1
    # and another user gets 404 for the page, the progress and the file
    other = client_for(user_factory(role="committee", org="安委会办公室", username="other_awb"))
    for url in ("", "progress/", "download/"):
        assert other.get(f"/core/tasks/{task.pk}/{url}").status_code == 404


@pytest.mark.django_db
def test_large_import_runs_as_a_task_with_its_report(
    plants: list[Any], committee: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.ANJIAN_IMPORT_SYNC_MAX_BYTES = 100
    settings.ANJIAN_TASKS_INLINE = True
    settings.ANJIAN_TASK_DIR = tmp_path
    rows = _people_rows(plants, 20)
    rows.append(["坏校验", "居民身份证", "110105194912310021", plants[0].name, "", "特种作业人员", 1])
    upload = io.BytesIO(xlsx_bytes(HEADER, rows))
    upload.name = "people.xlsx"
    response = client_for(committee).post("/people/excel/persons/import/", {"file": upload})
    assert response.status_code == 302
    task = BackgroundTask.objects.get()
    assert task.result["report"]["created"] == 20 and task.result["report"]["rejected"] == 1
    page = client_for(committee).get(response["Location"]).content.decode()
    assert "第 22 行" in page and "校验" in page
    assert not list(tmp_path.glob("in-*")), "the uploaded file is removed after the import"


@pytest.fixture
def seeded_units(transactional_db: Any) -> None:
    """Transactional tests flush the database: put the migrations' seed data back first."""
    from anjian.enterprises import seed as enterprise_seed
    from anjian.enterprises.models import SupervisionRule
    from anjian.orgs import seed
    from anjian.orgs.models import OrgAlias, OrgUnit

    seed.load(OrgUnit, OrgAlias)
    enterprise_seed.load(OrgUnit, SupervisionRule)


@pytest.mark.django_db(transaction=True)
def test_in_process_runner_runs_a_task_in_a_thread(
    seeded_units: None, plants: list[Any], committee: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    # given the default runner (a thread in the web process, no broker)
    settings.ANJIAN_EXPORT_SYNC_MAX_ROWS = 5
    settings.ANJIAN_TASKS_INLINE = False
    settings.ANJIAN_TASK_DIR = tmp_path
    Person.objects.bulk_create(
        Person(
            name=f"人{i}", id_number=make_resident_id(dt.date(1993, 1, 1), i), employer_enterprise=plants[1]
        )
        for i in range(9)
    )
    client = client_for(committee)
    # when a large export is asked for and its progress polled
    response = client.get("/people/excel/persons/export/")
    task = BackgroundTask.objects.get()
    fragment = ""
    # A bounded wait, not a timing assertion: generous, because under a loaded machine (two xdist workers and
    # the suite's other threads) the runner's thread may take seconds to be scheduled.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fragment = client.get(f"/core/tasks/{task.pk}/progress/").content.decode()
        if "hx-trigger" not in fragment:
            break
        time.sleep(0.05)
    # then the thread finished it: the fragment stopped polling and offers the file
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == BackgroundTask.Status.DONE, task.error
    assert f"/core/tasks/{task.pk}/download/" in fragment


@pytest.mark.django_db
def test_import_reports_its_progress_up_to_the_row_count(plants: list[Any], committee: Any) -> None:
    seen: list[tuple[int, int]] = []
    data = xlsx_bytes(HEADER, _people_rows(plants, 450))
    report = excel.import_file(
        "persons", data, acting_user=committee, progress=lambda d, t: seen.append((d, t))
    )
    assert report.created == 450
    assert seen[-1] == (450, 450)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


@pytest.mark.django_db
def test_updating_stored_people_costs_no_query_per_row(plants: list[Any], committee: Any) -> None:
    """A file naming stored people (the register exported, edited and imported back): the scope is read for the
    whole file and the changed rows are written in bulk, each audited once with its before and after."""
    excel.import_file("persons", xlsx_bytes(HEADER, _people_rows(plants, 210)), acting_user=committee)
    last = AuditEntry.objects.latest("pk").pk

    def changed(n: int, start: int) -> tuple[int, Any]:
        rows = [[*row[:4], "班组长", *row[5:]] for row in _people_rows(plants, n, start)]
        with CaptureQueriesContext(connection) as queries:
            report = excel.import_file("persons", xlsx_bytes(HEADER, rows), acting_user=committee)
        return len(queries), report

    small, report_small = changed(10, 0)
    large, report_large = changed(200, 10)
    assert (report_small.updated, report_large.updated) == (10, 200)
    assert report_small.ok and report_large.ok
    assert large <= small + 2, (small, large)
    assert Person.objects.filter(job="班组长").count() == 210
    entries = list(AuditEntry.objects.filter(pk__gt=last))
    assert len(entries) == 210 and {e.event_type for e in entries} == {AuditEvent.IMPORTED}
    assert {(e.before["job"], e.after["job"]) for e in entries} == {("操作工", "班组长")}
    # what ``Person.save`` derives from the number is kept
    assert Person.objects.get(name="员工3").birth_date == dt.date(1990, 1, 1)
