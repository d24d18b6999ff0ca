"""The edges to the shared pieces: the park-map layer, the core job runner and the core inbox.

Each test runs once its piece is installed (it is skipped, saying why, before that piece is on main).
"""

import importlib.util
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.core.access import scope_of
from anjian.majorhazards import actions
from anjian.majorhazards.choices import GRADE_HEX, NOT_MAJOR_HEX
from anjian.majorhazards.jobs import run as run_job
from anjian.majorhazards.map_layer import LAYER_KEY, features
from anjian.majorhazards.models import HazardInstallation, InventoryLine

pytestmark = pytest.mark.django_db

HAS_GEO = importlib.util.find_spec("anjian.geo.layers") is not None
HAS_JOBS = importlib.util.find_spec("anjian.core.jobs") is not None
HAS_INBOX = importlib.util.find_spec("anjian.core.notifications") is not None


def _installation(enterprise, name, substance, q, population=60):
    inst = actions.do_save_installation(
        HazardInstallation(
            enterprise=enterprise,
            code=f"ZDWXY-{name}",
            name=name,
            unit_kind="storage",
            population_500m=population,
            lon=Decimal("105.25"),
            lat=Decimal("37.84"),
        ),
        acting_user=None,
    )
    actions.do_save_inventory_line(
        InventoryLine(installation=inst, substance=substance, max_quantity_t=Decimal(q)), acting_user=None
    )
    inst.refresh_from_db()
    return inst


@pytest.mark.skipif(not HAS_GEO, reason="anjian.geo.layers is not on this branch yet")
def test_map_layer_colours_by_grade_and_is_scoped(two_enterprises, user_factory):
    from anjian.geo.layers import get_layer

    a, b = two_enterprises["a"], two_enterprises["b"]
    first = _installation(a["enterprise"], "A1", "氯", "150", population=120)  # R = 240, 一级
    fourth = _installation(a["enterprise"], "A4", "甲醇", "600", population=10)  # R = 1.2, 四级
    small = _installation(a["enterprise"], "A0", "甲醇", "1")  # not major
    other = _installation(b["enterprise"], "B1", "氨", "300")
    assert get_layer(LAYER_KEY) is not None
    feats = {f["properties"]["name"].split("（")[0]: f for f in features(scope_of(a["user"]), None)}
    assert set(feats) == {first.name, fourth.name, small.name}  # not B's
    assert feats[first.name]["properties"]["colour"] == GRADE_HEX[1] == "#d63939"
    assert feats[fourth.name]["properties"]["colour"] == GRADE_HEX[4]
    assert feats[small.name]["properties"]["colour"] == NOT_MAJOR_HEX
    popup = dict(feats[first.name]["properties"]["popup"])
    assert popup["等级"] == "一级" and "氯 150 t" in popup["危险化学品"]
    everything = features(scope_of(user_factory(role="committee", org="安委会办公室")), None)
    assert other.name in {f["properties"]["name"].split("（")[0] for f in everything}


def test_gap_job_function_summarises(two_enterprises):
    _installation(two_enterprises["a"]["enterprise"], "A1", "氯", "150")
    text = run_job(timezone.now())
    assert "检查重大危险源 1 处" in text and "新发现缺口" in text


@pytest.mark.skipif(not HAS_JOBS, reason="anjian.core.jobs is not on this branch yet")
def test_gap_job_is_registered_with_the_job_runner():
    from anjian.core.jobs import jobs

    assert "majorhazards.refresh_gaps" in {job.name for job in jobs()}


@pytest.mark.skipif(not HAS_INBOX, reason="anjian.core.notifications is not on this branch yet")
def test_a_change_of_grade_reaches_exactly_the_supervising_departments_inbox(
    two_enterprises, user_factory, django_capture_on_commit_callbacks
):
    from anjian.core.models import Notification  # type: ignore[attr-defined,unused-ignore]

    yjj = user_factory(org="应急管理局")
    other = user_factory(org="自然资源局")
    enterprise = two_enterprises["a"]["enterprise"]
    with django_capture_on_commit_callbacks(execute=True):
        _installation(enterprise, "A1", "氯", "150", population=120)
    got = Notification.objects.filter(recipient=yjj)
    assert got.count() == 1 and "一级" in got.get().body
    assert not Notification.objects.filter(recipient=other).exists()
    assert not Notification.objects.filter(recipient=two_enterprises["a"]["user"]).exists()


def test_map_popup_shows_the_live_sensor_state(two_enterprises, django_assert_max_num_queries):
    from anjian.monitoring.models import MonitoringPoint, PointAlarmState

    a = two_enterprises["a"]
    inst = _installation(a["enterprise"], "A1", "氯", "150", population=120)
    quiet = _installation(a["enterprise"], "A2", "氨", "20")
    bare = _installation(a["enterprise"], "A3", "甲醇", "600")
    e = a["enterprise"]
    points = [
        MonitoringPoint.objects.create(
            enterprise=e,
            installation=inst,
            tag=f"GT-{n}",
            name=f"氯气探测器{n}",
            kind="toxic_gas",
            unit="mg/m³",
        )
        for n in range(3)
    ]
    calm = MonitoringPoint.objects.create(
        enterprise=e, installation=quiet, tag="LI-1", name="液位", kind="level", unit="%"
    )
    PointAlarmState.objects.create(point=points[0], last_ms=1, last_v=7.5, level="HH")
    PointAlarmState.objects.create(point=points[1], last_ms=1, last_v=0.2, offline=True)
    PointAlarmState.objects.create(point=points[2], last_ms=1, last_v=0.1)
    PointAlarmState.objects.create(point=calm, last_ms=1, last_v=55)
    # when (a bounded number of queries, whatever the number of installations)
    with django_assert_max_num_queries(8):
        feats = {f["properties"]["name"].split("（")[0]: f for f in features(scope_of(a["user"]), None)}
    # then
    popup = feats[inst.name]["properties"]["popup"]
    assert ["实时监测", "3 个测点：报警 1，离线 1，故障 0"] in popup
    assert popup[-2] == ["GT-0", "氯气探测器0：HH报警 7.5mg/m³"] and popup[-1] == [
        "GT-1",
        "氯气探测器1：离线",
    ]
    assert ["实时监测", "1 个测点全部正常"] in feats[quiet.name]["properties"]["popup"]
    assert ["实时监测", "未接入监测点"] in feats[bare.name]["properties"]["popup"]


def test_grade_counts_on_the_register_page_equal_the_rows(two_enterprises, client_for):
    # given two 四级 installations and one 一级, seen by the enterprise (restrict() adds DISTINCT)
    a = two_enterprises["a"]
    _installation(a["enterprise"], "A1", "氯", "150", population=120)
    _installation(a["enterprise"], "A4", "甲醇", "600", population=10)
    _installation(a["enterprise"], "A5", "甲醇", "700", population=10)
    response = client_for(a["user"]).get("/majorhazards/")
    counts = {g: n for g, _label, _colour, n in response.context["grade_counts"]}
    assert counts == {1: 1, 2: 0, 3: 0, 4: 2}
