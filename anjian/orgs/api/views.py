from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.api import ScopedReadOnlyViewSet
from anjian.orgs.api.serializers import MeSerializer, OrgUnitSerializer
from anjian.orgs.models import OrgUnit, User


class OrgUnitViewSet(ScopedReadOnlyViewSet[OrgUnit]):
    """Units of the zone, with aliases and group members."""

    queryset = OrgUnit.objects.prefetch_related("aliases", "members")
    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind", "code"]
    search_fields = ["name", "full_name", "aliases__name"]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The logged-in user, their unit and role."""
    # The API's default permission (IsAuthenticated) lets only a logged-in user get here.
    return Response(MeSerializer(cast(User, request.user)).data)
