"""The transition-table engine: one audit row per step, refusals change nothing, buttons match the server."""

from __future__ import annotations

from typing import Any

import pytest

from anjian.core.choices import AuditEvent
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_refused
from anjian.core.workflow import (
    Edge,
    Refusal,
    Workflow,
    WorkflowError,
    allowed_verbs,
    apply,
    blocked_steps,
    workflows,
)
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import NoticeStatus
from anjian.plans.models import SupervisionNotice
from anjian.plans.workflows import NOTICE_FLOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(notice_factory: Any) -> SupervisionNotice:
    return notice_factory(OrgUnit.objects.get(name="应急管理局"))


def test_apply_takes_the_edge_stamps_and_audits_once(notice: SupervisionNotice, user_factory: Any) -> None:
    # given a notice sent to 应急管理局 and one of its users
    own = user_factory(org="应急管理局")
    before = AuditEntry.objects.count()
    # when the user signs for it
    result = apply(NOTICE_FLOW, notice, "acknowledge", acting_user=own, reason="收到")
    # then the state, the stamp and the actor are saved, the caller's object follows, and one row is written
    stored = SupervisionNotice.objects.get(pk=notice.pk)
    assert stored.status == NoticeStatus.ACKNOWLEDGED == notice.status == result.status
    assert stored.acknowledged_at is not None and stored.acknowledged_by_id == own.pk
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert entry.event_type == AuditEvent.NOTICE_ACKNOWLEDGED
    assert entry.reason == "收到"
    assert entry.before["status"] == "sent" and entry.after["status"] == "acknowledged"
    assert "签收" in entry.message


def test_refusals_name_their_kind_and_write_nothing(notice: SupervisionNotice, user_factory: Any) -> None:
    own = user_factory(org="应急管理局")
    other = user_factory(org="市场监督管理局")
    # another unit may not sign (403, the existing PermissionDeniedError)
    assert_refused(NOTICE_FLOW, notice, "acknowledge", acting_user=other, code="not_permitted")
    with pytest.raises(PermissionDeniedError):
        apply(NOTICE_FLOW, notice, "acknowledge", acting_user=other)
    # an edge that does not leave the current state (409)
    assert_refused(NOTICE_FLOW, notice, "close", acting_user=None, code="transition_not_allowed")
    with pytest.raises(TransitionNotAllowed) as info:
        apply(NOTICE_FLOW, notice, "close", acting_user=None)
    assert "已下发" in info.value.message and "办结" in info.value.message
    # an unknown verb
    assert_refused(NOTICE_FLOW, notice, "explode", acting_user=None, code="unknown_verb")
    # required data missing (400, the field named)
    apply(NOTICE_FLOW, notice, "acknowledge", acting_user=own)
    with pytest.raises(ValidationFailed) as missing:
        apply(NOTICE_FLOW, notice, "answer", acting_user=own, data={"answer": "  "})
    assert missing.value.field == "answer" and missing.value.message == "请填写回复内容"
    assert isinstance(missing.value, WorkflowError)


def test_allowed_verbs_drive_buttons(
    notice: SupervisionNotice, user_factory: Any, committee_user: Any
) -> None:
    own = user_factory(org="应急管理局")
    other = user_factory(org="市场监督管理局")
    assert [e.verb for e in allowed_verbs(NOTICE_FLOW, notice, own)] == ["acknowledge"]
    assert allowed_verbs(NOTICE_FLOW, notice, other) == []
    assert allowed_verbs(NOTICE_FLOW, notice, committee_user) == []  # not the recipient's step
    apply(NOTICE_FLOW, notice, "acknowledge", acting_user=own)
    apply(NOTICE_FLOW, notice, "answer", acting_user=own, data={"answer": "已整改"})
    assert [e.verb for e in allowed_verbs(NOTICE_FLOW, notice, committee_user)] == ["close"]
    assert allowed_verbs(NOTICE_FLOW, notice, own) == []


def test_ready_guard_effect_and_notify_hook(
    notice: SupervisionNotice, django_capture_on_commit_callbacks: Any
) -> None:
    # given a throw-away table whose step needs the notice to have a body (``ready``: no button without
    # it), an answer in the submitted data (``guard``: the button stays, the server refuses), and a hook
    seen: list[str] = []

    def ready(obj: Any, user: Any) -> str | None:
        return None if obj.body else "没有正文的通知不能签收"

    def guard(obj: Any, data: Any) -> str | None:
        return None if data.get("seen") else Refusal("请确认已阅读", "not_read")

    flow = Workflow(
        key="test.guarded",
        label="测试流程",
        model=SupervisionNotice,
        states=NoticeStatus,
        edges=(
            Edge(
                "sent",
                "acknowledged",
                "acknowledge",
                "签收",
                ready=ready,
                guard=guard,
                notify=lambda o, u: seen.append(o.status),
            ),
        ),
    )
    SupervisionNotice.objects.filter(pk=notice.pk).update(body="")
    notice.refresh_from_db()
    assert allowed_verbs(flow, notice, None) == []
    assert [(e.verb, r) for e, r in blocked_steps(flow, notice, None)] == [
        ("acknowledge", "没有正文的通知不能签收")
    ]
    assert_refused(flow, notice, "acknowledge", acting_user=None, code="guard_refused", data={"seen": True})
    SupervisionNotice.objects.filter(pk=notice.pk).update(body="正文")
    notice.refresh_from_db()
    assert [e.verb for e in allowed_verbs(flow, notice, None)] == ["acknowledge"]
    assert blocked_steps(flow, notice, None) == []
    # the data guard refuses with its own code and message, and writes nothing
    assert_refused(flow, notice, "acknowledge", acting_user=None, code="not_read")
    with django_capture_on_commit_callbacks(execute=True):
        apply(flow, notice, "acknowledge", acting_user=None, data={"seen": True})
    assert seen == ["acknowledged"]
    # the default event is a plain update
    assert AuditEntry.objects.order_by("-id").first().event_type == AuditEvent.OBJECT_UPDATED


def test_tables_reject_unknown_states_and_duplicate_edges() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        Workflow("x", "x", SupervisionNotice, NoticeStatus, (Edge("sent", "nowhere", "go", "去"),))
    with pytest.raises(ValueError, match="two edges"):
        Workflow(
            "x",
            "x",
            SupervisionNotice,
            NoticeStatus,
            (Edge("sent", "closed", "go", "去"), Edge("sent", "answered", "go", "去")),
        )


def test_pin_helper_fails_on_a_wrong_edge() -> None:
    with pytest.raises(AssertionError, match="unexpected edges"):
        assert_edges(
            NOTICE_FLOW, {("sent", "acknowledge", "acknowledged"), ("acknowledged", "answer", "answered")}
        )


def test_workflow_page_draws_every_registered_table(
    client_for: Any, committee_user: Any, enterprise_user_factory: Any, enterprise_factory: Any
) -> None:
    assert "plans.notice" in {w.key for w in workflows()}
    response = client_for(committee_user).get("/core/workflows/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "督办通知" in html
    for label in (
        "已下发",
        "已签收",
        "已回复",
        "已办结",
        "签收",
        "回复",
        "办结",
        "被督办单位的用户",
        "安委办",
    ):
        assert label in html
    # every module's table is registered and drawn, with its conditions in words
    keys = {w.key for w in workflows()}
    assert keys >= {
        "plans.notice",
        "assessment.scheme",
        "enterprises.status",
        "dangers.danger",
        "monitoring.alarm",
        "emergency.incident",
        "emergency.improvement",
        "gates.registration",
        "gates.roll_call",
        "gates.roll_call_entry",
        "majorhazards.installation",
    }
    for key in keys:
        assert f'id="wf-{key}"' in html
    assert "五到位" in html and "验收人不是整改人或申请人" in html and "报警已消除" in html
    # enterprise users have no business with the government's workflow definitions
    ent_user = enterprise_user_factory(enterprise_factory())
    assert client_for(ent_user).get("/core/workflows/").status_code == 404
