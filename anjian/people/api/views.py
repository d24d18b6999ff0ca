"""People API: scoped, filterable CRUD, expiring certificates, Excel export/template/import.

Every write goes through ``people/actions.py``: ``AuditedModelViewSet`` and the Excel import call the
register's ``actions.WRITERS`` (``core.actions``), so the API, the import, the pages and the CLI validate,
lock and audit a person, certificate or training record the same way.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anjian.core.api import AuditedModelViewSet
from anjian.core.api_support import FormParser, MultiPartParser
from anjian.core.errors import ValidationFailed
from anjian.people import excel
from anjian.people.api.serializers import CertificateSerializer, PersonSerializer, TrainingRecordSerializer
from anjian.people.constants import EXPIRING_WINDOWS
from anjian.people.filtersets import CertificateFilterSet, PersonFilterSet, TrainingFilterSet
from anjian.people.models import Certificate, CertificateQuerySet, Person, TrainingRecord

_IMPORT_REPORT = inline_serializer(
    "PeopleImportReport",
    fields={
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
        "total_rows": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)
_UPLOAD = inline_serializer("PeopleImportUpload", fields={"file": serializers.FileField()})


class _ExcelActionsMixin:
    """``export/`` (the filtered list), ``template/`` and ``import/`` for one register."""

    register: str = ""
    request: Any

    @extend_schema(responses={(200, excel.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponseBase:
        """The filtered, scoped list as .xlsx."""
        rows = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        return excel.export_response(self.register, rows, request.user)

    @extend_schema(responses={(200, excel.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        """An empty .xlsx with the columns, dropdowns and a 填写说明 sheet."""
        return excel.template_response(self.register, request.user)

    @extend_schema(request={"multipart/form-data": _UPLOAD}, responses={200: _IMPORT_REPORT})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Validate the whole file, save every valid row in one transaction, report each rejected row."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(_("请上传 .xlsx 文件（字段名 file）"), field="file")
        report = excel.import_file(self.register, upload.read(), acting_user=request.user)
        return Response(report.as_dict())


class PersonViewSet(_ExcelActionsMixin, AuditedModelViewSet[Person]):
    """People of enterprises and departments, visible as their employer is. No delete: set ``is_active``."""

    queryset = Person.objects.select_related("employer_enterprise", "employer_unit")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["name", "^id_number", "job", "employer_enterprise__name"]
    ordering_fields = ["name", "id", "years_experience", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    register = "persons"

    def check_create(self, serializer: Any) -> None:
        """Anyone may register people in the enterprises and units the serializer lets them pick."""


class CertificateViewSet(_ExcelActionsMixin, AuditedModelViewSet[Certificate]):
    """Certificates, visible with their holder; ``expiring/?days=30|60|90`` lists those about to expire."""

    queryset = Certificate.objects.select_related(
        "person", "person__employer_enterprise", "person__employer_unit"
    )
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    search_fields = ["^number", "person__name", "^person__id_number"]
    ordering_fields = ["expires_on", "issued_on", "id"]
    register = "certificates"

    def check_create(self, serializer: Any) -> None:
        """The holder field only offers people the user may change."""

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, enum=list(EXPIRING_WINDOWS), description="30、60 或 90（默认 30）"),
        ],
        # A paginated list, filtered like the certificate list (issue 15: it was documented as one object).
        responses=CertificateSerializer(many=True),
        filters=True,
    )
    @action(detail=False, methods=["get"])
    def expiring(self, request: Request) -> Response:
        """Current certificates of people on the job that expire within ``days`` days from today."""
        raw = request.query_params.get("days", str(EXPIRING_WINDOWS[0]))
        if raw not in {str(d) for d in EXPIRING_WINDOWS}:
            raise ValidationFailed(_("days 只能是 30、60 或 90"), field="days")
        # The filter backends only call filter(), which keeps the queryset's class.
        filtered = cast(CertificateQuerySet, self.filter_queryset(self.get_queryset()))
        qs = filtered.of_active_people().current()
        qs = qs.expiring_within(timezone.localdate(), int(raw)).order_by("expires_on", "id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TrainingRecordViewSet(_ExcelActionsMixin, AuditedModelViewSet[TrainingRecord]):
    """Training records, visible with their person."""

    queryset = TrainingRecord.objects.select_related(
        "person", "person__employer_enterprise", "person__employer_unit"
    )
    serializer_class = TrainingRecordSerializer
    filterset_class = TrainingFilterSet
    search_fields = ["^course", "person__name", "^provider"]
    ordering_fields = ["date", "hours", "id"]
    register = "trainings"

    def check_create(self, serializer: Any) -> None:
        """The person field only offers people the user may change."""
