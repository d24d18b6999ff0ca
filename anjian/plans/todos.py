"""Home-page to-dos of the plans app: missing and due reports, open 督办 notices, notices to close."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import ComplianceState, NoticeStatus
from anjian.plans.models import PlanTask, SupervisionNotice
from anjian.plans.selectors import compliance_for_units, visible_tasks

MODULE = "规划任务"


def plan_todos(user: Any, as_of: Any = None) -> list[TodoItem]:
    """What the user's unit owes on the plan, and (for the office) notices waiting to be closed."""
    scope = scope_of(user)
    if not scope.is_government:
        return []
    items: list[TodoItem] = []
    today = as_of or timezone.localdate()
    unit = OrgUnit.objects.filter(pk=scope.org_id).first() if scope.org_id else None
    if unit is not None and PlanTask.objects.exists():
        tasks = visible_tasks(user).filter(units__unit_id__in=sorted(scope.unit_ids)).distinct()
        due = compliance_for_units([unit], as_of=today, tasks=tasks).get(unit.pk, [])
        missing = [i for i in due if i.state == ComplianceState.MISSING]
        open_ = [i for i in due if i.state == ComplianceState.OPEN]
        url = reverse("plans:my_tasks")
        if missing:
            codes = sorted({i.task_code for i in missing}, key=lambda c: tuple(int(x) for x in c.split(".")))
            items.append(
                TodoItem(
                    MODULE,
                    f"{unit.name}有{len(missing)}份季度进展报告逾期未报",
                    f"涉及任务 {'、'.join(codes[:6])}{' 等' if len(codes) > 6 else ''}",
                    url,
                    "danger",
                    len(missing),
                )
            )
        if open_:
            first = min(i.due_date for i in open_)
            items.append(
                TodoItem(
                    MODULE,
                    f"{len(open_)}份季度进展报告待报送",
                    f"最早截止 {first:%Y-%m-%d}",
                    url,
                    "warning",
                    len(open_),
                )
            )
    notices = restrict(SupervisionNotice.objects.exclude(status=NoticeStatus.CLOSED), user)
    if scope.org_id is not None:
        own = notices.filter(unit_id__in=sorted(scope.unit_ids))
        to_sign = own.filter(status=NoticeStatus.SENT).count()
        to_answer = own.filter(status=NoticeStatus.ACKNOWLEDGED).count()
        overdue = own.filter(
            status__in=[NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED], due_date__lt=today
        ).count()
        if to_sign:
            items.append(
                TodoItem(
                    MODULE,
                    f"{to_sign}份督办通知待签收",
                    "请签收并按期回复",
                    reverse("plans:notice_list") + "?status=sent",
                    "danger" if overdue else "warning",
                    to_sign,
                )
            )
        if to_answer:
            items.append(
                TodoItem(
                    MODULE,
                    f"{to_answer}份督办通知待回复",
                    f"其中{overdue}份已超过办理期限" if overdue else "已签收，待回复",
                    reverse("plans:notice_list") + "?status=acknowledged",
                    "danger" if overdue else "warning",
                    to_answer,
                )
            )
    if scope.sees_all:
        to_close = notices.filter(status=NoticeStatus.ANSWERED).count()
        if to_close:
            items.append(
                TodoItem(
                    MODULE,
                    f"{to_close}份督办通知已回复，待办结",
                    "请审核回复并办结",
                    reverse("plans:notice_list") + "?status=answered",
                    "info",
                    to_close,
                )
            )
    return items
