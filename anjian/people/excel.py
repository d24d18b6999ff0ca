"""Excel sheets of the people register (persons, certificates, training) on ``core.excel``.

Each register has one import sheet; the export adds read-only columns (holder name, employer, status)
that an import ignores, so an exported file can be edited and imported back. Foreign keys are looked
up only among what the importing user may change, so a row cannot reach another enterprise's people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.errors import ValidationFailed
from anjian.core.excel import (
    XLSX_CONTENT_TYPE,
    Column,
    ImportReport,
    Lookup,
    Sheet,
    StoredScope,
    export_to,
    import_rows,
    parse_text,
    template,
    xlsx_response,
)
from anjian.core.excel import export_response as stream_response
from anjian.people.access import assignable_enterprises, assignable_units, changeable_people
from anjian.people.choices import (
    CertificateKind,
    CertificateStatus,
    Education,
    IdType,
    RoleCategory,
    Sex,
    SpecialOperationCategory,
    TrainingKind,
    TrainingResult,
)
from anjian.people.identity import normalize_id_number
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = [
    "REGISTERS",
    "XLSX_CONTENT_TYPE",
    "export_response",
    "import_file",
    "sheet_for",
    "template_response",
]

REGISTERS = {"persons": "人员名录", "certificates": "证书台账", "trainings": "培训记录"}


def _enterprise_parser(user: Any) -> Lookup:
    return Lookup(
        assignable_enterprises(user),
        ("uscc", str.upper),
        "name",
        missing=_("找不到企业“%(value)s”，或无权在该企业登记人员"),
        ambiguous=_("“%(value)s”对应多家企业，请填写统一社会信用代码"),
    )


def _unit_parser(user: Any) -> Lookup:
    return Lookup(
        assignable_units(user),
        "name",
        "aliases__name",
        "code",
        first=True,
        missing=_("找不到部门“%(value)s”，或无权在该部门登记人员"),
    )


def _person_parser(user: Any) -> Lookup:
    return Lookup(
        changeable_people(user),
        ("id_number", normalize_id_number),
        missing=_("找不到证件号码为“%(value)s”的人员，或无权修改该人员（请先导入人员名录）"),
        ambiguous=_("证件号码“%(value)s”对应多人，请在页面中登记"),
    )


def _id_number(value: Any) -> str:
    return normalize_id_number(parse_text(value))


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


def person_sheet(user: Any) -> Sheet:
    """The 人员名录 sheet; a row is matched by 证件号码 (and 证件类型 when the column is there)."""
    return Sheet(
        title="人员名录",
        model=Person,
        key=("id_number",),
        help_text="居民身份证号码按 GB 11643-1999 校验（校验码和出生日期），性别和出生日期由号码自动得出。"
        "所在企业和所在部门必须且只能填写一项。",
        columns=(
            Column("姓名", "name", required=True, width=10),
            Column(
                "证件类型",
                "id_type",
                choices=IdType.choices,
                empty=IdType.RESIDENT,
                width=14,
                help="留空按居民身份证处理",
            ),
            Column("证件号码", "id_number", required=True, parse=_id_number, width=22),
            Column("性别", "sex", choices=Sex.choices, width=6, help="居民身份证按号码自动得出"),
            Column("出生日期", "birth_date", kind="date", help="居民身份证按号码自动得出"),
            Column("联系电话", "phone", width=14),
            Column(
                "所在企业",
                "employer_enterprise",
                parse=_enterprise_parser(user),
                width=28,
                help="企业名称或统一社会信用代码",
            ),
            Column(
                "所在部门", "employer_unit", parse=_unit_parser(user), width=16, help="部门名称、简称或编码"
            ),
            Column("岗位/职务", "job", width=16),
            Column(
                "人员类别",
                "role_category",
                choices=RoleCategory.choices,
                empty=RoleCategory.OTHER_WORKER,
                width=16,
            ),
            Column("学历", "education", choices=Education.choices, width=10),
            Column("所学专业", "major", width=16),
            Column("安全相关专业", "major_safety_related", kind="bool", width=10),
            Column("从业年限", "years_experience", kind="int", empty=0, width=8),
            Column("在职", "is_active", kind="bool", empty=True, width=6),
        ),
    )


def _status_label() -> Callable[[Certificate], str]:
    """A certificate's status on today's date, the labels translated once per export."""
    today = timezone.localdate()
    labels = {status: str(status.label) for status in CertificateStatus}
    return lambda c: labels[c.status_on(today)]


def certificate_sheet(user: Any, *, for_export: bool = False) -> Sheet:
    """The 证书台账 sheet; the key is (证书类别, 作业类别, 证书编号); the holder by 证件号码."""
    columns: tuple[Column, ...] = (
        Column(
            "持证人证件号码",
            "person",
            required=True,
            parse=_person_parser(user),
            value=lambda c: c.person.id_number,
            width=22,
        ),
        Column("证书类别", "kind", required=True, choices=CertificateKind.choices, width=16),
        Column(
            "作业类别",
            "category",
            choices=SpecialOperationCategory.choices,
            width=20,
            help="特种作业证书必填",
        ),
        Column("操作项目", "operation_item", width=18),
        Column(
            "证书编号",
            "number",
            required=True,
            parse=lambda v: parse_text(v).replace(" ", "").upper(),
            width=22,
        ),
        Column("发证机关", "issuer", required=True, width=20),
        Column("发证日期", "issued_on", required=True, kind="date"),
        Column("有效期至", "expires_on", kind="date", help="留空表示长期有效"),
    )
    if for_export:
        columns = (
            Column("持证人", "person_name", value=lambda c: c.person.name, width=10),
            Column("所在单位", "employer_name", value=lambda c: str(c.person.employer or ""), width=28),
            *columns,
            Column("状态", "status_label", value=_status_label(), width=10),
        )
    return Sheet(
        title="证书台账",
        model=Certificate,
        key=("kind", "category", "number"),
        columns=columns,
        help_text="持证人按证件号码匹配，须先在人员名录中登记。",
    )


def training_sheet(user: Any, *, for_export: bool = False) -> Sheet:
    """The 培训记录 sheet; the key is (人员, 培训课程, 培训日期)."""
    columns: tuple[Column, ...] = (
        Column(
            "证件号码",
            "person",
            required=True,
            parse=_person_parser(user),
            value=lambda t: t.person.id_number,
            width=22,
        ),
        Column("培训课程", "course", required=True, width=28),
        Column("培训类型", "kind", choices=TrainingKind.choices, empty=TrainingKind.OTHER, width=14),
        Column("学时", "hours", required=True, kind="decimal", width=8),
        Column("培训日期", "date", required=True, kind="date"),
        Column(
            "考核结果", "result", choices=TrainingResult.choices, empty=TrainingResult.NOT_ASSESSED, width=10
        ),
        Column("培训机构", "provider", width=24),
    )
    if for_export:
        columns = (
            Column("姓名", "person_name", value=lambda t: t.person.name, width=10),
            Column("所在单位", "employer_name", value=lambda t: str(t.person.employer or ""), width=28),
            *columns,
        )
    return Sheet(
        title="培训记录",
        model=TrainingRecord,
        key=("person", "course", "date"),
        columns=columns,
        help_text="人员按证件号码匹配，须先在人员名录中登记。",
    )


def sheet_for(register: str, user: Any, *, for_export: bool = False) -> Sheet:
    """The sheet of ``register`` ("persons", "certificates" or "trainings") for ``user``."""
    if register == "persons":
        return person_sheet(user)
    if register == "certificates":
        return certificate_sheet(user, for_export=for_export)
    if register == "trainings":
        return training_sheet(user, for_export=for_export)
    raise ValidationFailed(_("未知的台账：%(name)s") % {"name": register}, code="unknown_register")


# ---------------------------------------------------------------------------------------------
# Export, template, import
# ---------------------------------------------------------------------------------------------


def _filename(register: str, suffix: str = "") -> str:
    return f"{REGISTERS[register]}{suffix}-{timezone.localdate():%Y%m%d}.xlsx"


#: What an export row reads beside its own table, so the query count does not grow with the rows.
_EXPORT_RELATED = {
    "persons": ("employer_enterprise", "employer_unit"),
    "certificates": ("person", "person__employer_enterprise", "person__employer_unit"),
    "trainings": ("person", "person__employer_enterprise", "person__employer_unit"),
}


_HOLDER = (
    "person__name",
    "person__id_number",
    "person__employer_enterprise__name",
    "person__employer_unit__name",
)
#: The columns an export reads (``only``): no other column is loaded or converted.
_EXPORT_ONLY = {
    "persons": (
        "name",
        "id_type",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "employer_enterprise__name",
        "employer_unit__name",
        "job",
        "role_category",
        "education",
        "major",
        "major_safety_related",
        "years_experience",
        "is_active",
    ),
    "certificates": (
        "kind",
        "category",
        "operation_item",
        "number",
        "issuer",
        "issued_on",
        "expires_on",
        *_HOLDER,
    ),
    "trainings": ("course", "kind", "hours", "date", "result", "provider", *_HOLDER),
}


def export_rows(register: str, rows: Iterable[models.Model]) -> Iterable[models.Model]:
    """``rows`` with what the export reads joined in and nothing else loaded (one query however many rows)."""
    if isinstance(rows, models.QuerySet):
        return rows.select_related(*_EXPORT_RELATED[register]).only(*_EXPORT_ONLY[register])
    return rows


def export_file(
    register: str, rows: Iterable[models.Model], user: Any, fileobj: Any, *, progress: Any = None
) -> int:
    """Stream ``rows`` (already scoped and filtered by the caller) as .xlsx into ``fileobj``; the row count."""
    spec = sheet_for(register, user, for_export=True)
    return export_to(fileobj, export_rows(register, rows), spec, progress=progress)


def export_filename(register: str) -> str:
    """The download name of an export of ``register`` today."""
    return _filename(register)


def filtered_rows(register: str, user: Any, query: str = "") -> models.QuerySet[Any]:
    """What ``user`` sees of ``register`` with the list page's filters (``query``, a URL query string)."""
    from django.http import QueryDict

    from anjian.people.access import visible_certificates, visible_people, visible_trainings
    from anjian.people.filtersets import CertificateFilterSet, PersonFilterSet, TrainingFilterSet

    visible, filterset_class = {
        "persons": (visible_people, PersonFilterSet),
        "certificates": (visible_certificates, CertificateFilterSet),
        "trainings": (visible_trainings, TrainingFilterSet),
    }[register]
    return filterset_class(QueryDict(query), queryset=visible(user)).qs  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Background tasks (``core.tasks``): large exports and imports
# ---------------------------------------------------------------------------------------------


def run_export_task(task: Any, progress: Any) -> None:
    """Export ``task.params["register"]`` with the list's filters into the task's file."""
    from anjian.core.tasks import open_output

    register, user = task.params["register"], task.user
    rows = filtered_rows(register, user, task.params.get("query", ""))
    total = rows.count()
    progress(0, total)
    with open_output(task, _filename(register)) as out:
        task.total = export_file(register, rows, user, out, progress=lambda n: progress(n, total))


def run_import_task(task: Any, progress: Any) -> None:
    """Import the uploaded file into ``task.params["register"]``; the report is the task's result."""
    from anjian.core.tasks import read_input

    report = import_file(task.params["register"], read_input(task), acting_user=task.user, progress=progress)
    task.total = report.total_rows
    task.result = {"report": report.as_dict(), "summary": report.summary()}


def export_response(register: str, rows: Iterable[models.Model], user: Any) -> HttpResponseBase:
    """``rows`` (already scoped and filtered by the caller) as an .xlsx download (streamed, constant memory)."""
    spec = sheet_for(register, user, for_export=True)
    return stream_response(export_rows(register, rows), spec, _filename(register))


_EXAMPLES: dict[str, dict[str, Any]] = {
    "persons": {
        "姓名": "张伟",
        "证件类型": "居民身份证",
        "证件号码": "15292119900307001X",
        "所在企业": "（企业名称）",
        "岗位/职务": "安全环保部经理",
        "人员类别": "安全生产管理人员",
        "学历": "本科",
        "所学专业": "安全工程",
        "安全相关专业": "是",
        "从业年限": 8,
        "在职": "是",
    },
    "certificates": {
        "持证人证件号码": "15292119900307001X",
        "证书类别": "特种作业",
        "作业类别": "电工作业",
        "操作项目": "低压电工作业",
        "证书编号": "T15292119900307001X",
        "发证机关": "阿拉善盟应急管理局",
        "发证日期": "2023-05-10",
        "有效期至": "2029-05-09",
    },
    "trainings": {
        "证件号码": "15292119900307001X",
        "培训课程": "危险化学品企业安全管理人员继续教育",
        "培训类型": "继续教育",
        "学时": 16,
        "培训日期": "2024-04-12",
        "考核结果": "合格",
        "培训机构": "示范区应急管理局",
    },
}


def template_bytes(register: str, user: Any = None) -> bytes:
    """The empty import template of ``register`` with a 填写说明 sheet and an example row."""
    return template(sheet_for(register, user), example=_EXAMPLES.get(register))


def template_response(register: str, user: Any) -> HttpResponse:
    """The import template of ``register`` as a download."""
    return xlsx_response(template_bytes(register, user), _filename(register, "导入模板"))


def import_file(register: str, data: bytes, *, acting_user: Any, progress: Any = None) -> ImportReport:
    """Import ``data`` into ``register`` as ``acting_user`` (rows outside their scope are refused)."""
    spec = sheet_for(register, acting_user)
    # A person is the user's to change by their own scope, a certificate or a training by its holder's.
    changeable = StoredScope(changeable_people(acting_user), "pk" if spec.model is Person else "person_id")

    def can_change(obj: models.Model, created: bool) -> str | None:
        if created or changeable(obj):
            return None
        return _("该记录已由其他单位登记，无权修改")

    lookup_many = _stored_people if register == "persons" else None
    return import_rows(
        data,
        spec,
        acting_user=acting_user,
        can_change=can_change,
        lookup_many=lookup_many,
        progress=progress,
        preload=changeable.load,
    )


def _stored_people(rows: list[dict[str, Any]]) -> list[Person | None]:
    """The stored person of each row: same number, and same document type when the sheet has that column
    (the first registered), read in one query per 500 numbers."""
    numbers = sorted({r["id_number"] for r in rows})
    # With the document types of the file the (id_type, id_number) unique index answers the query (the
    # number alone would scan the index once per chunk); without the column any type matches.
    types = {r["id_type"] for r in rows} if all("id_type" in r for r in rows) else None
    by_number: dict[str, list[Person]] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        stored = Person.objects.filter(id_number__in=chunk)
        if types is not None:
            stored = stored.filter(id_type__in=sorted(types))
        for person in stored.order_by("id"):
            by_number.setdefault(person.id_number, []).append(person)
    found: list[Person | None] = []
    for r in rows:
        people = by_number.get(r["id_number"], [])
        if "id_type" in r:
            people = [p for p in people if p.id_type == r["id_type"]]
        found.append(people[0] if people else None)
    return found
