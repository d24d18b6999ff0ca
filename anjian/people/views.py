"""Pages of the people register: lists, detail, forms, expiring certificates and Excel in/out.

Every page reads through ``people.access`` (scoped) and writes through ``people.actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from anjian.core.access import scope_of
from anjian.core.excel import ImportReport, UploadRefused, check_xlsx_upload
from anjian.core.metrics import memo
from anjian.core.models import AuditEntry
from anjian.core.tasks import export_sync_max_rows, import_sync_max_bytes, submit
from anjian.core.views import ActionFormView, ObjectActionView, object_or_404, paginate
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
from anjian.people.selectors import annotate_status, expiry_counts

M = TypeVar("M", bound=models.Model)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


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


class _PeopleFormView(ActionFormView):
    """A form of the register (``people/form.html``) that saves through an action.

    The page goes back to ``back_url(obj)`` and, once saved, on to it. ``multipart``: the form uploads a
    file, so the page encodes it as multipart and the form is bound to the uploaded files too.
    """

    template_name = "people/form.html"
    form_class: Any = None
    multipart = False

    def title(self, obj: Any) -> str:
        raise NotImplementedError

    def back_url(self, obj: Any) -> str:
        raise NotImplementedError

    def get_context(self, obj: Any, form: Any, *, invalid: bool) -> dict[str, Any]:
        return {
            "form": form,
            "page_title": self.title(obj),
            "back_url": self.back_url(obj),
            "multipart": self.multipart,
        }

    def get_success_url(self, obj: Any, result: Any) -> str:
        return self.back_url(obj)

    def bound(self, data: Any, files: Any) -> tuple[Any, Any]:
        """The form's ``data`` and ``files`` arguments (files only for a multipart form)."""
        return data, files if self.multipart else None

    @staticmethod
    def form_instance(obj: M, data: Any) -> M:
        """The instance the model form may write into.

        A bound form gets a fresh copy, so that ``obj`` keeps the stored values for the page title and the
        action even when the form turns out invalid.
        """
        return obj if data is None else type(obj)._default_manager.get(pk=obj.pk)

    def reason(self) -> str:
        return self.request.POST.get("reason", "")


class _RecordCreateView(_PeopleFormView):
    """Add a record (certificate, training) to a person the user may change: ``create_action(data, …)``."""

    model = Person
    pk_url_kwarg = "person_pk"
    create_action: Callable[..., Any]
    title_format: str | Promise = ""

    def initial(self) -> dict[str, Any]:
        return {}

    def get_form(self, obj: Person, data: Any = None, files: Any = None) -> Any:
        initial = self.initial() if data is None else None
        return self.form_class(*self.bound(data, files), user=self.request.user, person=obj, initial=initial)

    def perform(self, obj: Person, form: Any) -> Any:
        data = form.changes()
        data["person"] = obj
        return self.create_action(data, acting_user=self.request.user)

    def title(self, obj: Person) -> str:
        return str(self.title_format) % {"name": obj.name}

    def back_url(self, obj: Person) -> str:
        return obj.get_absolute_url()


class _RecordUpdateView(_PeopleFormView):
    """Change a person's record (certificate, training): ``update_action(record, data, …, reason=)``."""

    update_action: Callable[..., Any]
    title_format: str | Promise = ""
    success_message = gettext_lazy("已保存")

    def get_form(self, obj: Certificate | TrainingRecord, data: Any = None, files: Any = None) -> Any:
        instance = self.form_instance(obj, data)
        return self.form_class(
            *self.bound(data, files), instance=instance, user=self.request.user, person=obj.person
        )

    def perform(self, obj: Certificate | TrainingRecord, form: Any) -> Any:
        data = form.changes()
        data["person"] = obj.person
        return self.update_action(obj, data, acting_user=self.request.user, reason=self.reason())

    def title(self, obj: Certificate | TrainingRecord) -> str:
        return str(self.title_format) % {"name": obj}

    def back_url(self, obj: Certificate | TrainingRecord) -> str:
        return obj.person.get_absolute_url()


class _RecordDeleteView(ObjectActionView):
    """POST: remove a person's record entered in error (``action(record, acting_user, reason)``)."""

    def get_success_url(self, obj: Certificate | TrainingRecord) -> str:
        return obj.person.get_absolute_url()


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
        person = object_or_404(
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


class PersonCreateView(_PeopleFormView):
    """Register a person in an enterprise or unit the user may register people in."""

    def get_object(self) -> None:
        if not can_register_people(self.request.user):
            raise PermissionDenied(_("无权登记人员"))

    def get_form(self, obj: None, data: Any = None, files: Any = None) -> PersonForm:
        return PersonForm(data, user=self.request.user)

    def perform(self, obj: None, form: PersonForm) -> Person:
        return actions.do_create_person(form.changes(), acting_user=self.request.user)

    def get_success_message(self, obj: None, result: Person) -> str:
        return _("已登记人员“%(name)s”") % {"name": result.name}

    def get_success_url(self, obj: None, result: Person) -> str:
        return result.get_absolute_url()

    def title(self, obj: None) -> str:
        return _("登记人员")

    def back_url(self, obj: None) -> str:
        return reverse("people:person_list")


class PersonUpdateView(_PeopleFormView):
    """Edit a person the user may change (404 when not visible, 403 when visible but read-only)."""

    model = Person
    success_message = gettext_lazy("已保存")

    def get_form(self, obj: Person, data: Any = None, files: Any = None) -> PersonForm:
        return PersonForm(data, instance=self.form_instance(obj, data), user=self.request.user)

    def perform(self, obj: Person, form: PersonForm) -> Person:
        return actions.do_update_person(
            obj, form.changes(), acting_user=self.request.user, reason=self.reason()
        )

    def title(self, obj: Person) -> str:
        return _("修改人员：%(name)s") % {"name": obj.name}

    def back_url(self, obj: Person) -> str:
        return obj.get_absolute_url()


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
        # Counted once per scope and day until a certificate (or person) changes: a province's are many.
        counts = memo(
            f"people:expiry:{scope_of(request.user).cache_key}:{today}", lambda: expiry_counts(base, today)
        )
        if tab == "expired":
            qs = base.expired_on(today).order_by("-expires_on", "id")
        else:
            qs = base.expiring_within(today, int(tab)).order_by("expires_on", "id")
        page = paginate(request, qs, count=counts[tab])
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


class CertificateCreateView(_RecordCreateView):
    """Add a certificate to a person the user may change."""

    form_class = CertificateForm
    multipart = True
    create_action = staticmethod(actions.do_create_certificate)
    title_format = gettext_lazy("登记证书：%(name)s")
    success_message = gettext_lazy("已登记证书")


class CertificateUpdateView(_RecordUpdateView):
    """Edit a certificate (e.g. after renewal)."""

    model = Certificate
    form_class = CertificateForm
    multipart = True
    update_action = staticmethod(actions.do_update_certificate)
    title_format = gettext_lazy("修改证书：%(name)s")


class CertificateDeleteView(_RecordDeleteView):
    """Remove a certificate registered in error (POST only)."""

    model = Certificate
    action = staticmethod(actions.do_delete_certificate)
    success_message = gettext_lazy("已删除证书")


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


class TrainingCreateView(_RecordCreateView):
    """Record a training of a person the user may change."""

    form_class = TrainingForm
    create_action = staticmethod(actions.do_record_training)
    title_format = gettext_lazy("登记培训：%(name)s")
    success_message = gettext_lazy("已登记培训记录")

    def initial(self) -> dict[str, Any]:
        return {"date": timezone.localdate()}


class TrainingUpdateView(_RecordUpdateView):
    """Correct a training record."""

    model = TrainingRecord
    form_class = TrainingForm
    update_action = staticmethod(actions.do_update_training)
    title_format = gettext_lazy("修改培训记录：%(name)s")


class TrainingDeleteView(_RecordDeleteView):
    """Remove a training record entered in error (POST only)."""

    model = TrainingRecord
    action = staticmethod(actions.do_delete_training)
    success_message = gettext_lazy("已删除培训记录")


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

    def get(self, request: HttpRequest, register: str) -> HttpResponseBase:
        list_url, visible, filterset_class = _register(register)
        rows = filterset_class(request.GET, queryset=visible(request.user)).qs
        if rows.count() > export_sync_max_rows():
            task = submit(
                "people.export",
                user=request.user,
                label=_("导出%(title)s") % {"title": excel.REGISTERS[register]},
                params={
                    "register": register,
                    "query": request.GET.urlencode(),
                    "back_url": reverse(list_url),
                },
            )
            return redirect("core:task", task.pk)
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
            upload = form.cleaned_data["file"]
            if upload.size > import_sync_max_bytes():
                # A large file: checked for its bounds here, imported in the background with a progress bar.
                try:
                    data = check_xlsx_upload(upload)
                except UploadRefused as exc:
                    report = ImportReport()
                    report.add_error(0, "", exc.message)
                    messages.warning(request, report.summary())
                    return self._render(request, register, form, report)
                list_url, _v, _f = _register(register)
                task = submit(
                    "people.import",
                    user=request.user,
                    label=_("导入%(title)s") % {"title": excel.REGISTERS[register]},
                    params={"register": register, "back_url": reverse(list_url)},
                    data=data,
                )
                return redirect("core:task", task.pk)
            report = excel.import_file(register, upload.read(), acting_user=request.user)
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
