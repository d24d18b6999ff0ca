"""Admin for the people register (system administrators only; pages and API are the normal way in)."""

from django.contrib import admin

from anjian.core.admin import AuditedModelAdmin
from anjian.people.models import Certificate, Person, TrainingRecord


class CertificateInline(admin.TabularInline[Certificate, Person]):
    model = Certificate
    extra = 0


class TrainingInline(admin.TabularInline[TrainingRecord, Person]):
    model = TrainingRecord
    extra = 0


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin[Person]):
    list_display = [
        "name",
        "id_type",
        "id_number",
        "employer_enterprise",
        "employer_unit",
        "role_category",
        "is_active",
    ]
    list_filter = ["role_category", "id_type", "is_active"]
    search_fields = ["name", "id_number", "employer_enterprise__name"]
    raw_id_fields = ["employer_enterprise"]
    inlines = [CertificateInline, TrainingInline]


@admin.register(Certificate)
class CertificateAdmin(AuditedModelAdmin[Certificate]):
    list_display = ["person", "kind", "category", "number", "issued_on", "expires_on"]
    list_filter = ["kind", "category"]
    search_fields = ["number", "person__name", "person__id_number"]
    raw_id_fields = ["person"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedModelAdmin[TrainingRecord]):
    list_display = ["person", "course", "kind", "hours", "date", "result"]
    list_filter = ["kind", "result"]
    search_fields = ["course", "person__name"]
    raw_id_fields = ["person"]
