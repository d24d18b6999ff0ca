"""Incidents: grading, the reporting checklist, re-grading, the command timeline, the veto reaching the
assessment; drill improvements; footprints.

The incident and improvement edges are ``workflows.INCIDENT_FLOW`` / ``IMPROVEMENT_FLOW`` on ``core.workflow``
(they were ``choices.INCIDENT_EDGES`` / ``IMPROVEMENT_EDGES``): pinned by hand with ``assert_edges`` and tried
pair by pair on the tables (``assert_every_pair``) and through the actions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.core.errors import TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair
from anjian.emergency import actions
from anjian.emergency.choices import EmergencyEvent, IncidentStatus, TimelineKind
from anjian.emergency.models import Drill, Footprint, Improvement, Incident
from anjian.emergency.workflows import IMPROVEMENT_FLOW, INCIDENT_FLOW

pytestmark = pytest.mark.django_db


def test_report_grades_and_starts_the_clocks(incident_factory):
    # given / when
    incident = incident_factory(deaths=3)
    # then
    assert incident.grade == "larger"
    assert incident.grade_by == "deaths"
    assert incident.first_grade == "larger"
    items = incident.checklist()
    assert [i.key for i in items] == ["unit", "city", "province"]
    assert items[0].due == incident.known_at + dt.timedelta(hours=1)
    assert incident.timeline.filter(kind=TimelineKind.REPORT).count() == 1
    assert (
        AuditEntry.objects.filter(
            event_type=EmergencyEvent.INCIDENT_REPORTED, object_id=str(incident.pk)
        ).count()
        == 1
    )


def test_negative_casualties_are_refused(incident_factory):
    with pytest.raises(ValidationFailed):
        incident_factory(deaths=0, loss_cny=-5)
    assert Incident.objects.count() == 0


def test_mark_reported_chains_the_next_clock(incident_factory):
    incident = incident_factory(injuries=12)
    at = incident.known_at + dt.timedelta(minutes=30)
    incident = actions.do_mark_reported(incident, "unit", acting_user=None, at=at)
    items = {i.key: i for i in incident.checklist()}
    assert items["unit"].state(timezone.now()) == "done"
    assert items["city"].due == at + dt.timedelta(hours=2)
    with pytest.raises(ValidationFailed):
        actions.do_mark_reported(incident, "unit", acting_user=None)
    with pytest.raises(ValidationFailed):
        actions.do_mark_reported(incident, "state", acting_user=None)  # 较大 stops at the province


def test_casualty_change_regrades_and_reports_again(incident_factory):
    incident = incident_factory(deaths=2)
    revision = actions.do_change_casualties(
        incident, deaths=3, injuries=0, loss_cny=0, acting_user=None, reason="伤员救治无效"
    )
    incident.refresh_from_db()
    assert incident.grade == "larger"
    assert revision.within_window
    keys = [i.key for i in incident.checklist()]
    assert keys == ["unit", "city", "r1-unit", "r1-city", "r1-province"]
    assert incident.timeline.filter(kind=TimelineKind.REGRADE).count() == 1
    with pytest.raises(ValidationFailed):
        actions.do_change_casualties(incident, deaths=3, injuries=0, loss_cny=0, acting_user=None)


def test_change_after_seven_days_of_a_fire_is_not_reported_again(incident_factory):
    occurred = timezone.now() - dt.timedelta(days=10)
    incident = incident_factory(deaths=1, kind="fire", occurred_at=occurred)
    revision = actions.do_change_casualties(incident, deaths=2, injuries=0, loss_cny=0, acting_user=None)
    assert not revision.within_window
    assert [i.key for i in Incident.objects.get(pk=incident.pk).checklist()] == ["unit", "city"]


def test_incident_edges(incident_factory):
    incident = incident_factory()
    with pytest.raises(TransitionNotAllowed):
        actions.do_close_incident(incident, acting_user=None, reason="x")
    incident = actions.do_respond_incident(incident, acting_user=None)
    incident = actions.do_stand_down_incident(incident, acting_user=None)
    with pytest.raises(ValidationFailed):
        actions.do_close_incident(incident, acting_user=None, reason="")
    incident = actions.do_close_incident(incident, acting_user=None, reason="调查报告已批复")
    assert incident.status == IncidentStatus.CLOSED
    with pytest.raises(TransitionNotAllowed):
        actions.do_change_casualties(incident, deaths=1, injuries=0, loss_cny=0, acting_user=None)


def test_edge_tables_are_pinned():
    assert_edges(
        INCIDENT_FLOW,
        {
            ("reported", "respond", "responding"),
            ("responding", "stand_down", "investigating"),
            ("investigating", "close", "closed"),
            ("closed", "reopen", "investigating"),
        },
    )
    assert_edges(IMPROVEMENT_FLOW, {("open", "complete", "done"), ("done", "reopen", "open")})


def test_every_pair_of_the_tables(db):
    now = timezone.now()
    assert_every_pair(
        INCIDENT_FLOW,
        lambda state: Incident.objects.create(
            title="t", place="p", occurred_at=now, known_at=now, status=state
        ),
    )
    drill = actions.do_record_drill(
        Drill(title="演练", held_on=dt.date(2025, 5, 1), scenario="泄漏"), acting_user=None
    )
    assert_every_pair(
        IMPROVEMENT_FLOW,
        lambda state: Improvement.objects.create(drill=drill, description="整改", status=state),
    )


def test_every_incident_state_verb_pair():
    """Each declared edge succeeds and writes one audit row; every other pair refuses and writes nothing."""
    verbs = {
        "respond": actions.do_respond_incident,
        "stand_down": actions.do_stand_down_incident,
        "close": actions.do_close_incident,
        "reopen": actions.do_reopen_incident,
    }
    now = timezone.now()
    for state in IncidentStatus.values:
        for verb, func in verbs.items():
            incident = Incident.objects.create(
                title="t", place="p", occurred_at=now, known_at=now, status=state
            )
            count = AuditEntry.objects.count()
            edge = INCIDENT_FLOW.edge(state, verb)
            if edge is not None:
                func(incident, acting_user=None, reason="原因")
                assert AuditEntry.objects.count() == count + 1
                incident.refresh_from_db()
                assert incident.status == edge.target
            else:
                with pytest.raises(TransitionNotAllowed):
                    func(incident, acting_user=None, reason="原因")
                assert AuditEntry.objects.count() == count


def test_dispatch_names_the_resource_and_checks_the_quantity(incident_factory, resource_factory):
    incident = incident_factory()
    team = resource_factory(kind="equipment", name="泡沫消防车", quantity=Decimal(2), unit_label="辆")
    entry = actions.do_add_timeline(
        incident, kind=TimelineKind.DISPATCH, text="", resource=team, quantity=Decimal(2), acting_user=None
    )
    assert entry.text == "调派泡沫消防车 2辆"
    with pytest.raises(ValidationFailed, match="超过"):
        actions.do_add_timeline(
            incident,
            kind=TimelineKind.DISPATCH,
            text="",
            resource=team,
            quantity=Decimal(3),
            acting_user=None,
        )
    with pytest.raises(ValidationFailed):
        actions.do_add_timeline(incident, kind=TimelineKind.STATUS, text="x", acting_user=None)


def test_danger_found_in_investigation_enters_the_dangers_loop(incident_factory, enterprise_factory):
    from anjian.dangers.models import HiddenDanger

    incident = incident_factory(enterprise=enterprise_factory())
    entry = actions.do_report_danger(incident, description="储罐区可燃气体报警器失效", acting_user=None)
    # then: a hidden danger of the incident's enterprise, source 事故事件, pointing back at the incident
    danger = HiddenDanger.objects.get()
    assert (danger.enterprise_id, danger.source, danger.status) == (
        incident.enterprise_id,
        "incident",
        "reported",
    )
    assert danger.source_id == str(incident.pk) and danger.source_type.model == "incident"
    assert "储罐区可燃气体报警器失效" in danger.title
    assert entry.kind == TimelineKind.DANGER and danger.code in entry.text


def test_danger_found_outside_an_enterprise_stays_on_the_timeline(incident_factory):
    from anjian.dangers.models import HiddenDanger

    incident = incident_factory()
    entry = actions.do_report_danger(incident, description="路口缺少警示标志", acting_user=None)
    assert HiddenDanger.objects.count() == 0 and "未转入" in entry.text


def test_improvement_workflow(db):
    drill = actions.do_record_drill(
        Drill(title="储罐泄漏演练", held_on=dt.date(2025, 5, 1), scenario="储罐区苯泄漏"), acting_user=None
    )
    item = actions.do_add_improvement(drill, description="补充堵漏器材", acting_user=None)
    with pytest.raises(ValidationFailed):
        actions.do_complete_improvement(item, acting_user=None, reason="")
    with pytest.raises(TransitionNotAllowed):
        actions.do_reopen_improvement(item, acting_user=None, reason="x")
    item = actions.do_complete_improvement(item, acting_user=None, reason="已采购堵漏器材2套")
    assert item.status == "done" and item.done_on is not None
    item = actions.do_reopen_improvement(item, acting_user=None, reason="器材未到位")
    assert item.status == "open" and item.done_on is None


def test_footprint_is_computed_and_drawn_downwind(db):
    fp = Footprint(
        name="液氨储罐泄漏",
        substance="氨",
        lon=Decimal("105.02"),
        lat=Decimal("37.88"),
        release_gs=1000,
        wind_speed=3,
        wind_from_deg=0,
        daytime=False,
        cloud_oktas=2,
        level1_mg_m3=210,
        level2_mg_m3=17,
    )
    fp = actions.do_compute_footprint(fp, acting_user=None)
    assert fp.stability == "E"
    zones = fp.result["zones"]
    assert zones[1]["reach_m"] > zones[0]["reach_m"] > 0
    # wind from the north: the plume lies south of the source
    feature = fp.result["geojson"]["features"][0]
    lats = [pt[1] for poly in feature["geometry"]["coordinates"] for ring in poly for pt in ring]
    assert max(lats) <= 37.88 + 1e-6
    bad = Footprint(
        name="x",
        substance="x",
        lon=Decimal("105"),
        lat=Decimal("37.9"),
        release_gs=1,
        wind_speed=3,
        wind_from_deg=0,
        level1_mg_m3=1,
        level2_mg_m3=5,
    )
    with pytest.raises(ValidationFailed, match="低浓度阈值"):
        actions.do_compute_footprint(bad, acting_user=None)


def test_calc_command_is_registered():
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "calc", "accident-grade", "--deaths", "3", "--injuries", "0", "--loss-cny", "0", "--json", stdout=out
    )
    body = json.loads(out.getvalue())
    assert (body["grade"], body["by"]) == ("较大", "deaths")


def test_danger_found_at_an_enterprise_goes_into_the_dangers_loop(incident_factory, enterprise_factory):
    from anjian.dangers.models import HiddenDanger

    incident = incident_factory(enterprise=enterprise_factory())
    entry = actions.do_report_danger(incident, description="储罐区可燃气体报警器失效", acting_user=None)
    danger = HiddenDanger.objects.get()
    assert danger.source == "incident" and danger.source_id == str(incident.pk)
    assert danger.enterprise_id == incident.enterprise_id and "可燃气体报警器失效" in danger.title
    assert danger.code in entry.text


def _square(lon: float, lat: float, d: float = 0.0004) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
        ],
    }


def test_people_inside_the_footprint_come_from_the_gates_presence(gate_site_factory, user_factory):
    from anjian.emergency.selectors import people_in_footprint
    from anjian.gates.actions import do_decide_event
    from anjian.gates.models import Zone

    # given a zone 300 m south of a release (wind from the north) with two people inside, and one far away
    site = gate_site_factory(quota=None)
    Zone.objects.filter(pk=site.zone.pk).update(outline_geojson=_square(105.02, 37.8773))
    far = Zone.objects.create(
        enterprise=site.enterprise, code="FAR", name="远处仓库", outline_geojson=_square(105.06, 37.92)
    )
    for _ in range(2):
        _person, card = site.enrol()
        assert do_decide_event(
            site.gate, credential=card, direction="in", ts=int(timezone.now().timestamp() * 1000)
        ).event.allow
    fp = actions.do_compute_footprint(
        Footprint(
            name="液氨储罐泄漏",
            substance="氨",
            lon=Decimal("105.02"),
            lat=Decimal("37.88"),
            release_gs=1000,
            wind_speed=3,
            wind_from_deg=0,
            daytime=False,
            cloud_oktas=2,
            level1_mg_m3=210,
            level2_mg_m3=17,
        ),
        acting_user=None,
    )
    # when
    exposure = people_in_footprint(user_factory(role="committee", org="安委办"), fp.result)
    # then both levels reach the zone (300 m downwind) with its two people; the far zone is not reached
    assert [(e.total, [z.zone.pk for z in e.zones]) for e in exposure] == [(2, [site.zone.pk])] * 2
    assert far.pk not in {z.zone.pk for e in exposure for z in e.zones}
    # another enterprise's user sees no zone of this plant
    other = gate_site_factory()
    assert all(e.zones == [] for e in people_in_footprint(other.owner, fp.result))


def test_wind_is_taken_from_the_weather_station_when_recent(enterprise_factory, client_for, user_factory):
    from anjian.emergency.models import WeatherStation
    from anjian.emergency.selectors import station_wind
    from anjian.monitoring.ingest import write_readings
    from anjian.monitoring.models import MonitoringPoint

    assert station_wind() is None  # no station: the weather is entered by hand
    e = enterprise_factory()
    speed = MonitoringPoint.objects.create(enterprise=e, tag="WS-01", name="风速", kind="other", unit="m/s")
    direction = MonitoringPoint.objects.create(enterprise=e, tag="WD-01", name="风向", kind="other", unit="°")
    WeatherStation.objects.create(name="园区气象站", wind_speed_point=speed, wind_direction_point=direction)
    assert not station_wind().usable  # set up, nothing reported yet
    now = timezone.now()
    ms = int(now.timestamp() * 1000)
    write_readings([(speed.pk, ms - 60_000, 3.4, 0), (direction.pk, ms - 60_000, 405.0, 0)])
    wind = station_wind(now)
    assert (wind.usable, wind.speed_ms, wind.from_deg) == (True, 3.4, 45)
    # the form is filled from it
    page = client_for(user_factory(role="committee", org="安委办")).get("/emergency/footprints/new/")
    assert page.context["form"].initial["wind_speed"] == 3.4 and "园区气象站" in page.content.decode()
    # 40 minutes later without a new reading it is no longer used
    assert not station_wind(now + dt.timedelta(minutes=40)).usable
    # an implausible speed is not used
    write_readings([(speed.pk, ms, 82.0, 0), (direction.pk, ms, 10.0, 0)])
    assert "不合理" in station_wind(now).note
