"""Home page (the user's to-do list), the audit log, and view mixins shared by every app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from anjian.core.access import access_by_id, restrict, scope_of
from anjian.core.audit import history_for
from anjian.core.errors import ObjectNotFound
from anjian.core.models import AuditEntry
from anjian.core.todos import collect

__all__ = ["HomeView", "ScopedObjectMixin", "paginate"]


def paginate(request: HttpRequest, queryset: Any, per_page: int = 50) -> dict[str, Any]:
    """Return ``page_obj`` and the query string without ``page`` for the pagination include."""
    paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return {"page_obj": page_obj, "object_list": page_obj.object_list,
            "query_without_page": f"{query}&" if query else ""}


class ScopedObjectMixin(LoginRequiredMixin):
    """Fetch ``self.object`` through the access layer: absent and out-of-scope both answer 404."""

    model: Any = None
    pk_url_kwarg = "pk"

    def get_object(self, action: str = "view") -> Any:
        try:
            return access_by_id(self.model, self.request.user, self.kwargs[self.pk_url_kwarg], action)  # type: ignore[attr-defined]
        except ObjectNotFound as exc:
            raise Http404(exc.message) from exc

    @staticmethod
    def history(obj: Any, limit: int = 100) -> list[AuditEntry]:
        """The object's audit rows (and those of objects related to it), newest first."""
        return list(history_for(obj)[:limit])


class HomeView(LoginRequiredMixin, View):
    """The user's work: items from every module that need them now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        items = collect(request.user)
        return render(request, "core/home.html", {"items": items, "page_title": "我的待办"})


class AuditListView(LoginRequiredMixin, View):
    """Every audit row the user may see (zone-wide roles: all)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not scope_of(request.user).sees_all:
            raise Http404
        qs = restrict(AuditEntry.objects.all(), request.user).select_related("object_type")
        if q := request.GET.get("q", "").strip():
            qs = qs.filter(object_repr__icontains=q) | qs.filter(user_name__icontains=q)
        return render(request, "core/audit_list.html", {"page_title": "审计日志", "q": q, **paginate(request, qs)})
