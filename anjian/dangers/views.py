"""Pages of 隐患排查治理: danger list and report (phone), detail with the loop's buttons, 挂牌督办, tasks,
the phone checklist (opened from the notice card's QR code), statistics and the escalation settings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.errors import AnjianError
from anjian.core.params import query_id
from anjian.core.search import search_q
from anjian.core.views import ScopedObjectMixin, object_or_404, paginate, run_action
from anjian.core.workflow import allowed_verbs, blocked_steps
from anjian.dangers import actions, inspections
from anjian.dangers.choices import DangerGrade, DangerSource, DangerStatus, ItemResult
from anjian.dangers.forms import AssignForm, ListingForm, PhotoForm, ReportForm, SettingsForm, VerifyForm
from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask, SupervisedListing
from anjian.dangers.workflows import DANGER_FLOW, is_supervisor, user_may_work_on

# ---------------------------------------------------------------------------------------------
# Dangers
# ---------------------------------------------------------------------------------------------


class DangerListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.dangers.metrics import visible

        qs = visible(HiddenDanger.objects.all(), request.user).select_related("enterprise")
        f = {k: request.GET.get(k, "") for k in ("q", "status", "grade", "source", "overdue", "enterprise")}
        if f["q"]:
            # Title and enterprise by substring (indexed on PostgreSQL), the code by prefix (core.search).
            qs = qs.filter(search_q(HiddenDanger, f["q"], ["title", "^code", "enterprise__name"]))
        if f["status"] == "open":
            qs = qs.filter(status__in=["reported", "verified", "rectifying", "awaiting_acceptance"])
        elif f["status"]:
            qs = qs.filter(status=f["status"])
        if f["grade"]:
            qs = qs.filter(grade=f["grade"])
        if f["source"]:
            qs = qs.filter(source=f["source"])
        if (enterprise_id := query_id(request, "enterprise")) is not None:
            qs = qs.filter(enterprise_id=enterprise_id)
        today = timezone.localdate()
        overdue_q = Q(status__in=["rectifying", "awaiting_acceptance"], deadline__lt=today)
        if f["overdue"] == "1":
            qs = qs.filter(overdue_q)
        # every count is of open dangers: read them through the status index, not all 200,000 rows
        base = visible(HiddenDanger.objects.all(), request.user).filter(
            status__in=["reported", "verified", "rectifying", "awaiting_acceptance"]
        )
        counts = base.aggregate(
            open=Count("id"),
            major_open=Count("id", filter=Q(grade="major")),
            overdue=Count("id", filter=overdue_q),
            awaiting=Count("id", filter=Q(status="awaiting_acceptance")),
        )
        return render(
            request,
            "dangers/danger_list.html",
            {
                "page_title": "隐患",
                "f": f,
                "counts": counts,
                "today": today,
                "statuses": DangerStatus.choices,
                "grades": DangerGrade.choices,
                "sources": DangerSource.choices,
                **paginate(request, qs),
            },
        )


class DangerReportView(LoginRequiredMixin, View):
    """The phone form: nothing typed is lost — the page keeps a draft locally and the server re-renders
    the entered values on a refused submit."""

    template = "dangers/danger_report.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {}
        if unit_id := request.GET.get("unit"):
            from anjian.risks.models import RiskUnit

            unit = object_or_404(RiskUnit, request.user, unit_id)
            initial = {"enterprise": unit.enterprise_id, "location": unit.name}
        form = ReportForm(user=request.user, initial=initial)
        return render(request, self.template, {"form": form, "page_title": "上报隐患"})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                danger = actions.report_danger(
                    enterprise=d["enterprise"],
                    title=d["title"],
                    description=d["description"],
                    location=d["location"],
                    source=d["source"],
                    grade=d["grade"],
                    major_item=d["major_item"] or None,
                    acting_user=request.user,
                )
                if d.get("photo"):
                    try:
                        actions.add_danger_photo(danger, d["photo"], acting_user=request.user, stage="before")
                    except AnjianError as exc:
                        messages.warning(request, f"隐患已上报，但照片未保存：{exc.message}")
            except (AnjianError, ValidationError) as exc:
                from anjian.core.views import add_action_error

                add_action_error(form, exc)
            else:
                messages.success(request, f"已上报隐患 {danger.code}")
                return redirect(danger.get_absolute_url() + "?sent=1")
        return render(request, self.template, {"form": form, "page_title": "上报隐患"}, status=400)


def _verb_forms(danger: HiddenDanger, user: Any) -> list[dict[str, Any]]:
    """One form per edge the user may take now (``core.workflow.allowed_verbs`` on ``DANGER_FLOW``)."""
    forms_ = []
    for edge in allowed_verbs(DANGER_FLOW, danger, user):
        verb = edge.verb
        form: Any = None
        if verb == "verify":
            form = VerifyForm(
                initial={"grade": danger.grade, "major_item": danger.major_item or ""}, prefix=verb
            )
        elif verb == "assign":
            form = AssignForm(danger=danger, prefix=verb)
        forms_.append({"verb": verb, "label": edge.label, "style": edge.style, "form": form})
    return forms_


class DangerDetailView(ScopedObjectMixin, View):
    model = HiddenDanger

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        danger = self.get_object()
        return render(request, "dangers/danger_detail.html", self.context(danger))

    def context(self, danger: HiddenDanger, **extra: Any) -> dict[str, Any]:
        user = self.request.user
        listing = SupervisedListing.objects.filter(danger=danger).first()
        can_list = danger.is_major and danger.is_open and listing is None and is_supervisor(user, danger)
        return {
            "danger": danger,
            "page_title": danger.title,
            "photos": list(danger.photos.all()),
            "verbs": _verb_forms(danger, user),
            "photo_form": PhotoForm(
                initial={"stage": "after" if danger.status == "rectifying" else "before"}
            ),
            "can_photo": danger.is_open and user_may_work_on(user, danger),
            "listing": listing,
            "listing_form": ListingForm() if can_list else None,
            # steps the user could take but not yet, with why (e.g. the rectifier cannot accept)
            "blocked": [reason for _edge, reason in blocked_steps(DANGER_FLOW, danger, user)],
            "major_text": actions.major_items().get(danger.major_item or 0, ""),
            "history": self.history(danger),
            **extra,
        }


class DangerActionView(LoginRequiredMixin, View):
    """POST one loop verb; a refusal shows its Chinese message and changes nothing."""

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        danger = object_or_404(HiddenDanger, request.user, pk)
        if verb not in actions.VERB_ACTIONS:
            raise Http404
        p = request.POST
        kwargs: dict[str, Any] = {}
        if verb == "verify":
            form = VerifyForm(p, prefix=verb)
            if not form.is_valid():
                messages.error(request, "请选择隐患等级")
                return redirect(danger)
            kwargs = {
                "grade": form.cleaned_data["grade"],
                "major_item": form.cleaned_data["major_item"] or None,
                "reason": form.cleaned_data["reason"],
            }
        elif verb == "assign":
            form2 = AssignForm(p, danger=danger, prefix=verb)
            if not form2.is_valid():
                messages.error(
                    request,
                    "；".join(
                        f"{form2.fields[k].label}：{v[0]}"
                        for k, v in form2.errors.items()
                        if k in form2.fields
                    )
                    or "输入有误",
                )
                return redirect(danger)
            kwargs = dict(form2.cleaned_data)
        elif verb == "submit":
            kwargs = {"statement": p.get("statement", "")}
        elif verb == "accept":
            kwargs = {"opinion": p.get("opinion", "")}
        else:
            kwargs = {"reason": p.get("reason", "")}
        run_action(
            request,
            lambda: actions.VERB_ACTIONS[verb](danger, acting_user=request.user, **kwargs),
            f"已{DANGER_FLOW.verb_label(verb)}",
        )
        return redirect(danger)


class DangerPhotoView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        danger = object_or_404(HiddenDanger, request.user, pk)
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择照片")
            return redirect(danger)
        run_action(
            request,
            lambda: actions.add_danger_photo(
                danger, form.cleaned_data["file"], acting_user=request.user, stage=form.cleaned_data["stage"]
            ),
            "照片已上传",
        )
        return redirect(danger)


# ---------------------------------------------------------------------------------------------
# 挂牌督办
# ---------------------------------------------------------------------------------------------


class ListingOpenView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        danger = object_or_404(HiddenDanger, request.user, pk)
        form = ListingForm(request.POST)
        form.is_valid()
        ok, listing = run_action(
            request,
            lambda: actions.do_open_listing(
                danger,
                acting_user=request.user,
                deadline=form.cleaned_data.get("deadline"),
                requirements=form.cleaned_data.get("requirements", ""),
            ),
            "已挂牌督办",
        )
        return redirect(listing.get_absolute_url() if ok else danger.get_absolute_url())


class ListingListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(SupervisedListing.objects.all(), request.user).select_related(
            "danger__enterprise", "unit"
        )
        if request.GET.get("state") == "closed":
            qs = qs.filter(closed_at__isnull=False)
        elif request.GET.get("state") != "all":
            qs = qs.filter(closed_at__isnull=True)
        return render(
            request,
            "dangers/listing_list.html",
            {
                "page_title": "挂牌督办",
                "state": request.GET.get("state", ""),
                "today": timezone.localdate(),
                **paginate(request, qs),
            },
        )


class ListingDetailView(ScopedObjectMixin, View):
    model = SupervisedListing

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        listing = self.get_object()
        return render(
            request,
            "dangers/listing_detail.html",
            {
                "listing": listing,
                "danger": listing.danger,
                "messages_list": list(listing.messages.select_related("author")),
                "page_title": f"挂牌督办：{listing.danger.title}",
                "today": timezone.localdate(),
                "history": self.history(listing.danger),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        listing = self.get_object()
        run_action(
            request,
            lambda: actions.do_add_listing_message(
                listing, acting_user=request.user, body=request.POST.get("body", "")
            ),
            "已发送",
        )
        return redirect(listing)


# ---------------------------------------------------------------------------------------------
# Tasks and the phone checklist
# ---------------------------------------------------------------------------------------------


class TaskListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        due = inspections.due_tasks(request.user)
        qs = restrict(InspectionTask.objects.all(), request.user).select_related(
            "enterprise", "assignee", "unit"
        )
        if request.GET.get("mine") == "1":
            qs = qs.filter(assignee_id=request.user.pk)
        return render(
            request,
            "dangers/task_list.html",
            {
                "page_title": "排查任务",
                "due": due,
                "mine": request.GET.get("mine", ""),
                **paginate(request, qs),
            },
        )


def _checklist_items(task: InspectionTask | None, unit: Any) -> list[dict[str, Any]]:
    """The lines to check: the task's measure, or every measure of the unit."""
    from anjian.risks.models import ControlMeasure

    if task is not None and task.measure_id is not None:
        measures = [task.measure]
    elif unit is not None:
        measures = list(ControlMeasure.objects.filter(event__unit=unit).select_related("event"))
    else:
        measures = []
    items = [
        {"measure": m.pk, "content": (m.check_content or m.description), "kind": m.get_kind_display()}
        for m in measures
        if m is not None
    ]
    if not items and task is not None:
        items = [{"measure": None, "content": task.content or task.title, "kind": ""}]
    return items


class ChecklistView(LoginRequiredMixin, View):
    """The phone checklist of a task or (from the QR code) of a risk unit.

    Weak network: the page's script stores the answers in ``localStorage`` on every change, posts them as
    JSON with a ``client_token``; if the post fails it keeps them queued and retries when online. Without
    script the form posts normally and a refused submit re-renders what was entered.
    """

    def target(self, request: HttpRequest, kind: str, pk: int) -> tuple[InspectionTask | None, Any]:
        from anjian.risks.models import RiskUnit

        if kind == "task":
            task = object_or_404(InspectionTask, request.user, pk)
            return task, task.unit
        unit = object_or_404(RiskUnit, request.user, pk)
        task = InspectionTask.objects.filter(
            unit=unit, assignee_id=request.user.pk, is_active=True, measure__isnull=True
        ).first()
        return task, unit

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        task, unit = self.target(request, kind, pk)
        return render(request, "dangers/checklist.html", self.context(request, kind, pk, task, unit))

    def context(
        self, request: HttpRequest, kind: str, pk: int, task: Any, unit: Any, **extra: Any
    ) -> dict[str, Any]:
        import uuid

        return {
            "task": task,
            "unit": unit,
            "items": _checklist_items(task, unit),
            "kind": kind,
            "pk": pk,
            "token": request.POST.get("client_token") or uuid.uuid4().hex,
            "results": ItemResult.choices,
            "page_title": f"隐患排查：{(task or unit)}",
            "posted": request.POST,
            **extra,
        }

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        task, unit = self.target(request, kind, pk)
        is_json = request.content_type == "application/json"
        if is_json:
            try:
                body = json.loads(request.body[:200_000] or b"{}")
            except ValueError:
                return JsonResponse({"code": "invalid_json", "detail": "提交内容不是有效的 JSON"}, status=400)
            token, items, note = (
                str(body.get("client_token", "")),
                body.get("items") or [],
                str(body.get("note", "")),
            )
            checked_at = None
            if body.get("checked_at"):
                try:
                    checked_at = dt.datetime.fromisoformat(str(body["checked_at"]))
                    if timezone.is_naive(checked_at):
                        checked_at = timezone.make_aware(checked_at)
                except ValueError:
                    return JsonResponse(
                        {"code": "checked_at_invalid", "detail": "排查时间格式无效"}, status=400
                    )
        else:
            token, note, checked_at = request.POST.get("client_token", ""), request.POST.get("note", ""), None
            items = []
            for i, line in enumerate(_checklist_items(task, unit)):
                items.append(
                    {
                        "measure": line["measure"],
                        "content": line["content"],
                        "result": request.POST.get(f"result_{i}", ""),
                        "note": request.POST.get(f"note_{i}", ""),
                    }
                )
        if not isinstance(items, list) or len(items) > 200:
            return JsonResponse({"code": "items_invalid", "detail": "排查项无效"}, status=400)
        try:
            rec, created = actions.submit_inspection(
                acting_user=request.user,
                client_token=token,
                items=[dict(i) for i in items if isinstance(i, dict)],
                task=task,
                unit=unit if task is None else None,
                checked_at=checked_at,
                note=note,
            )
        except AnjianError as exc:
            if is_json:
                return JsonResponse(exc.as_dict(), status=exc.status)
            return render(
                request,
                "dangers/checklist.html",
                self.context(request, kind, pk, task, unit, error=exc.message),
                status=400,
            )
        if is_json:
            return JsonResponse(
                {"id": rec.pk, "created": created, "dangers_found": rec.dangers_found},
                status=201 if created else 200,
            )
        messages.success(
            request, f"排查记录已保存{f'，发现隐患 {rec.dangers_found} 项' if rec.dangers_found else ''}"
        )
        return redirect(reverse("dangers:task_list"))


class RecordListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = restrict(InspectionRecord.objects.all(), request.user).select_related(
            "enterprise", "task", "inspector", "unit"
        )
        return render(
            request, "dangers/record_list.html", {"page_title": "排查记录", **paginate(request, qs)}
        )


# ---------------------------------------------------------------------------------------------
# Statistics and settings
# ---------------------------------------------------------------------------------------------


class StatsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.dangers import metrics

        group = request.GET.get("by", "enterprise")
        if group not in metrics.GROUPS:
            group = "enterprise"
        page = metrics.stats_page(request.user, group)
        trend = page["trend"]
        return render(
            request,
            "dangers/stats.html",
            {
                "page_title": "隐患治理统计",
                "by": group,
                "group_label": metrics.GROUPS[group],
                "groups": metrics.GROUPS,
                "table": page["table"],
                "trend_json": json.dumps(trend, ensure_ascii=False),
                "trend": trend,
                "totals": page["totals"],
                "computed_at": page["computed_at"],
                "cache_minutes": metrics.STATS_CACHE_SECONDS // 60,
            },
        )


class SettingsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        row = actions.danger_settings()
        initial = {
            k: getattr(row, k)
            for k in (
                "principal_after_days",
                "department_after_days",
                "committee_after_days",
                "major_listing_days",
            )
        }
        return render(request, "dangers/settings.html", self.ctx(request, SettingsForm(initial=initial)))

    def ctx(self, request: HttpRequest, form: Any) -> dict[str, Any]:
        return {"form": form, "page_title": "隐患治理设置", "can_change": scope_of(request.user).sees_all}

    def post(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("只有安委办可以修改隐患治理设置")
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            ok, _row = run_action(
                request,
                lambda: actions.do_change_settings(acting_user=request.user, reason=reason, **data),
                "设置已保存",
                form,
            )
            if ok:
                return redirect("dangers:settings")
        return render(request, "dangers/settings.html", self.ctx(request, form), status=400)
