"""Pages of the second gate: headcount, zone, events with override, roll call, registrations, self-registration."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import scope_of
from anjian.core.models import AuditEntry
from anjian.domain.geodesy import BBox
from anjian.gates import actions
from anjian.gates.choices import GateEvent
from anjian.gates.layers import gate_features, zone_features
from anjian.gates.models import AccessEvent, Registration, RollCall
from anjian.gates.todos import gate_todos
from anjian.gates.views import self_registration_url

pytestmark = pytest.mark.django_db


def _ts(n=0):
    return int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000) + n * 1000


@pytest.fixture
def busy(gate_site_factory):
    site = gate_site_factory(quota=1)
    _p, inside = site.enrol("张在岗", phone="13900001234")
    _p, refused = site.enrol("李被拒")
    actions.do_decide_event(site.gate, credential=inside, direction="in", ts=_ts(0))
    actions.do_decide_event(site.gate, credential=refused, direction="in", ts=_ts(1))
    return site


def test_pages_render_for_the_operator(busy, client_for):
    client = client_for(busy.operator)
    for name in (
        "gates:headcount",
        "gates:zone_list",
        "gates:event_list",
        "gates:rollcall_list",
        "gates:registration_list",
        "gates:registration_create",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    html = client.get(reverse("gates:zone_detail", args=[busy.zone.pk])).content.decode()
    assert "张在岗" in html and "tel:13900001234" in html and "安全教育" in html
    html = client.get(reverse("gates:event_list") + "?result=denied").content.decode()
    assert "区域满员" in html and "人工放行" in html
    assert client.get(reverse("gates:self_register_qr", args=[busy.enterprise.pk])).content[:4] == b"\x89PNG"


def test_override_page_requires_a_reason_and_audits(busy, client_for):
    refused = AccessEvent.objects.get(allow=False)
    client = client_for(busy.operator)
    url = reverse("gates:event_override", args=[refused.pk])
    assert (
        "请填写" in client.post(url, {"reason": ""}).content.decode()
        or AccessEvent.objects.get(pk=refused.pk).overridden_at is None
    )
    response = client.post(url, {"reason": "值班长同意"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(event_type=GateEvent.DENIAL_OVERRIDDEN, reason="值班长同意").count() == 1
    busy.zone.refresh_from_db()
    assert busy.zone.headcount == 2 and busy.zone.level == "over"
    titles = [t.title for t in gate_todos(busy.operator)]
    assert "区域超员" in titles


def test_enterprise_user_of_another_plant_cannot_operate(busy, gate_site_factory, client_for):
    other = gate_site_factory()
    client = client_for(other.owner)
    refused = AccessEvent.objects.get(allow=False)
    assert client.post(reverse("gates:event_override", args=[refused.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("gates:rollcall_start"), {"zone": busy.zone.pk}).status_code == 404


def test_department_sees_but_cannot_operate(busy, client_for, user_factory):
    dept = user_factory(role="dept", org="应急管理局")
    client = client_for(dept)
    assert client.get(reverse("gates:zone_detail", args=[busy.zone.pk])).status_code == 200
    assert client.post(reverse("gates:rollcall_start"), {"zone": busy.zone.pk}).status_code == 403
    assert RollCall.objects.count() == 0


def test_roll_call_pages(busy, client_for):
    client = client_for(busy.operator)
    response = client.post(reverse("gates:rollcall_start"), {"zone": busy.zone.pk, "reason": "泄漏"})
    rc = RollCall.objects.get()
    assert response.status_code == 302 and response["Location"] == rc.get_absolute_url()
    html = client.get(rc.get_absolute_url()).content.decode()
    assert "张在岗" in html and "tel:13900001234" in html
    assert (
        "未确认" in client.post(reverse("gates:rollcall_close", args=[rc.pk]), follow=True).content.decode()
    )
    entry = rc.entries.get()
    client.post(reverse("gates:rollcall_check", args=[entry.pk]))
    rc.refresh_from_db()
    assert rc.status == "closed"


def test_an_open_roll_call_page_carries_the_state_its_stream_compares_with(busy, client_for, monkeypatch):
    import html as html_lib

    from anjian.gates import live

    monkeypatch.setattr(live, "MAX_SECONDS", 0)
    client = client_for(busy.operator)
    client.post(reverse("gates:rollcall_start"), {"zone": busy.zone.pk, "reason": "泄漏"})
    rc = RollCall.objects.get()

    def page_state() -> str:
        page = client.get(rc.get_absolute_url()).content.decode()
        return html_lib.unescape(page.split('data-state="', 1)[1].split('"', 1)[0])

    def first_message() -> str:
        chunks = b"".join(
            client.get(reverse("gates:rollcall_stream", args=[rc.pk])).streaming_content
        ).decode()
        return chunks.split("data: ", 1)[1].split("\n\n", 1)[0]

    # given the page as rendered: the stream's first message is that same state (no reload)
    rendered = page_state()
    assert first_message() == rendered
    # when the one person is checked at the muster point before the page's stream connects
    client.post(reverse("gates:rollcall_check", args=[rc.entries.get().pk]))
    # then the stream's first message differs from what the page shows, so the page reloads (gates/live.js
    # compares with data-state; it used to take the first message as the starting state and miss this change)
    assert first_message() != rendered
    assert json.loads(first_message())["missing"] == 0 and json.loads(rendered)["missing"] == 1


def test_headcount_stream_sends_the_payload(busy, client_for, monkeypatch):
    from anjian.gates import live

    monkeypatch.setattr(live, "MAX_SECONDS", 0)
    response = client_for(busy.operator).get(reverse("gates:headcount_stream"))
    assert response["Content-Type"].startswith("text/event-stream")
    chunks = b"".join(response.streaming_content).decode()
    data = json.loads(chunks.split("data: ", 1)[1].split("\n\n", 1)[0])
    assert data["total"] == 1 and data["by_category"]["employee"] == 1


def test_self_registration_from_the_qr_code_then_quiz(busy, client, resident_id):
    # a link without a valid signature is not a public page
    bad = reverse("gates:self_register", args=[busy.enterprise.uscc]) + "?k=forged"
    assert client.get(bad)["Location"].startswith("/login/")
    url = self_registration_url(busy.enterprise)
    assert client.get(url).status_code == 200
    now = timezone.localtime()
    response = client.post(
        url,
        {
            "category": "visitor",
            "name": "访客甲",
            "id_type": "resident",
            "id_number": resident_id(),
            "phone": "13811112222",
            "company": "设计院",
            "purpose": "交流",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "zones": [busy.zone.pk],
        },
    )
    reg = Registration.objects.get(name="访客甲")
    assert reg.self_registered and response["Location"] == reverse("gates:visit_quiz", args=[reg.access_key])
    wrong = client.post(response["Location"], {f"q{i}": 0 for i in range(len(actions.INDUCTION_QUIZ))})
    assert "须全部答对" in wrong.content.decode()
    right = {f"q{i}": r for i, (_q, _o, r) in enumerate(actions.INDUCTION_QUIZ)}
    assert "已通过" in client.post(response["Location"], right).content.decode()
    reg.refresh_from_db()
    assert reg.status == "trained"
    assert client.get(reverse("gates:visit_quiz", args=["x" * 30]))["Location"].startswith("/login/")


def test_host_approves_and_the_card_works(busy, client_for, resident_id):
    now = timezone.now()
    reg = Registration(
        enterprise=busy.enterprise,
        name="承包商乙",
        id_number=resident_id(),
        phone="13811113333",
        purpose="检修",
        category="contractor",
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(hours=5),
    )
    actions.do_submit_registration(reg, [busy.zone], acting_user=busy.owner)
    actions.check_registration_quiz(reg, [r for _q, _o, r in actions.INDUCTION_QUIZ])
    client = client_for(busy.owner)
    client.post(reverse("gates:registration_detail", args=[reg.pk]), {"decision": "approve", "note": "同意"})
    reg.refresh_from_db()
    assert reg.status == "approved" and reg.credential_code
    assert "承包商乙" in client.get(reverse("gates:registration_list")).content.decode()


def test_map_layers_are_scoped(busy, gate_site_factory):
    other = gate_site_factory()
    busy.zone.outline_geojson = {
        "type": "Polygon",
        "coordinates": [[[105.3, 37.6], [105.31, 37.6], [105.31, 37.61], [105.3, 37.6]]],
    }
    busy.zone.save()  # a stale instance (headcount 0 in memory) does not overwrite the live counter
    busy.gate.lon, busy.gate.lat = 105.305, 37.6
    busy.gate.save()
    features = zone_features(scope_of(busy.owner))
    assert [f["properties"]["headcount"] for f in features] == [1]
    assert zone_features(scope_of(other.owner)) == []
    assert len(gate_features(scope_of(busy.owner))) == 1 and gate_features(scope_of(other.owner)) == []
    assert zone_features(scope_of(busy.owner), BBox(0, 0, 1, 1)) == []


def test_one_enterprise_tab(busy, client_for):
    html = client_for(busy.owner).get(f"/enterprises/{busy.enterprise.pk}/?tab=gates").content.decode()
    assert "智能化二道门" in html and busy.zone.name in html


def test_zone_lists_its_major_hazard_installations(busy, client_for, installation_factory):
    tank = installation_factory(busy.enterprise, name="液氯储罐区")
    busy.zone.hazard_installations.add(tank)
    html = client_for(busy.operator).get(reverse("gates:zone_detail", args=[busy.zone.pk])).content.decode()
    assert "液氯储罐区" in html
    assert list(tank.gate_zones.all()) == [busy.zone]
