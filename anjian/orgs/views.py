from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from anjian.core.access import restrict, scope_of
from anjian.core.models import AuditEntry
from anjian.core.views import ScopedObjectMixin, paginate
from anjian.orgs.models import OrgUnit


class UnitListView(LoginRequiredMixin, View):
    """All units with their aliases, grouped by kind."""

    def get(self, request: HttpRequest) -> HttpResponse:
        # Paginated: a province has one enterprise-side unit per enterprise (tens of thousands).
        units = restrict(OrgUnit.objects.prefetch_related("aliases", "members"), request.user)
        page = paginate(request, units)
        return render(
            request, "orgs/unit_list.html", {"units": page["object_list"], "page_title": "单位", **page}
        )


class UnitDetailView(ScopedObjectMixin, View):
    """One unit: names, members or groups, users (for zone-wide roles), history."""

    model = OrgUnit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self.get_object()
        users = restrict(unit.users.all(), request.user)
        return render(
            request,
            "orgs/unit_detail.html",
            {
                "unit": unit,
                "users": users,
                "history": self.unit_history(unit),
                "page_title": unit.name,
            },
        )

    def unit_history(self, unit: OrgUnit) -> list[AuditEntry]:
        """The unit's own changes; the rows of objects filed under it (its staff, their certificates and
        training) only for the unit itself and zone-wide roles, who are the ones that may see those objects."""
        scope = scope_of(self.request.user)
        if scope.sees_all or scope.org_id == unit.pk:
            return self.history(unit)
        own = AuditEntry.objects.filter(
            object_type=ContentType.objects.get_for_model(OrgUnit), object_id=str(unit.pk)
        )
        return list(own.select_related("object_type")[:100])
