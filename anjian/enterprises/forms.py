"""Page forms of the enterprise registry. Field rules live in ``Model.clean()`` (same as API and Excel)."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from anjian.domain.check_digits import check_uscc
from anjian.enterprises.actions import ENTERPRISE_SELF_FIELDS, OVERRIDE_FIELDS
from anjian.enterprises.choices import EnterpriseStatus
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization, SupervisionRule
from anjian.orgs.models import OrgUnit

__all__ = [
    "CreateUserForm",
    "EnterpriseForm",
    "EnterpriseSelfForm",
    "ImportForm",
    "LicenceForm",
    "StandardizationForm",
    "StatusForm",
    "SupervisionRuleForm",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _departments() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.exclude(kind__in=["enterprise", "group", "company"]).order_by("kind", "code")


class GeoJSONField(forms.JSONField):
    """GeoJSON typed as text; shown compactly."""

    def prepare_value(self, value: Any) -> Any:
        if value is None:
            return ""  # an empty box, not the text "null"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return super().prepare_value(value)


class EnterpriseForm(forms.ModelForm[Enterprise]):
    """Create or edit an enterprise (zone-wide roles and the supervising department).

    The 统一社会信用代码 is checked first so the message names the wrong character; ``status`` is set on
    creation only (later through the status action).
    """

    plot_geojson = GeoJSONField(
        label=_("地块轮廓（GeoJSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Polygon 或 MultiPolygon，经纬度坐标"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "short_name",
            "address",
            "town",
            "in_park",
            "grid",
            "lon",
            "lat",
            "plot_geojson",
            "status",
            "scale",
            "industry",
            "key_process",
            "key_chemical",
            "major_hazard",
            "legal_rep",
            "principal",
            "safety_manager_name",
            "phone",
            "employees",
            "supervision_overridden",
            "supervising_unit",
            "supervision_override_reason",
        ]
        help_texts = {"supervising_unit": _("仅在勾选“手工指定监管部门”时生效；否则按“三个必须”规则自动确定")}

    def __init__(self, *args: Any, can_override: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        towns = OrgUnit.objects.filter(kind="town")
        grids = Grid.objects.select_related("town")
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["town"]).queryset = towns
        cast("forms.ModelChoiceField[Grid]", self.fields["grid"]).queryset = grids
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["supervising_unit"]).queryset = _departments()
        if not can_override:
            # Only the committee office sets a department by hand; everyone else follows the rule.
            for name in OVERRIDE_FIELDS:
                del self.fields[name]
        if self.instance.pk is not None:
            # Status moves along its edges through the status action, never through this form.
            del self.fields["status"]

    def clean_uscc(self) -> str:
        result = check_uscc(self.cleaned_data.get("uscc") or "")
        if not result.valid:
            raise forms.ValidationError(result.message)
        clash = Enterprise.objects.filter(uscc=result.normalized).exclude(pk=self.instance.pk)
        if clash.exists():
            # The same words wherever the holder is: never confirm a registration the user cannot see.
            raise forms.ValidationError(
                _(
                    "无权登记统一社会信用代码“%(code)s”的企业：本部门的企业请在企业名录中查找后编辑，其他情况请联系安委办"
                )
                % {"code": result.normalized}
            )
        return result.normalized


class EnterpriseSelfForm(forms.ModelForm[Enterprise]):
    """What an enterprise's own user may edit: contact details."""

    class Meta:
        model = Enterprise
        fields = list(ENTERPRISE_SELF_FIELDS)


class StatusForm(forms.Form):
    """Change the operating status; a reason is required."""

    status = forms.ChoiceField(label=_("新状态"), choices=EnterpriseStatus.choices)
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.TextInput)


class CreateUserForm(forms.Form):
    """A login for the enterprise's own staff."""

    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -，至少3位")},
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码"), min_length=8, widget=forms.PasswordInput)


class LicenceForm(forms.ModelForm[Licence]):
    """Create or edit a licence."""

    class Meta:
        model = Licence
        fields = ["enterprise", "kind", "number", "issuer", "issued_on", "valid_until", "scope"]
        widgets = {"issued_on": _DATE, "valid_until": _DATE, "scope": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            cast("forms.ModelChoiceField[Enterprise]", self.fields["enterprise"]).queryset = enterprises


class StandardizationForm(forms.ModelForm[Standardization]):
    """Record or edit a standardisation grading."""

    class Meta:
        model = Standardization
        fields = [
            "enterprise",
            "grade",
            "certificate_no",
            "issued_on",
            "review_due",
            "agency",
            "is_current",
            "note",
        ]
        widgets = {"issued_on": _DATE, "review_due": _DATE}

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_due"].required = False
        if enterprises is not None:
            cast("forms.ModelChoiceField[Enterprise]", self.fields["enterprise"]).queryset = enterprises


class SupervisionRuleForm(forms.ModelForm[SupervisionRule]):
    """Change the department of one industry."""

    reason = forms.CharField(label=_("修改原因"), max_length=500, required=False)

    class Meta:
        model = SupervisionRule
        fields = ["unit", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["unit"]).queryset = _departments()


class ImportForm(forms.Form):
    """An .xlsx upload."""

    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
