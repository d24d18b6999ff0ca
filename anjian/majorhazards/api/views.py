"""API of the 重大危险源 register: scoped lists; writes through ``actions`` (re-grade, audit, notify); Excel;
the GB 18218-2018 calculator (``POST calculate/``) for any logged-in user."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anjian.core.access import access_by_id, restrict
from anjian.core.api import AuditedModelViewSet, ScopedReadOnlyViewSet
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.core.excel import ImportReport
from anjian.core.params import query_id
from anjian.domain import gb18218
from anjian.enterprises.api.views import ExcelActionsMixin
from anjian.majorhazards import actions, sheets
from anjian.majorhazards.api.serializers import (
    CalculateSerializer,
    CheckSerializer,
    GapSerializer,
    GradingSerializer,
    InstallationSerializer,
    InventoryLineSerializer,
    ResponsibilityAssignSerializer,
    ResponsibilitySerializer,
)
from anjian.majorhazards.choices import GapKind
from anjian.majorhazards.models import (
    Grading,
    HazardInstallation,
    InventoryLine,
    Responsibility,
    ResponsibilityCheck,
    ResponsibilityGap,
)
from anjian.people.models import Person

#: A calculation body larger than this is refused before it is parsed further.
MAX_SUBSTANCES = 200


class InstallationViewSet(ExcelActionsMixin, AuditedModelViewSet[HazardInstallation]):
    """Installations the user may see; ``?grade=1..4|none``, ``?enterprise=``, ``?q=`` filter the list.

    Create and edit go through the register's actions (audited; the grade is computed, never written).
    """

    queryset = HazardInstallation.objects.select_related("enterprise")
    serializer_class = InstallationSerializer
    search_fields = ["name", "code", "enterprise__name"]
    ordering_fields = ["code", "grade", "r_value", "assessed_on"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    excel_filename = "重大危险源.xlsx"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        grade = params.get("grade", "")
        if grade in {"1", "2", "3", "4"}:
            qs = qs.filter(is_major=True, grade=int(grade))
        elif grade == "none":
            qs = qs.filter(is_major=False)
        if (enterprise_id := query_id(self.request, "enterprise")) is not None:
            qs = qs.filter(enterprise_id=enterprise_id)
        if q := params.get("q", "").strip():
            qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(enterprise__name__icontains=q))
        return qs

    def check_create(self, serializer: Any) -> None:
        # ``enterprise`` is a scoped parent with "change": 404 / 403 already raised by the serializer.
        return None

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        with transaction.atomic():
            serializer.instance = actions.do_save_installation(
                HazardInstallation(**serializer.validated_data),
                acting_user=self.request.user,
                reason=self._reason(),
            )
            self.check_still_changeable(serializer.instance)

    def perform_update(self, serializer: Any) -> None:
        inst = serializer.instance
        self.check_change(inst)
        for key, value in serializer.validated_data.items():
            setattr(inst, key, value)
        serializer.instance = actions.do_save_installation(
            inst, acting_user=self.request.user, reason=self._reason()
        )

    def excel_sheet(self) -> Any:
        return sheets.installation_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_installations(file, self.request.user)

    @extend_schema(request=None, responses=GradingSerializer)
    @action(detail=True, methods=["post"])
    def regrade(self, request: Request, pk: Any = None) -> Response:
        """Re-grade from the stored inventory now (audited)."""
        inst = self.get_object()
        self.check_change(inst)
        grading = actions.regrade(inst, acting_user=request.user, reason=_("手动重新辨识分级"))
        return Response(GradingSerializer(grading).data)

    @extend_schema(request=ResponsibilityAssignSerializer, responses=ResponsibilitySerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """Assign the 包保 person of a level (a person of the installation's enterprise)."""
        inst = self.get_object()
        self.check_change(inst)
        body = ResponsibilityAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = access_by_id(Person, request.user, data["person"].pk)
        resp = actions.do_assign_responsibility(
            inst,
            data["level"],
            person,
            since=data.get("since"),
            acting_user=request.user,
            reason=data.get("reason", ""),
        )
        return Response(ResponsibilitySerializer(resp).data, status=http_status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def explanation(self, request: Request, pk: Any = None) -> Response:
        """The GB 18218-2018 calculation of the current inventory, substance by substance."""
        inst = self.get_object()
        result = actions.compute(inst)
        if result is None:
            return Response({"S": 0, "is_major": False, "R": None, "grade": None, "contributions": []})
        return Response(gb18218.result_to_json(result, detailed=True))


class InventoryLineViewSet(ExcelActionsMixin, AuditedModelViewSet[InventoryLine]):
    """Inventory lines; every write re-grades the installation. ``?installation=`` filters."""

    queryset = InventoryLine.objects.select_related("installation")
    serializer_class = InventoryLineSerializer
    search_fields = ["substance", "cas", "installation__code"]
    excel_filename = "危险化学品存量.xlsx"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if (installation_id := query_id(self.request, "installation")) is not None:
            qs = qs.filter(installation_id=installation_id)
        return qs

    def check_create(self, serializer: Any) -> None:
        return None  # ``installation`` is a scoped parent with "change"

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.instance = actions.do_save_inventory_line(
                InventoryLine(**serializer.validated_data),
                acting_user=self.request.user,
                reason=self._reason(),
            )

    def perform_update(self, serializer: Any) -> None:
        line = serializer.instance
        self.check_change(line)
        for key, value in serializer.validated_data.items():
            setattr(line, key, value)
        serializer.instance = actions.do_save_inventory_line(
            line, acting_user=self.request.user, reason=self._reason()
        )

    def perform_destroy(self, instance: InventoryLine) -> None:
        self.check_change(instance)
        actions.do_delete_inventory_line(instance, acting_user=self.request.user, reason=self._reason())

    def excel_sheet(self) -> Any:
        return sheets.inventory_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_inventory(file, self.request.user)


class ResponsibilityViewSet(ScopedReadOnlyViewSet[Responsibility]):
    """包保 assignments (current and past); ``?current=1`` only those in force. Assign through the installation."""

    queryset = Responsibility.objects.select_related("person", "installation")
    serializer_class = ResponsibilitySerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.request.query_params.get("current") in {"1", "true"}:
            qs = qs.filter(until__isnull=True)
        if (installation_id := query_id(self.request, "installation")) is not None:
            qs = qs.filter(installation_id=installation_id)
        return qs

    @extend_schema(request=None, responses=ResponsibilitySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        """End this assignment today."""
        resp = self.get_object()
        if not restrict(Responsibility.objects.filter(pk=resp.pk), request.user, "change").exists():
            raise PermissionDeniedError(_("无权修改该对象"))
        reason = str(request.data.get("reason", "")) if hasattr(request.data, "get") else ""
        resp = actions.do_end_responsibility(resp, acting_user=request.user, reason=reason)
        return Response(ResponsibilitySerializer(resp).data)


class CheckViewSet(AuditedModelViewSet[ResponsibilityCheck]):
    """包保 checks; ``POST`` logs one for the current person of ``level`` (from a phone: ``lon``/``lat``)."""

    queryset = ResponsibilityCheck.objects.select_related("person", "installation")
    serializer_class = CheckSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if (installation_id := query_id(self.request, "installation")) is not None:
            qs = qs.filter(installation_id=installation_id)
        return qs

    def check_create(self, serializer: Any) -> None:
        return None

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = actions.do_log_check(
            data["installation"],
            data["level"],
            acting_user=self.request.user,
            checked_at=data.get("checked_at"),
            findings=data.get("findings", ""),
            problems_found=data.get("problems_found", 0),
            lon=data.get("lon"),
            lat=data.get("lat"),
        )


class GapViewSet(ScopedReadOnlyViewSet[ResponsibilityGap]):
    """Open gaps (``?all=1`` includes resolved ones); ``?kind=`` filters."""

    queryset = ResponsibilityGap.objects.select_related("installation")
    serializer_class = GapSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("all") not in {"1", "true"}:
            qs = qs.filter(resolved_at__isnull=True)
        if (kind := params.get("kind", "")) in GapKind.values:
            qs = qs.filter(kind=kind)
        return qs


class GradingViewSet(ScopedReadOnlyViewSet[Grading]):
    """Grading history; ``?installation=`` filters."""

    queryset = Grading.objects.all()
    serializer_class = GradingSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if (installation_id := query_id(self.request, "installation")) is not None:
            qs = qs.filter(installation_id=installation_id)
        return qs


class CalculateView(APIView):
    """GB 18218-2018 identification and grading of one unit (nothing stored); any logged-in user.

    Body: ``{"population": 60, "substances": [{"name": "二氧化硫", "q": 200}, …]}``. Answer: the
    ``anjian calc major-hazard --json --explain`` object; bad input answers 400 in the API's error shape
    ``{"code": "major_hazard_input", "detail": "…"}``, the detail naming the substance.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CalculateSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = request.data
        substances = data.get("substances") if hasattr(data, "get") else None
        if isinstance(substances, list) and len(substances) > MAX_SUBSTANCES:
            raise ValidationFailed(
                _("物质过多（上限 %(n)d 种）") % {"n": MAX_SUBSTANCES},
                code="major_hazard_input",
                field="substances",
            )
        try:
            result = gb18218.identify_unit(data)
        except gb18218.IdentificationError as exc:
            raise ValidationFailed(exc.message, code="major_hazard_input") from exc
        return Response(gb18218.result_to_json(result, detailed=True))


__all__ = [
    "CalculateView",
    "CheckViewSet",
    "GapViewSet",
    "GradingViewSet",
    "InstallationViewSet",
    "InventoryLineViewSet",
    "ResponsibilityViewSet",
]
