"""Pages of the second gate: live headcount, zones and gates, access log with override, roll calls, visitors.

Phone-friendly: the gate operator works on a phone at the gate. Live pages follow server-sent events
(``gates.live.event_stream``) and fall back to a reload when the browser has no ``EventSource``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from anjian.core.access import restrict
from anjian.core.errors import AnjianError
from anjian.core.filters import ID_MAX
from anjian.core.views import object_or_404, paginate, run_action
from anjian.core.workflow import allowed_verbs
from anjian.gates import actions
from anjian.gates.choices import (
    Category,
    DenialReason,
    RegistrationStatus,
    RollCallEntryStatus,
)
from anjian.gates.live import event_stream, state_text
from anjian.gates.models import AccessEvent, Gate, Presence, Registration, RollCall, RollCallEntry, Zone
from anjian.gates.permissions import may_operate
from anjian.gates.selectors import alarms, headcount
from anjian.gates.workflows import REGISTRATION_FLOW, ROLL_CALL_FLOW

__all__ = ["enterprise_tab_context"]


def _operable_or_404(model: Any, user: Any, pk: Any) -> Any:
    obj = object_or_404(model, user, pk)
    if not may_operate(user, obj):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("仅本企业人员和门岗操作员可以操作")
    return obj


# ---------------------------------------------------------------------------------------------
# Headcount
# ---------------------------------------------------------------------------------------------


def _headcount_payload(user: Any, enterprise_id: int | None = None) -> dict[str, Any]:
    counts = headcount(user, enterprise_id=enterprise_id)
    return {
        "enterprises": [c.as_dict() for c in counts],
        "total": sum(c.total for c in counts),
        "by_category": {cat.value: sum(c.by_category[cat.value] for c in counts) for cat in Category},
        "alarms": [a.__dict__ for a in alarms(user)],
    }


class HeadcountView(LoginRequiredMixin, View):
    """Who is inside now, per enterprise and zone, by category; alarms; start a roll call."""

    def get(self, request: HttpRequest) -> HttpResponse:
        enterprise_id = _int(request.GET.get("enterprise"))
        data = _headcount_payload(request.user, enterprise_id)
        operable = set(
            restrict(Zone.objects.all(), request.user, "operate").values_list("enterprise_id", flat=True)
        )
        return render(
            request,
            "gates/headcount.html",
            {
                "page_title": "在场人数",
                "data": data,
                "operable": operable,
                "cat_counts": [(c.value, c.label, data["by_category"][c.value]) for c in Category],
                "stream_url": reverse("gates:headcount_stream")
                + (f"?enterprise={enterprise_id}" if enterprise_id else ""),
            },
        )


class HeadcountStreamView(LoginRequiredMixin, View):
    """Server-sent events: the headcount payload whenever it changes."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        enterprise_id = _int(request.GET.get("enterprise"))
        user = request.user
        return event_stream(request, lambda: _headcount_payload(user, enterprise_id))


def _int(value: Any) -> int | None:
    """A whole number that a database integer holds (ids, answers), else ``None``."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or abs(number) <= ID_MAX else None


# ---------------------------------------------------------------------------------------------
# Zones and gates
# ---------------------------------------------------------------------------------------------


class ZoneListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        zones = (
            restrict(Zone.objects.all(), request.user)
            .select_related("enterprise")
            .annotate(gate_count=Count("gates", distinct=True))
            .order_by("enterprise__name", "code")
        )
        q = request.GET.get("q", "").strip()
        if q:
            zones = zones.filter(
                Q(name__icontains=q) | Q(code__icontains=q) | Q(enterprise__name__icontains=q)
            )
        return render(
            request, "gates/zone_list.html", {"page_title": "区域与门禁", "q": q, **paginate(request, zones)}
        )


class ZoneDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        zone = object_or_404(Zone.objects.select_related("enterprise"), request.user, pk)
        presences = (
            Presence.objects.filter(zone=zone).select_related("person", "access_pass").order_by("since")
        )
        events = (
            AccessEvent.objects.filter(zone=zone).select_related("gate", "person").order_by("-at", "-id")[:30]
        )
        gates = Gate.objects.filter(zone=zone).order_by("code")
        may_change = restrict(Zone.objects.filter(pk=zone.pk), request.user, "change").exists()
        return render(
            request,
            "gates/zone_detail.html",
            {
                "page_title": zone.name,
                "zone": zone,
                "presences": presences,
                "events": events,
                "gates": gates,
                "may_change": may_change,
                "may_operate": may_operate(request.user, zone),
                "now": timezone.now(),
                "new_token": request.session.pop("gates_new_token", None),
            },
        )


class GateTokenView(LoginRequiredMixin, View):
    """Issue a new controller token (shown once on the zone page)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        gate = object_or_404(Gate, request.user, pk)
        if not restrict(Gate.objects.filter(pk=gate.pk), request.user, "change").exists():
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("无权修改该门禁")
        ok, token = run_action(
            request,
            lambda: actions.do_issue_gate_token(gate, acting_user=request.user),
            "已签发新的控制器令牌",
        )
        if ok:
            request.session["gates_new_token"] = {"gate": gate.code, "token": token}
        return redirect("gates:zone_detail", pk=gate.zone_id)


class PresenceClearView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        presence = _operable_or_404(Presence, request.user, pk)
        run_action(
            request,
            lambda: actions.do_clear_presence(
                presence, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "已清除在场记录",
        )
        return redirect("gates:zone_detail", pk=presence.zone_id)


# ---------------------------------------------------------------------------------------------
# Access log and override
# ---------------------------------------------------------------------------------------------


class EventListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        events = restrict(AccessEvent.objects.all(), request.user).select_related(
            "gate", "zone", "person", "enterprise"
        )
        f = {k: request.GET.get(k, "") for k in ("q", "result", "reason", "zone")}
        if f["q"]:
            events = events.filter(Q(credential__icontains=f["q"]) | Q(person__name__icontains=f["q"]))
        if f["result"] == "denied":
            events = events.filter(allow=False)
        elif f["result"] == "allowed":
            events = events.filter(allow=True)
        elif f["result"] == "overridden":
            events = events.exclude(overridden_at=None)
        if f["reason"]:
            events = events.filter(reason=f["reason"])
        zone_id = _int(f["zone"])
        if zone_id is not None:
            events = events.filter(zone_id=zone_id)
        operable = set(
            restrict(Zone.objects.all(), request.user, "operate").values_list("enterprise_id", flat=True)
        )
        return render(
            request,
            "gates/event_list.html",
            {
                "page_title": "通行记录",
                "f": f,
                "reasons": list(DenialReason),
                "operable": operable,
                **paginate(request, events.order_by("-at", "-id")),
            },
        )


class OverrideView(LoginRequiredMixin, View):
    """人工放行: the operator lets a refused person in, with a reason."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = _operable_or_404(
            AccessEvent.objects.select_related("gate", "zone", "person"), request.user, pk
        )
        return render(request, "gates/override.html", {"page_title": "人工放行", "event": event})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = _operable_or_404(
            AccessEvent.objects.select_related("gate", "zone", "person"), request.user, pk
        )
        reason = request.POST.get("reason", "")
        try:
            actions.do_override_event(event, acting_user=request.user, reason=reason)
        except AnjianError as exc:
            return render(
                request,
                "gates/override.html",
                {"page_title": "人工放行", "event": event, "error": exc.message, "reason": reason},
            )
        messages.success(request, "已人工放行并记录")
        return redirect(reverse("gates:zone_detail", args=[event.zone_id]))


# ---------------------------------------------------------------------------------------------
# Roll call
# ---------------------------------------------------------------------------------------------


class RollCallListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        calls = restrict(RollCall.objects.all(), request.user).select_related("enterprise", "zone")
        zones = restrict(Zone.objects.filter(is_active=True), request.user, "operate").select_related(
            "enterprise"
        )
        enterprises = {z.enterprise_id: z.enterprise for z in zones}
        return render(
            request,
            "gates/rollcall_list.html",
            {
                "page_title": "应急点名",
                "zones": zones,
                "enterprises": list(enterprises.values()),
                **paginate(request, calls.order_by("-started_at", "-id"), per_page=30),
            },
        )


class RollCallStartView(LoginRequiredMixin, View):
    """One action starts the roll call of a zone (``zone``) or of a whole enterprise (``enterprise``)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        zone_id, enterprise_id = _int(request.POST.get("zone")), _int(request.POST.get("enterprise"))
        if zone_id:
            zone = _operable_or_404(Zone, request.user, zone_id)
            enterprise = zone.enterprise
        elif enterprise_id:
            zone = None
            zones = restrict(Zone.objects.filter(enterprise_id=enterprise_id), request.user, "operate")
            first = zones.select_related("enterprise").first()
            if first is None:
                raise Http404("对象不存在或无权查看")
            enterprise = first.enterprise
        else:
            raise Http404("请选择区域或企业")
        ok, roll_call = run_action(
            request,
            lambda: actions.do_start_roll_call(
                enterprise, zone=zone, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "应急点名已启动",
        )
        if not ok:
            return redirect("gates:rollcall_list")
        return redirect(roll_call.get_absolute_url())


def _roll_call_payload(roll_call: RollCall) -> dict[str, Any]:
    roll_call.refresh_from_db()
    entries = list(roll_call.entries.select_related("zone").order_by("name", "id"))
    missing = [e for e in entries if e.status == RollCallEntryStatus.MISSING]
    return {
        "status": roll_call.status,
        "status_label": roll_call.get_status_display(),
        "total": len(entries),
        "missing": len(missing),
        "accounted": len(entries) - len(missing),
        "entries": {str(e.pk): {"status": e.status, "label": e.get_status_display()} for e in entries},
    }


class RollCallDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        roll_call = object_or_404(
            RollCall.objects.select_related("enterprise", "zone", "started_by"), request.user, pk
        )
        entries = roll_call.entries.select_related("zone").order_by("status", "name", "id")
        summary = _roll_call_payload(roll_call)
        return render(
            request,
            "gates/rollcall_detail.html",
            {
                "page_title": str(roll_call),
                "rc": roll_call,
                "entries": entries,
                "summary": summary,
                # what the page shows, as the stream sends it (gates/live.js reloads when the stream differs)
                "stream_state": state_text(summary),
                "timeline": actions.roll_call_timeline(roll_call),
                "may_operate": may_operate(request.user, roll_call),
                # closing is offered once nobody is missing (``core.workflow`` on ``ROLL_CALL_FLOW``)
                "steps": allowed_verbs(ROLL_CALL_FLOW, roll_call, request.user),
                "stream_url": reverse("gates:rollcall_stream", args=[roll_call.pk]),
            },
        )


class RollCallStreamView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        roll_call = object_or_404(RollCall, request.user, pk)
        return event_stream(request, lambda: _roll_call_payload(roll_call))


class RollCallCheckView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = _operable_or_404(RollCallEntry, request.user, pk)
        run_action(
            request,
            lambda: actions.do_check_at_muster(entry, acting_user=request.user),
            f"{entry.name} 已确认",
        )
        return redirect("gates:rollcall_detail", pk=entry.roll_call_id)


class RollCallCloseView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        roll_call = _operable_or_404(RollCall, request.user, pk)
        run_action(
            request,
            lambda: actions.do_close_roll_call(
                roll_call, acting_user=request.user, reason=request.POST.get("reason", "")
            ),
            "点名已结束",
        )
        return redirect("gates:rollcall_detail", pk=roll_call.pk)


# ---------------------------------------------------------------------------------------------
# Visitors and contractors
# ---------------------------------------------------------------------------------------------


class RegistrationForm(forms.ModelForm[Registration]):
    zones = forms.ModelMultipleChoiceField(queryset=Zone.objects.none(), label="申请进入区域", required=True)

    class Meta:
        model = Registration
        fields = [
            "category",
            "name",
            "id_type",
            "id_number",
            "phone",
            "company",
            "purpose",
            "host_name",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "valid_from": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "valid_until": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, zones: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = zones  # type: ignore[attr-defined]


SELF_REGISTRATION_SALT = "gates.self-registration"


def self_registration_url(enterprise: Any) -> str:
    """The link behind the QR code at an enterprise's gate (signed: only the enterprise's own link works)."""
    key = signing.dumps(enterprise.pk, salt=SELF_REGISTRATION_SALT)
    return reverse("gates:self_register", args=[enterprise.uscc]) + f"?k={key}"


class RegistrationListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        regs = restrict(Registration.objects.all(), request.user).select_related("enterprise")
        status = request.GET.get("status", "")
        if status:
            regs = regs.filter(status=status)
        zones = restrict(Zone.objects.filter(is_active=True), request.user, "operate").select_related(
            "enterprise"
        )
        enterprises = {z.enterprise_id: z.enterprise for z in zones}
        return render(
            request,
            "gates/registration_list.html",
            {
                "page_title": "访客/承包商登记",
                "status": status,
                "statuses": list(RegistrationStatus),
                "qr_links": [(e, self_registration_url(e)) for e in enterprises.values()],
                "may_register": bool(enterprises),
                **paginate(request, regs.order_by("-created_at", "-id")),
            },
        )


class SelfRegistrationQrView(LoginRequiredMixin, View):
    """The QR code (PNG) to print at an enterprise's gate: it opens the signed self-registration page."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        import io

        import qrcode

        zone = (
            restrict(Zone.objects.filter(enterprise_id=pk), request.user, "operate")
            .select_related("enterprise")
            .first()
        )
        if zone is None:
            raise Http404("对象不存在或无权查看")
        image = qrcode.make(request.build_absolute_uri(self_registration_url(zone.enterprise)))
        buffer = io.BytesIO()
        image.save(buffer)
        return HttpResponse(buffer.getvalue(), content_type="image/png")


class RegistrationCreateView(LoginRequiredMixin, View):
    """Pre-registration by the host enterprise."""

    def _zones(self, request: HttpRequest) -> Any:
        return restrict(Zone.objects.filter(is_active=True), request.user, "operate").select_related(
            "enterprise"
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = RegistrationForm(
            zones=self._zones(request),
            initial={"valid_from": now, "valid_until": now + dt.timedelta(hours=8)},
        )
        return render(
            request, "gates/registration_form.html", {"page_title": "登记访客/承包商", "form": form}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        zones = self._zones(request)
        form = RegistrationForm(request.POST, zones=zones)
        if form.is_valid():
            chosen = list(form.cleaned_data["zones"])
            enterprise_ids = {z.enterprise_id for z in chosen}
            if len(enterprise_ids) != 1:
                form.add_error("zones", "请选择同一企业的区域")
            else:
                reg = form.instance  # the form set its values on the unsaved registration
                reg.enterprise_id = enterprise_ids.pop()
                ok, _r = run_action(
                    request,
                    lambda: actions.do_submit_registration(reg, chosen, acting_user=request.user),
                    "已登记，请访客扫码完成入厂安全教育",
                    form,
                )
                if ok:
                    return redirect("gates:registration_detail", pk=reg.pk)
        return render(
            request, "gates/registration_form.html", {"page_title": "登记访客/承包商", "form": form}
        )


class RegistrationDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        reg = object_or_404(Registration.objects.select_related("enterprise", "decided_by"), request.user, pk)
        return render(
            request,
            "gates/registration_detail.html",
            {
                "page_title": str(reg),
                "reg": reg,
                "may_operate": may_operate(request.user, reg),
                "verbs": [e.verb for e in allowed_verbs(REGISTRATION_FLOW, reg, request.user)],
                "quiz_url": reverse("gates:visit_quiz", args=[reg.access_key]),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        reg = _operable_or_404(Registration, request.user, pk)
        note = request.POST.get("note", "")
        if request.POST.get("decision") == "approve":
            run_action(
                request,
                lambda: actions.do_approve_registration(reg, acting_user=request.user, note=note),
                "已批准并发放凭证",
            )
        else:
            run_action(
                request,
                lambda: actions.do_reject_registration(reg, acting_user=request.user, note=note),
                "已驳回",
            )
        return redirect("gates:registration_detail", pk=reg.pk)


class SelfRegisterView(View):
    """The page a visitor's phone opens from the QR code at the gate (signed link; no login)."""

    def _enterprise(self, request: HttpRequest, uscc: str) -> Any:
        from anjian.enterprises.models import Enterprise

        try:
            pk = signing.loads(request.GET.get("k", ""), salt=SELF_REGISTRATION_SALT)
            return Enterprise.objects.get(pk=pk, uscc=uscc)
        except (signing.BadSignature, Enterprise.DoesNotExist, TypeError, ValueError):
            return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        enterprise = self._enterprise(request, kwargs["uscc"])
        if enterprise is None:
            # Without a valid link this is not a public page: the same answer as any other page.
            return redirect(f"{reverse('login')}?next={request.path}")
        self.enterprise = enterprise
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data: Any = None) -> RegistrationForm:
        form = RegistrationForm(data, zones=Zone.objects.filter(enterprise=self.enterprise, is_active=True))
        form.fields.pop("host_name")
        return form

    def get(self, request: HttpRequest, uscc: str) -> HttpResponse:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = self._form()
        form.initial = {"valid_from": now, "valid_until": now + dt.timedelta(hours=8)}
        return render(
            request,
            "gates/self_register.html",
            {"page_title": "访客自助登记", "form": form, "enterprise": self.enterprise},
        )

    def post(self, request: HttpRequest, uscc: str) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            reg = form.instance  # the form set its values on the unsaved registration
            reg.enterprise = self.enterprise
            reg.self_registered = True
            try:
                actions.do_submit_registration(reg, list(form.cleaned_data["zones"]), acting_user=None)
            except (AnjianError, ValidationError) as exc:
                from anjian.core.views import add_action_error

                add_action_error(form, exc)
            else:
                return redirect("gates:visit_quiz", key=reg.access_key)
        return render(
            request,
            "gates/self_register.html",
            {"page_title": "访客自助登记", "form": form, "enterprise": self.enterprise},
        )


class VisitQuizView(View):
    """入厂安全教育: a short course and quiz on the phone, reached by the registration's secret key."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        reg = Registration.objects.select_related("enterprise").filter(access_key=kwargs["key"]).first()
        if reg is None or len(kwargs["key"]) < 20:
            return redirect(f"{reverse('login')}?next={request.path}")
        self.reg = reg
        return super().dispatch(request, *args, **kwargs)

    def _ctx(self, **extra: Any) -> dict[str, Any]:
        quiz = [(i, q, list(enumerate(opts))) for i, (q, opts, _right) in enumerate(actions.INDUCTION_QUIZ)]
        return {"page_title": "入厂安全教育", "reg": self.reg, "quiz": quiz, **extra}

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        return render(request, "gates/visit_quiz.html", self._ctx())

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        answers = [_int(request.POST.get(f"q{i}")) for i in range(len(actions.INDUCTION_QUIZ))]
        try:
            reg = actions.check_registration_quiz(self.reg, [a if a is not None else -1 for a in answers])
        except AnjianError as exc:
            return render(request, "gates/visit_quiz.html", self._ctx(error=exc.message))
        if reg.status != RegistrationStatus.TRAINED:
            return render(
                request,
                "gates/visit_quiz.html",
                self._ctx(error=f"得分 {reg.quiz_score}，须全部答对，请重新学习后作答"),
            )
        self.reg = reg
        return render(request, "gates/visit_quiz.html", self._ctx(done=True))


# ---------------------------------------------------------------------------------------------
# 一企一档 tab
# ---------------------------------------------------------------------------------------------


def enterprise_tab_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The 二道门 tab: the enterprise's zones with live counts and its recent roll calls."""
    counts = headcount(user, enterprise_id=enterprise.pk)
    calls = restrict(RollCall.objects.filter(enterprise=enterprise), user).order_by("-started_at")[:5]
    denied = restrict(AccessEvent.objects.filter(enterprise=enterprise, allow=False), user)
    since = timezone.now() - dt.timedelta(days=1)
    return {
        "gate_counts": counts[0] if counts else None,
        "gate_roll_calls": list(calls),
        "gate_denied_24h": denied.filter(at__gte=since).count(),
        "gate_json": json.dumps([c.as_dict() for c in counts], ensure_ascii=False),
    }
