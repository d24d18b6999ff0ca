from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from anjian.core.access import restrict
from anjian.core.views import ScopedObjectMixin
from anjian.orgs.models import OrgUnit


class UnitListView(LoginRequiredMixin, View):
    """All units with their aliases, grouped by kind."""

    def get(self, request: HttpRequest) -> HttpResponse:
        units = restrict(OrgUnit.objects.prefetch_related("aliases", "members"), request.user)
        return render(request, "orgs/unit_list.html", {"units": units, "page_title": "单位"})


class UnitDetailView(ScopedObjectMixin, View):
    """One unit: names, members or groups, users (for zone-wide roles), history."""

    model = OrgUnit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self.get_object()
        users = restrict(unit.users.all(), request.user)
        return render(request, "orgs/unit_detail.html", {
            "unit": unit, "users": users, "history": self.history(unit), "page_title": unit.name,
        })
