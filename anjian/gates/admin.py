"""Django admin of the second gate: configuration audited; the access log and presences view-only."""

from django.contrib import admin

from anjian.core.admin import AuditedModelAdmin, ViewOnlyModelAdmin
from anjian.gates.models import (
    AccessEvent,
    AccessPass,
    Credential,
    Gate,
    Presence,
    Registration,
    RollCall,
    Zone,
)


@admin.register(Zone)
class ZoneAdmin(AuditedModelAdmin[Zone]):
    list_display = ["name", "code", "enterprise", "quota", "headcount"]
    search_fields = ["name", "code"]


@admin.register(Gate)
class GateAdmin(AuditedModelAdmin[Gate]):
    list_display = ["code", "name", "zone", "directions", "token_hint"]
    search_fields = ["code", "name"]


@admin.register(AccessPass)
class AccessPassAdmin(AuditedModelAdmin[AccessPass]):
    list_display = ["person", "enterprise", "category", "blacklisted", "is_active"]
    raw_id_fields = ["person"]


@admin.register(Credential)
class CredentialAdmin(AuditedModelAdmin[Credential]):
    list_display = ["code", "kind", "access_pass", "is_active"]
    raw_id_fields = ["access_pass"]


@admin.register(AccessEvent)
class AccessEventAdmin(ViewOnlyModelAdmin[AccessEvent]):
    list_display = ["at", "gate", "credential", "direction", "allow", "reason"]


@admin.register(Presence)
class PresenceAdmin(ViewOnlyModelAdmin[Presence]):
    list_display = ["person", "zone", "since"]


@admin.register(RollCall)
class RollCallAdmin(ViewOnlyModelAdmin[RollCall]):
    list_display = ["started_at", "enterprise", "zone", "status"]


@admin.register(Registration)
class RegistrationAdmin(ViewOnlyModelAdmin[Registration]):
    list_display = ["name", "enterprise", "category", "status"]
