"""Serializers of the enterprise registry (explicit fields plus ``brief_fields``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.domain.check_digits import check_uscc
from anjian.enterprises.actions import ENTERPRISE_SELF_FIELDS
from anjian.enterprises.choices import EnterpriseStatus
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization, SupervisionRule
from anjian.orgs.models import OrgUnit, User


class GridSerializer(BriefModelSerializer[Grid]):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "town", "town_name", "in_park", "staff_name", "staff_phone", "note"]
        brief_fields = ["id", "code", "name"]


class EnterpriseSerializer(BriefModelSerializer[Enterprise]):
    """Enterprise with display names; ``supervising_unit`` is derived unless ``supervision_overridden``.

    ``status`` is set on creation only; later changes go through ``POST …/{id}/change-status/``.
    """

    industry_display = serializers.CharField(source="get_industry_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    scale_display = serializers.CharField(source="get_scale_display", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True, default=None)
    grid_name = serializers.CharField(source="grid.name", read_only=True, default=None)
    supervising_unit_name = serializers.CharField(
        source="supervising_unit.name", read_only=True, default=None
    )
    two_key_one_major = serializers.BooleanField(read_only=True)
    town = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(kind="town"), required=False, allow_null=True
    )
    supervising_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.exclude(kind__in=["enterprise", "group"]),
        required=False,
        allow_null=True,
        help_text="仅在 supervision_overridden 为 true 时生效，否则按“三个必须”规则自动确定",
    )
    uscc = serializers.CharField(max_length=32, help_text="18位统一社会信用代码（GB 32100-2015）")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "short_name",
            "address",
            "town",
            "town_name",
            "in_park",
            "grid",
            "grid_name",
            "lon",
            "lat",
            "plot_geojson",
            "status",
            "status_display",
            "scale",
            "scale_display",
            "industry",
            "industry_display",
            "key_process",
            "key_chemical",
            "major_hazard",
            "two_key_one_major",
            "legal_rep",
            "principal",
            "safety_manager_name",
            "phone",
            "employees",
            "supervising_unit",
            "supervising_unit_name",
            "supervision_overridden",
            "supervision_override_reason",
            "org_unit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["org_unit", "created_at", "updated_at"]
        brief_fields = ["id", "uscc", "name", "status"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and "status" in fields:
            fields["status"].read_only = True
        return fields

    def validate_uscc(self, value: str) -> str:
        result = check_uscc(value)
        if not result.valid:
            raise serializers.ValidationError(result.message)
        clash = Enterprise.objects.filter(uscc=result.normalized)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            # The same words wherever the holder is: never confirm a registration the user cannot see.
            raise serializers.ValidationError(
                _(
                    "无权登记统一社会信用代码“%(code)s”的企业：本部门的企业请在企业名录中查找后编辑，其他情况请联系安委办"
                )
                % {"code": result.normalized}
            )
        return result.normalized

    def validate_status(self, value: str) -> str:
        if value not in EnterpriseStatus.values:
            raise serializers.ValidationError(_("无效的企业状态"))
        return value


class EnterpriseSelfSerializer(EnterpriseSerializer):
    """What an enterprise's own user may change: contact details only; everything else is read-only."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name, f in fields.items():
            if name not in ENTERPRISE_SELF_FIELDS:
                f.read_only = True
        return fields


class StatusChangeSerializer(serializers.Serializer[Any]):
    """Input of ``change-status``."""

    status = serializers.ChoiceField(choices=EnterpriseStatus.choices)
    reason = serializers.CharField(max_length=500)


class CreateUserSerializer(serializers.Serializer[Any]):
    """Input of ``create-user``: a login for the enterprise's own staff."""

    username = serializers.RegexField(
        r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -，至少3位"},
    )
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    password = serializers.CharField(
        min_length=8, max_length=128, write_only=True, style={"input_type": "password"}
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CreatedUserSerializer(serializers.Serializer[User]):
    """Output of ``create-user``."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.CharField()
    org = serializers.IntegerField(source="org_id")


class LicenceSerializer(BriefModelSerializer[Licence]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    state = serializers.SerializerMethodField()
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "kind",
            "kind_display",
            "number",
            "issuer",
            "issued_on",
            "valid_until",
            "scope",
            "state",
            "days_left",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "kind", "number", "valid_until"]
        scoped_parents = {"enterprise": "view"}

    def get_state(self, obj: Licence) -> str:
        return str(obj.state().value)

    def get_days_left(self, obj: Licence) -> int:
        return obj.days_left()


class StandardizationSerializer(BriefModelSerializer[Standardization]):
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    review_due = serializers.DateField(required=False, help_text="不填则为发证日期后三年")

    class Meta:
        model = Standardization
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "grade",
            "grade_display",
            "certificate_no",
            "issued_on",
            "review_due",
            "agency",
            "is_current",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        brief_fields = ["id", "grade", "certificate_no", "is_current"]
        scoped_parents = {"enterprise": "view"}


class SupervisionRuleSerializer(BriefModelSerializer[SupervisionRule]):
    industry_display = serializers.CharField(source="get_industry_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.exclude(kind__in=["enterprise", "group"])
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=500)

    class Meta:
        model = SupervisionRule
        fields = ["id", "industry", "industry_display", "unit", "unit_name", "note", "reason", "updated_at"]
        read_only_fields = ["updated_at"]
        brief_fields = ["id", "industry", "unit"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        reason = attrs.pop("reason", None)
        attrs = super().validate(attrs)
        if reason is not None:
            attrs["reason"] = reason
        return attrs


class ImportReportSerializer(serializers.Serializer[dict[str, Any]]):
    """The result of an Excel import."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    total_rows = serializers.IntegerField()
    # A declared field, not the ``errors`` property: DRF's serializer metaclass takes fields out of the
    # class body, which the stubs cannot see.
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class ImportUploadSerializer(serializers.Serializer[Any]):
    """An .xlsx upload."""

    file = serializers.FileField()
