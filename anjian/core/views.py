"""Home page (the user's to-do list), the audit log, and view helpers shared by every app.

The helpers keep every page on the same rules: objects are fetched through ``core.access`` (absent and
out of scope both answer 404; visible but read-only answers 403), state changes go through an app's
``actions.do_*`` functions, and a refused action shows its Chinese message (on the form when there is one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.views import View

from anjian.core.access import access_by_id, access_for_change, restrict, scope_of
from anjian.core.audit import history_for
from anjian.core.choices import audit_event_label
from anjian.core.errors import AnjianError, ObjectNotFound, PermissionDeniedError
from anjian.core.models import AuditEntry
from anjian.core.pagination import CappedPaginator
from anjian.core.todos import collect

__all__ = [
    "ActionFormView",
    "HomeView",
    "ObjectActionView",
    "ScopedObjectMixin",
    "add_action_error",
    "bad_request",
    "object_for_change",
    "object_or_404",
    "paginate",
    "run_action",
]


def paginate(
    request: HttpRequest, queryset: Any, per_page: int = 50, count: int | None = None
) -> dict[str, Any]:
    """Return ``page_obj`` and the query string without ``page`` for the pagination include.

    ``count``: the number of rows when the caller already counted them (saves the paginator's COUNT query).
    """
    paginator = CappedPaginator(queryset, per_page)
    if count is not None:
        # ``Paginator.count`` is a cached property: seed it.
        paginator.__dict__["count"] = count
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return {
        "page_obj": page_obj,
        "object_list": page_obj.object_list,
        "query_without_page": f"{query}&" if query else "",
    }


# ---------------------------------------------------------------------------------------------------------
# Fetching and acting
# ---------------------------------------------------------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The Chinese 400 page (``handler400``), with the reason when it is one the user can act on."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig

    from anjian.core.params import BadParameter

    reason = exception.message if isinstance(exception, BadParameter) else ""
    if isinstance(exception, RequestDataTooBig):
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // 1024 // 1024
        reason = f"提交的内容过大（上限 {limit} MB），请减少内容或分批上传。"
    return render(request, "400.html", {"reason": reason}, status=400)


def _out_of_range(model_or_qs: Any, pk: Any) -> bool:
    """True when ``pk`` cannot be a stored integer key (``?x=99999999999999999999`` overflows the database)."""
    from django.db import models

    from anjian.core.filters import valid_id

    model = model_or_qs.model if isinstance(model_or_qs, models.QuerySet) else model_or_qs
    integer_pk = isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)
    return integer_pk and valid_id(pk if isinstance(pk, int) else str(pk)) is None


def object_or_404(model_or_qs: Any, user: Any, pk: Any, action: str = "view") -> Any:
    """Object ``pk`` if ``user`` may ``action`` it; 404 when it is absent *or* out of scope."""
    if _out_of_range(model_or_qs, pk):
        raise Http404
    try:
        return access_by_id(model_or_qs, user, pk, action)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc


def object_for_change(model_or_qs: Any, user: Any, pk: Any) -> Any:
    """Object ``pk`` to change: 404 if ``user`` cannot see it, 403 if they see it but may not change it."""
    if _out_of_range(model_or_qs, pk):
        raise Http404
    try:
        return access_for_change(model_or_qs, user, pk)
    except ObjectNotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def add_action_error(form: forms.BaseForm, exc: AnjianError | ValidationError) -> None:
    """Put an action's refusal on ``form``: on the field it names if the form has it, else on the form."""
    if isinstance(exc, AnjianError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, ValidationError(errors))
    else:
        form.add_error(None, ValidationError(exc.messages))


def _error_text(exc: AnjianError | ValidationError) -> str:
    return exc.message if isinstance(exc, AnjianError) else "；".join(exc.messages)


def run_action(
    request: HttpRequest, func: Callable[[], Any], success: str, form: forms.BaseForm | None = None
) -> tuple[bool, Any]:
    """Run ``func`` (an action call) and return ``(True, its result)`` after adding ``success`` as a message.

    When the action refuses (a domain ``AnjianError`` or the model's ``ValidationError``), return
    ``(False, None)`` with its Chinese message on ``form`` if there is one, else as an error message.
    """
    try:
        result = func()
    except (AnjianError, ValidationError) as exc:
        if form is not None:
            add_action_error(form, exc)
        else:
            messages.error(request, _error_text(exc))
        return False, None
    messages.success(request, success)
    return True, result


# ---------------------------------------------------------------------------------------------------------
# View bases
# ---------------------------------------------------------------------------------------------------------


class ScopedObjectMixin(LoginRequiredMixin):
    """Fetch ``self.object`` through the access layer: absent and out-of-scope both answer 404."""

    model: Any = None
    pk_url_kwarg = "pk"

    def get_object(self, action: str = "view") -> Any:
        user, pk = self.request.user, self.kwargs[self.pk_url_kwarg]  # type: ignore[attr-defined]
        return object_or_404(self.model, user, pk, action)

    @staticmethod
    def history(obj: Any, limit: int = 100) -> list[AuditEntry]:
        """The object's audit rows (and those of objects related to it), newest first."""
        return list(history_for(obj)[:limit])


class ActionFormView(LoginRequiredMixin, View):
    """A form page whose POST saves through an action, then redirects with a success message.

    The object the URL names (``model``, ``pk_url_kwarg``) is fetched first through
    ``object_for_change``: 404 when the user cannot see it, 403 when they may not change it. A page with no
    such object (a "new …" page) overrides ``get_object`` with its own guard and returns ``None``.
    GET renders ``get_form(obj)``. POST binds it; when it is valid, ``perform(obj, form)`` runs the action
    and the user goes to ``get_success_url(obj, result)``. An invalid form, or a refused action (its message
    put on the form), renders the page again with status ``invalid_status``.
    Subclasses give ``template_name`` and ``get_context``, ``get_form`` and ``perform``.
    """

    model: Any = None
    pk_url_kwarg = "pk"
    template_name = ""
    success_message: str | Promise = ""
    invalid_status = 200

    def get_object(self) -> Any:
        return object_for_change(self.model, self.request.user, self.kwargs[self.pk_url_kwarg])

    def get_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        """The form, unbound for GET (``data is None``), bound for POST."""
        raise NotImplementedError

    def perform(self, obj: Any, form: Any) -> Any:
        """Run the action with the valid form's data; return what it returns."""
        raise NotImplementedError

    def get_context(self, obj: Any, form: Any, *, invalid: bool) -> dict[str, Any]:
        """The template's context; ``invalid`` when the page is shown again after a refused POST."""
        raise NotImplementedError

    def get_success_message(self, obj: Any, result: Any) -> str:
        return str(self.success_message)

    def get_success_url(self, obj: Any, result: Any) -> Any:
        """Where to go after the action: a URL or an object with ``get_absolute_url``."""
        raise NotImplementedError

    def render_form(self, obj: Any, form: Any, *, invalid: bool = False) -> HttpResponse:
        status = self.invalid_status if invalid else 200
        return render(
            self.request, self.template_name, self.get_context(obj, form, invalid=invalid), status=status
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        return self.render_form(obj, self.get_form(obj))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        form = self.get_form(obj, request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(obj, form)
            except (AnjianError, ValidationError) as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, self.get_success_message(obj, result))
                return redirect(self.get_success_url(obj, result))
        return self.render_form(obj, form, invalid=True)


class ObjectActionView(LoginRequiredMixin, View):
    """POST only: run one action on an object the user may change (remove it, confirm it, …) and go back.

    The object is fetched through ``object_for_change`` (404 / 403). ``get_success_url(obj)`` is worked out
    before the action runs, so it may name the object's parent even when the action deletes the object.
    The default ``perform`` calls ``action(obj, acting_user=…, reason=<the form's "reason">)``, the shape
    every ``do_*`` action has; a refused action shows its message as an error and the user still goes back.
    """

    model: Any = None
    pk_url_kwarg = "pk"
    action: Callable[..., Any]
    success_message: str | Promise = ""

    def get_success_url(self, obj: Any) -> Any:
        """Where to go afterwards: a URL or an object with ``get_absolute_url``."""
        raise NotImplementedError

    def perform(self, obj: Any, reason: str) -> Any:
        return self.action(obj, acting_user=self.request.user, reason=reason)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = object_for_change(self.model, request.user, self.kwargs[self.pk_url_kwarg])
        target = self.get_success_url(obj)
        run_action(
            request, lambda: self.perform(obj, request.POST.get("reason", "")), str(self.success_message)
        )
        return redirect(target)


# ---------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, View):
    """The user's work: items from every module that need them now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.cockpit.overview import overview_for

        items = collect(request.user)
        request._anjian_todos = items  # type: ignore[attr-defined]
        context = {"items": items, "page_title": "我的待办", "overview": overview_for(request.user)}
        return render(request, "core/home.html", context)


class AuditListView(LoginRequiredMixin, View):
    """Every audit row the user may see (zone-wide roles: all)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise Http404
        qs = restrict(AuditEntry.objects.all(), request.user).select_related("object_type")
        if q := request.GET.get("q", "").strip():
            qs = qs.filter(object_repr__icontains=q) | qs.filter(user_name__icontains=q)
        return render(
            request, "core/audit_list.html", {"page_title": "审计日志", "q": q, **paginate(request, qs)}
        )


# ---------------------------------------------------------------------------------------------------------
# Workflows, attachments, inbox
# ---------------------------------------------------------------------------------------------------------


class WorkflowListView(LoginRequiredMixin, View):
    """Every registered transition table, drawn as states and edges, with who may take each step."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.core.workflow import workflows
        from anjian.core.workflow_diagram import diagram

        if scope_of(request.user).is_enterprise:
            raise Http404
        tables = []
        for wf in workflows():
            rows = [
                {
                    "source": wf.state_label(e.source),
                    "source_colour": wf.states.colour_of(e.source),
                    "target": wf.state_label(e.target),
                    "target_colour": wf.states.colour_of(e.target),
                    "edge": e,
                    "requires": "、".join(_required_label(wf, n) for n in e.requires),
                    "event": audit_event_label(e.event if e.event is not None else wf.default_event) or "",
                }
                for e in wf.edges
            ]
            tables.append({"wf": wf, "diagram": diagram(wf), "rows": rows})
        return render(request, "core/workflows.html", {"page_title": "流程定义", "tables": tables})


def _required_label(wf: Any, name: str) -> str:
    from anjian.core.workflow import REQUIRED_LABELS

    if name in REQUIRED_LABELS:
        return REQUIRED_LABELS[name]
    try:
        return str(wf.model._meta.get_field(name).verbose_name)
    except Exception:
        return name


class AttachmentView(LoginRequiredMixin, View):
    """Stream an attachment (or its thumbnail) if the user may see its parent; 404 otherwise."""

    thumbnail = False

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        from anjian.core.attachments import parent_of
        from anjian.core.models import Attachment

        att = Attachment.objects.filter(pk=pk).select_related("parent_type").first()
        if att is None:
            raise Http404("附件不存在")
        try:
            model, parent_pk = parent_of(att)
        except LookupError as exc:
            raise Http404 from exc
        object_or_404(model, request.user, parent_pk)
        stored = att.thumbnail if self.thumbnail else att.file
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except OSError as exc:
            raise Http404("文件不存在") from exc
        if self.thumbnail:
            return FileResponse(handle, content_type="image/jpeg")
        # Images and PDFs open inline (their type was checked from their bytes); anything else downloads.
        inline = att.content_type in {"image/jpeg", "image/png", "image/webp", "application/pdf"}
        response = FileResponse(
            handle, as_attachment=not inline, filename=att.original_name, content_type=att.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class InboxView(LoginRequiredMixin, View):
    """The user's notifications, newest first; POST marks them all read."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from anjian.core.models import Notification

        qs = restrict(Notification.objects.all(), request.user)
        if request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return render(
            request,
            "core/inbox.html",
            {
                "page_title": "消息通知",
                "unread_only": bool(request.GET.get("unread")),
                **paginate(request, qs),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from anjian.core.notifications import mark_all_read

        n = mark_all_read(request.user)
        messages.success(request, f"已将 {n} 条通知标为已读")
        return redirect("core:inbox")


class NotificationOpenView(LoginRequiredMixin, View):
    """Open a notification: mark it read and go to its object (POST ``read`` only marks it)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from anjian.core.models import Notification
        from anjian.core.notifications import mark_read

        note = object_or_404(Notification, request.user, pk)
        mark_read(note)
        return redirect(
            note.url if note.url.startswith("/") and not note.url.startswith("//") else "core:inbox"
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from anjian.core.models import Notification
        from anjian.core.notifications import mark_read

        mark_read(object_or_404(Notification, request.user, pk))
        return redirect("core:inbox")
