"""A 督办 notice that makes no sense is refused, by page and API alike (issue 7, "Forms that should refuse")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anjian.core.errors import ValidationFailed
from anjian.plans import actions
from anjian.plans.models import SupervisionNotice

pytestmark = pytest.mark.django_db


def _send(unit: Any, committee_user: Any, **kwargs: Any) -> SupervisionNotice:
    return actions.do_send_notice(
        unit=unit, title="督办", body="请整改", acting_user=committee_user, **kwargs
    )


def test_a_deadline_in_the_past_is_refused(unit: Any, committee_user: Any) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        _send(unit("应急管理局"), committee_user, due_date=yesterday)
    assert refused.value.field == "due_date" and "不能早于" in refused.value.message
    assert _send(unit("应急管理局"), committee_user, due_date=timezone.localdate()).pk


@pytest.mark.parametrize("name", ["安委会", "安委会办公室"])
def test_the_committee_cannot_supervise_itself(name: str, unit: Any, committee_user: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _send(unit(name), committee_user)
    assert refused.value.field == "unit"


def test_a_task_notice_goes_only_to_a_unit_on_the_task(unit: Any, task_of: Any, committee_user: Any) -> None:
    task = task_of("1.1")  # lead 应急管理局, cooperating 市监局 and 两镇
    with pytest.raises(ValidationFailed) as refused:
        _send(unit("综合执法局"), committee_user, task=task)
    assert refused.value.field == "unit" and "不承担" in refused.value.message
    assert _send(unit("应急管理局"), committee_user, task=task).pk
    assert _send(unit("腾格里镇"), committee_user, task=task).pk  # on the task through 两镇


def test_the_api_answers_400_naming_the_field(
    unit: Any, task_of: Any, committee_user: Any, api_client_for: Any
) -> None:
    response = api_client_for(committee_user).post(
        "/api/v1/plans/notices/",
        {"unit": unit("综合执法局").pk, "task": task_of("1.1").pk, "title": "督办", "body": "请整改"},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["field"] == "unit"
    assert not SupervisionNotice.objects.exists()
