"""API shapes of people, certificates and training records; validation is the models' ``clean()``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.people.access import assignable_units
from anjian.people.identity import normalize_id_number
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = ["CertificateSerializer", "PersonSerializer", "TrainingRecordSerializer"]


class _ScopedChoicesMixin:
    """Limit writable foreign keys to the rows the requesting user may use (others answer "不存在")."""

    scoped_fields: dict[str, Any] = {}

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        for name, factory in self.scoped_fields.items():
            field = fields.get(name)
            if field is not None and not field.read_only and user is not None:
                field.queryset = factory(user)
        return fields


class PersonSerializer(_ScopedChoicesMixin, BriefModelSerializer[Person]):
    """A person; ``sex`` and ``birth_date`` are taken from a 居民身份证 number."""

    scoped_fields = {"employer_unit": assignable_units}

    employer_name = serializers.SerializerMethodField(help_text="所在企业或部门名称")
    id_type_display = serializers.CharField(source="get_id_type_display", read_only=True)
    role_category_display = serializers.CharField(source="get_role_category_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "name",
            "id_type",
            "id_type_display",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "employer_enterprise",
            "employer_unit",
            "employer_name",
            "job",
            "role_category",
            "role_category_display",
            "education",
            "major",
            "major_safety_related",
            "years_experience",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "url", "name", "role_category", "employer_name"]
        # Another enterprise answers 404 like an absent one; a visible one the user may not change, 403.
        scoped_parents = {"employer_enterprise": "change"}
        # Uniqueness is checked by Person.clean() with a Chinese message (the same for forms and Excel).
        validators: list[Any] = []

    @extend_schema_field(serializers.CharField())
    def get_employer_name(self, obj: Person) -> str:
        return str(obj.employer or "")

    def validate_id_number(self, value: str) -> str:
        return normalize_id_number(value)


class CertificateSerializer(_ScopedChoicesMixin, BriefModelSerializer[Certificate]):
    """A certificate with its validity today."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status = serializers.SerializerMethodField(
        help_text="valid / expiring / expired / not_yet_valid（按今天计算）"
    )
    days_left = serializers.SerializerMethodField(help_text="距到期天数，已过期为负数，长期有效为空")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "person",
            "person_name",
            "kind",
            "kind_display",
            "category",
            "category_display",
            "operation_item",
            "number",
            "issuer",
            "issued_on",
            "expires_on",
            "file",
            "status",
            "days_left",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "person", "person_name", "kind", "number", "expires_on", "status"]
        validators: list[Any] = []
        scoped_parents = {"person": "change"}

    @extend_schema_field(serializers.CharField())
    def get_status(self, obj: Certificate) -> str:
        return str(obj.status_on(timezone.localdate()).value)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, obj: Certificate) -> int | None:
        return obj.days_left(timezone.localdate())


class TrainingRecordSerializer(_ScopedChoicesMixin, BriefModelSerializer[TrainingRecord]):
    """A training record."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "person",
            "person_name",
            "course",
            "kind",
            "kind_display",
            "hours",
            "date",
            "result",
            "result_display",
            "provider",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "person", "person_name", "course", "date"]
        validators: list[Any] = []
        scoped_parents = {"person": "change"}
