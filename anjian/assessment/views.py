"""Pages of the yearly assessment: schemes by year, a scheme with its rules and ranked results, a unit's
result explained line by line, and the committee office's forms (rules, veto events, adjustments).

Everything is fetched through ``core.access``: a department user sees the schemes and only its own
unit's result (another unit's result answers 404); only zone-wide roles change anything (403 otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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
from anjian.core.access import restrict, scope_of
from anjian.core.params import query_int
from anjian.core.views import (
    ActionFormView,
    ObjectActionView,
    ScopedObjectMixin,
    object_for_change,
    paginate,
    run_action,
)
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


def _cleaned(form: forms.Form, *names: str) -> dict[str, Any]:
    """The form's cleaned values of ``names``, to pass to an action as keyword arguments."""
    return {name: form.cleaned_data[name] for name in names}


def _require_zone_wide(request: HttpRequest) -> None:
    if not scope_of(request.user).sees_all:
        raise PermissionDenied("只有安委会办公室可以操作")


class _SchemeFormView(ActionFormView):
    """The committee office's form on a scheme, or on one of its rules or veto conditions.

    ``assessment/form.html``; back to the scheme, and on to it once saved; a refused form answers 400.
    """

    template_name = "assessment/form.html"
    invalid_status = 400

    @staticmethod
    def scheme_of(obj: Any) -> AssessmentScheme:
        return obj if isinstance(obj, AssessmentScheme) else obj.scheme

    def title(self, obj: Any) -> str:
        raise NotImplementedError

    def intro(self, obj: Any) -> str:
        """A note above the form, on its first display only."""
        return ""

    def get_context(self, obj: Any, form: Any, *, invalid: bool) -> dict[str, Any]:
        return {
            "form": form,
            "page_title": self.title(obj),
            "back": self.scheme_of(obj).get_absolute_url(),
            "submit": "保存",
            "intro": "" if invalid else self.intro(obj),
        }

    def get_success_url(self, obj: Any, result: Any) -> Any:
        return self.scheme_of(obj)


class _SchemePartRemoveView(ObjectActionView):
    """POST: remove a rule, veto condition or adjustment of a scheme, then back to the scheme."""

    def get_success_url(self, obj: Any) -> Any:
        return obj.scheme


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
        if form.is_valid():
            ok, scheme = run_action(
                request,
                lambda: actions.do_create_scheme(
                    form.cleaned_data["year"], acting_user=request.user, name=form.cleaned_data["name"]
                ),
                "已新建考核方案（含默认计分规则和否决条件）",
                form,
            )
            if ok:
                return redirect(scheme)
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
        scheme = object_for_change(AssessmentScheme, request.user, pk)
        ok, results = run_action(
            request, lambda: actions.do_run_assessment(scheme, acting_user=request.user), "考核已计算"
        )
        if ok:
            messages.info(request, f"共计算 {len(results)} 个单位")
        return redirect(scheme)


class SchemeFinaliseView(ObjectActionView):
    """POST: confirm the results; the scheme is locked afterwards."""

    model = AssessmentScheme
    action = staticmethod(actions.do_finalise)
    success_message = "考核结果已确认，方案已锁定"

    def get_success_url(self, obj: AssessmentScheme) -> Any:
        return obj


class SchemeEditView(_SchemeFormView):
    """The scheme's name and grade thresholds."""

    model = AssessmentScheme
    success_message = "已保存"

    def get_form(self, obj: AssessmentScheme, data: Any = None, files: Any = None) -> SchemeEditForm:
        bands = obj.bands
        return SchemeEditForm(
            data,
            initial={
                "name": obj.name,
                "excellent": bands.excellent,
                "good": bands.good,
                "passing": bands.passing,
            },
        )

    def perform(self, obj: AssessmentScheme, form: SchemeEditForm) -> Any:
        return actions.do_update_scheme(
            obj,
            acting_user=self.request.user,
            grade_bands=form.grade_bands(),
            **_cleaned(form, "name", "reason"),
        )

    def title(self, obj: AssessmentScheme) -> str:
        return f"修改{obj}"


# ---------------------------------------------------------------------------------------------------------
# Rules and veto conditions
# ---------------------------------------------------------------------------------------------------------


class RuleAddView(_SchemeFormView):
    """Add a scoring rule to a scheme."""

    model = AssessmentScheme
    success_message = "已新增计分规则"

    def get_form(self, obj: AssessmentScheme, data: Any = None, files: Any = None) -> RuleForm:
        if data is None:
            return RuleForm(initial={"order": obj.rules.count() + 1, "kind": RuleKind.BASE})
        return RuleForm(data)

    def perform(self, obj: AssessmentScheme, form: RuleForm) -> Any:
        fields = _cleaned(form, "kind", "title", "max_points", "order", "reason")
        return actions.do_add_rule(obj, acting_user=self.request.user, params=form.params(), **fields)

    def title(self, obj: AssessmentScheme) -> str:
        return "新增计分规则"


class RuleEditView(_SchemeFormView):
    """Change a scoring rule (its kind stays)."""

    model = ScoringRule
    success_message = "已修改计分规则"

    def get_form(self, obj: ScoringRule, data: Any = None, files: Any = None) -> RuleForm:
        return RuleForm(
            data,
            fixed_kind=obj.kind,
            initial={
                "title": obj.title,
                "max_points": obj.max_points,
                "order": obj.order,
                "late_factor": (obj.params or {}).get("late_factor"),
            },
        )

    def perform(self, obj: ScoringRule, form: RuleForm) -> Any:
        fields = _cleaned(form, "reason", "title", "max_points", "order")
        return actions.do_change_rule(obj, acting_user=self.request.user, params=form.params(), **fields)

    def title(self, obj: ScoringRule) -> str:
        return f"修改计分规则：{obj.title}"

    def intro(self, obj: ScoringRule) -> str:
        return obj.description


class RuleRemoveView(_SchemePartRemoveView):
    """POST: remove a scoring rule."""

    model = ScoringRule
    action = staticmethod(actions.do_remove_rule)
    success_message = "已删除计分规则"


class VetoRuleAddView(_SchemeFormView):
    """Add a veto condition to a scheme."""

    model = AssessmentScheme
    success_message = "已新增一票否决条件"

    def get_form(self, obj: AssessmentScheme, data: Any = None, files: Any = None) -> VetoRuleForm:
        if data is None:
            return VetoRuleForm(initial={"order": obj.vetoes.count() + 1})
        return VetoRuleForm(data)

    def perform(self, obj: AssessmentScheme, form: VetoRuleForm) -> Any:
        fields = _cleaned(form, "kind", "title", "order", "reason")
        return actions.do_add_veto_rule(obj, acting_user=self.request.user, params=form.params(), **fields)

    def title(self, obj: AssessmentScheme) -> str:
        return "新增一票否决条件"


class VetoRuleEditView(_SchemeFormView):
    """Change a veto condition (its kind stays)."""

    model = VetoRule
    success_message = "已修改一票否决条件"

    def get_form(self, obj: VetoRule, data: Any = None, files: Any = None) -> VetoRuleForm:
        params = obj.params or {}
        grade = accident_grade(params.get("grade"))
        grade_code = next((v for v, label in AccidentGrade.choices if label == grade), AccidentGrade.LARGER)
        return VetoRuleForm(
            data,
            fixed_kind=obj.kind,
            initial={
                "title": obj.title,
                "order": obj.order,
                "count": params.get("count", 1),
                "grade": grade_code,
            },
        )

    def perform(self, obj: VetoRule, form: VetoRuleForm) -> Any:
        fields = _cleaned(form, "reason", "title", "order")
        return actions.do_change_veto_rule(obj, acting_user=self.request.user, params=form.params(), **fields)

    def title(self, obj: VetoRule) -> str:
        return f"修改一票否决条件：{obj.title}"

    def intro(self, obj: VetoRule) -> str:
        return obj.description


class VetoRuleRemoveView(_SchemePartRemoveView):
    """POST: remove a veto condition."""

    model = VetoRule
    action = staticmethod(actions.do_remove_veto_rule)
    success_message = "已删除一票否决条件"


# ---------------------------------------------------------------------------------------------------------
# Veto events and adjustments
# ---------------------------------------------------------------------------------------------------------


class VetoEventListView(LoginRequiredMixin, View):
    """Recorded veto events (accidents in a unit's remit); the committee office records new ones here."""

    def _render(self, request: HttpRequest, form: VetoEventForm | None, status: int = 200) -> HttpResponse:
        events = restrict(VetoEvent.objects.select_related("unit", "recorded_by"), request.user)
        year = request.GET.get("year", "").strip()
        if (wanted := query_int(request, "year", 0, min_value=1900, max_value=2200)) or year:
            events = events.filter(year=wanted) if wanted else events.none()
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
            year_value = query_int(request, "year", 0, min_value=1900, max_value=2200)
            form = VetoEventForm(initial={"year": year_value or None, "grade": AccidentGrade.LARGER})
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_zone_wide(request)
        form = VetoEventForm(request.POST)
        if form.is_valid():
            fields = _cleaned(form, "unit", "year", "grade", "description", "occurred_on")
            ok, _event = run_action(
                request,
                lambda: actions.do_record_veto_event(acting_user=request.user, **fields),
                "已登记否决事项；如该年度考核已计算，请重新计算",
                form,
            )
            if ok:
                return HttpResponseRedirect(
                    reverse("assessment:event_list") + f"?year={form.cleaned_data['year']}"
                )
        return self._render(request, form, status=400)


class VetoEventRemoveView(ObjectActionView):
    """POST: withdraw a veto event recorded by mistake (reason required)."""

    model = VetoEvent
    action = staticmethod(actions.do_remove_veto_event)
    success_message = "已撤销否决事项"

    def get_success_url(self, obj: VetoEvent) -> str:
        return reverse("assessment:event_list") + f"?year={obj.year}"


class AdjustmentAddView(_SchemeFormView):
    """Add or take off points for a unit in a scheme."""

    model = AssessmentScheme
    success_message = "已加减分；请重新计算考核"

    def get_form(self, obj: AssessmentScheme, data: Any = None, files: Any = None) -> AdjustmentForm:
        if data is None:
            return AdjustmentForm(initial={"unit": self.request.GET.get("unit")})
        return AdjustmentForm(data)

    def perform(self, obj: AssessmentScheme, form: AdjustmentForm) -> Any:
        return actions.do_add_adjustment(
            obj, acting_user=self.request.user, **_cleaned(form, "unit", "points", "reason")
        )

    def title(self, obj: AssessmentScheme) -> str:
        return f"{obj.year}年度考核加减分"

    def intro(self, obj: AssessmentScheme) -> str:
        return "加减分计入“人工调整”一行，理由和调整人会显示在该单位的考核结果中并记入审计日志。"


class AdjustmentRemoveView(_SchemePartRemoveView):
    """POST: withdraw an adjustment (reason required)."""

    model = ManualAdjustment
    action = staticmethod(actions.do_remove_adjustment)
    success_message = "已撤销加减分"


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
