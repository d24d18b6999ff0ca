"""API of the enterprise registry: scoped, filterable lists; audited writes through ``actions``; Excel in/out."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.access import restrict, scope_of
from anjian.core.api import AuditedModelViewSet
from anjian.core.api_support import FormParser, JSONParser, MultiPartParser
from anjian.core.errors import ObjectNotFound, PermissionDeniedError
from anjian.core.excel import XLSX_CONTENT_TYPE, ImportReport, export_response, template, xlsx_response
from anjian.enterprises import actions, sheets
from anjian.enterprises.api.serializers import (
    CreatedUserSerializer,
    CreateUserSerializer,
    EnterpriseSelfSerializer,
    EnterpriseSerializer,
    GridSerializer,
    ImportReportSerializer,
    ImportUploadSerializer,
    LicenceSerializer,
    StandardizationSerializer,
    StatusChangeSerializer,
    SupervisionRuleSerializer,
)
from anjian.enterprises.filtersets import (
    EnterpriseFilterSet,
    GridFilterSet,
    LicenceFilterSet,
    StandardizationFilterSet,
)
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization, SupervisionRule
from anjian.enterprises.permissions import may_write_registry

_M = TypeVar("_M", bound=models.Model)

# ---------------------------------------------------------------------------------------------
# Excel actions shared by the registers
# ---------------------------------------------------------------------------------------------


may_import = may_write_registry


class ExcelActionsMixin:
    """``GET export/`` (the filtered, scoped list), ``GET template/`` and ``POST import/`` (multipart ``file``)."""

    excel_filename = "导出.xlsx"

    def excel_sheet(self) -> Any:
        raise NotImplementedError

    def excel_import(self, file: Any) -> ImportReport:
        raise NotImplementedError

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY}, filters=True)
    @action(detail=False, methods=["get"], url_path="export")
    def export_xlsx(self, request: Request) -> HttpResponseBase:
        """The filtered list as .xlsx (same scope as the list)."""
        qs = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        return export_response(qs, self.excel_sheet(), self.excel_filename)

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path="template")
    def template_xlsx(self, request: Request) -> HttpResponse:
        """An empty import template with a 填写说明 sheet."""
        return xlsx_response(
            template(self.excel_sheet()), self.excel_filename.replace(".xlsx", "导入模板.xlsx")
        )

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses=ImportReportSerializer)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_xlsx(self, request: Request) -> Response:
        """Validate the whole file, save the valid rows in one transaction, report each rejected row."""
        if not may_import(request.user):
            raise PermissionDeniedError(_("无权导入"))
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        report = self.excel_import(upload.validated_data["file"])
        return Response(report.as_dict())


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


class EnterpriseViewSet(ExcelActionsMixin, AuditedModelViewSet[Enterprise]):
    """Enterprises the user may see; create/update through the registry actions (derived department, audit)."""

    queryset = Enterprise.objects.select_related("town", "grid", "supervising_unit")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    search_fields = ["name", "short_name", "uscc", "address"]
    ordering_fields = ["name", "uscc", "created_at", "employees"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    excel_filename = "企业名录.xlsx"

    def get_serializer_class(self) -> Any:
        if self.action in {"update", "partial_update"} and scope_of(self.request.user).is_enterprise:
            return EnterpriseSelfSerializer
        return super().get_serializer_class()

    def excel_sheet(self) -> Any:
        return sheets.enterprise_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_enterprises(file, self.request.user)

    def _check_override(self, enterprise: Enterprise | None, data: dict[str, Any]) -> None:
        if not scope_of(self.request.user).sees_all and actions.touches_override(enterprise, data):
            raise PermissionDeniedError(_("只有安委办可以手工指定监管部门"))

    def check_create(self, serializer: Any) -> None:
        scope = scope_of(self.request.user)
        if scope.sees_all:
            return
        data = serializer.validated_data
        self._check_override(None, data)
        unit = actions.derive_supervising_unit(data["industry"])
        if scope.is_department and unit is not None and unit.pk in scope.unit_ids:
            return
        raise PermissionDeniedError(_("只能新建本部门监管的企业"))

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        serializer.instance = actions.do_create_enterprise(
            Enterprise(**serializer.validated_data), acting_user=self.request.user, reason=self._reason()
        )

    def perform_update(self, serializer: Any) -> None:
        enterprise = serializer.instance
        self.check_change(enterprise)
        self._check_override(enterprise, serializer.validated_data)
        serializer.instance = actions.do_update_enterprise(
            enterprise, dict(serializer.validated_data), acting_user=self.request.user, reason=self._reason()
        )

    @extend_schema(request=StatusChangeSerializer, responses=EnterpriseSerializer)
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request: Request, pk: Any = None) -> Response:
        """Move the enterprise along a declared status edge (筹建→在营, 在营→停产/关闭, 停产→在营/关闭)."""
        enterprise = self.get_object()
        self.check_change(enterprise)
        if scope_of(request.user).is_enterprise:
            raise PermissionDeniedError(_("企业用户不能变更企业状态"))
        body = StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.do_change_enterprise_status(
            enterprise,
            body.validated_data["status"],
            acting_user=request.user,
            reason=body.validated_data["reason"],
        )
        enterprise.refresh_from_db()
        return Response(EnterpriseSerializer(enterprise, context=self.get_serializer_context()).data)

    @extend_schema(request=CreateUserSerializer, responses={201: CreatedUserSerializer})
    @action(detail=True, methods=["post"], url_path="create-user")
    def create_user(self, request: Request, pk: Any = None) -> Response:
        """Create a login for the enterprise's own staff (zone-wide roles or the supervising department)."""
        enterprise = self.get_object()
        self.check_change(enterprise)
        if scope_of(request.user).is_enterprise:
            raise PermissionDeniedError(_("企业用户不能创建账号"))
        body = CreateUserSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = actions.do_create_enterprise_user(
            enterprise,
            username=data["username"],
            password=data["password"],
            name=data.get("name", ""),
            acting_user=request.user,
            reason=data.get("reason", ""),
        )
        return Response(CreatedUserSerializer(user).data, status=http_status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Grids
# ---------------------------------------------------------------------------------------------


class GridViewSet(ExcelActionsMixin, AuditedModelViewSet[Grid]):
    """Grids (网格) of the two towns."""

    queryset = Grid.objects.select_related("town")
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    search_fields = ["code", "name", "staff_name"]
    excel_filename = "网格.xlsx"

    def check_create(self, serializer: Any) -> None:
        scope = scope_of(self.request.user)
        town = serializer.validated_data.get("town")
        if scope.sees_all or (scope.is_department and town is not None and town.pk in scope.unit_ids):
            return
        raise PermissionDeniedError(_("无权维护该镇的网格"))

    def excel_sheet(self) -> Any:
        return sheets.grid_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_grids(file, self.request.user)


# ---------------------------------------------------------------------------------------------
# Licences and standardisation
# ---------------------------------------------------------------------------------------------


class _EnterpriseChildViewSet(ExcelActionsMixin, AuditedModelViewSet[_M]):
    """Objects of an enterprise: created only for an enterprise the user may change."""

    def check_create(self, serializer: Any) -> None:
        enterprise = serializer.validated_data.get("enterprise")
        named = (
            Enterprise.objects.none() if enterprise is None else Enterprise.objects.filter(pk=enterprise.pk)
        )
        visible = restrict(named, self.request.user)
        if not visible.exists():
            raise ObjectNotFound(_("企业不存在或无权查看"))
        if not restrict(visible, self.request.user, "change").exists():
            raise PermissionDeniedError(_("无权维护该企业的档案"))

    def perform_update(self, serializer: Any) -> None:
        # Moving the object to another enterprise needs change rights there too.
        self.check_change(serializer.instance)
        if "enterprise" in serializer.validated_data:
            self.check_create(serializer)
        with transaction.atomic():
            self._save(serializer, created=False)
            self.check_still_changeable(serializer.instance)

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        # An enterprise may change its own contact details but never its licences or gradings: the
        # saved object must be one the user may change (``Licence.scope_q``), else all of it rolls back.
        with transaction.atomic():
            self._save(serializer, created=True)
            self.check_still_changeable(serializer.instance)

    def _save(self, serializer: Any, *, created: bool) -> None:
        raise NotImplementedError


class LicenceViewSet(_EnterpriseChildViewSet[Licence]):
    """Licences; ``?state=expiring&days=30`` or ``?state=expired`` list those needing action."""

    queryset = Licence.objects.select_related("enterprise")
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilterSet
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]
    ordering_fields = ["valid_until", "issued_on", "number"]
    excel_filename = "许可证.xlsx"

    def _save(self, serializer: Any, *, created: bool) -> None:
        obj = serializer.instance if not created else Licence()
        for key, value in serializer.validated_data.items():
            setattr(obj, key, value)
        serializer.instance = actions.do_save_licence(
            obj, acting_user=self.request.user, reason=self._reason()
        )

    def perform_destroy(self, instance: Licence) -> None:
        self.check_change(instance)
        actions.do_delete_licence(instance, acting_user=self.request.user, reason=self._reason())

    def excel_sheet(self) -> Any:
        return sheets.licence_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_licences(file, self.request.user)


class StandardizationViewSet(_EnterpriseChildViewSet[Standardization]):
    """Standardisation gradings (history per enterprise; ``is_current`` marks the one in force)."""

    queryset = Standardization.objects.select_related("enterprise")
    serializer_class = StandardizationSerializer
    filterset_class = StandardizationFilterSet
    search_fields = ["certificate_no", "enterprise__name", "enterprise__uscc"]
    ordering_fields = ["issued_on", "review_due"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    excel_filename = "安全生产标准化.xlsx"

    def _save(self, serializer: Any, *, created: bool) -> None:
        obj = serializer.instance if not created else Standardization()
        for key, value in serializer.validated_data.items():
            setattr(obj, key, value)
        serializer.instance = actions.do_save_standardization(
            obj, acting_user=self.request.user, reason=self._reason()
        )

    def excel_sheet(self) -> Any:
        return sheets.standardization_sheet(self.request.user)

    def excel_import(self, file: Any) -> ImportReport:
        return sheets.import_standardizations(file, self.request.user)


# ---------------------------------------------------------------------------------------------
# Supervision rules (三个必须)
# ---------------------------------------------------------------------------------------------


class SupervisionRuleViewSet(AuditedModelViewSet[SupervisionRule]):
    """The 三个必须 table; the committee office changes it and affected enterprises are re-derived."""

    queryset = SupervisionRule.objects.select_related("unit")
    serializer_class = SupervisionRuleSerializer
    filterset_fields = ["industry", "unit"]
    pagination_class = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _apply(self, serializer: Any, industry: str) -> None:
        data = serializer.validated_data
        rule, _changed = actions.do_save_supervision_rule(
            industry,
            data.get("unit", getattr(serializer.instance, "unit", None)),
            note=data.get("note", getattr(serializer.instance, "note", "")),
            acting_user=self.request.user,
            reason=data.get("reason", ""),
        )
        serializer.instance = rule

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        self._apply(serializer, serializer.validated_data["industry"])

    def perform_update(self, serializer: Any) -> None:
        self.check_change(serializer.instance)
        if (
            serializer.validated_data.get("industry", serializer.instance.industry)
            != serializer.instance.industry
        ):
            raise PermissionDeniedError(_("不能修改规则的行业，请新建该行业的规则"))
        self._apply(serializer, serializer.instance.industry)
