from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from anjian.core.admin import AuditedAdminMixin, AuditedModelAdmin
from anjian.orgs.models import OrgAlias, OrgUnit, User


class OrgAliasInline(admin.TabularInline[OrgAlias, OrgUnit]):
    model = OrgAlias
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedModelAdmin[OrgUnit]):
    list_display = ["code", "name", "full_name", "kind", "is_active"]
    list_filter = ["kind"]
    search_fields = ["name", "full_name", "aliases__name"]
    inlines = [OrgAliasInline]
    filter_horizontal = ["members"]


@admin.register(User)
class AnjianUserAdmin(AuditedAdminMixin, UserAdmin[User]):
    list_display = ["username", "last_name", "first_name", "org", "role", "is_active"]
    list_filter = ["role", "org"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("安监", {"fields": ("org", "role", "phone")}))
