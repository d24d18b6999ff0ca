"""A small two-sided zone for the cross-app scoping, audit and query-count tests.

Side A: 甲方化工有限公司 (危化生产 → supervised by 应急管理局, in 孛井滩镇). Side B: 乙方建筑工程有限公司
(建筑施工 → supervised by 住建交通局, in 腾格里镇). Each side has an enterprise user, a department user, a
person with a certificate and a training record, a department staff member, a licence and a grading, a
task of its own, a 督办 notice, a veto event and an assessment result. Both departments cooperate on
one shared task (应急管理局 leads, 住建交通局 cooperates) and each files a report on it, so the lead
(A) reads B's report on the shared task but B never reads A's.

Every object carries a unique Chinese marker (a name, number or text) so that a leak shows up as a
marker in a page, a JSON body or an exported workbook.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from anjian.assessment.actions import do_create_scheme, do_record_veto_event
from anjian.assessment.models import AssessmentResult
from anjian.orgs.models import OrgUnit
from anjian.people.choices import RoleCategory
from anjian.plans.choices import Comparator, ReportStatus, TaskRole
from anjian.plans.models import Plan, PlanTask, ProgressReport, ReportEvidence, Target, TaskUnit
from anjian.plans.selectors import report_due_date

#: The quarter every world report is filed for (long past: reports are locked, which changes nothing here).
REPORT_YEAR, REPORT_QUARTER = 2024, 2


@dataclass
class Side:
    """One side of the world: its objects and its markers."""

    key: str
    dept: OrgUnit
    dept_user: Any
    enterprise: Any
    grid: Any
    ent_user: Any
    person: Any
    staff: Any
    certificate: Any
    staff_certificate: Any
    training: Any
    licence: Any
    grading: Any
    task: Any
    target: Any
    own_report: Any
    shared_report: Any
    evidence: Any
    notice: Any
    veto_event: Any
    result: Any
    markers: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """Both sides plus the zone-wide users and the shared task."""

    a: Side
    b: Side
    shared_task: Any
    shared_target: Any
    plan: Any
    scheme: Any
    committee: Any
    admin: Any
    commander: Any
    gate_a: Any
    users: dict[str, Any] = field(default_factory=dict)


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet of an .xlsx, joined (for leak checks)."""
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )


def response_text(response: Any) -> str:
    """The body of a page, a JSON answer or a workbook as text."""
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        return xlsx_text(response.content)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def build_world(
    *,
    unit: Any,
    user_factory: Any,
    committee_user: Any,
    admin_user_anjian: Any,
    enterprise_factory: Any,
    enterprise_user_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
    training_factory: Any,
    licence_factory: Any,
    standardization_factory: Any,
    notice_factory: Any,
    grid_factory: Any,
) -> World:
    """Create the two-sided world described in the module docstring."""
    today = timezone.localdate()
    plan = Plan.objects.create(
        code="scoping",
        title="范围测试规划",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2030, 12, 31),
        source_sha256="0" * 64,
        source_text="测试",
    )
    depts = {"a": unit("应急管理局"), "b": unit("住建交通局")}
    shared_task = PlanTask.objects.create(
        plan=plan, code="1.1", position=1, chapter="一", section=1, title="甲乙协同任务"
    )
    TaskUnit.objects.create(task=shared_task, unit=depts["a"], role=TaskRole.LEAD, position=1)
    TaskUnit.objects.create(task=shared_task, unit=depts["b"], role=TaskRole.COOPERATING, position=2)
    shared_target = Target.objects.create(
        task=shared_task, indicator="协同指标", comparator=Comparator.AT_LEAST, value=Decimal(100), unit="%"
    )
    scheme = do_create_scheme(2024, acting_user=committee_user)
    sides: dict[str, Side] = {}
    spec = {
        "a": ("甲", "甲方", "hazchem_production", "孛井滩镇", 2),
        "b": ("乙", "乙方", "construction", "腾格里镇", 3),
    }
    for key, (ch, side_name, industry, town, position) in spec.items():
        dept = depts[key]
        grid = grid_factory(town=town, code=f"G-{key.upper()}", name=f"{side_name}一号网格")
        enterprise = enterprise_factory(
            name=f"{side_name}化工有限公司", industry=industry, town=town, grid=grid
        )
        person = person_factory(enterprise, role=RoleCategory.SPECIAL_WORKER, name=f"{ch}员工张三")
        staff = person_factory(dept, role=RoleCategory.ENFORCEMENT, name=f"{ch}局干部李四")
        task = PlanTask.objects.create(
            plan=plan,
            code=f"1.{position}",
            position=position,
            chapter="一",
            section=position,
            title=f"{side_name}专属任务",
        )
        TaskUnit.objects.create(task=task, unit=dept, role=TaskRole.LEAD, position=1)
        target = Target.objects.create(
            task=task,
            indicator=f"{side_name}指标",
            comparator=Comparator.AT_LEAST,
            value=Decimal(90),
            unit="%",
        )
        reports = {}
        for name, on_task in (("own", task), ("shared", shared_task)):
            reports[name] = ProgressReport.objects.create(
                task=on_task,
                unit=dept,
                year=REPORT_YEAR,
                quarter=REPORT_QUARTER,
                status=ReportStatus.IN_PROGRESS,
                text=f"{side_name}{'专属' if name == 'own' else '协同'}进展",
                due_date=report_due_date(REPORT_YEAR, REPORT_QUARTER),
                submitted_at=timezone.now(),
            )
        evidence = ReportEvidence.objects.create(
            report=reports["shared"],
            file=ContentFile(f"{side_name}佐证".encode(), name="proof.txt"),
            name=f"{side_name}佐证材料.txt",
        )
        result = AssessmentResult.objects.create(
            scheme=scheme,
            unit=dept,
            rank=position,
            total=Decimal("60.0"),
            max_points=Decimal("100.0"),
            grade="fail",
            vetoed=True,
            veto_reason=f"{side_name}否决原因",
            summary=f"{side_name}考核结论",
            computed_at=timezone.now(),
        )
        sides[key] = Side(
            key=key,
            dept=dept,
            dept_user=user_factory(org=dept, username=f"dept_{key}", name=f"{ch}部门用户"),
            enterprise=enterprise,
            grid=grid,
            ent_user=enterprise_user_factory(enterprise, username=f"ent_{key}"),
            person=person,
            staff=staff,
            certificate=certificate_factory(
                person,
                number=f"ZS-{key.upper()}-0001",
                expires_on=today + dt.timedelta(days=10),
                file=ContentFile(f"{side_name}证书扫描件".encode(), name="scan.pdf"),
            ),
            staff_certificate=certificate_factory(staff, number=f"ZF-{key.upper()}-0001"),
            training=training_factory(person, course=f"{side_name}三级安全教育"),
            licence=licence_factory(enterprise, number=f"LIC-{key.upper()}-0001"),
            grading=standardization_factory(enterprise, certificate_no=f"BZ-{key.upper()}-0001"),
            task=task,
            target=target,
            own_report=reports["own"],
            shared_report=reports["shared"],
            evidence=evidence,
            notice=notice_factory(dept, task=shared_task, title=f"{side_name}督办通知"),
            veto_event=do_record_veto_event(
                unit=dept,
                year=2024,
                grade="larger",
                description=f"{side_name}事故",
                acting_user=committee_user,
            ),
            result=result,
        )
        side = sides[key]
        side.markers = {
            "enterprise": enterprise.name,
            "uscc": enterprise.uscc,
            "grid": grid.name,
            "person": person.name,
            "staff": staff.name,
            "certificate": side.certificate.number,
            "staff_certificate": side.staff_certificate.number,
            "training": side.training.course,
            "licence": side.licence.number,
            "grading": side.grading.certificate_no,
            "task": task.title,
            "target": target.indicator,
            "own_report": side.own_report.text,
            "shared_report": side.shared_report.text,
            "notice": side.notice.title,
            "veto_event": side.veto_event.description,
            "result": result.veto_reason,
        }
    commander = user_factory(role="commander", org="示范区综合应急救援大队", username="commander")
    gate_a = user_factory(role="gate", org=sides["a"].enterprise.org_unit, username="gate_a")
    world = World(
        a=sides["a"],
        b=sides["b"],
        shared_task=shared_task,
        shared_target=shared_target,
        plan=plan,
        scheme=scheme,
        committee=committee_user,
        admin=admin_user_anjian,
        commander=commander,
        gate_a=gate_a,
    )
    world.users = {
        "admin": admin_user_anjian,
        "committee": committee_user,
        "dept_a": sides["a"].dept_user,
        "dept_b": sides["b"].dept_user,
        "ent_a": sides["a"].ent_user,
        "ent_b": sides["b"].ent_user,
        "gate_a": gate_a,
        "commander": commander,
    }
    return world
