"""Pages of 安全风险分级管控: the register (chain), an object and a unit with their events, assessments and
measures, forms for every link of the chain, inspection tasks from a unit's measures, the four-colour risk map,
notice-card PDFs (A4/A3), the three lists (Excel, PDF), the chain import and the band settings."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.excel import XLSX_CONTENT_TYPE, template, xlsx_response
from anjian.core.filters import valid_id
from anjian.core.params import query_id
from anjian.core.views import ScopedObjectMixin, object_for_change, object_or_404, paginate, run_action
from anjian.domain import risk_matrix
from anjian.risks import actions, excel, pdf
from anjian.risks import forms as forms_mod
from anjian.risks.choices import AssessMethod, RiskLevel
from anjian.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskUnit, current_bands

#: Largest register upload read (bytes), checked before parsing.
MAX_UPLOAD = 5 * 1024 * 1024


def _units_qs(user: Any) -> Any:
    return (
        restrict(RiskUnit.objects.all(), user)
        .select_related("enterprise", "risk_object", "liable_person")
        .prefetch_related(
            Prefetch("events", queryset=RiskEvent.objects.prefetch_related("measures__liable_person"))
        )
    )


class RegisterView(LoginRequiredMixin, View):
    """The chain: objects → units (level = highest of events), filterable by enterprise and level."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = restrict(RiskUnit.objects.all(), request.user)
        f = {k: request.GET.get(k, "").strip() for k in ("q", "level", "enterprise")}
        if (enterprise_id := query_id(request, "enterprise")) is not None:
            base = base.filter(enterprise_id=enterprise_id)
        # The event and measure counts are computed for the page's rows only (below): annotating them on the
        # list made the paginator group every visible unit of a province (issue 8).
        qs = base.select_related("enterprise", "risk_object", "liable_person")
        if f["q"]:
            qs = qs.filter(Q(name__icontains=f["q"]) | Q(risk_object__name__icontains=f["q"]))
        if f["level"]:
            qs = qs.filter(level=f["level"])
        counts = dict(
            base.order_by()  # restrict() adds DISTINCT, which would group by the default ordering too
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
        )
        from anjian.enterprises.models import Enterprise

        enterprises = restrict(Enterprise.objects.all(), request.user)
        many = enterprises[:2].count() > 1
        page = paginate(request, qs.order_by("enterprise__name", "risk_object__name", "name"))
        _count_events(page["object_list"])
        return render(
            request,
            "risks/register.html",
            {
                "page_title": "安全风险清单",
                "f": f,
                "enterprise_choices": list(enterprises.order_by("name").values_list("pk", "name")[:500])
                if many
                else [],
                "may_create": _creatable_enterprises(request.user).exists(),
                "levels": RiskLevel.choices,
                "counts": [(v, label, counts.get(v, 0)) for v, label in RiskLevel.choices],
                "enterprise_q": f["enterprise"],
                **page,
            },
        )


def _count_events(units: Any) -> None:
    """Set ``n_events`` and ``n_measures`` on each of ``units`` (one page) in one grouped query."""
    from anjian.risks.models import RiskEvent

    rows = (
        RiskEvent.objects.filter(unit__in=list(units))
        .order_by()
        .values("unit_id")
        .annotate(n_events=Count("id", distinct=True), n_measures=Count("measures", distinct=True))
    )
    counts = {r["unit_id"]: (r["n_events"], r["n_measures"]) for r in rows}
    for unit in units:
        unit.n_events, unit.n_measures = counts.get(unit.pk, (0, 0))


class AssessForm(forms.Form):
    method = forms.ChoiceField(label="评价方法", choices=AssessMethod.choices)
    likelihood = forms.DecimalField(label="L（可能性）")
    exposure = forms.DecimalField(label="E（暴露频率，仅 LEC）", required=False)
    consequence = forms.DecimalField(label="C（后果，LEC）或 S（严重程度，风险矩阵）")
    note = forms.CharField(label="说明", required=False)


class UnitDetailView(ScopedObjectMixin, View):
    model = RiskUnit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self.get_object()
        return render(request, "risks/unit_detail.html", self.context(unit, AssessForm()))

    def context(self, unit: RiskUnit, form: Any, **extra: Any) -> dict[str, Any]:
        events = list(unit.events.prefetch_related("measures__liable_person", "assessments__assessed_by"))
        from anjian.dangers.models import HiddenDanger

        can_change = restrict(RiskUnit.objects.filter(pk=unit.pk), self.request.user, "change").exists()
        return {
            "unit": unit,
            "events": events,
            "form": form,
            "can_change": can_change,
            "page_title": unit.name,
            "checklist_url": self.request.build_absolute_uri(
                reverse("dangers:checklist", args=["unit", unit.pk])
            ),
            "dangers": HiddenDanger.objects.filter(risk_unit=unit).order_by("-reported_at")[:20],
            "history": self.history(unit),
            **extra,
        }


class AssessView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = object_or_404(RiskEvent, request.user, pk)
        form = AssessForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写评价方法和各项分值")
            return redirect("risks:unit_detail", event.unit_id)
        d = form.cleaned_data
        run_action(
            request,
            lambda: actions.do_assess_event(
                event,
                acting_user=request.user,
                method=d["method"],
                likelihood=d["likelihood"],
                exposure=d["exposure"],
                consequence=d["consequence"],
                note=d["note"],
            ),
            "已评价",
        )
        return redirect("risks:unit_detail", event.unit_id)


class CardPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, size: str) -> HttpResponse:
        if size not in pdf.PAGE_SIZES:
            raise Http404
        unit = object_or_404(_units_qs(request.user), request.user, pk)
        url = request.build_absolute_uri(reverse("dangers:checklist", args=["unit", unit.pk]))
        data = pdf.notice_card_pdf(unit, size=size, checklist_url=url)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-card-{unit.pk}-{size}.pdf"'
        return response


def _lists_for(user: Any, enterprise_id: str) -> tuple[str, Any]:
    from anjian.dangers.models import InspectionTask
    from anjian.enterprises.models import Enterprise

    units = _units_qs(user)
    title = "安全风险分级管控"
    if (pk := valid_id(enterprise_id)) is not None:
        enterprise = object_or_404(Enterprise, user, pk)
        units = units.filter(enterprise=enterprise)
        title = enterprise.name
    units_list = list(units.order_by("enterprise__name", "risk_object__name", "name")[:5000])
    tasks: dict[int, list[Any]] = defaultdict(list)
    measure_ids = [m.pk for u in units_list for e in u.events.all() for m in e.measures.all()]
    for t in InspectionTask.objects.filter(measure_id__in=measure_ids, is_active=True).select_related(
        "assignee"
    ):
        tasks[t.measure_id].append(t)  # type: ignore[index]
    return title, pdf.list_rows(units_list, tasks)


class ListsView(LoginRequiredMixin, View):
    """三清单 as Excel (``fmt=xlsx``) or PDF (``fmt=pdf``), for one enterprise or everything in scope."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        title, lists = _lists_for(request.user, request.GET.get("enterprise", ""))
        if fmt == "xlsx":
            return xlsx_response(excel.three_lists_xlsx(title, lists), f"{title}-三清单.xlsx")
        if fmt == "pdf":
            response = HttpResponse(pdf.three_lists_pdf(title, lists), content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="three-lists.pdf"'
            return response
        raise Http404


class ImportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("template"):
            return xlsx_response(template(excel.CHAIN_SHEET), "风险清单导入模板.xlsx")
        return render(
            request, "risks/import.html", {"page_title": "导入风险清单", "sheet": excel.CHAIN_SHEET}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择 Excel 文件")
            return redirect("risks:import")
        if upload.size is not None and upload.size > MAX_UPLOAD:
            messages.error(request, "文件不能超过 5 MB")
            return redirect("risks:import")
        report = excel.import_chain(upload.read(MAX_UPLOAD + 1), acting_user=request.user)
        return render(
            request,
            "risks/import.html",
            {"page_title": "导入风险清单", "sheet": excel.CHAIN_SHEET, "report": report},
            status=200 if report.ok else 400,
        )


class BandsForm(forms.Form):
    lec_major = forms.DecimalField(label="LEC 重大风险：D 大于", min_value=Decimal(1))
    lec_larger = forms.DecimalField(label="LEC 较大风险：D 大于", min_value=Decimal(1))
    lec_general = forms.DecimalField(label="LEC 一般风险：D 大于", min_value=Decimal(1))
    lec_low_split = forms.DecimalField(label="LEC 稍有危险：D 小于", min_value=Decimal(1))
    ls_major = forms.IntegerField(label="风险矩阵 重大风险：R 不小于", min_value=2, max_value=25)
    ls_larger = forms.IntegerField(label="风险矩阵 较大风险：R 不小于", min_value=2, max_value=25)
    ls_general = forms.IntegerField(label="风险矩阵 一般风险：R 不小于", min_value=2, max_value=25)
    reason = forms.CharField(label="修改原因")


class BandsView(LoginRequiredMixin, View):
    """The zone's band edges; the disputed LS R = 9 and the LEC 20/70 split are stated here."""

    def ctx(self, request: HttpRequest, form: Any) -> dict[str, Any]:
        bands = current_bands()
        return {
            "form": form,
            "page_title": "风险分级设置",
            "bands": bands,
            "r9": risk_matrix.assess_ls(3, 3, bands).level.label,
            "defaults": risk_matrix.DEFAULT_BANDS,
            "can_change": scope_of(request.user).sees_all,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        b = current_bands()
        initial = {
            k: getattr(b, k)
            for k in (
                "lec_major",
                "lec_larger",
                "lec_general",
                "lec_low_split",
                "ls_major",
                "ls_larger",
                "ls_general",
            )
        }
        return render(request, "risks/bands.html", self.ctx(request, BandsForm(initial=initial)))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise PermissionDenied("只有安委办可以修改风险分级界限")
        form = BandsForm(request.POST)
        if form.is_valid():
            d = dict(form.cleaned_data)
            reason = d.pop("reason")
            ok, _r = run_action(
                request,
                lambda: actions.do_set_bands(acting_user=request.user, reason=reason, **d),
                "已保存",
                form,
            )
            if ok:
                return redirect("risks:bands")
        return render(request, "risks/bands.html", self.ctx(request, form), status=400)


_ = XLSX_CONTENT_TYPE


# ---------------------------------------------------------------------------------------------
# The chain: object page, forms for every link, tasks, the four-colour map
# ---------------------------------------------------------------------------------------------


def _creatable_enterprises(user: Any) -> Any:
    from anjian.enterprises.models import Enterprise

    return restrict(Enterprise.objects.all(), user, "change")


class ObjectDetailView(ScopedObjectMixin, View):
    """风险分析对象: its units (each with its level), the 重大危险源 it is, its position."""

    model = RiskObject

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        units = obj.units.select_related("liable_person").annotate(
            n_events=Count("events", distinct=True), n_measures=Count("events__measures", distinct=True)
        )
        can_change = restrict(RiskObject.objects.filter(pk=obj.pk), request.user, "change").exists()
        return render(
            request,
            "risks/object_detail.html",
            {
                "obj": obj,
                "units": units.order_by("name"),
                "can_change": can_change,
                "page_title": obj.name,
                "history": self.history(obj),
            },
        )


#: kind → (model, form, parent model, parent field, Chinese name)
CHAIN: dict[str, tuple[Any, Any, Any, str, str]] = {
    "object": (RiskObject, forms_mod.ObjectForm, None, "", "风险分析对象"),
    "unit": (RiskUnit, forms_mod.UnitForm, RiskObject, "risk_object", "风险分析单元"),
    "event": (RiskEvent, forms_mod.EventForm, RiskUnit, "unit", "风险事件"),
    "measure": (ControlMeasure, forms_mod.MeasureForm, RiskEvent, "event", "管控措施"),
}


def _back_label(obj: Any) -> str:
    """What the form's back link leads to, in words."""
    if isinstance(obj, RiskObject):
        return obj.name if obj.pk else ""
    if isinstance(obj, RiskUnit):
        return obj.name if obj.pk else obj.risk_object.name
    if isinstance(obj, RiskEvent):
        return obj.unit.name
    return str(obj.event.unit.name)


def _back_url(obj: Any) -> str:
    if isinstance(obj, RiskObject):
        return obj.get_absolute_url() if obj.pk else reverse("risks:register")
    if isinstance(obj, RiskUnit):
        return obj.get_absolute_url() if obj.pk else obj.risk_object.get_absolute_url()
    if isinstance(obj, RiskEvent):
        return reverse("risks:unit_detail", args=[obj.unit_id])
    return reverse("risks:unit_detail", args=[obj.event.unit_id])


class ChainEditView(LoginRequiredMixin, View):
    """New (``parent`` in the URL, or a new object) or edit (``pk``) one link of the chain; saved by
    ``actions.do_save`` (one audit row). 404 for what the user cannot see, 403 for what they may not change."""

    kind = "object"

    def _target(self, request: HttpRequest, pk: int | None, parent: int | None) -> tuple[Any, Any]:
        model, _form, parent_model, parent_field, _label = CHAIN[self.kind]
        if pk is not None:
            return object_for_change(model, request.user, pk), None
        if parent_model is not None:
            owner = object_for_change(parent_model, request.user, parent)
            return model(**{parent_field: owner, "enterprise": owner.enterprise}), None
        choices = _creatable_enterprises(request.user)
        wanted = request.POST.get("enterprise") or request.GET.get("enterprise", "")
        if not choices.exists():
            raise PermissionDenied("无权新建风险分析对象")
        pk = valid_id(str(wanted))
        enterprise = choices.filter(pk=pk).first() if pk is not None else None
        if enterprise is None and choices.count() == 1:
            enterprise = choices.first()
        return model(enterprise=enterprise) if enterprise is not None else model(), choices

    def _form(self, obj: Any, choices: Any, data: Any = None) -> Any:
        form_class = CHAIN[self.kind][1]
        form = form_class(data, instance=obj, enterprise_id=obj.enterprise_id)
        if choices is not None and obj.enterprise_id is None:
            form.fields = {
                "enterprise": forms.ModelChoiceField(
                    label="企业", queryset=choices.order_by("name"), required=True
                ),
                **form.fields,
            }
        return form

    def _render(self, request: HttpRequest, obj: Any, form: Any, status: int = 200) -> HttpResponse:
        label = CHAIN[self.kind][4]
        title = f"修改{label}" if obj.pk else f"新增{label}"
        return render(
            request,
            "risks/form.html",
            {
                "form": form,
                "page_title": title,
                "back": _back_url(obj),
                "back_label": _back_label(obj),
                "object": obj,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None, parent: int | None = None) -> HttpResponse:
        obj, choices = self._target(request, pk, parent)
        return self._render(request, obj, self._form(obj, choices))

    def post(self, request: HttpRequest, pk: int | None = None, parent: int | None = None) -> HttpResponse:
        obj, choices = self._target(request, pk, parent)
        form = self._form(obj, choices, request.POST)
        if form.is_valid():
            if "enterprise" in form.cleaned_data:
                form.instance.enterprise = form.cleaned_data["enterprise"]
            ok, saved = run_action(
                request, lambda: actions.do_save(form.instance, acting_user=request.user), "已保存", form
            )
            if ok:
                return redirect(
                    _back_url(saved) if not isinstance(saved, RiskObject) else saved.get_absolute_url()
                )
        return self._render(request, obj, form, status=400)


class ChainDeleteView(LoginRequiredMixin, View):
    """Delete one link of the chain (and what hangs below it), with a reason; one audit row."""

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        if kind not in CHAIN:
            raise Http404
        obj = object_for_change(CHAIN[kind][0], request.user, pk)
        back = (
            reverse("risks:register")
            if isinstance(obj, RiskObject)
            else reverse("risks:object_detail", args=[obj.risk_object_id])
            if isinstance(obj, RiskUnit)
            else _back_url(obj)
        )
        reason = request.POST.get("reason", "").strip()
        run_action(request, lambda: actions.do_delete(obj, acting_user=request.user, reason=reason), "已删除")
        return redirect(back)


class UnitTasksView(LoginRequiredMixin, View):
    """隐患排查任务 from a unit's control measures (each measure's 隐患排查内容 is the task's checklist)."""

    def _unit(self, request: HttpRequest, pk: int) -> RiskUnit:
        unit: RiskUnit = object_for_change(RiskUnit, request.user, pk)
        return unit

    def _render(self, request: HttpRequest, unit: RiskUnit, form: Any, status: int = 200) -> HttpResponse:
        from anjian.dangers.models import InspectionTask

        tasks = InspectionTask.objects.filter(unit=unit).select_related("assignee", "measure")
        return render(
            request,
            "risks/tasks.html",
            {"unit": unit, "form": form, "tasks": tasks, "page_title": f"排查任务：{unit.name}"},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self._unit(request, pk)
        return self._render(request, unit, forms_mod.TaskForm(unit=unit))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from anjian.dangers import actions as danger_actions

        unit = self._unit(request, pk)
        form = forms_mod.TaskForm(request.POST, unit=unit)
        if form.is_valid():
            d = form.cleaned_data
            measures = list(d["measures"]) or list(
                ControlMeasure.objects.filter(event__unit=unit).select_related("event__unit")
            )
            if not measures:
                form.add_error(None, "该单元还没有管控措施，请先添加")
            else:
                ok, _tasks = run_action(
                    request,
                    lambda: danger_actions.create_tasks_for_measures(
                        measures,
                        cycle=d["cycle"],
                        assignee=d["assignee"],
                        valid_from=d["valid_from"],
                        valid_until=d["valid_until"],
                        acting_user=request.user,
                    ),
                    f"已生成 {len(measures)} 个排查任务",
                    form,
                )
                if ok:
                    return redirect("risks:unit_tasks", unit.pk)
        return self._render(request, unit, form, status=400)


class RiskMapView(LoginRequiredMixin, View):
    """四色风险分布图: the park map with the risk layers (plots and objects coloured by level)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.risks.map_layer import LEGEND, OBJECTS_KEY, PLOTS_KEY

        objects = (
            restrict(RiskObject.objects.exclude(level=""), request.user)
            .select_related("enterprise")
            .order_by("enterprise__name", "name")
        )
        rank = {"major": 0, "larger": 1, "general": 2, "low": 3}
        rows = sorted(objects[:300], key=lambda o: (rank.get(o.level, 9), o.enterprise.name, o.name))
        return render(
            request,
            "risks/map.html",
            {
                "page_title": "四色风险分布图",
                "layers": f"geo.base,geo.roads,{PLOTS_KEY},{OBJECTS_KEY}",
                "legend": LEGEND,
                "objects": rows,
            },
        )
