"""Assessment API: schemes (with rules), results (scoped: a department sees its own unit's), veto events,
and ``POST /assessment/schemes/{id}/run/`` / ``…/finalise/`` for zone-wide roles."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.assessment import actions
from anjian.assessment.api.serializers import (
    ResultSerializer,
    RunInputSerializer,
    SchemeSerializer,
    VetoEventSerializer,
)
from anjian.assessment.choices import Grade
from anjian.assessment.models import AssessmentResult, AssessmentScheme, VetoEvent
from anjian.core.access import access_for_change
from anjian.core.api import ScopedReadOnlyViewSet
from anjian.core.filters import AnjianFilterSet

__all__ = ["ResultViewSet", "SchemeViewSet", "VetoEventViewSet"]


class ResultFilterSet(AnjianFilterSet):
    year = filters.NumberFilter(field_name="scheme__year")
    unit_id = filters.NumberFilter(field_name="unit_id")
    unit = filters.CharFilter(field_name="unit__code")
    grade = filters.MultipleChoiceFilter(choices=Grade.choices)

    class Meta:
        model = AssessmentResult
        fields = ["scheme", "year", "unit_id", "unit", "grade", "vetoed"]


class SchemeViewSet(ScopedReadOnlyViewSet[AssessmentScheme]):
    queryset = AssessmentScheme.objects.prefetch_related("rules", "vetoes")
    serializer_class = SchemeSerializer
    filterset_fields = ["year", "is_final"]

    def _scheme_for_change(self, pk: Any) -> AssessmentScheme:
        scheme: AssessmentScheme = access_for_change(AssessmentScheme, self.request.user, pk)
        return scheme

    @extend_schema(request=RunInputSerializer, responses=ResultSerializer(many=True, brief=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def run(self, request: Request, pk: Any = None) -> Response:
        """Compute every unit's result (zone-wide roles); returns the ranked results."""
        scheme = self._scheme_for_change(pk)
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = actions.do_run_assessment(
            scheme, acting_user=request.user, as_of=data.validated_data.get("as_of")
        )
        return Response(ResultSerializer(results, many=True, brief=True).data)

    @extend_schema(request=None, responses=SchemeSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: Any = None) -> Response:
        """Confirm the results and lock the scheme (zone-wide roles)."""
        scheme = self._scheme_for_change(pk)
        reason = str(request.data.get("reason", "")) if hasattr(request.data, "get") else ""
        actions.do_finalise(scheme, acting_user=request.user, reason=reason)
        return Response(SchemeSerializer(self.get_queryset().get(pk=scheme.pk)).data)


class ResultViewSet(ScopedReadOnlyViewSet[AssessmentResult]):
    queryset = AssessmentResult.objects.select_related("scheme", "unit")
    serializer_class = ResultSerializer
    filterset_class = ResultFilterSet


class VetoEventViewSet(ScopedReadOnlyViewSet[VetoEvent]):
    queryset = VetoEvent.objects.select_related("unit")
    serializer_class = VetoEventSerializer
    filterset_fields = ["year", "unit", "grade", "kind"]
