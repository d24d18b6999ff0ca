"""Pages of the people register: lists, detail, forms, expiring certificates and Excel in/out.

Every page reads through ``people.access`` (scoped) and writes through ``people.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from anjian.core.access import access_by_id, access_for_change
from anjian.core.errors import ObjectNotFound, PermissionDeniedError
from anjian.core.models import AuditEntry
from anjian.core.views import paginate
from anjian.people import actions, excel
from anjian.people.access import (
    can_register_people,
    visible_certificates,
    visible_people,
    visible_trainings,
)
from anjian.people.choices import CertificateKind, RoleCategory, TrainingKind, TrainingResult
from anjian.people.constants import EXPIRING_WINDOWS
from anjian.people.filtersets import CertificateFilterSet, PersonFilterSet, TrainingFilterSet
from anjian.people.forms import CertificateForm, ImportForm, PersonForm, TrainingForm
from anjian.people.models import Certificate, Person, TrainingRecord
from anjian.people.selectors import annotate_status

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _visible(model: Any, user: Any, pk: Any) -> Any:
    try:
        return access_by_id(model, user, pk)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc


def _changeable(model: Any, user: Any, pk: Any) -> Any:
    try:
        return access_for_change(model, user, pk)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _form_errors_from(form: Any, exc: ValidationError) -> None:
    """Put a model ``ValidationError`` raised by an action onto the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def person_history(person: Person, limit: int = 100) -> list[AuditEntry]:
    """Audit rows of ``person`` and of its certificates and training records (deleted ones included)."""
    person_ct = ContentType.objects.get_for_model(Person)
    child_cts = [
        ContentType.objects.get_for_model(Certificate),
        ContentType.objects.get_for_model(TrainingRecord),
    ]
    q = models.Q(object_type=person_ct, object_id=str(person.pk)) | (
        models.Q(object_type__in=child_cts)
        & (models.Q(after__person=person.pk) | models.Q(before__person=person.pk))
    )
    return list(AuditEntry.objects.filter(q).select_related("object_type")[:limit])


def _render_form(
    request: HttpRequest, form: Any, title: str, back: str, *, multipart: bool = False
) -> HttpResponse:
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "page_title": title,
            "back_url": back,
            "multipart": multipart,
        },
    )


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


class PersonListView(LoginRequiredMixin, View):
    """People the user may see, filterable, with Excel export/import."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        valid = Certificate.objects.valid_on(today).filter(person_id=models.OuterRef("pk"))
        base = visible_people(request.user).annotate(has_valid_cert=models.Exists(valid))
        filterset = PersonFilterSet(request.GET, queryset=base)
        return render(
            request,
            "people/person_list.html",
            {
                "page_title": _("人员"),
                "filter": filterset,
                "roles": RoleCategory.choices,
                "can_create": can_register_people(request.user),
                "export_query": request.GET.urlencode(),
                **paginate(request, filterset.qs),
            },
        )


class PersonDetailView(LoginRequiredMixin, View):
    """One person: identity, employer, certificates with validity, training records, history."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = _visible(
            Person.objects.select_related("employer_enterprise", "employer_unit"), request.user, pk
        )
        today = timezone.localdate()
        certificates = annotate_status(person.certificates.all(), today)
        can_change = Person.objects.restrict(request.user, "change").filter(pk=person.pk).exists()
        return render(
            request,
            "people/person_detail.html",
            {
                "page_title": person.name,
                "person": person,
                "certificates": certificates,
                "trainings": person.trainings.all(),
                "history": person_history(person),
                "can_change": can_change,
            },
        )


class PersonCreateView(LoginRequiredMixin, View):
    """Register a person in an enterprise or unit the user may register people in."""

    def _guard(self, request: HttpRequest) -> None:
        if not can_register_people(request.user):
            raise PermissionDenied(_("无权登记人员"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._guard(request)
        return _render_form(
            request, PersonForm(user=request.user), _("登记人员"), reverse("people:person_list")
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self._guard(request)
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                person = actions.do_create_person(form.changes(), acting_user=request.user)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已登记人员“%(name)s”") % {"name": person.name})
                return redirect(person.get_absolute_url())
        return _render_form(request, form, _("登记人员"), reverse("people:person_list"))


class PersonUpdateView(LoginRequiredMixin, View):
    """Edit a person the user may change (404 when not visible, 403 when visible but read-only)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, pk)
        form = PersonForm(instance=person, user=request.user)
        return _render_form(
            request, form, _("修改人员：%(name)s") % {"name": person.name}, person.get_absolute_url()
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, pk)
        original = Person.objects.get(pk=person.pk)
        form = PersonForm(request.POST, instance=person, user=request.user)
        if form.is_valid():
            try:
                actions.do_update_person(
                    original, form.changes(), acting_user=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(original.get_absolute_url())
        return _render_form(
            request, form, _("修改人员：%(name)s") % {"name": original.name}, original.get_absolute_url()
        )


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------


class CertificateListView(LoginRequiredMixin, View):
    """Certificates of the people the user may see, by kind, status and keyword."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = CertificateFilterSet(request.GET, queryset=visible_certificates(request.user))
        page = paginate(request, filterset.qs)
        annotate_status(page["object_list"], timezone.localdate())
        return render(
            request,
            "people/certificate_list.html",
            {
                "page_title": _("证书"),
                "filter": filterset,
                "kinds": CertificateKind.choices,
                "export_query": request.GET.urlencode(),
                **page,
            },
        )


class ExpiringView(LoginRequiredMixin, View):
    """Certificates of people on the job expiring within 30/60/90 days, or already expired (tabs)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        tab = request.GET.get("tab", str(EXPIRING_WINDOWS[0]))
        windows = [str(d) for d in EXPIRING_WINDOWS]
        if tab not in {*windows, "expired"}:
            tab = windows[0]
        today = timezone.localdate()
        base = visible_certificates(request.user).of_active_people().current()
        counts = {w: base.expiring_within(today, int(w)).count() for w in windows}
        counts["expired"] = base.expired_on(today).count()
        if tab == "expired":
            qs = base.expired_on(today).order_by("-expires_on", "id")
        else:
            qs = base.expiring_within(today, int(tab)).order_by("expires_on", "id")
        page = paginate(request, qs)
        annotate_status(page["object_list"], timezone.localdate())
        tabs = [(w, _("%(days)s天内到期") % {"days": w}, counts[w]) for w in windows]
        tabs.append(("expired", _("已过期"), counts["expired"]))
        return render(
            request,
            "people/expiring.html",
            {
                "page_title": _("证书到期提醒"),
                "tab": tab,
                "tabs": tabs,
                "today": today,
                **page,
            },
        )


class CertificateCreateView(LoginRequiredMixin, View):
    """Add a certificate to a person the user may change."""

    def get(self, request: HttpRequest, person_pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, person_pk)
        form = CertificateForm(user=request.user, person=person)
        return _render_form(
            request,
            form,
            _("登记证书：%(name)s") % {"name": person.name},
            person.get_absolute_url(),
            multipart=True,
        )

    def post(self, request: HttpRequest, person_pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, person_pk)
        form = CertificateForm(request.POST, request.FILES, user=request.user, person=person)
        if form.is_valid():
            data = form.changes()
            data["person"] = person
            try:
                actions.do_create_certificate(data, acting_user=request.user)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已登记证书"))
                return redirect(person.get_absolute_url())
        return _render_form(
            request,
            form,
            _("登记证书：%(name)s") % {"name": person.name},
            person.get_absolute_url(),
            multipart=True,
        )


class CertificateUpdateView(LoginRequiredMixin, View):
    """Edit a certificate (e.g. after renewal)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cert = _changeable(Certificate, request.user, pk)
        form = CertificateForm(instance=cert, user=request.user, person=cert.person)
        return _render_form(
            request,
            form,
            _("修改证书：%(name)s") % {"name": cert},
            cert.person.get_absolute_url(),
            multipart=True,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cert = _changeable(Certificate, request.user, pk)
        original = Certificate.objects.get(pk=cert.pk)
        form = CertificateForm(
            request.POST, request.FILES, instance=cert, user=request.user, person=cert.person
        )
        if form.is_valid():
            data = form.changes()
            data["person"] = original.person
            try:
                actions.do_update_certificate(
                    original, data, acting_user=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(original.person.get_absolute_url())
        return _render_form(
            request,
            form,
            _("修改证书：%(name)s") % {"name": original},
            original.person.get_absolute_url(),
            multipart=True,
        )


class CertificateDeleteView(LoginRequiredMixin, View):
    """Remove a certificate registered in error (POST only)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cert = _changeable(Certificate, request.user, pk)
        person_url = cert.person.get_absolute_url()
        actions.do_delete_certificate(cert, acting_user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已删除证书"))
        return redirect(person_url)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


class TrainingListView(LoginRequiredMixin, View):
    """Training records of the people the user may see."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = TrainingFilterSet(request.GET, queryset=visible_trainings(request.user))
        return render(
            request,
            "people/training_list.html",
            {
                "page_title": _("培训记录"),
                "filter": filterset,
                "kinds": TrainingKind.choices,
                "results": TrainingResult.choices,
                "export_query": request.GET.urlencode(),
                **paginate(request, filterset.qs),
            },
        )


class TrainingCreateView(LoginRequiredMixin, View):
    """Record a training of a person the user may change."""

    def get(self, request: HttpRequest, person_pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, person_pk)
        form = TrainingForm(user=request.user, person=person, initial={"date": timezone.localdate()})
        return _render_form(
            request, form, _("登记培训：%(name)s") % {"name": person.name}, person.get_absolute_url()
        )

    def post(self, request: HttpRequest, person_pk: int) -> HttpResponse:
        person = _changeable(Person, request.user, person_pk)
        form = TrainingForm(request.POST, user=request.user, person=person)
        if form.is_valid():
            data = form.changes()
            data["person"] = person
            try:
                actions.do_record_training(data, acting_user=request.user)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已登记培训记录"))
                return redirect(person.get_absolute_url())
        return _render_form(
            request, form, _("登记培训：%(name)s") % {"name": person.name}, person.get_absolute_url()
        )


class TrainingUpdateView(LoginRequiredMixin, View):
    """Correct a training record."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        training = _changeable(TrainingRecord, request.user, pk)
        form = TrainingForm(instance=training, user=request.user, person=training.person)
        return _render_form(
            request,
            form,
            _("修改培训记录：%(name)s") % {"name": training},
            training.person.get_absolute_url(),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        training = _changeable(TrainingRecord, request.user, pk)
        original = TrainingRecord.objects.get(pk=training.pk)
        form = TrainingForm(request.POST, instance=training, user=request.user, person=training.person)
        if form.is_valid():
            data = form.changes()
            data["person"] = original.person
            try:
                actions.do_update_training(
                    original, data, acting_user=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(original.person.get_absolute_url())
        return _render_form(
            request,
            form,
            _("修改培训记录：%(name)s") % {"name": original},
            original.person.get_absolute_url(),
        )


class TrainingDeleteView(LoginRequiredMixin, View):
    """Remove a training record entered in error (POST only)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        training = _changeable(TrainingRecord, request.user, pk)
        person_url = training.person.get_absolute_url()
        actions.do_delete_training(training, acting_user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已删除培训记录"))
        return redirect(person_url)


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------

_LIST_OF = {
    "persons": ("people:person_list", visible_people, PersonFilterSet),
    "certificates": ("people:certificate_list", visible_certificates, CertificateFilterSet),
    "trainings": ("people:training_list", visible_trainings, TrainingFilterSet),
}


def _register(name: str) -> tuple[str, Any, Any]:
    if name not in _LIST_OF:
        raise Http404(_("未知的台账"))
    return _LIST_OF[name]


class ExcelExportView(LoginRequiredMixin, View):
    """The register's list, with the list page's filters, as .xlsx (only what the user may see)."""

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        _url, visible, filterset_class = _register(register)
        rows = filterset_class(request.GET, queryset=visible(request.user)).qs
        return excel.export_response(register, rows, request.user)


class ExcelTemplateView(LoginRequiredMixin, View):
    """The register's empty import template."""

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        _register(register)
        return excel.template_response(register, request.user)


class ExcelImportView(LoginRequiredMixin, View):
    """Upload an .xlsx: the whole file is validated, valid rows saved together, rejected rows reported."""

    def get(self, request: HttpRequest, register: str) -> HttpResponse:
        _register(register)
        return self._render(request, register, ImportForm(), None)

    def post(self, request: HttpRequest, register: str) -> HttpResponse | HttpResponseRedirect:
        _register(register)
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = excel.import_file(register, form.cleaned_data["file"].read(), acting_user=request.user)
            level = messages.SUCCESS if report.ok else messages.WARNING
            messages.add_message(request, level, report.summary())
        return self._render(request, register, form, report)

    def _render(self, request: HttpRequest, register: str, form: Any, report: Any) -> HttpResponse:
        list_url, _v, _f = _register(register)
        title = excel.REGISTERS[register]
        return render(
            request,
            "people/import.html",
            {
                "page_title": _("导入%(title)s") % {"title": title},
                "title": title,
                "register": register,
                "form": form,
                "report": report,
                "errors": sorted(report.errors, key=lambda e: (e.row, e.column)) if report else [],
                "list_url": reverse(list_url),
            },
        )
