"""The alarm job pushes over-quota, overstay and lapsed-certificate alarms once each, to the right people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.jobs import jobs
from anjian.core.models import Notification
from anjian.gates.actions import do_decide_event
from anjian.gates.jobs import push_alarms
from anjian.gates.models import AccessPass, Zone

pytestmark = pytest.mark.django_db


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def test_job_is_registered():
    assert {j.name: j for j in jobs()}["gates.alarms"].every == dt.timedelta(minutes=5)


def test_overstay_and_over_quota_are_pushed_once(gate_site_factory, user_factory):
    site = gate_site_factory(quota=1)
    dept_user = user_factory(role="dept", org=site.enterprise.supervising_unit)
    now = timezone.now()
    visitor, card = site.enrol(category="visitor", valid_until=now + dt.timedelta(minutes=30))
    assert do_decide_event(site.gate, credential=card, direction="in", ts=_ms(now)).event.allow
    # the visitor's permitted time passes while inside; the zone is over quota (an override let one more in)
    AccessPass.objects.filter(person=visitor).update(valid_until=now - dt.timedelta(minutes=1))
    Zone.objects.filter(pk=site.zone.pk).update(headcount=2)
    # when
    summary = push_alarms(now)
    # then the enterprise's users get both; the supervising department only the over-quota one
    mine = Notification.objects.filter(recipient=site.owner, kind="gates")
    assert sorted(n.title for n in mine) == ["二道门报警：区域超员", "二道门报警：超时滞留"]
    assert [n.title for n in Notification.objects.filter(recipient=dept_user)] == ["二道门报警：区域超员"]
    assert Notification.objects.filter(recipient=site.operator, kind="gates").count() == 2
    assert "新发通知" in summary
    # running again sends nothing new
    before = Notification.objects.count()
    push_alarms(now + dt.timedelta(minutes=5))
    assert Notification.objects.count() == before


def test_a_lapsed_certificate_inside_is_pushed(gate_site_factory):
    site = gate_site_factory(quota=None, certificates=["special_operation"])
    today = timezone.localdate()
    person, card = site.enrol(certificates=[("special_operation", today + dt.timedelta(days=30))])
    assert do_decide_event(site.gate, credential=card, direction="in", ts=_ms(timezone.now())).event.allow
    person.certificates.update(expires_on=today - dt.timedelta(days=1))
    push_alarms(timezone.now())
    assert [n.title for n in Notification.objects.filter(recipient=site.owner)] == [
        "二道门报警：在场人员证书失效"
    ]
