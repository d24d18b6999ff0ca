"""Dangers API: hidden dangers with one POST action per loop edge, photos, 挂牌督办, tasks and records.

``POST /api/v1/dangers/`` reports a danger (随手拍 and every other source); ``POST
/api/v1/dangers/{id}/verify|dismiss|assign|submit|accept|reject/`` walk the loop; the status is never a
writable field. Refusals answer 409 (wrong state or guard) / 400 (bad input) / 403 / 404 with a Chinese
``detail``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.access import access_by_id, access_for_change
from anjian.core.api import ScopedReadOnlyViewSet
from anjian.core.api_support import FormParser, JSONParser, MultiPartParser
from anjian.core.filters import AnjianFilterSet
from anjian.dangers import actions
from anjian.dangers.api import serializers as s
from anjian.dangers.choices import DangerGrade, DangerSource, DangerStatus
from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask, SupervisedListing

__all__ = ["DangerViewSet", "ListingViewSet", "RecordViewSet", "TaskViewSet"]


class DangerFilterSet(AnjianFilterSet):
    status = filters.MultipleChoiceFilter(choices=DangerStatus.choices)
    grade = filters.MultipleChoiceFilter(choices=DangerGrade.choices)
    source = filters.MultipleChoiceFilter(choices=DangerSource.choices)
    enterprise_id = filters.NumberFilter(field_name="enterprise_id")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = HiddenDanger
        fields = ["status", "grade", "source", "enterprise_id", "overdue"]

    def filter_overdue(self, queryset: Any, name: str, value: bool) -> Any:
        from django.utils import timezone

        q = Q(status__in=["rectifying", "awaiting_acceptance"], deadline__lt=timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)


class DangerViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet[HiddenDanger]):
    queryset = HiddenDanger.objects.select_related("enterprise").prefetch_related("photos")
    serializer_class = s.DangerSerializer
    filterset_class = DangerFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> Any:
        return s.DangerListSerializer if self.action == "list" else s.DangerSerializer

    def get_queryset(self) -> Any:
        # the dangers' scope follows one foreign key: no DISTINCT needed (see ``metrics.visible``)
        from anjian.dangers.metrics import visible

        return visible(self.queryset.all(), self.request.user)

    def _for_change(self, pk: Any) -> HiddenDanger:
        danger: HiddenDanger = access_by_id(HiddenDanger, self.request.user, pk)
        return danger

    def _answer(self, danger: HiddenDanger, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=danger.pk)
        return Response(s.DangerSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=s.ReportInputSerializer, responses=s.DangerSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Report a hidden danger of an enterprise the user may see."""
        from anjian.enterprises.models import Enterprise
        from anjian.risks.models import RiskUnit

        data = s.ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enterprise = access_by_id(Enterprise, request.user, v["enterprise"])
        unit = access_by_id(RiskUnit, request.user, v["risk_unit"]) if v.get("risk_unit") else None
        danger = actions.report_danger(
            enterprise=enterprise,
            title=v["title"],
            description=v["description"],
            location=v["location"],
            source=v["source"],
            grade=v["grade"],
            major_item=v.get("major_item"),
            risk_unit=unit,
            acting_user=request.user,
        )
        return self._answer(danger, status.HTTP_201_CREATED)

    @extend_schema(request=s.VerifyInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        """已上报 → 已核实定级."""
        data = s.VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        danger = actions.do_verify_danger(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return self._answer(danger)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: Any = None) -> Response:
        """已上报 → 不予认定 (reason required)."""
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        danger = actions.do_dismiss_danger(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return self._answer(danger)

    @extend_schema(request=s.AssignInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """已核实定级 → 整改中 (五到位)."""
        from anjian.orgs.models import User

        danger = self._for_change(pk)
        data = s.AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        rectifier = access_by_id(User, request.user, v.pop("rectifier")) if v.get("rectifier") else None
        v.pop("rectifier", None)
        danger = actions.do_assign_rectification(danger, acting_user=request.user, rectifier=rectifier, **v)
        return self._answer(danger)

    @extend_schema(request=s.SubmitInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """整改中 → 待验收 (after-photo and statement)."""
        data = s.SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        danger = actions.do_submit_for_acceptance(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return self._answer(danger)

    @extend_schema(request=s.AcceptInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        """待验收 → 已销号 (another person; 重大: the supervising department)."""
        data = s.AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        danger = actions.do_accept_danger(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return self._answer(danger)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        """待验收 → 整改中 (驳回, reason required)."""
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        danger = actions.do_reject_danger(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return self._answer(danger)

    @extend_schema(request=s.PhotoInputSerializer, responses=s.DangerSerializer)
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: Any = None) -> Response:
        """Upload a photo (multipart ``file``, ``stage`` before|after); EXIF time and GPS are kept."""
        danger = self._for_change(pk)
        data = s.PhotoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.add_danger_photo(
            danger, data.validated_data["file"], acting_user=request.user, stage=data.validated_data["stage"]
        )
        return self._answer(danger, status.HTTP_201_CREATED)

    @extend_schema(request=s.ListingInputSerializer, responses=s.ListingSerializer)
    @action(detail=True, methods=["post"])
    def listing(self, request: Request, pk: Any = None) -> Response:
        """挂牌督办 a 重大 danger (supervising department or committee office)."""
        data = s.ListingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = actions.do_open_listing(
            self._for_change(pk), acting_user=request.user, **data.validated_data
        )
        return Response(s.ListingSerializer(listing).data, status=status.HTTP_201_CREATED)


class ListingViewSet(ScopedReadOnlyViewSet[SupervisedListing]):
    queryset = SupervisedListing.objects.select_related("danger__enterprise").prefetch_related("messages")
    serializer_class = s.ListingSerializer
    filterset_fields = ["unit"]

    @extend_schema(request=s.MessageInputSerializer, responses=s.ListingSerializer)
    @action(detail=True, methods=["post"])
    def messages(self, request: Request, pk: Any = None) -> Response:
        """A 督办 notice (department) or the enterprise's reply."""
        listing = access_by_id(SupervisedListing, request.user, pk)
        data = s.MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_add_listing_message(listing, acting_user=request.user, body=data.validated_data["body"])
        return Response(
            s.ListingSerializer(self.get_queryset().get(pk=listing.pk)).data, status=status.HTTP_201_CREATED
        )


class TaskViewSet(ScopedReadOnlyViewSet[InspectionTask]):
    queryset = InspectionTask.objects.all()
    serializer_class = s.InspectionTaskSerializer
    filterset_fields = ["enterprise", "cycle", "assignee", "is_active", "unit"]

    @extend_schema(request=s.RecordInputSerializer, responses=s.RecordSerializer)
    @action(detail=True, methods=["post"])
    def records(self, request: Request, pk: Any = None) -> Response:
        """Submit an inspection item by item; resending the same ``client_token`` returns the same record."""
        task = access_by_id(InspectionTask, request.user, pk)
        data = s.RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rec, created = actions.submit_inspection(
            acting_user=request.user,
            client_token=v["client_token"],
            items=[dict(i) for i in v["items"]],
            task=task,
            note=v["note"],
            lat=v.get("lat"),
            lon=v.get("lon"),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.RecordSerializer(rec).data, status=code)


class RecordViewSet(ScopedReadOnlyViewSet[InspectionRecord]):
    queryset = InspectionRecord.objects.all()
    serializer_class = s.RecordSerializer
    filterset_fields = ["enterprise", "task", "on_time"]


_ = access_for_change
