"""Forms of the assessment pages. They parse input only; the actions validate through ``Model.clean()``
(the same rules as the API), and the views put an action's Chinese error back on the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.assessment.choices import AccidentGrade, RuleKind, VetoKind
from anjian.assessment.constants import ASSESSED_KINDS
from anjian.orgs.models import OrgUnit

__all__ = [
    "AdjustmentForm",
    "ReasonForm",
    "RuleForm",
    "SchemeCreateForm",
    "SchemeEditForm",
    "VetoEventForm",
    "VetoRuleForm",
]

_LATE_FACTOR_KINDS = {RuleKind.REPORTS_ON_TIME, RuleKind.NOTICES_ANSWERED}
_COUNT_KINDS = {VetoKind.NOTICE_IGNORED, VetoKind.REPORTS_MISSING_AT_LEAST}


def _assessed_unit_field(**kwargs: Any) -> forms.ModelChoiceField[OrgUnit]:
    return forms.ModelChoiceField(
        queryset=OrgUnit.objects.filter(kind__in=ASSESSED_KINDS, is_active=True).order_by("kind", "code"),
        **kwargs,
    )


class ReasonForm(forms.Form):
    """A reason, required to withdraw something."""

    reason = forms.CharField(label=_("原因"), max_length=300)


class SchemeCreateForm(forms.Form):
    """A new year's scheme (it starts with the default rules and vetoes)."""

    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    name = forms.CharField(
        label=_("名称"), max_length=200, required=False, help_text=_("留空则为“某年度安全生产考核”")
    )


class SchemeEditForm(forms.Form):
    """The scheme's name and grade thresholds."""

    name = forms.CharField(label=_("名称"), max_length=200)
    excellent = forms.DecimalField(label=_("优秀分数线"), max_digits=5, decimal_places=1)
    good = forms.DecimalField(label=_("良好分数线"), max_digits=5, decimal_places=1)
    passing = forms.DecimalField(label=_("合格分数线"), max_digits=5, decimal_places=1)
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)

    def grade_bands(self) -> dict[str, str]:
        """The thresholds in the stored JSON form."""
        data = self.cleaned_data
        return {"excellent": str(data["excellent"]), "good": str(data["good"]), "pass": str(data["passing"])}


class RuleForm(forms.Form):
    """A scoring rule; ``kind`` is chosen when the rule is added and fixed afterwards."""

    kind = forms.ChoiceField(label=_("规则类型"), choices=RuleKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    max_points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=1)
    late_factor = forms.DecimalField(
        label=_("逾期折算系数"),
        max_digits=3,
        decimal_places=2,
        required=False,
        help_text=_("仅用于“进展报告按时报送”“督办通知按期回复”：逾期一次按几次计（0–1），如 0.5"),
    )
    order = forms.IntegerField(label=_("顺序"), min_value=0, initial=0)
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)

    def __init__(self, *args: Any, fixed_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_kind is not None:
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = fixed_kind

    def params(self) -> dict[str, Any]:
        """The rule's parameters from the cleaned data."""
        factor: Decimal | None = self.cleaned_data.get("late_factor")
        if self.cleaned_data["kind"] in _LATE_FACTOR_KINDS and factor is not None:
            return {"late_factor": str(factor)}
        return {}


class VetoRuleForm(forms.Form):
    """A veto condition: an accident grade, or a count."""

    kind = forms.ChoiceField(label=_("否决条件类型"), choices=VetoKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    grade = forms.ChoiceField(
        label=_("事故等级（及以上）"),
        choices=AccidentGrade.choices,
        required=False,
        initial=AccidentGrade.LARGER,
        help_text=_("仅用于“辖区发生一定等级以上生产安全事故”"),
    )
    count = forms.IntegerField(
        label=_("次数（及以上）"),
        min_value=1,
        required=False,
        initial=1,
        help_text=_("用于“督办通知逾期未签收”“缺报季度进展报告”"),
    )
    order = forms.IntegerField(label=_("顺序"), min_value=0, initial=0)
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)

    def __init__(self, *args: Any, fixed_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_kind is not None:
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = fixed_kind

    def params(self) -> dict[str, Any]:
        """The condition's parameters from the cleaned data (the accident grade in Chinese, as stored)."""
        kind = self.cleaned_data["kind"]
        if kind == VetoKind.ACCIDENT_AT_LEAST:
            grade = self.cleaned_data.get("grade") or AccidentGrade.LARGER
            return {"grade": str(AccidentGrade(grade).label)}
        if kind in _COUNT_KINDS:
            return {"count": self.cleaned_data.get("count") or 1}
        return {}


class VetoEventForm(forms.Form):
    """An accident in a unit's remit, recorded by the committee office."""

    unit = _assessed_unit_field(label=_("责任单位"), help_text=_("事故发生地所在镇或负有监管职责的部门"))
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(
        label=_("事故等级"),
        choices=AccidentGrade.choices,
        help_text=_("按《生产安全事故报告和调查处理条例》（国务院令第493号）第三条"),
    )
    occurred_on = forms.DateField(
        label=_("发生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("事件概况"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class AdjustmentForm(forms.Form):
    """Points added or taken off a unit, with the reason."""

    unit = _assessed_unit_field(label=_("单位"))
    points = forms.DecimalField(
        label=_("调整分值"), max_digits=4, decimal_places=1, help_text=_("加分填正数，减分填负数，如 -2")
    )
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
