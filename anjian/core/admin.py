from django.contrib import admin

from anjian.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: audit rows are never edited."""

    list_display = ["time", "user_name", "event_type", "object_type", "object_repr", "reason"]
    list_filter = ["event_type", "object_type"]
    search_fields = ["object_repr", "user_name", "reason", "request_id"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
