"""Notifications reach exactly the users they name (units expanded), once per key; the inbox is private."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from anjian.core.models import Notification
from anjian.core.notifications import notify, resolve_recipients, unread_count
from anjian.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_recipients_users_and_units_expand_to_exactly_their_users(
    user_factory: Any, committee_user: Any
) -> None:
    # given two users of 应急管理局, one of 市场监督管理局, an inactive one, and the group 两镇 with a town user
    a = user_factory(org="应急管理局")
    b = user_factory(org="应急管理局")
    user_factory(org="市场监督管理局")
    gone = user_factory(org="应急管理局")
    gone.is_active = False
    gone.save()
    towns = OrgUnit.objects.get(name="两镇")
    town_user = user_factory(org=towns.members.first())
    # when the unit, the group and one user (named twice) are notified
    written = notify(
        [OrgUnit.objects.get(name="应急管理局"), towns, committee_user, committee_user.pk],
        title="季度进展报告逾期",
        why="您所在单位是该任务的牵头单位",
        kind="test",
    )
    # then exactly those active users get one notification each
    assert sorted(n.recipient_id for n in written) == sorted([a.pk, b.pk, town_user.pk, committee_user.pk])
    assert Notification.objects.count() == 4
    assert resolve_recipients([]) == []


def test_dedupe_key_sends_once_and_links_to_the_object(user_factory: Any, notice_factory: Any) -> None:
    user = user_factory(org="应急管理局")
    notice = notice_factory(OrgUnit.objects.get(name="应急管理局"))
    first = notify(
        user, title="督办通知待签收", why="您的单位收到督办通知", target=notice, dedupe_key=f"n{notice.pk}"
    )
    again = notify(
        user, title="督办通知待签收", why="您的单位收到督办通知", target=notice, dedupe_key=f"n{notice.pk}"
    )
    assert len(first) == 1 and again == []
    assert first[0].url == notice.get_absolute_url() and first[0].target == notice


def test_log_channel_runs_after_commit(
    user_factory: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_factory()
    with (
        caplog.at_level(logging.INFO, logger="anjian.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(user, title="证书即将到期", why="您是该企业的安全管理员")
    assert any(
        "证书即将到期" in r.getMessage() and f"user={user.pk}" in r.getMessage() for r in caplog.records
    )


def test_inbox_is_private_and_marks_read(user_factory: Any, client_for: Any, notice_factory: Any) -> None:
    # given a notification for one user
    mine, other = user_factory(), user_factory(org="市场监督管理局")
    notice = notice_factory(OrgUnit.objects.get(name="应急管理局"))
    (note,) = notify(mine, title="督办通知待签收", why="您的单位收到督办通知", target=notice)
    assert unread_count(mine) == 1
    client = client_for(mine)
    # then the header shows the unread count and the inbox shows why
    page = client.get("/core/inbox/").content.decode()
    assert "督办通知待签收" in page and "您的单位收到督办通知" in page
    assert 'class="badge badge-danger unread-count">1<' in client.get("/").content.decode()
    # and opening it marks it read and goes to the object
    response = client.get(f"/core/inbox/{note.pk}/")
    assert response.status_code == 302 and response.url == notice.get_absolute_url()
    assert unread_count(mine) == 0
    # and another user cannot open it (404)
    assert client_for(other).get(f"/core/inbox/{note.pk}/").status_code == 404
    assert "督办通知待签收" not in client_for(other).get("/core/inbox/").content.decode()


def test_mark_all_read(user_factory: Any, client_for: Any) -> None:
    user = user_factory()
    notify(user, title="一", why="测试")
    notify(user, title="二", why="测试")
    client_for(user).post("/core/inbox/")
    assert unread_count(user) == 0
