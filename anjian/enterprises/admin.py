"""Admin for the enterprise registry (system administrators; pages and API are the normal way in). Audited."""

from django.contrib import admin

from anjian.core.admin import AuditedModelAdmin
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization, SupervisionRule


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedModelAdmin[Enterprise]):
    list_display = ["name", "uscc", "industry", "town", "status"]
    list_filter = ["industry", "status", "town"]
    search_fields = ["name", "uscc", "short_name"]
    raw_id_fields = ["grid", "org_unit"]


@admin.register(Grid)
class GridAdmin(AuditedModelAdmin[Grid]):
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name"]


@admin.register(Licence)
class LicenceAdmin(AuditedModelAdmin[Licence]):
    list_display = ["enterprise", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["number", "enterprise__name"]
    raw_id_fields = ["enterprise"]


@admin.register(Standardization)
class StandardizationAdmin(AuditedModelAdmin[Standardization]):
    list_display = ["enterprise", "grade"]
    raw_id_fields = ["enterprise"]


@admin.register(SupervisionRule)
class SupervisionRuleAdmin(AuditedModelAdmin[SupervisionRule]):
    list_display = ["industry", "unit"]
