"""Pages of 安全风险分级管控: the register (chain), a unit with its events, assessments and measures,
notice-card PDFs (A4/A3), the three lists (Excel, PDF), the chain import and the band settings."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.excel import XLSX_CONTENT_TYPE, template, xlsx_response
from anjian.core.views import ScopedObjectMixin, object_or_404, paginate, run_action
from anjian.domain import risk_matrix
from anjian.risks import actions, excel, pdf
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
        base = restrict(RiskUnit.objects.all(), request.user).select_related(
            "enterprise", "risk_object", "liable_person"
        )
        qs = base.annotate(
            n_events=Count("events", distinct=True), n_measures=Count("events__measures", distinct=True)
        )
        f = {k: request.GET.get(k, "") for k in ("q", "level", "enterprise")}
        if f["q"]:
            qs = qs.filter(name__icontains=f["q"]) | qs.filter(risk_object__name__icontains=f["q"])
        if f["level"]:
            qs = qs.filter(level=f["level"])
        if f["enterprise"].isdigit():
            qs = qs.filter(enterprise_id=int(f["enterprise"]))
        counts = dict(
            restrict(RiskUnit.objects.all(), request.user)
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
        )
        return render(
            request,
            "risks/register.html",
            {
                "page_title": "安全风险清单",
                "f": f,
                "levels": RiskLevel.choices,
                "counts": [(v, label, counts.get(v, 0)) for v, label in RiskLevel.choices],
                "enterprise_q": f["enterprise"],
                **paginate(request, qs.order_by("enterprise__name", "risk_object__name", "name")),
            },
        )


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
    if enterprise_id.isdigit():
        enterprise = object_or_404(Enterprise, user, int(enterprise_id))
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


_ = (RiskObject, ControlMeasure, XLSX_CONTENT_TYPE)
