"""The ingest path without a broker: decoding, every bad-input class counted, alarms raised once, HTTP gateway."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from anjian.monitoring.choices import AlarmStatus, AlarmType, RejectReason
from anjian.monitoring.ingest import MAX_PAYLOAD_BYTES, Batch, Registry, Rejects, decode_into, write_batch
from anjian.monitoring.models import Alarm, IngestCounter, PointAlarmState, Reading

pytestmark = pytest.mark.django_db


def now_ms() -> int:
    return int(time.time() * 1000)


def body(readings, ts=None) -> bytes:
    return json.dumps(
        {"gateway": "gw-1", "ts": ts if ts is not None else now_ms(), "readings": readings}
    ).encode()


def ingest(code: str, payload: bytes, registry: Registry | None = None) -> tuple[Registry, dict]:
    registry = registry or Registry.load()
    rejects = Rejects()
    batch = Batch()
    decode_into(batch, code, payload, registry, rejects)
    with transaction.atomic():
        result = write_batch(batch, registry, rejects)
    return registry, result


def counts() -> dict[str, int]:
    return dict(IngestCounter.objects.values_list("reason", "count"))


def test_every_bad_input_class_is_counted_and_good_readings_still_stored(enterprise_factory, point_factory):
    # given
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    t = now_ms() - 10_000
    registry = Registry.load()
    # when: one message of each broken kind, then a good one
    bad = [
        (ent.uscc, b"{not json"),
        (ent.uscc, b"x" * (MAX_PAYLOAD_BYTES + 1)),
        (ent.uscc, b'["a list"]'),
        ("915000000000000000", body([{"tag": "GT-1", "v": 1, "ts": t}])),
        (ent.uscc, body([{"tag": "GT-1", "v": "12", "ts": t}])),
        (ent.uscc, b'{"ts": %d, "readings": [{"tag": "GT-1", "v": NaN}]}' % t),
        (ent.uscc, b'{"ts": %d, "readings": [{"tag": "GT-1", "v": Infinity}]}' % t),
        (ent.uscc, body([{"tag": "NO-SUCH", "v": 1, "ts": t}])),
        (ent.uscc, body([{"tag": "GT-1", "v": 1, "ts": now_ms() + 3_600_000}])),
        (ent.uscc, body([{"tag": "GT-1", "v": 1, "ts": now_ms() - 400 * 86_400_000}])),
    ]
    for code, payload in bad:
        ingest(code, payload, registry)
    ingest(
        ent.uscc,
        body([{"tag": "GT-1", "v": 3.5, "ts": t}, {"tag": "GT-1", "v": 4, "ts": t + 1000}]),
        registry,
    )
    # then
    assert counts() == {
        RejectReason.MALFORMED: 1,
        RejectReason.TOO_LARGE: 1,
        RejectReason.BAD_SHAPE: 2,
        RejectReason.UNKNOWN_ENTERPRISE: 1,
        RejectReason.NOT_FINITE: 2,
        RejectReason.UNKNOWN_TAG: 1,
        RejectReason.FUTURE: 1,
        RejectReason.TOO_OLD: 1,
    }
    assert sorted(Reading.objects.values_list("v", flat=True)) == [3.5, 4.0]


def test_alarm_raised_updated_cleared_once_even_when_messages_repeat(enterprise_factory, point_factory):
    ent = enterprise_factory()
    point = point_factory(ent, tag="GT-1", h=25, hh=50, deadband=2)
    t = now_ms() - 60_000
    msgs = [
        body([{"tag": "GT-1", "v": 10, "ts": t}]),
        body([{"tag": "GT-1", "v": 30, "ts": t + 1000}]),
        body([{"tag": "GT-1", "v": 55, "ts": t + 2000}]),
        body([{"tag": "GT-1", "v": 10, "ts": t + 3000}]),
    ]
    registry = Registry.load()
    for m in msgs:
        ingest(ent.uscc, m, registry)
    # Redelivery of everything (and a fresh worker that resumes from the database) changes nothing.
    for m in msgs:
        ingest(ent.uscc, m, registry)
    fresh = Registry.load()
    for m in msgs:
        ingest(ent.uscc, m, fresh)
    alarm = Alarm.objects.get()
    assert (alarm.type, alarm.level, alarm.peak_level, alarm.active) == (AlarmType.PROCESS, "HH", "HH", False)
    assert alarm.status == AlarmStatus.RAISED
    assert list(alarm.log.values_list("event", "level")) == [
        ("raised", "H"),
        ("changed", "HH"),
        ("cleared", "HH"),
    ]
    assert Reading.objects.filter(point=point).count() == 4
    assert PointAlarmState.objects.get(point=point).level == ""


def test_device_fault_and_offline_alarms(enterprise_factory, point_factory):
    from anjian.monitoring.maintenance import offline_sweep

    ent = enterprise_factory()
    point_factory(ent, tag="GT-1", offline_after_s=60)
    t = now_ms() - 300_000
    ingest(
        ent.uscc, body([{"tag": "GT-1", "v": 1, "ts": t}, {"tag": "GT-1", "v": 0, "ts": t + 1000, "q": 2}])
    )
    assert offline_sweep() == 1
    assert offline_sweep() == 0
    types = dict(Alarm.objects.values_list("type", "active"))
    assert types == {AlarmType.DEVICE: True, AlarmType.OFFLINE: True}
    ingest(ent.uscc, body([{"tag": "GT-1", "v": 1, "ts": now_ms()}]))
    assert not Alarm.objects.filter(active=True).exists()


def test_gateway_token_posts_for_its_enterprise_only(client, enterprise_factory, point_factory):
    from anjian.monitoring.actions import do_issue_gateway_token

    # given
    mine, other = enterprise_factory(), enterprise_factory()
    point_factory(mine, tag="GT-1")
    point_factory(other, tag="GT-1")
    _token, key = do_issue_gateway_token(mine, name="网关1", acting_user=None)
    payload = body([{"tag": "GT-1", "v": 30, "ts": now_ms()}])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    # when / then
    r = client.post(f"/api/v1/telemetry/{other.uscc}", payload, content_type="application/json", **auth)
    assert r.status_code == 403
    assert "其他企业" in r.json()["detail"]
    assert (
        client.post(f"/api/v1/telemetry/{mine.uscc}", payload, content_type="application/json").status_code
        == 401
    )
    bad = {"HTTP_AUTHORIZATION": "Bearer agw_wrong"}
    assert (
        client.post(
            f"/api/v1/telemetry/{mine.uscc}", payload, content_type="application/json", **bad
        ).status_code
        == 401
    )
    r = client.post(f"/api/v1/telemetry/{mine.uscc}", payload, content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1
    assert Reading.objects.count() == 1
    assert Alarm.objects.filter(enterprise=mine, active=True).count() == 1
    r = client.post(f"/api/v1/telemetry/{mine.uscc}", b"{broken", content_type="application/json", **auth)
    assert r.status_code == 400
    assert counts()[RejectReason.MALFORMED] == 1


def test_points_import_from_excel_reports_bad_rows_and_saves_the_good(
    enterprise_factory, api_client_for, user_factory
):
    import io

    from openpyxl import Workbook

    from anjian.monitoring.models import MonitoringPoint

    ent = enterprise_factory()  # 危化生产: supervised by 应急管理局
    api = api_client_for(user_factory(role="dept", org="应急管理局"))
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "位号", "名称", "类型", "单位", "高报（一级）", "高高报（二级）", "回差"])
    ws.append([ent.uscc, "GT-9001", "可燃气体探测器", "可燃气体", "%LEL", 25, 50, 2])
    ws.append([ent.uscc, "GT-9002", "高低颠倒", "可燃气体", "%LEL", 50, 25, 2])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "points.xlsx"
    report = api.post("/api/v1/monitoring/points/import/", {"file": buf}, format="multipart").json()
    assert report["created"] == 1 and report["rejected"] == 1, report
    assert report["errors"][0]["row"] == 3 and "高高报警值" in report["errors"][0]["reason"]
    assert MonitoringPoint.objects.get(tag="GT-9001").hh == 50
    assert not MonitoringPoint.objects.filter(tag="GT-9002").exists()


def test_map_features_are_scoped_and_coloured_by_state(
    enterprise_factory, enterprise_user_factory, point_factory
):
    from anjian.core.access import scope_of
    from anjian.monitoring.layers import point_features

    a, b = enterprise_factory(), enterprise_factory()
    point_factory(a, tag="GT-1", lon=105.1, lat=37.5)
    point_factory(b, tag="GT-1", lon=105.2, lat=37.6)
    ingest(a.uscc, body([{"tag": "GT-1", "v": 60, "ts": now_ms()}]))
    features = point_features(scope_of(enterprise_user_factory(a)))
    assert len(features) == 1
    props = features[0]["properties"]
    assert features[0]["geometry"]["coordinates"] == [105.1, 37.5]
    assert props["colour"] == "#c62828" and ["状态", "二级报警（HH）"] in props["popup"]


def test_registry_refresh_reads_one_aggregate_until_the_points_change(
    enterprise_factory, point_factory, django_assert_num_queries
):
    # given: a worker's registry whose first point has live state
    ent = enterprise_factory()
    first = point_factory(ent, tag="GT-1", h=25)
    second = point_factory(ent, tag="GT-2", h=25)
    t = now_ms() - 10_000
    registry, _ = ingest(ent.uscc, body([{"tag": "GT-1", "v": 30, "ts": t}]))
    assert registry.by_id[first.pk].state.level == "H"
    # when nothing changed: one query, nothing reloaded
    with django_assert_num_queries(1):
        assert registry.refresh() is False
    # when a threshold changes, a point is disabled and one is added (as the points import saves them)
    first.h = 40
    first.save()
    second.enabled = False
    second.save()
    third = point_factory(ent, tag="GT-3", h=25)
    assert registry.refresh() is True
    # then: the new rules, the live state kept, the disabled point gone, the new one there
    assert registry.by_id[first.pk].rules.h == 40
    assert registry.by_id[first.pk].state.level == "H"
    assert second.pk not in registry.by_id and "GT-2" not in registry.by_code[ent.uscc]
    assert registry.by_code[ent.uscc]["GT-3"].point_id == third.pk
    with django_assert_num_queries(1):
        assert registry.refresh() is False


def test_points_import_creates_and_updates_in_bulk_with_queries_that_do_not_grow(
    enterprise_factory, user_factory
):
    """A plant's point list (hundreds of tags) imported and re-imported with new alarm values: the enterprise codes,
    the stored points and the scope are read once per file, the rows written in bulk, one audit row each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.core.models import AuditEntry
    from anjian.monitoring.choices import MonitoringEvent
    from anjian.monitoring.models import MonitoringPoint
    from anjian.monitoring.sheets import import_points
    from anjian.people.tests.fixtures import xlsx_bytes

    plants = [enterprise_factory() for _ in range(3)]
    user = user_factory(role="dept", org="应急管理局")
    header = ["统一社会信用代码", "位号", "名称", "类型", "单位", "高报（一级）", "高高报（二级）"]

    def rows(n: int, start: int, h: int) -> list[list[object]]:
        return [
            [plants[i % 3].uscc, f"GT-{i:04d}", "可燃气体探测器", "可燃气体", "%LEL", h, 50]
            for i in range(start, start + n)
        ]

    def run(data: list[list[object]]) -> tuple[int, object]:
        with CaptureQueriesContext(connection) as queries:
            report = import_points(xlsx_bytes(header, data), user)
        assert report.ok, report.errors[:3]
        return len(queries), report

    small, _r = run(rows(5, 0, 25))
    large, report = run(rows(60, 5, 25))
    assert report.created == 60 and large <= small + 2, (small, large)
    small, _r = run(rows(5, 0, 20))
    large, report = run(rows(60, 5, 20))
    assert report.updated == 60 and large <= small + 2, (small, large)
    assert set(MonitoringPoint.objects.values_list("h", flat=True)) == {20}
    assert AuditEntry.objects.filter(event_type=MonitoringEvent.POINTS_IMPORTED).count() == 130
