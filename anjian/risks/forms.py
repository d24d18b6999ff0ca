"""Page forms of the risk register: one per link of the chain, and inspection tasks from a unit's measures.

Field rules live in the models (``clean``) and ``actions.do_save``, the same for pages, API and Excel. The
responsible people offered are the enterprise's own staff; the installations its own 重大危险源 register.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.dangers.choices import Cycle
from anjian.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskUnit

__all__ = ["EventForm", "MeasureForm", "ObjectForm", "TaskForm", "UnitForm"]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _staff(enterprise_id: int | None) -> Any:
    from anjian.people.models import Person

    return Person.objects.filter(employer_enterprise_id=enterprise_id).order_by("name")


class _ChainForm(forms.ModelForm):  # type: ignore[type-arg]
    """Offers only the enterprise's own people (and installations) in its choice fields."""

    def __init__(self, *args: Any, enterprise_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "liable_person" in self.fields:
            self.fields["liable_person"].queryset = _staff(enterprise_id)  # type: ignore[attr-defined]


class ObjectForm(_ChainForm):
    class Meta:
        model = RiskObject
        fields = [
            "code",
            "name",
            "kind",
            "installation",
            "is_major_hazard",
            "department",
            "liable_person",
            "lon",
            "lat",
        ]

    def __init__(self, *args: Any, enterprise_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, enterprise_id=enterprise_id, **kwargs)
        from anjian.majorhazards.models import HazardInstallation

        installations = HazardInstallation.objects.filter(enterprise__pk=enterprise_id or 0)
        self.fields["installation"].queryset = installations.order_by("code")  # type: ignore[attr-defined]
        self.fields["lon"].help_text = _("用于四色风险分布图（WGS 84）")


class UnitForm(_ChainForm):
    class Meta:
        model = RiskUnit
        fields = ["name", "post", "liable_person", "hazards", "emergency_actions", "emergency_phones"]
        widgets = {
            "hazards": forms.Textarea(attrs={"rows": 2}),
            "emergency_actions": forms.Textarea(attrs={"rows": 3}),
        }


class EventForm(_ChainForm):
    class Meta:
        model = RiskEvent
        fields = ["name", "description", "consequence"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class MeasureForm(_ChainForm):
    class Meta:
        model = ControlMeasure
        fields = ["kind", "description", "check_content", "liable_person"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "check_content": forms.Textarea(attrs={"rows": 2}),
        }


class TaskForm(forms.Form):
    """隐患排查任务 for every control measure of a unit (or the ones ticked)."""

    cycle = forms.ChoiceField(label=_("排查周期"), choices=Cycle.choices, initial=Cycle.DAILY)
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("排查人"), queryset=None)
    valid_from = forms.DateField(label=_("有效期自"), widget=_DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=_DATE, required=False)
    measures = forms.ModelMultipleChoiceField(
        label=_("管控措施"),
        queryset=ControlMeasure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为本单元全部管控措施各建一个任务"),
    )

    def __init__(self, *args: Any, unit: RiskUnit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        from anjian.orgs.models import User

        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, org__enterprise__pk=unit.enterprise_id
        ).order_by("username")
        self.fields["measures"].queryset = ControlMeasure.objects.filter(  # type: ignore[attr-defined]
            event__unit=unit
        ).order_by("event_id", "id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("有效期至不能早于有效期自"))
        return data
