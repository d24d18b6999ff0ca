"""Pages of the 重大危险源 register: list, detail (inventory and grade explained, 包保, checks, history),
forms, the phone page for 包保 checks, the GB 18218 calculator, gaps, report ages and Excel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.errors import AnjianError
from anjian.core.excel import export_response, template, xlsx_response
from anjian.core.params import query_id
from anjian.core.views import ScopedObjectMixin, add_action_error, object_for_change, paginate
from anjian.domain import gb18218
from anjian.enterprises.forms import ImportForm
from anjian.enterprises.models import Enterprise, add_years
from anjian.majorhazards import actions, conf, sheets
from anjian.majorhazards.choices import (
    GRADE_COLOURS,
    FilingStatus,
    GapKind,
    Grade,
    InstallationStatus,
    ResponsibilityLevel,
)
from anjian.majorhazards.forms import CheckForm, InstallationForm, InventoryLineForm, ResponsibilityForm
from anjian.majorhazards.models import (
    HazardInstallation,
    InventoryLine,
    Responsibility,
    ResponsibilityGap,
)
from anjian.majorhazards.permissions import may_file

#: An uploaded workbook larger than this is refused before it is opened.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Rows the calculator page reads (``name_0`` … ``name_19``) and shows by default.
CALCULATOR_ROWS = 20
CALCULATOR_DEFAULT_ROWS = 6


def _may_change(obj: models.Model, user: Any) -> bool:
    return restrict(obj.__class__._default_manager.filter(pk=obj.pk), user, "change").exists()


def _may_create(user: Any) -> bool:
    """Whoever may change at least one enterprise may register its installations."""
    scope = scope_of(user)
    if scope.sees_all:
        return True
    return restrict(Enterprise.objects.all(), user, "change").exists()


_may_file = may_file


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AnjianError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _installations(user: Any) -> models.QuerySet[HazardInstallation]:
    return restrict(HazardInstallation.objects.select_related("enterprise"), user)


def _filtered(request: HttpRequest) -> models.QuerySet[HazardInstallation]:
    qs = _installations(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(enterprise__name__icontains=q))
    grade = request.GET.get("grade", "")
    if grade == "none":
        qs = qs.filter(is_major=False)
    elif grade in {"1", "2", "3", "4"}:
        qs = qs.filter(is_major=True, grade=int(grade))
    elif grade == "major":
        qs = qs.filter(is_major=True)
    if (status := request.GET.get("status", "")) in InstallationStatus.values:
        qs = qs.filter(status=status)
    if (filing := request.GET.get("filing_status", "")) in FilingStatus.values:
        qs = qs.filter(filing_status=filing)
    if (enterprise_id := query_id(request, "enterprise")) is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs.order_by(models.F("grade").asc(nulls_last=True), "enterprise__name", "code")


# ---------------------------------------------------------------------------------------------
# Register
# ---------------------------------------------------------------------------------------------


class InstallationListView(LoginRequiredMixin, View):
    """重大危险源 register with filters, counts by grade and Excel."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = _filtered(request)
        base = _installations(request.user).filter(status=InstallationStatus.IN_USE)
        counts = {
            row["grade"]: row["n"]
            for row in base.filter(is_major=True).order_by().values("grade").annotate(n=Count("id"))
        }
        ctx = {
            "page_title": "重大危险源",
            "f": request.GET,
            "total": qs.count(),
            "grade_counts": [(g, Grade(g).label, GRADE_COLOURS[g], counts.get(g, 0)) for g in (1, 2, 3, 4)],
            "statuses": InstallationStatus.choices,
            "filings": FilingStatus.choices,
            "can_create": _may_create(request.user),
            "can_import": _may_create(request.user),
            "query": request.GET.urlencode(),
            **paginate(
                request, qs.annotate(open_gaps=Count("gaps", filter=Q(gaps__resolved_at__isnull=True)))
            ),
        }
        return render(request, "majorhazards/installation_list.html", ctx)


TABS = [
    ("info", "概况"),
    ("inventory", "存量与分级"),
    ("duty", "包保责任"),
    ("checks", "履职检查"),
    ("gradings", "分级记录"),
    ("history", "变更记录"),
]


def responsibility_rows(installation: HazardInstallation) -> list[dict[str, Any]]:
    """The three 包保 levels with their current person (or none), last check and next due day."""
    return responsibility_rows_many([installation])[installation.pk]


def responsibility_rows_many(installations: list[HazardInstallation]) -> dict[int, list[dict[str, Any]]]:
    """:func:`responsibility_rows` of many installations in two queries (the phone start page lists 50)."""
    from anjian.majorhazards.models import Responsibility, ResponsibilityCheck

    ids = [i.pk for i in installations]
    current: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    for r in Responsibility.objects.filter(installation_id__in=ids, until__isnull=True).select_related(
        "person"
    ):
        current[r.installation_id][r.level] = r
    last: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    for row in (
        ResponsibilityCheck.objects.filter(installation_id__in=ids, responsibility__until__isnull=True)
        .order_by()
        .values("installation_id", "level")
        .annotate(last=models.Max("checked_at"))
    ):
        last[row["installation_id"]][row["level"]] = row["last"]
    today = timezone.localdate()
    out: dict[int, list[dict[str, Any]]] = {}
    for pk in ids:
        rows = []
        for level in ResponsibilityLevel:
            resp = current[pk].get(level.value)
            last_at = last[pk].get(level.value)
            interval = conf.check_interval_days(level.value)
            due = None
            if resp is not None:
                start = timezone.localdate(last_at) if last_at else resp.since
                due = max(start, resp.since) + dt.timedelta(days=interval)
            rows.append(
                {
                    "level": level,
                    "colour": ResponsibilityLevel.colour_of(level.value),
                    "responsibility": resp,
                    "last": last_at,
                    "interval": interval,
                    "due": due,
                    "overdue": due is not None and due < today,
                }
            )
        out[pk] = rows
    return out


class InstallationDetailView(ScopedObjectMixin, View):
    """One installation: its grade explained substance by substance, 包保, checks, gradings and history."""

    model = HazardInstallation

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inst: HazardInstallation = self.get_object()
        tab = request.GET.get("tab", "info")
        if tab not in dict(TABS):
            tab = "info"
        can_change = _may_change(inst, request.user)
        latest = inst.gradings.first()
        today = timezone.localdate()
        years = conf.assessment_max_years()
        ctx: dict[str, Any] = {
            "page_title": inst.name,
            "inst": inst,
            "tab": tab,
            "tabs": TABS,
            "can_change": can_change,
            "latest": latest,
            "explanation": _explanation(inst),
            "inventory": list(inst.inventory.all()),
            "duty_rows": responsibility_rows(inst),
            "gaps": list(inst.gaps.filter(resolved_at__isnull=True).select_related("person")),
            "assessment_due": add_years(inst.assessed_on, years) if inst.assessed_on else None,
            "assessment_overdue": inst.assessed_on is None or add_years(inst.assessed_on, years) < today,
            "assessment_years": years,
        }
        if tab == "duty":
            order = {level: i for i, level in enumerate(ResponsibilityLevel.values)}
            ctx["responsibility_history"] = sorted(
                inst.responsibilities.select_related("person"),
                key=lambda r: (order.get(r.level, 9), -r.since.toordinal()),
            )
            ctx["assign_form"] = ResponsibilityForm(
                installation=inst, user=request.user, initial={"since": today}
            )
        if tab == "checks":
            ctx["checks"] = list(inst.checks.select_related("person")[:200])
        if tab == "gradings":
            ctx["gradings"] = list(inst.gradings.select_related("graded_by")[:100])
        if tab == "history":
            ctx["history"] = self.history(inst, limit=200)
        return render(request, "majorhazards/installation_detail.html", ctx)


def _explanation(inst: HazardInstallation) -> dict[str, Any] | None:
    """The current inventory's calculation with its explanation lines (``None`` for an empty inventory)."""
    try:
        result = actions.compute(inst)
    except gb18218.IdentificationError as exc:
        return {"error": exc.message}
    if result is None:
        return None
    return {"result": result, "json": gb18218.result_to_json(result, detailed=True)}


class InstallationFormView(LoginRequiredMixin, View):
    """New installation (``pk`` absent) or edit one the user may change."""

    def _object(self, request: HttpRequest, pk: int | None) -> HazardInstallation:
        if pk is None:
            if not _may_create(request.user):
                raise Http404
            inst = HazardInstallation()
            if (enterprise_id := query_id(request, "enterprise")) is not None:
                chosen = (
                    restrict(Enterprise.objects.all(), request.user, "change")
                    .filter(pk=enterprise_id)
                    .first()
                )
                if chosen is not None:
                    inst.enterprise = chosen
            return inst
        obj: HazardInstallation = object_for_change(HazardInstallation, request.user, pk)
        return obj

    def _render(
        self, request: HttpRequest, form: InstallationForm, inst: HazardInstallation, status: int = 200
    ) -> HttpResponse:
        title = "修改重大危险源" if inst.pk else "登记重大危险源"
        back = inst.get_absolute_url() if inst.pk else reverse("majorhazards:installation_list")
        return render(
            request,
            "majorhazards/form.html",
            {"form": form, "page_title": title, "back": back, "object": inst, "multipart": True},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        inst = self._object(request, pk)
        initial = {"enterprise": inst.enterprise_id} if pk is None and inst.enterprise_id else None
        form = InstallationForm(
            instance=inst, user=request.user, may_file=_may_file(request.user), initial=initial
        )
        return self._render(request, form, inst)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        inst = self._object(request, pk)
        form = InstallationForm(
            request.POST, request.FILES, instance=inst, user=request.user, may_file=_may_file(request.user)
        )
        if form.is_valid():
            try:
                saved = actions.do_save_installation(
                    form.instance, acting_user=request.user, reason=request.POST.get("reason", "")
                )
            except (ValidationError, AnjianError) as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, f"已保存“{saved.name}”，当前等级：{saved.grade_label}")
                return HttpResponseRedirect(saved.get_absolute_url())
        return self._render(request, form, inst, status=200)


# ---------------------------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------------------------


class InventoryLineFormView(LoginRequiredMixin, View):
    """Add a substance to an installation (``installation`` in the URL) or edit a line (``pk``)."""

    def _objects(
        self, request: HttpRequest, installation: int | None, pk: int | None
    ) -> tuple[HazardInstallation, InventoryLine]:
        if pk is not None:
            line: InventoryLine = object_for_change(InventoryLine, request.user, pk)
            return line.installation, line
        inst: HazardInstallation = object_for_change(HazardInstallation, request.user, installation)
        return inst, InventoryLine(installation=inst)

    def _render(
        self, request: HttpRequest, form: Any, inst: HazardInstallation, line: InventoryLine
    ) -> HttpResponse:
        return render(
            request,
            "majorhazards/form.html",
            {
                "form": form,
                "page_title": f"{inst.name} · {'修改' if line.pk else '添加'}危险化学品",
                "back": f"{inst.get_absolute_url()}?tab=inventory",
                "object": line,
                "help": "名称、别名或CAS号按 GB 18218-2018 表1 匹配；不在表1中的物质须填写危险性类别（表2代号，如 W5.1）。保存后自动重新辨识分级。",
            },
        )

    def get(
        self, request: HttpRequest, installation: int | None = None, pk: int | None = None
    ) -> HttpResponse:
        inst, line = self._objects(request, installation, pk)
        return self._render(request, InventoryLineForm(instance=line), inst, line)

    def post(
        self, request: HttpRequest, installation: int | None = None, pk: int | None = None
    ) -> HttpResponse:
        inst, line = self._objects(request, installation, pk)
        form = InventoryLineForm(request.POST, instance=line)
        if form.is_valid():
            try:
                actions.do_save_inventory_line(
                    form.instance, acting_user=request.user, reason=request.POST.get("reason", "")
                )
            except (ValidationError, AnjianError) as exc:
                add_action_error(form, exc)
            else:
                inst.refresh_from_db()
                messages.success(request, f"已保存“{form.instance.substance}”，重新分级：{inst.grade_label}")
                return HttpResponseRedirect(f"{inst.get_absolute_url()}?tab=inventory")
        return self._render(request, form, inst, line)


class InventoryLineDeleteView(LoginRequiredMixin, View):
    """Remove a line (POST); the installation is re-graded."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        line: InventoryLine = object_for_change(InventoryLine, request.user, pk)
        inst = line.installation
        try:
            actions.do_delete_inventory_line(
                line, acting_user=request.user, reason=request.POST.get("reason", "")
            )
        except (ValidationError, AnjianError) as exc:
            messages.error(request, _error_text(exc))
        else:
            inst.refresh_from_db()
            messages.success(request, f"已删除，重新分级：{inst.grade_label}")
        return HttpResponseRedirect(f"{inst.get_absolute_url()}?tab=inventory")


# ---------------------------------------------------------------------------------------------
# 包保
# ---------------------------------------------------------------------------------------------


class ResponsibilityAssignView(LoginRequiredMixin, View):
    """Assign the 包保 person of a level (POST from the 包保 tab)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inst: HazardInstallation = object_for_change(HazardInstallation, request.user, pk)
        form = ResponsibilityForm(request.POST, installation=inst, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_assign_responsibility(
                    inst,
                    data["level"],
                    data["person"],
                    since=data["since"],
                    acting_user=request.user,
                    reason=data["reason"],
                )
            except (ValidationError, AnjianError) as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(
                    request, f"已指定{ResponsibilityLevel(data['level']).label}：{data['person'].name}"
                )
        else:
            messages.error(
                request,
                "；".join(
                    f"{form.fields[k].label}：{' '.join(str(e) for e in v)}"
                    for k, v in form.errors.items()
                    if k in form.fields
                )
                or "请检查填写内容",
            )
        return HttpResponseRedirect(f"{inst.get_absolute_url()}?tab=duty")


class ResponsibilityEndView(LoginRequiredMixin, View):
    """End a 包保 assignment (POST)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resp: Responsibility = object_for_change(Responsibility, request.user, pk)
        try:
            actions.do_end_responsibility(
                resp, acting_user=request.user, reason=request.POST.get("reason", "")
            )
        except (ValidationError, AnjianError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已解除{resp.get_level_display()}：{resp.person.name}")
        return HttpResponseRedirect(f"{resp.installation.get_absolute_url()}?tab=duty")


class CheckLogView(LoginRequiredMixin, View):
    """The phone page: log a 包保 check of an installation (position taken from the browser if allowed)."""

    def _render(self, request: HttpRequest, inst: HazardInstallation, form: CheckForm) -> HttpResponse:
        return render(
            request,
            "majorhazards/check_form.html",
            {
                "page_title": f"包保履职检查 · {inst.name}",
                "inst": inst,
                "form": form,
                "duty_rows": responsibility_rows(inst),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inst: HazardInstallation = object_for_change(HazardInstallation, request.user, pk)
        initial = (
            {"level": request.GET.get("level")}
            if request.GET.get("level") in ResponsibilityLevel.values
            else {}
        )
        return self._render(request, inst, CheckForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inst: HazardInstallation = object_for_change(HazardInstallation, request.user, pk)
        form = CheckForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_log_check(
                    inst,
                    data["level"],
                    acting_user=request.user,
                    findings=data["findings"],
                    problems_found=data["problems_found"],
                    lon=data.get("lon"),
                    lat=data.get("lat"),
                )
            except (ValidationError, AnjianError) as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, "已登记履职检查")
                return HttpResponseRedirect(f"{inst.get_absolute_url()}?tab=checks")
        return self._render(request, inst, form)


class MyChecksView(LoginRequiredMixin, View):
    """Phone start page: the installations the user may log checks for, with what is due."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(HazardInstallation.objects.select_related("enterprise"), request.user, "change").filter(
            is_major=True, status=InstallationStatus.IN_USE
        )
        listed = list(qs.order_by("enterprise__name", "code")[:50])
        duties = responsibility_rows_many(listed)
        rows = [(inst, duties[inst.pk]) for inst in listed]
        return render(request, "majorhazards/my_checks.html", {"page_title": "包保履职检查", "rows": rows})


# ---------------------------------------------------------------------------------------------
# Calculator
# ---------------------------------------------------------------------------------------------


def _calculator_rows(data: Any) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """(rows as typed, substances for the calculation) from the page's ``name_N``/``cas_N``/… fields."""
    typed: list[dict[str, str]] = []
    substances: list[dict[str, Any]] = []
    for i in range(CALCULATOR_ROWS):
        row = {k: (data.get(f"{k}_{i}") or "").strip()[:100] for k in ("name", "cas", "category", "q")}
        typed.append(row)
        if not any(row.values()):
            continue
        substances.append(
            {
                "name": row["name"] or None,
                "cas": row["cas"] or None,
                "category": row["category"] or None,
                "q": row["q"] or None,
            }
        )
    return typed, substances


class CalculatorView(LoginRequiredMixin, View):
    """重大危险源辨识 calculator (GB 18218-2018) for anyone logged in; nothing is stored."""

    def get(self, request: HttpRequest) -> HttpResponse:
        typed, substances = _calculator_rows(request.GET)
        used = max((i + 1 for i, r in enumerate(typed) if any(r.values())), default=0)
        wanted = request.GET.get("rows", "")
        shown = (
            int(wanted)
            if wanted.isascii() and wanted.isdigit() and len(wanted) < 6
            else CALCULATOR_DEFAULT_ROWS
        )
        shown = min(CALCULATOR_ROWS, max(shown, used + 1, 1))
        ctx: dict[str, Any] = {
            "page_title": "重大危险源辨识计算器",
            "rows": [(i, r) for i, r in enumerate(typed[:shown])],
            "more_rows": min(CALCULATOR_ROWS, shown + 6) if shown < CALCULATOR_ROWS else None,
            "population": request.GET.get("population", ""),
            "categories": list(gb18218.categories().values()),
        }
        if "population" in request.GET and (request.GET.get("population", "").strip() or substances):
            try:
                population: Any = request.GET.get("population", "").strip()
                result = gb18218.identify_unit({"population": population, "substances": substances})
            except gb18218.IdentificationError as exc:
                ctx["error"] = exc.message
            else:
                ctx["result"] = result
                ctx["grade_colour"] = GRADE_COLOURS.get(result.grade or 0, "outline")
        return render(request, "majorhazards/calculator.html", ctx, status=400 if "error" in ctx else 200)


# ---------------------------------------------------------------------------------------------
# Gaps and report ages
# ---------------------------------------------------------------------------------------------


class GapListView(LoginRequiredMixin, View):
    """Open 包保/filing gaps the user may see (found by the daily job)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(
            ResponsibilityGap.objects.filter(resolved_at__isnull=True), request.user
        ).select_related("installation", "installation__enterprise", "person")
        if (kind := request.GET.get("kind", "")) in GapKind.values:
            qs = qs.filter(kind=kind)
        qs = qs.order_by("installation__enterprise__name", "installation__code", "kind")
        ctx = {
            "page_title": "包保缺口",
            "kinds": GapKind.choices,
            "f": request.GET,
            "total": qs.count(),
            **paginate(request, qs),
        }
        return render(request, "majorhazards/gaps.html", ctx)


class AssessmentListView(LoginRequiredMixin, View):
    """Filing and safety-assessment report of every 重大危险源, oldest report first; overdue ones marked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        years = conf.assessment_max_years()
        today = timezone.localdate()
        qs = _installations(request.user).filter(is_major=True).exclude(status=InstallationStatus.WRITTEN_OFF)
        only = request.GET.get("overdue") == "1"
        if only:
            # Overdue: no report, or its re-assessment date (report date + years) before today.
            qs = qs.filter(
                models.Q(assessed_on__isnull=True) | models.Q(assessed_on__lt=add_years(today, -years))
            )
        # Paginated: a province has thousands of 重大危险源 (issue 8).
        page = paginate(
            request,
            qs.select_related("enterprise").order_by(models.F("assessed_on").asc(nulls_first=True), "code"),
        )
        rows = []
        for inst in page["object_list"]:
            due = add_years(inst.assessed_on, years) if inst.assessed_on else None
            rows.append(
                {
                    "inst": inst,
                    "age_days": (today - inst.assessed_on).days if inst.assessed_on else None,
                    "due": due,
                    "overdue": due is None or due < today,
                }
            )
        return render(
            request,
            "majorhazards/assessments.html",
            {"page_title": "备案与安全评估", "rows": rows, "years": years, "only_overdue": only, **page},
        )


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------

EXCEL = {
    "installations": ("重大危险源", sheets.installation_sheet, sheets.import_installations),
    "inventory": ("危险化学品存量", sheets.inventory_sheet, sheets.import_inventory),
}


def _excel(register: str) -> tuple[str, Any, Any]:
    try:
        return EXCEL[register]
    except KeyError as exc:
        raise Http404 from exc


class ExcelExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, register: str) -> HttpResponseBase:
        title, sheet, _importer = _excel(register)
        if register == "installations":
            rows: Any = _filtered(request)
        else:
            rows = restrict(InventoryLine.objects.select_related("installation"), request.user).filter(
                installation__in=_filtered(request)
            )
        return export_response(rows, sheet(request.user), f"{title}.xlsx")


class ExcelTemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        title, sheet, _importer = _excel(register)
        return xlsx_response(template(sheet(request.user)), f"{title}导入模板.xlsx")


class ExcelImportView(LoginRequiredMixin, View):
    """Upload an .xlsx of installations or inventory; the report lists every rejected row."""

    def _ctx(self, register: str, form: Any, report: Any) -> dict[str, Any]:
        title = _excel(register)[0]
        return {
            "page_title": f"导入{title}",
            "title": title,
            "register": register,
            "form": form,
            "report": report,
            "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
        }

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        _excel(register)
        if not _may_create(request.user):
            raise Http404
        return render(request, "majorhazards/import.html", self._ctx(register, ImportForm(), None))

    def post(self, request: HttpRequest, register: str) -> HttpResponse:
        _title, _sheet, importer = _excel(register)
        if not _may_create(request.user):
            raise Http404
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                form.add_error("file", f"文件过大（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）")
            else:
                report = importer(upload, request.user)
                messages.add_message(
                    request, messages.SUCCESS if report.ok else messages.WARNING, report.summary()
                )
        return render(request, "majorhazards/import.html", self._ctx(register, form, report), status=200)


class MapView(LoginRequiredMixin, View):
    """重大危险源分布电子地图: the park map with the installations layer (coloured by grade)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.majorhazards.map_layer import LAYER_KEY, LEGEND, _geo

        qs = _installations(request.user).filter(is_major=True).exclude(status=InstallationStatus.WRITTEN_OFF)
        # The table beside the map is paginated (the map layer loads by bounding box): a province has thousands.
        page = paginate(
            request, qs.select_related("enterprise").order_by("grade", "enterprise__name", "code")
        )
        ctx = {
            "page_title": "重大危险源分布图",
            "has_map": _geo() is not None,
            "layer_key": LAYER_KEY,
            "legend": LEGEND,
            "installations": page["object_list"],
            **page,
        }
        return render(request, "majorhazards/map.html", ctx)
