"""Pages of the yearly assessment: schemes by year, a scheme with its rules and ranked results, a unit's
result explained line by line, and the committee office's forms (rules, veto events, adjustments).

Everything is fetched through ``core.access``: a department user sees the schemes and only its own
unit's result (another unit's result answers 404); only zone-wide roles change anything (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from anjian.assessment import actions
from anjian.assessment.choices import AccidentGrade, Grade, RuleKind
from anjian.assessment.forms import (
    AdjustmentForm,
    ReasonForm,
    RuleForm,
    SchemeCreateForm,
    SchemeEditForm,
    VetoEventForm,
    VetoRuleForm,
)
from anjian.assessment.models import (
    AssessmentResult,
    AssessmentScheme,
    ManualAdjustment,
    ScoringRule,
    VetoEvent,
    VetoRule,
)
from anjian.core.access import access_for_change, restrict, scope_of
from anjian.core.errors import AnjianError, ObjectNotFound, PermissionDeniedError
from anjian.core.views import ScopedObjectMixin, paginate
from anjian.domain.assessment import accident_grade

__all__ = [
    "AdjustmentAddView",
    "AdjustmentRemoveView",
    "ResultDetailView",
    "RuleAddView",
    "RuleEditView",
    "RuleRemoveView",
    "SchemeDetailView",
    "SchemeEditView",
    "SchemeFinaliseView",
    "SchemeListView",
    "SchemeRunView",
    "VetoEventListView",
    "VetoEventRemoveView",
    "VetoRuleAddView",
    "VetoRuleEditView",
    "VetoRuleRemoveView",
]

# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def _for_change(model: Any, request: HttpRequest, pk: int) -> Any:
    """The object for editing: 404 if the user cannot see it, 403 if they may not change it."""
    try:
        return access_for_change(model, request.user, pk)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _require_zone_wide(request: HttpRequest) -> None:
    if not scope_of(request.user).sees_all:
        raise PermissionDenied("只有安委会办公室可以操作")


def _attempt(
    request: HttpRequest, func: Callable[[], Any], success: str, form: forms.Form | None = None
) -> bool:
    """Run an action; on a domain error, show its Chinese message (on the form when there is one)."""
    try:
        func()
    except AnjianError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: str,
    submit: str = "保存",
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessment/form.html",
        {
            "form": form,
            "page_title": title,
            "back": back,
            "submit": submit,
            "intro": intro,
        },
        status=status,
    )


def _line_view(line: dict[str, Any]) -> dict[str, Any]:
    """A stored line with its share of the maximum, for the progress bar."""
    earned, most = Decimal(line["earned"]), Decimal(line["max_points"])
    pct = int(earned * 100 / most) if most > 0 else None
    bar = "ok" if pct is not None and pct >= 90 else ("warn" if pct is not None and pct >= 60 else "bad")
    return {**line, "pct": pct, "bar": bar}


# ---------------------------------------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------------------------------------


class SchemeListView(LoginRequiredMixin, View):
    """Schemes by year with their grade counts (zone-wide roles) or the user's own unit's result."""

    def _context(self, request: HttpRequest, form: SchemeCreateForm | None) -> dict[str, Any]:
        scope = scope_of(request.user)
        counts = {f"n_{g}": Count("results", filter=Q(results__grade=g)) for g in Grade.values}
        schemes = restrict(AssessmentScheme.objects.all(), request.user).annotate(
            n_results=Count("results"),
            n_vetoed=Count("results", filter=Q(results__vetoed=True)),
            **counts,
        )
        own = {}
        if not scope.sees_all:
            own = {
                r.scheme_id: r
                for r in restrict(AssessmentResult.objects.select_related("unit"), request.user)
            }
        rows = [{"scheme": s, "own": own.get(s.pk)} for s in schemes]
        return {
            "rows": rows,
            "form": form,
            "sees_all": scope.sees_all,
            "grades": Grade,
            "page_title": "年度考核",
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SchemeCreateForm() if scope_of(request.user).sees_all else None
        return render(request, "assessment/scheme_list.html", self._context(request, form))

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_zone_wide(request)
        form = SchemeCreateForm(request.POST)
        created: list[AssessmentScheme] = []
        if form.is_valid() and _attempt(
            request,
            lambda: created.append(
                actions.do_create_scheme(
                    form.cleaned_data["year"], acting_user=request.user, name=form.cleaned_data["name"]
                )
            ),
            "已新建考核方案（含默认计分规则和否决条件）",
            form,
        ):
            return redirect(created[0])
        return render(request, "assessment/scheme_list.html", self._context(request, form), status=400)


class SchemeDetailView(ScopedObjectMixin, View):
    """One year's scheme: rules, vetoes, ranked results (own unit only for departments), events, adjustments."""

    model = AssessmentScheme

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = self.get_object()
        scope = scope_of(request.user)
        results = list(restrict(scheme.results.select_related("unit"), request.user))
        events = restrict(
            VetoEvent.objects.filter(year=scheme.year).select_related("unit", "recorded_by"), request.user
        )
        adjustments = restrict(scheme.adjustments.select_related("unit", "by"), request.user)
        rules = list(scheme.rules.all())
        max_points = sum((r.max_points for r in rules), Decimal(0))
        stats = [(g, sum(1 for r in results if r.grade == g)) for g in Grade]
        vetoed_count = sum(1 for r in results if r.vetoed)
        return render(
            request,
            "assessment/scheme_detail.html",
            {
                "scheme": scheme,
                "rules": rules,
                "vetoes": list(scheme.vetoes.all()),
                "results": results,
                "events": events,
                "adjustments": adjustments,
                "max_points": max_points,
                "stats": stats,
                "vetoed_count": vetoed_count,
                "sees_all": scope.sees_all,
                "can_change": scope.sees_all and not scheme.is_final,
                "history": self.history(scheme) if scope.sees_all else [],
                "page_title": str(scheme),
            },
        )


class SchemeRunView(LoginRequiredMixin, View):
    """POST: compute (again) every unit's result."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        holder: list[Any] = []
        _attempt(
            request,
            lambda: holder.append(actions.do_run_assessment(scheme, acting_user=request.user)),
            "考核已计算",
        )
        if holder:
            messages.info(request, f"共计算 {len(holder[0])} 个单位")
        return redirect(scheme)


class SchemeFinaliseView(LoginRequiredMixin, View):
    """POST: confirm the results; the scheme is locked afterwards."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        reason = request.POST.get("reason", "")
        _attempt(
            request,
            lambda: actions.do_finalise(scheme, acting_user=request.user, reason=reason),
            "考核结果已确认，方案已锁定",
        )
        return redirect(scheme)


class SchemeEditView(LoginRequiredMixin, View):
    """The scheme's name and grade thresholds."""

    def _form(self, scheme: AssessmentScheme, data: Any = None) -> SchemeEditForm:
        bands = scheme.bands
        return SchemeEditForm(
            data,
            initial={
                "name": scheme.name,
                "excellent": bands.excellent,
                "good": bands.good,
                "passing": bands.passing,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        return _form_page(request, self._form(scheme), title=f"修改{scheme}", back=scheme.get_absolute_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = self._form(scheme, request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_update_scheme(
                scheme,
                acting_user=request.user,
                name=form.cleaned_data["name"],
                grade_bands=form.grade_bands(),
                reason=form.cleaned_data["reason"],
            ),
            "已保存",
            form,
        ):
            return redirect(scheme)
        return _form_page(request, form, title=f"修改{scheme}", back=scheme.get_absolute_url(), status=400)


# ---------------------------------------------------------------------------------------------------------
# Rules and veto conditions
# ---------------------------------------------------------------------------------------------------------


class RuleAddView(LoginRequiredMixin, View):
    """Add a scoring rule to a scheme."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = RuleForm(initial={"order": scheme.rules.count() + 1, "kind": RuleKind.BASE})
        return _form_page(request, form, title="新增计分规则", back=scheme.get_absolute_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = RuleForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_add_rule(
                scheme,
                acting_user=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                max_points=form.cleaned_data["max_points"],
                params=form.params(),
                order=form.cleaned_data["order"],
                reason=form.cleaned_data["reason"],
            ),
            "已新增计分规则",
            form,
        ):
            return redirect(scheme)
        return _form_page(request, form, title="新增计分规则", back=scheme.get_absolute_url(), status=400)


class RuleEditView(LoginRequiredMixin, View):
    """Change a scoring rule (its kind stays)."""

    def _form(self, rule: ScoringRule, data: Any = None) -> RuleForm:
        return RuleForm(
            data,
            fixed_kind=rule.kind,
            initial={
                "title": rule.title,
                "max_points": rule.max_points,
                "order": rule.order,
                "late_factor": (rule.params or {}).get("late_factor"),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = _for_change(ScoringRule, request, pk)
        return _form_page(
            request,
            self._form(rule),
            title=f"修改计分规则：{rule.title}",
            back=rule.scheme.get_absolute_url(),
            intro=rule.description,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = _for_change(ScoringRule, request, pk)
        form = self._form(rule, request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_change_rule(
                rule,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                title=form.cleaned_data["title"],
                max_points=form.cleaned_data["max_points"],
                params=form.params(),
                order=form.cleaned_data["order"],
            ),
            "已修改计分规则",
            form,
        ):
            return redirect(rule.scheme)
        return _form_page(
            request,
            form,
            title=f"修改计分规则：{rule.title}",
            back=rule.scheme.get_absolute_url(),
            status=400,
        )


class RuleRemoveView(LoginRequiredMixin, View):
    """POST: remove a scoring rule."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = _for_change(ScoringRule, request, pk)
        scheme = rule.scheme
        _attempt(
            request,
            lambda: actions.do_remove_rule(
                rule, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "已删除计分规则",
        )
        return redirect(scheme)


class VetoRuleAddView(LoginRequiredMixin, View):
    """Add a veto condition to a scheme."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = VetoRuleForm(initial={"order": scheme.vetoes.count() + 1})
        return _form_page(request, form, title="新增一票否决条件", back=scheme.get_absolute_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = VetoRuleForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_add_veto_rule(
                scheme,
                acting_user=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                params=form.params(),
                order=form.cleaned_data["order"],
                reason=form.cleaned_data["reason"],
            ),
            "已新增一票否决条件",
            form,
        ):
            return redirect(scheme)
        return _form_page(request, form, title="新增一票否决条件", back=scheme.get_absolute_url(), status=400)


class VetoRuleEditView(LoginRequiredMixin, View):
    """Change a veto condition (its kind stays)."""

    def _form(self, veto: VetoRule, data: Any = None) -> VetoRuleForm:
        params = veto.params or {}
        grade = accident_grade(params.get("grade"))
        grade_code = next((v for v, label in AccidentGrade.choices if label == grade), AccidentGrade.LARGER)
        return VetoRuleForm(
            data,
            fixed_kind=veto.kind,
            initial={
                "title": veto.title,
                "order": veto.order,
                "count": params.get("count", 1),
                "grade": grade_code,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        veto = _for_change(VetoRule, request, pk)
        return _form_page(
            request,
            self._form(veto),
            title=f"修改一票否决条件：{veto.title}",
            back=veto.scheme.get_absolute_url(),
            intro=veto.description,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        veto = _for_change(VetoRule, request, pk)
        form = self._form(veto, request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_change_veto_rule(
                veto,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                title=form.cleaned_data["title"],
                params=form.params(),
                order=form.cleaned_data["order"],
            ),
            "已修改一票否决条件",
            form,
        ):
            return redirect(veto.scheme)
        return _form_page(
            request,
            form,
            title=f"修改一票否决条件：{veto.title}",
            back=veto.scheme.get_absolute_url(),
            status=400,
        )


class VetoRuleRemoveView(LoginRequiredMixin, View):
    """POST: remove a veto condition."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        veto = _for_change(VetoRule, request, pk)
        scheme = veto.scheme
        _attempt(
            request,
            lambda: actions.do_remove_veto_rule(
                veto, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "已删除一票否决条件",
        )
        return redirect(scheme)


# ---------------------------------------------------------------------------------------------------------
# Veto events and adjustments
# ---------------------------------------------------------------------------------------------------------


class VetoEventListView(LoginRequiredMixin, View):
    """Recorded veto events (accidents in a unit's remit); the committee office records new ones here."""

    def _render(self, request: HttpRequest, form: VetoEventForm | None, status: int = 200) -> HttpResponse:
        events = restrict(VetoEvent.objects.select_related("unit", "recorded_by"), request.user)
        if year := request.GET.get("year", "").strip():
            events = events.filter(year=year) if year.isdigit() else events.none()
        return render(
            request,
            "assessment/event_list.html",
            {
                "form": form,
                "year": year,
                "page_title": "否决事项",
                "reason_form": ReasonForm(),
                "sees_all": scope_of(request.user).sees_all,
                **paginate(request, events),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form = None
        if scope_of(request.user).sees_all:
            year = request.GET.get("year", "")
            form = VetoEventForm(
                initial={"year": int(year) if year.isdigit() else None, "grade": AccidentGrade.LARGER}
            )
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_zone_wide(request)
        form = VetoEventForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_record_veto_event(
                unit=form.cleaned_data["unit"],
                year=form.cleaned_data["year"],
                grade=form.cleaned_data["grade"],
                description=form.cleaned_data["description"],
                occurred_on=form.cleaned_data["occurred_on"],
                acting_user=request.user,
            ),
            "已登记否决事项；如该年度考核已计算，请重新计算",
            form,
        ):
            return HttpResponseRedirect(
                reverse("assessment:event_list") + f"?year={form.cleaned_data['year']}"
            )
        return self._render(request, form, status=400)


class VetoEventRemoveView(LoginRequiredMixin, View):
    """POST: withdraw a veto event recorded by mistake (reason required)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = _for_change(VetoEvent, request, pk)
        _attempt(
            request,
            lambda: actions.do_remove_veto_event(
                event, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "已撤销否决事项",
        )
        return HttpResponseRedirect(reverse("assessment:event_list") + f"?year={event.year}")


class AdjustmentAddView(LoginRequiredMixin, View):
    """Add or take off points for a unit in a scheme."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = AdjustmentForm(initial={"unit": request.GET.get("unit")})
        return _form_page(
            request,
            form,
            title=f"{scheme.year}年度考核加减分",
            back=scheme.get_absolute_url(),
            intro="加减分计入“人工调整”一行，理由和调整人会显示在该单位的考核结果中并记入审计日志。",
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scheme = _for_change(AssessmentScheme, request, pk)
        form = AdjustmentForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: actions.do_add_adjustment(
                scheme,
                unit=form.cleaned_data["unit"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            ),
            "已加减分；请重新计算考核",
            form,
        ):
            return redirect(scheme)
        return _form_page(
            request, form, title=f"{scheme.year}年度考核加减分", back=scheme.get_absolute_url(), status=400
        )


class AdjustmentRemoveView(LoginRequiredMixin, View):
    """POST: withdraw an adjustment (reason required)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        adjustment = _for_change(ManualAdjustment, request, pk)
        scheme = adjustment.scheme
        _attempt(
            request,
            lambda: actions.do_remove_adjustment(
                adjustment, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "已撤销加减分",
        )
        return redirect(scheme)


# ---------------------------------------------------------------------------------------------------------
# A unit's result
# ---------------------------------------------------------------------------------------------------------


class ResultDetailView(ScopedObjectMixin, View):
    """One unit's result: the summary, every line with its explanation, the veto checks, other years."""

    model = AssessmentResult

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        result = self.get_object()
        scheme = result.scheme
        scope = scope_of(request.user)
        others = restrict(
            AssessmentResult.objects.filter(unit=result.unit).exclude(pk=result.pk).select_related("scheme"),
            request.user,
        ).order_by("-scheme__year")
        return render(
            request,
            "assessment/result_detail.html",
            {
                "result": result,
                "scheme": scheme,
                "lines": [_line_view(line) for line in result.lines],
                "checks": result.checks,
                "others": others,
                "stale": scheme.needs_rerun,
                "sees_all": scope.sees_all,
                "can_change": scope.sees_all and not scheme.is_final,
                "page_title": f"{scheme.year}年度考核：{result.unit.name}",
            },
        )
