"""Pages of the enterprise registry: lists with filters and Excel, 一企一档, forms, supervision rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.audit import snapshot
from anjian.core.errors import AnjianError
from anjian.core.excel import (
    ImportReport,
    UploadRefused,
    check_xlsx_upload,
    export_response,
    template,
    xlsx_response,
)
from anjian.core.metrics import MetricValue
from anjian.core.params import query_id
from anjian.core.tasks import export_sync_max_rows, import_sync_max_bytes, submit
from anjian.core.views import ScopedObjectMixin, paginate
from anjian.core.workflow import allowed_verbs
from anjian.enterprises import actions, metrics, sheets
from anjian.enterprises.choices import (
    EnterpriseStatus,
    Industry,
    LicenceKind,
    LicenceState,
    Scale,
    StandardizationGrade,
)
from anjian.enterprises.filtersets import (
    EnterpriseFilterSet,
    GridFilterSet,
    LicenceFilterSet,
    StandardizationFilterSet,
)
from anjian.enterprises.forms import (
    CreateUserForm,
    EnterpriseForm,
    EnterpriseSelfForm,
    ImportForm,
    LicenceForm,
    StandardizationForm,
    StatusForm,
    SupervisionRuleForm,
)
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization, SupervisionRule
from anjian.enterprises.permissions import may_write_registry
from anjian.enterprises.tabs import extra_tabs
from anjian.enterprises.workflows import ENTERPRISE_FLOW
from anjian.orgs.choices import GOVERNMENT_ROLES
from anjian.orgs.models import OrgUnit

GOV_ROLES = GOVERNMENT_ROLES


_can_write_registry = may_write_registry


def _may_change(obj: models.Model, user: Any) -> bool:
    return restrict(obj.__class__._default_manager.filter(pk=obj.pk), user, "change").exists()


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AnjianError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


# ---------------------------------------------------------------------------------------------
# Excel registers (export / template / import), shared by the list pages
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    """One register offered as Excel: its sheet, import, scoped rows and list page."""

    title: str
    filename: str
    list_url: str
    sheet: Any
    importer: Any
    rows: Any
    filterset: Any


REGISTERS: dict[str, Register] = {
    "enterprises": Register(
        "企业名录",
        "企业名录.xlsx",
        "enterprises:enterprise_list",
        sheets.enterprise_sheet,
        sheets.import_enterprises,
        lambda u: restrict(Enterprise.objects.select_related("town", "grid", "supervising_unit"), u),
        EnterpriseFilterSet,
    ),
    "grids": Register(
        "网格",
        "网格.xlsx",
        "enterprises:grid_list",
        sheets.grid_sheet,
        sheets.import_grids,
        lambda u: restrict(Grid.objects.select_related("town"), u),
        GridFilterSet,
    ),
    "licences": Register(
        "许可证",
        "许可证.xlsx",
        "enterprises:licence_list",
        sheets.licence_sheet,
        sheets.import_licences,
        lambda u: restrict(Licence.objects.select_related("enterprise"), u),
        LicenceFilterSet,
    ),
    "standardizations": Register(
        "安全生产标准化",
        "安全生产标准化.xlsx",
        "enterprises:standardization_list",
        sheets.standardization_sheet,
        sheets.import_standardizations,
        lambda u: restrict(Standardization.objects.select_related("enterprise"), u),
        StandardizationFilterSet,
    ),
}


def _register(name: str) -> Register:
    try:
        return REGISTERS[name]
    except KeyError as exc:
        raise Http404 from exc


class ExcelExportView(LoginRequiredMixin, View):
    """The filtered list of a register as .xlsx, in the user's scope."""

    def get(self, request: HttpRequest, register: str) -> HttpResponseBase:
        reg = _register(register)
        rows = reg.filterset(request.GET, queryset=reg.rows(request.user)).qs
        if rows.count() > export_sync_max_rows():
            task = submit(
                "enterprises.export",
                user=request.user,
                label=_("导出%(title)s") % {"title": reg.title},
                params={
                    "register": register,
                    "query": request.GET.urlencode(),
                    "back_url": reverse(reg.list_url),
                },
            )
            return redirect("core:task", task.pk)
        return export_response(rows, reg.sheet(request.user), reg.filename)


class ExcelTemplateView(LoginRequiredMixin, View):
    """The import template of a register."""

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        reg = _register(register)
        return xlsx_response(
            template(reg.sheet(request.user)), reg.filename.replace(".xlsx", "导入模板.xlsx")
        )


class ExcelImportView(LoginRequiredMixin, View):
    """Upload an .xlsx; the report lists every rejected row (row, column, reason)."""

    def _context(
        self, reg: Register, register: str, form: ImportForm, report: ImportReport | None
    ) -> dict[str, Any]:
        return {
            "page_title": f"导入{reg.title}",
            "title": reg.title,
            "register": register,
            "form": form,
            "list_url": reverse(reg.list_url),
            "report": report,
            "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
        }

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        reg = _register(register)
        if not _can_write_registry(request.user):
            raise Http404
        return render(request, "enterprises/import.html", self._context(reg, register, ImportForm(), None))

    def post(self, request: HttpRequest, register: str) -> HttpResponse:
        reg = _register(register)
        if not _can_write_registry(request.user):
            raise Http404
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > import_sync_max_bytes():
                # A large file: checked for its bounds here, imported in the background with a progress bar.
                try:
                    data = check_xlsx_upload(upload)
                except UploadRefused as exc:
                    report = ImportReport()
                    report.add_error(0, "", exc.message)
                    messages.warning(request, report.summary())
                    return render(
                        request, "enterprises/import.html", self._context(reg, register, form, report)
                    )
                task = submit(
                    "enterprises.import",
                    user=request.user,
                    label=_("导入%(title)s") % {"title": reg.title},
                    params={"register": register, "back_url": reverse(reg.list_url)},
                    data=data,
                )
                return redirect("core:task", task.pk)
            report = reg.importer(upload, request.user)
            level = messages.SUCCESS if report.ok else messages.WARNING
            messages.add_message(request, level, report.summary())
        return render(request, "enterprises/import.html", self._context(reg, register, form, report))


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


class EnterpriseListView(LoginRequiredMixin, View):
    """企业名录 with filters (town, park, industry, scale, status, department, flags, search)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = restrict(Enterprise.objects.select_related("town", "supervising_unit"), request.user)
        fs = EnterpriseFilterSet(request.GET, queryset=base)
        qs = fs.qs
        # Counted once: the heading's total is also the paginator's (a search scans the register's 20,000 rows).
        total = qs.count()
        ctx = {
            "page_title": "企业名录",
            "f": request.GET,
            "filter_errors": fs.errors,
            "towns": OrgUnit.objects.filter(kind="town"),
            "industries": Industry.choices,
            "statuses": EnterpriseStatus.choices,
            "scales": Scale.choices,
            "units": OrgUnit.objects.filter(pk__in=base.values("supervising_unit_id")).order_by("code"),
            "total": total,
            "can_write": _can_write_registry(request.user),
            "query": request.GET.urlencode(),
            **paginate(request, qs, count=total),
        }
        return render(request, "enterprises/enterprise_list.html", ctx)


def _people_summary(enterprise: Enterprise, user: Any) -> dict[str, Any] | None:
    """The people module's tab data, when that module is installed."""
    try:
        from anjian.people.selectors import enterprise_people_summary
    except ImportError:
        return None
    return enterprise_people_summary(enterprise, user)


TABS = [
    ("info", "基本信息"),
    ("licences", "许可证"),
    ("standardization", "安全生产标准化"),
    ("people", "人员与证书"),
    ("history", "变更记录"),
]


class EnterpriseDetailView(ScopedObjectMixin, View):
    """一企一档: everything known about one enterprise, in tabs, with its audit history."""

    model = Enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self.get_object()
        extra = {t.key: t for t in extra_tabs()}
        tabs = TABS[:-1] + [(t.key, t.label) for t in extra.values()] + TABS[-1:]
        tab = request.GET.get("tab", "info")
        if tab not in dict(tabs):
            tab = "info"
        today = timezone.localdate()
        licences = list(enterprise.licences.all())
        for lic in licences:
            lic.current_state = lic.state(today)
        gradings = list(enterprise.standardizations.all())
        current = next((g for g in gradings if g.is_current), None)
        can_change = _may_change(enterprise, request.user)
        scope = scope_of(request.user)
        ctx: dict[str, Any] = {
            "page_title": enterprise.name,
            "enterprise": enterprise,
            "tab": tab,
            "tabs": tabs,
            "licences": licences,
            "gradings": gradings,
            "current_grading": current,
            "current_valid": current.is_valid_on(today) if current else False,
            "can_change": can_change and not scope.is_enterprise,
            "can_edit": can_change,
            "is_enterprise_user": scope.is_enterprise,
            "status_form": StatusForm(),
            "next_statuses": [
                EnterpriseStatus(e.target) for e in allowed_verbs(ENTERPRISE_FLOW, enterprise, request.user)
            ],
            # The enterprise's logins, for those who may create them (the section is hidden otherwise).
            "users": list(enterprise.org_unit.users.all()) if enterprise.org_unit_id and can_change else [],
            "licence_counts": {
                "expired": sum(1 for lic in licences if lic.current_state == LicenceState.EXPIRED),
                "expiring": sum(1 for lic in licences if lic.current_state == LicenceState.EXPIRING),
            },
        }
        if tab == "people":
            summary = _people_summary(enterprise, request.user)
            ctx["people_summary"] = summary
            ctx["people_installed"] = summary is not None
        if tab in extra:
            ctx["tab_template"] = extra[tab].template
            ctx.update(extra[tab].context(enterprise, request.user))
        if tab == "history":
            ctx["history"] = self.history(enterprise, limit=200)
        return render(request, "enterprises/enterprise_detail.html", ctx)


class EnterpriseCreateView(LoginRequiredMixin, View):
    """New enterprise (zone-wide roles; a department for the industries it supervises)."""

    def _check(self, request: HttpRequest) -> None:
        if not _can_write_registry(request.user):
            raise Http404

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = EnterpriseForm(can_override=scope_of(request.user).sees_all)
        return render(request, "enterprises/enterprise_form.html", {"form": form, "page_title": "新建企业"})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = EnterpriseForm(request.POST, can_override=scope_of(request.user).sees_all)
        if form.is_valid():
            enterprise = form.instance
            scope = scope_of(request.user)
            unit = (
                enterprise.supervising_unit
                if enterprise.supervision_overridden
                else actions.derive_supervising_unit(enterprise.industry)
            )
            if not scope.sees_all and (unit is None or unit.pk not in scope.unit_ids):
                form.add_error("industry", "只能新建本部门监管的企业（该行业的监管部门为%s）" % (unit or "—"))
            else:
                try:
                    actions.do_create_enterprise(
                        enterprise, acting_user=request.user, reason=request.POST.get("reason", "")
                    )
                except (ValidationError, AnjianError) as exc:
                    form.add_error(None, _error_text(exc))
                else:
                    messages.success(request, f"已登记企业“{enterprise.name}”")
                    return HttpResponseRedirect(enterprise.get_absolute_url())
        return render(request, "enterprises/enterprise_form.html", {"form": form, "page_title": "新建企业"})


class EnterpriseEditView(ScopedObjectMixin, View):
    """Edit an enterprise; its own users edit contact details only."""

    model = Enterprise

    def _load(self, request: HttpRequest) -> tuple[Enterprise, Any]:
        enterprise = self.get_object()
        if not _may_change(enterprise, request.user):
            raise Http404
        scope = scope_of(request.user)
        if scope.is_enterprise:
            return enterprise, EnterpriseSelfForm
        return enterprise, partial(EnterpriseForm, can_override=scope.sees_all)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise, form_class = self._load(request)
        return render(
            request,
            "enterprises/enterprise_form.html",
            {"form": form_class(instance=enterprise), "enterprise": enterprise, "page_title": "修改企业信息"},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise, form_class = self._load(request)
        before = snapshot(enterprise)
        form = form_class(request.POST, instance=enterprise)
        if form.is_valid():
            try:
                actions.do_update_enterprise(
                    form.instance,
                    {},
                    acting_user=request.user,
                    before=before,
                    reason=request.POST.get("reason", ""),
                )
            except (ValidationError, AnjianError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, "已保存")
                return HttpResponseRedirect(enterprise.get_absolute_url())
        return render(
            request,
            "enterprises/enterprise_form.html",
            {"form": form, "enterprise": enterprise, "page_title": "修改企业信息"},
        )


class EnterpriseStatusView(ScopedObjectMixin, View):
    """Change the operating status along a declared edge (POST)."""

    model = Enterprise

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self.get_object()
        if not _may_change(enterprise, request.user) or scope_of(request.user).is_enterprise:
            raise Http404
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择新状态并填写原因")
        else:
            try:
                actions.do_change_enterprise_status(
                    enterprise,
                    form.cleaned_data["status"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except AnjianError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"状态已变更为“{enterprise.get_status_display()}”")
        return HttpResponseRedirect(enterprise.get_absolute_url())


class EnterpriseCreateUserView(ScopedObjectMixin, View):
    """Create a login scoped to this enterprise."""

    model = Enterprise

    def _load(self, request: HttpRequest) -> Enterprise:
        enterprise: Enterprise = self.get_object()
        if not _may_change(enterprise, request.user) or scope_of(request.user).is_enterprise:
            raise Http404
        return enterprise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self._load(request)
        return render(
            request,
            "enterprises/user_form.html",
            {"form": CreateUserForm(), "enterprise": enterprise, "page_title": "创建企业账号"},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enterprise = self._load(request)
        form = CreateUserForm(request.POST)
        if form.is_valid():
            try:
                user = actions.do_create_enterprise_user(
                    enterprise,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                    acting_user=request.user,
                )
            except AnjianError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已创建企业账号 {user.username}")
                return HttpResponseRedirect(enterprise.get_absolute_url() + "?tab=info")
        return render(
            request,
            "enterprises/user_form.html",
            {"form": form, "enterprise": enterprise, "page_title": "创建企业账号"},
        )


# ---------------------------------------------------------------------------------------------
# Licences
# ---------------------------------------------------------------------------------------------


class LicenceListView(LoginRequiredMixin, View):
    """Licences with expiring (30/60/90 days) and expired filters."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = restrict(Licence.objects.select_related("enterprise"), request.user)
        qs = LicenceFilterSet(request.GET, queryset=base).qs
        today = timezone.localdate()
        ctx = paginate(request, qs)
        for lic in ctx["object_list"]:
            lic.current_state = lic.state(today)
            lic.left = lic.days_left(today)
            lic.overdue = -lic.left
        ctx.update(
            {
                "page_title": "许可证",
                "f": request.GET,
                "kinds": LicenceKind.choices,
                "query": request.GET.urlencode(),
                "counts": {
                    "expired": base.filter(valid_until__lt=today).count(),
                    "d30": base.filter(
                        valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=30)
                    ).count(),
                    "d60": base.filter(
                        valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=60)
                    ).count(),
                    "d90": base.filter(
                        valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=90)
                    ).count(),
                },
                "can_write": _can_write_registry(request.user),
            }
        )
        return render(request, "enterprises/licence_list.html", ctx)


class _ChildFormView(LoginRequiredMixin, View):
    """Create/edit a licence or grading of an enterprise the user may change."""

    model: Any = None
    form_class: Any = None
    title = ""

    def _enterprises(self, request: HttpRequest) -> Any:
        # Enterprise users keep their contact details only; licences and gradings are the departments'.
        return restrict(Enterprise.objects.all(), request.user, "change")

    def _object(self, request: HttpRequest, pk: int | None) -> Any:
        if not _can_write_registry(request.user):
            raise Http404
        if pk is None:
            obj = self.model()
            if (eid := query_id(request, "enterprise")) is not None:
                found = self._enterprises(request).filter(pk=eid).first()
                if found is not None:
                    obj.enterprise = found
            return obj
        try:
            return restrict(self.model.objects.all(), request.user, "change").get(pk=pk)
        except (self.model.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _render(self, request: HttpRequest, form: Any, obj: Any) -> HttpResponse:
        return render(
            request,
            "enterprises/child_form.html",
            {
                "form": form,
                "object": obj,
                "page_title": self.title,
                "back": obj.enterprise.get_absolute_url() if obj.enterprise_id else reverse(self.back_url),
            },
        )

    back_url = ""

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(request, pk)
        return self._render(
            request, self.form_class(instance=obj, enterprises=self._enterprises(request)), obj
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(request, pk)
        form = self.form_class(request.POST, instance=obj, enterprises=self._enterprises(request))
        if form.is_valid():
            try:
                self.save(form.instance, request)
            except (ValidationError, AnjianError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, "已保存")
                return HttpResponseRedirect(form.instance.enterprise.get_absolute_url() + self.tab)
        return self._render(request, form, obj)

    tab = ""

    def save(self, obj: Any, request: HttpRequest) -> None:
        raise NotImplementedError


class LicenceFormView(_ChildFormView):
    model = Licence
    form_class = LicenceForm
    title = "许可证"
    back_url = "enterprises:licence_list"
    tab = "?tab=licences"

    def save(self, obj: Any, request: HttpRequest) -> None:
        actions.do_save_licence(obj, acting_user=request.user, reason=request.POST.get("reason", ""))


class StandardizationFormView(_ChildFormView):
    model = Standardization
    form_class = StandardizationForm
    title = "安全生产标准化"
    back_url = "enterprises:standardization_list"
    tab = "?tab=standardization"

    def save(self, obj: Any, request: HttpRequest) -> None:
        actions.do_save_standardization(obj, acting_user=request.user, reason=request.POST.get("reason", ""))


# ---------------------------------------------------------------------------------------------
# Standardisation
# ---------------------------------------------------------------------------------------------


def _metric_card(key: str, label: str, value: MetricValue, goal: str, unit: str) -> dict[str, Any]:
    return {"key": key, "label": label, "value": value, "goal": goal, "unit": unit}


class StandardizationListView(LoginRequiredMixin, View):
    """Gradings with the three live metrics bound to the plan's targets."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = restrict(Standardization.objects.select_related("enterprise"), request.user)
        if "is_current" not in request.GET and "review" not in request.GET:
            params = request.GET.copy()
            params["is_current"] = "true"
        else:
            params = request.GET
        qs = StandardizationFilterSet(params, queryset=base).qs
        today = timezone.localdate()
        ctx = paginate(request, qs)
        for g in ctx["object_list"]:
            g.valid_now = g.is_valid_on(today)
        cards = []
        if scope_of(request.user).role in GOV_ROLES or scope_of(request.user).sees_all:
            cards = [
                _metric_card(
                    "standardization.above_scale_rate",
                    "规模以上企业标准化达标率",
                    metrics.above_scale_rate(today),
                    "100%",
                    "%",
                ),
                _metric_card(
                    "standardization.small_rate",
                    "小微企业规范化达标率",
                    metrics.small_rate(today),
                    "80%",
                    "%",
                ),
                _metric_card(
                    "standardization.level2_added",
                    "新增二级标准化企业",
                    metrics.level2_added(today),
                    "2 家",
                    "家",
                ),
            ]
        ctx.update(
            {
                "page_title": "安全生产标准化",
                "f": params,
                "grades": StandardizationGrade.choices,
                "scales": Scale.choices,
                "cards": cards,
                "query": params.urlencode(),
                "can_write": _can_write_registry(request.user),
            }
        )
        return render(request, "enterprises/standardization_list.html", ctx)


# ---------------------------------------------------------------------------------------------
# Grids and supervision rules
# ---------------------------------------------------------------------------------------------


class GridListView(LoginRequiredMixin, View):
    """Grids of the two towns, with their staff and enterprise counts."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.db.models import Count

        base = restrict(Grid.objects.select_related("town"), request.user)
        qs = GridFilterSet(request.GET, queryset=base).qs.annotate(n=Count("enterprises")).order_by("code")
        return render(
            request,
            "enterprises/grid_list.html",
            {
                "page_title": "网格",
                "f": request.GET,
                "query": request.GET.urlencode(),
                "can_write": _can_write_registry(request.user),
                **paginate(request, qs),
            },
        )


class SupervisionRuleListView(LoginRequiredMixin, View):
    """三个必须 table; the committee office edits it, affected enterprises follow in the same transaction."""

    def _rules(self, request: HttpRequest) -> Any:
        scope = scope_of(request.user)
        if not (scope.sees_all or scope.role in GOV_ROLES):
            raise Http404
        return restrict(SupervisionRule.objects.select_related("unit"), request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        rules = list(self._rules(request))
        from django.db.models import Count

        # The count links to the (scoped) enterprise list, so it counts what this user may see there.
        visible = restrict(Enterprise.objects.all(), request.user).values("pk")
        counts = dict(
            Enterprise.objects.filter(pk__in=visible)
            .values_list("industry")
            .annotate(n=Count("pk"))
            .order_by()
        )
        can_edit = scope_of(request.user).sees_all
        # Every row's form offers the same departments: read them once, not once per industry.
        unit_choices: list[tuple[Any, str]] | None = None
        for r in rules:
            r.enterprise_count = counts.get(r.industry, 0)
            if not can_edit:
                continue
            r.form = SupervisionRuleForm(instance=r, prefix=r.industry)
            if unit_choices is None:
                unit_choices = list(r.form.fields["unit"].choices)
            r.form.fields["unit"].choices = unit_choices
        return render(
            request,
            "enterprises/supervision_rules.html",
            {
                "page_title": "监管部门规则（三个必须）",
                "rules": rules,
                "can_edit": can_edit,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self._rules(request)
        if not scope_of(request.user).sees_all:
            raise Http404
        industry = request.POST.get("industry", "")
        rule = SupervisionRule.objects.filter(industry=industry).first()
        if rule is None:
            raise Http404
        form = SupervisionRuleForm(request.POST, instance=rule, prefix=industry)
        if form.is_valid():
            try:
                _rule, changed = actions.do_save_supervision_rule(
                    industry,
                    form.cleaned_data["unit"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, AnjianError) as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, f"已保存；{len(changed)} 家企业的监管部门随之调整")
        else:
            messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(reverse("enterprises:supervision_rules"))


# ---------------------------------------------------------------------------------------------
# Background tasks (``core.tasks``): large exports and imports of the registers
# ---------------------------------------------------------------------------------------------


def run_export_task(task: Any, progress: Any) -> None:
    """Export a register with its list's filters into the task's file."""
    from django.http import QueryDict

    from anjian.core.excel import export_to
    from anjian.core.tasks import open_output

    reg = _register(task.params["register"])
    rows = reg.filterset(QueryDict(task.params.get("query", "")), queryset=reg.rows(task.user)).qs
    total = rows.count()
    progress(0, total)
    with open_output(task, reg.filename) as out:
        task.total = export_to(out, rows, reg.sheet(task.user), progress=lambda n: progress(n, total))


def run_import_task(task: Any, progress: Any) -> None:
    """Import the uploaded file into a register; the report is the task's result."""
    import inspect

    from anjian.core.tasks import read_input

    reg = _register(task.params["register"])
    data = read_input(task)
    if "progress" in inspect.signature(reg.importer).parameters:
        report = reg.importer(data, task.user, progress=progress)
    else:
        report = reg.importer(data, task.user)
    task.total = report.total_rows
    task.result = {"report": report.as_dict(), "summary": report.summary()}
