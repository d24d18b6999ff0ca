"""Forms of the dangers pages (the actions validate again; these only parse input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core.access import restrict
from anjian.dangers.choices import DangerGrade, DangerSource, PhotoStage

__all__ = ["AssignForm", "ReportForm"]


def _none(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label).objects.none()


def major_item_choices() -> list[tuple[str, str]]:
    from anjian.dangers.actions import major_items

    return [("", "—— 不涉及 ——")] + [(str(k), f"第{k}项：{v}") for k, v in major_items().items()]


#: Up to this many visible enterprises the report form offers a list; beyond, a text box (name or code).
ENTERPRISE_SELECT_LIMIT = 300


class EnterpriseField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An enterprise of the field's (scoped) queryset, chosen from a list or typed: id, 统一社会信用代码 or the
    exact name. A department of a province sees tens of thousands: a list of all of them is no form."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        qs: Any = self.queryset
        hit = None
        if len(text) == 18:
            hit = qs.filter(uscc=text.upper()).first()
        if hit is None and text.isdigit():
            hit = qs.filter(pk=int(text)).first()
        if hit is None:
            named = list(qs.filter(name=text)[:2])
            hit = named[0] if len(named) == 1 else None
        if hit is None:
            raise forms.ValidationError(
                _("请填写可查看的企业的完整名称或统一社会信用代码"), code="invalid_choice"
            )
        return hit


class ReportForm(forms.Form):
    """随手拍 / 排查 report from a phone; the photo is optional here and may be added afterwards."""

    enterprise = EnterpriseField(queryset=_none("enterprises.Enterprise"), label=_("企业"))
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    description = forms.CharField(
        label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=DangerSource.choices, initial=DangerSource.SNAPSHOT)
    grade = forms.ChoiceField(label=_("初判等级"), choices=DangerGrade.choices, initial=DangerGrade.GENERAL)
    major_item = forms.ChoiceField(
        label=_("重大隐患判定（安监总管三〔2017〕121号）"),
        required=False,
        help_text=_("选中任一项即判定为重大隐患"),
    )
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anjian.enterprises.models import Enterprise

        qs = restrict(Enterprise.objects.all(), user).only("id", "name", "uscc")
        field = self.fields["enterprise"]
        field.queryset = qs  # type: ignore[attr-defined]
        visible = qs[: ENTERPRISE_SELECT_LIMIT + 1].count()
        if visible == 1:
            field.initial = qs.first()
        elif visible > ENTERPRISE_SELECT_LIMIT:
            field.widget = forms.TextInput(attrs={"placeholder": _("企业完整名称或统一社会信用代码")})
            field.help_text = _("可查看的企业较多，请输入企业完整名称或统一社会信用代码")
            chosen = self.initial.get("enterprise")
            if chosen and not self.is_bound:
                self.initial["enterprise"] = qs.filter(pk=chosen).values_list("uscc", flat=True).first() or ""
        self.fields["major_item"].choices = major_item_choices()  # type: ignore[attr-defined]


class VerifyForm(forms.Form):
    grade = forms.ChoiceField(label=_("隐患等级"), choices=DangerGrade.choices)
    major_item = forms.ChoiceField(label=_("重大隐患判定条款"), required=False)
    reason = forms.CharField(label=_("核实意见"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["major_item"].choices = major_item_choices()  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    """五到位."""

    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    rectifier: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=_none("orgs.User"), label=_("整改责任人"), required=False
    )
    funds = forms.DecimalField(label=_("整改资金（元）"), required=False, min_value=0)
    deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contingency_plan = forms.CharField(
        label=_("应急预案/防范措施（重大隐患必填）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, danger: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anjian.orgs.models import User

        org_ids = [danger.enterprise.org_unit_id, danger.supervising_unit_id]
        self.fields["rectifier"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            org_id__in=[o for o in org_ids if o], is_active=True
        )


class PhotoForm(forms.Form):
    file = forms.FileField(
        label=_("照片"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    stage = forms.ChoiceField(label=_("阶段"), choices=PhotoStage.choices)


class ListingForm(forms.Form):
    deadline = forms.DateField(
        label=_("督办期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    requirements = forms.CharField(
        label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SettingsForm(forms.Form):
    principal_after_days = forms.IntegerField(
        label=_("逾期几天提醒企业主要负责人"), min_value=0, max_value=365
    )
    department_after_days = forms.IntegerField(label=_("逾期几天提醒监管部门"), min_value=0, max_value=365)
    committee_after_days = forms.IntegerField(label=_("逾期几天提醒安委办"), min_value=0, max_value=365)
    major_listing_days = forms.IntegerField(label=_("重大隐患默认督办期限（天）"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("修改原因"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b, c = (
            data.get(k) for k in ("principal_after_days", "department_after_days", "committee_after_days")
        )
        if None not in (a, b, c) and not (a <= b <= c):  # type: ignore[operator]
            raise forms.ValidationError(_("升级天数须逐级不减：主要负责人 ≤ 监管部门 ≤ 安委办"))
        return data
