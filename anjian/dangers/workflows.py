"""The hidden-danger rectification loop as a transition table (``core.workflow``), issue 10.

已上报 → 已核实定级 → 整改中 → 待验收 → 已销号, 驳回 back to 整改中, 不予认定 from 已上报; nothing else.
The guards keep the loop's rules (原国家安监总局令第16号, 安监总管三〔2017〕121号 and ``domain/danger_rules``):

* 整改中 needs the 五到位 — measures, a rectifier, funds, a deadline, and for a 重大 danger a contingency plan;
* 待验收 needs a statement and at least one after-photo;
* 已销号 needs an acceptor other than the rectifier and the submitter, and for a 重大 danger the supervising
  department.

``actions.py`` has one action per edge (``do_verify_danger`` …) that calls ``core.workflow.apply`` and does
what touches other rows (telling the department about a 重大 danger, ending a 挂牌督办 at 销号).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone

from anjian.core.access import Scope, restrict, scope_of
from anjian.core.errors import ValidationFailed
from anjian.core.workflow import Edge, Refusal, Workflow, register_workflow
from anjian.dangers.choices import DangerEvents, DangerGrade, PhotoStage
from anjian.dangers.choices import DangerStatus as S
from anjian.dangers.models import HiddenDanger
from anjian.domain import danger_rules

__all__ = [
    "DANGER_FLOW",
    "acceptance_refusal",
    "is_supervisor",
    "major_items",
    "parse_major_item",
    "user_may_work_on",
]


# ---------------------------------------------------------------------------------------------
# What the edges read
# ---------------------------------------------------------------------------------------------


@functools.cache
def major_items() -> dict[int, str]:
    """The 20 items of 安监总管三〔2017〕121号 (item → text), shipped in ``dangers/data``."""
    path = Path(__file__).parent / "data" / "major_hidden_danger_chem_2017_121.csv"
    with path.open(encoding="utf-8") as handle:
        return {int(row["item"]): row["text_cn"] for row in csv.DictReader(handle)}


def parse_major_item(value: Any) -> int | None:
    """The 121号 item number of ``value`` (``None`` for none); ``ValidationFailed`` outside 1–20."""
    if value in (None, "", 0, "0"):
        return None
    try:
        item = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            "重大隐患判定条款须为 1–20", code="major_item_invalid", field="major_item"
        ) from exc
    if item not in major_items():
        raise ValidationFailed("重大隐患判定条款须为 1–20", code="major_item_invalid", field="major_item")
    return item


def is_supervisor(user: Any, danger: Any) -> bool:
    """The supervising department's staff (or the zone-wide roles)."""
    scope = user if isinstance(user, Scope) else scope_of(user)
    if scope.sees_all:
        return True
    return (
        scope.is_department
        and danger.supervising_unit_id is not None
        and danger.supervising_unit_id in scope.unit_ids
    )


def user_may_work_on(user: Any, danger: Any) -> bool:
    """``user`` sees the danger (the rectifier must; photos are added by anyone who sees it)."""
    return bool(restrict(HiddenDanger.objects.filter(pk=danger.pk), user, "view").exists())


def acceptance_refusal(danger: Any, user: Any) -> str | None:
    """Why ``user`` may not accept ``danger`` now (``None`` when they may)."""
    return danger_rules.acceptance_refusal(
        danger_rules.AcceptanceFacts(
            is_major=danger.is_major,
            acceptor_id=getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
            rectifier_id=danger.rectifier_id,
            submitter_id=danger.submitted_by_id,
            acceptor_is_supervisor=user is not None and is_supervisor(user, danger),
        )
    )


def funds_of(value: Any) -> Decimal | None:
    """The funds as a number (``None`` when not given); ``ValidationFailed`` when not a number."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed("整改资金须为数字", code="funds_invalid", field="funds") from exc


# ---------------------------------------------------------------------------------------------
# Guards and effects
# ---------------------------------------------------------------------------------------------


def _verify(danger: Any, data: Mapping[str, Any]) -> list[str]:
    item = parse_major_item(data.get("major_item"))
    grade = DangerGrade.MAJOR if item is not None else data.get("grade")
    if grade not in DangerGrade.values:
        raise ValidationFailed("请选择隐患等级", code="grade_required", field="grade")
    danger.grade, danger.major_item = grade, item
    return ["grade", "major_item"]


def _dismiss(danger: Any, data: Mapping[str, Any]) -> list[str]:
    danger.dismissed_reason = str(data["reason"]).strip()
    danger.closed_at = timezone.now()
    return ["dismissed_reason", "closed_at"]


def five_in_place(danger: Any, data: Mapping[str, Any]) -> str | None:
    """五到位：整改措施、责任人、资金、期限（重大隐患另须应急预案）"""
    missing = danger_rules.missing_five_in_place(
        danger_rules.FiveInPlace(
            is_major=danger.is_major,
            measures=str(data.get("measures") or ""),
            rectifier_set=data.get("rectifier") is not None,
            funds=funds_of(data.get("funds")),
            deadline=data.get("deadline"),
            contingency_plan=str(data.get("contingency_plan") or ""),
            today=timezone.localdate(),
        )
    )
    if missing:
        return Refusal("五到位未落实，缺少：" + "、".join(missing), "five_in_place_missing")
    return None


def _assign(danger: Any, data: Mapping[str, Any]) -> list[str]:
    rectifier = data.get("rectifier")
    if rectifier is not None and not user_may_work_on(rectifier, danger):
        raise ValidationFailed(
            "整改责任人须为本企业或监管部门的用户", code="rectifier_invalid", field="rectifier"
        )
    danger.measures = str(data.get("measures") or "").strip()
    danger.rectifier = rectifier
    danger.funds = funds_of(data.get("funds"))
    danger.deadline = data.get("deadline")
    danger.contingency_plan = str(data.get("contingency_plan") or "").strip()
    return ["measures", "rectifier", "funds", "deadline", "contingency_plan"]


def _has_after_photo(danger: Any) -> bool:
    return bool(danger.photos.filter(stage=PhotoStage.AFTER).exists())


def submission_complete(danger: Any, data: Mapping[str, Any]) -> str | None:
    """整改情况说明和至少一张整改后照片"""
    missing = []
    if not str(data.get("statement") or "").strip():
        missing.append("整改情况说明")
    if not _has_after_photo(danger):
        missing.append("整改后照片")
    if missing:
        return Refusal("不能申请验收，缺少：" + "、".join(missing), "submission_incomplete")
    return None


def after_photo_uploaded(danger: Any, user: Any) -> str | None:
    """已上传整改后照片"""
    if not _has_after_photo(danger):
        return Refusal("不能申请验收，缺少：整改后照片（请先上传）", "submission_incomplete")
    return None


def _submit(danger: Any, data: Mapping[str, Any]) -> list[str]:
    danger.statement = str(data["statement"]).strip()
    return ["statement"]


def acceptor_allowed(danger: Any, user: Any) -> str | None:
    """验收人不是整改人或申请人；重大隐患由监管部门验收"""
    refusal = acceptance_refusal(danger, user)
    return Refusal(refusal, "acceptance_not_allowed") if refusal else None


def _accept(danger: Any, data: Mapping[str, Any]) -> list[str]:
    danger.acceptance_opinion = str(data["opinion"]).strip()
    danger.closed_at = timezone.now()
    return ["acceptance_opinion", "closed_at"]


def _reject(danger: Any, data: Mapping[str, Any]) -> list[str]:
    danger.rejections += 1
    return ["rejections"]


DANGER_FLOW = register_workflow(
    Workflow(
        key="dangers.danger",
        label="隐患",
        model=HiddenDanger,
        states=S,
        edges=(
            Edge(
                S.REPORTED,
                S.VERIFIED,
                "verify",
                "核实定级",
                effect=_verify,
                stamp_at="verified_at",
                stamp_by="verified_by",
                event=DangerEvents.DANGER_VERIFIED,
            ),
            Edge(
                S.REPORTED,
                S.DISMISSED,
                "dismiss",
                "不予认定",
                requires=("reason",),
                messages={"reason": "请填写不予认定理由"},
                effect=_dismiss,
                event=DangerEvents.DANGER_DISMISSED,
                style="danger",
            ),
            Edge(
                S.VERIFIED,
                S.RECTIFYING,
                "assign",
                "下达整改（五到位）",
                guard=five_in_place,
                effect=_assign,
                stamp_at="assigned_at",
                event=DangerEvents.DANGER_ASSIGNED,
            ),
            Edge(
                S.RECTIFYING,
                S.AWAITING_ACCEPTANCE,
                "submit",
                "整改完成，申请验收",
                guard=submission_complete,
                ready=after_photo_uploaded,
                effect=_submit,
                stamp_at="submitted_at",
                stamp_by="submitted_by",
                event=DangerEvents.DANGER_SUBMITTED,
            ),
            Edge(
                S.AWAITING_ACCEPTANCE,
                S.CLOSED,
                "accept",
                "验收销号",
                requires=("opinion",),
                messages={"opinion": "请填写验收意见"},
                ready=acceptor_allowed,
                effect=_accept,
                stamp_at="accepted_at",
                stamp_by="accepted_by",
                event=DangerEvents.DANGER_ACCEPTED,
            ),
            Edge(
                S.AWAITING_ACCEPTANCE,
                S.RECTIFYING,
                "reject",
                "驳回重新整改",
                requires=("reason",),
                messages={"reason": "请填写驳回理由"},
                effect=_reject,
                event=DangerEvents.DANGER_REJECTED,
                style="danger",
            ),
        ),
        refusal_format="{label}当前状态为“{state}”，不能执行“{verb}”",
    )
)
