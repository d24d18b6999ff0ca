"""Forms of the plans pages. Validation of the model fields lives in the models' ``clean()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet

from anjian.core import metrics
from anjian.plans.choices import ReportStatus
from anjian.plans.constants import METRIC_BINDINGS

if TYPE_CHECKING:
    from anjian.orgs.models import OrgUnit
    from anjian.plans.models import PlanTask


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (evidence uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """File a quarterly progress report: 季度, 状态, 进展情况, 佐证材料."""

    period = forms.ChoiceField(label="季度")
    status = forms.ChoiceField(label="状态", choices=ReportStatus.choices)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 6}))
    evidence = MultipleFileField(
        label="佐证材料", required=False, help_text="可上传多个文件（照片、会议纪要、文件等）"
    )

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period"]).choices = periods

    def year_quarter(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)


class NoticeForm(forms.Form):
    """Send a 督办 notice."""

    # The querysets are set per request in ``__init__``.
    unit: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(label="督办单位", queryset=None)
    task: forms.ModelChoiceField[PlanTask] = forms.ModelChoiceField(
        label="相关任务", queryset=None, required=False
    )
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="督办内容", widget=forms.Textarea(attrs={"rows": 5}))
    due_date = forms.DateField(
        label="办理期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], tasks: QuerySet[PlanTask], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["unit"]).queryset = units
        cast("forms.ModelChoiceField[PlanTask]", self.fields["task"]).queryset = tasks


class NoticeStepForm(forms.Form):
    """签收 / 回复 / 办结: an optional note, and the answer text for 回复."""

    answer = forms.CharField(label="回复内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.CharField(label="备注", required=False, max_length=500)


def metric_choices() -> list[tuple[str, str]]:
    """Registered metrics plus the keys the import mapping knows (marked 尚未接入 when not registered)."""
    choices: dict[str, str] = {"": "（不绑定）"}
    for definition in metrics.registered():
        choices[definition.key] = f"{definition.label}（{definition.key}）"
    for _pattern, key in METRIC_BINDINGS:
        choices.setdefault(key, f"{key}（尚未接入）")
    return list(choices.items())


class TargetBindForm(forms.Form):
    """Bind a target to a metric (committee office)."""

    metric_key = forms.CharField(label="绑定指标", required=False, max_length=100)
    reason = forms.CharField(label="原因", required=False, max_length=500)


class ReportImportForm(forms.Form):
    """Upload an Excel file of progress reports."""

    file = forms.FileField(label="Excel 文件", help_text="列：任务编号、单位、年度、季度、状态、进展情况")
