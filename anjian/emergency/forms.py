"""Page forms of the emergency app. Field rules live in ``Model.clean()`` (the same as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core.access import restrict, scope_of
from anjian.emergency.choices import ResourceKind, TimelineKind
from anjian.emergency.models import Drill, EmergencyPlan, Footprint, Incident, Resource

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "style": "width:100%;padding:.45rem .6rem;font-size:1rem"},
    format="%Y-%m-%dT%H:%M",
)


class ScopedOwnerForm(forms.ModelForm[Any]):
    """Enterprise and unit choices limited to what the user may change; an enterprise user's own only."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anjian.enterprises.models import Enterprise
        from anjian.orgs.models import OrgUnit

        scope = scope_of(user)
        if "enterprise" in self.fields:
            field = self.fields["enterprise"]
            field.queryset = restrict(Enterprise.objects.all(), user, "change")  # type: ignore[attr-defined]
            if scope.is_enterprise:
                field.required = True
                field.empty_label = None  # type: ignore[attr-defined]
        if "owner_unit" in self.fields:
            units = OrgUnit.objects.filter(kind__in=["department", "town", "committee", "rescue"])
            if not scope.sees_all:
                units = units.filter(pk__in=sorted(scope.unit_ids))
            self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]
            if scope.is_enterprise:
                del self.fields["owner_unit"]
        if "plan" in self.fields:
            self.fields["plan"].queryset = restrict(EmergencyPlan.objects.all(), user)  # type: ignore[attr-defined]
        if "installations" in self.fields:
            from anjian.majorhazards.models import HazardInstallation

            self.fields["installations"].queryset = restrict(  # type: ignore[attr-defined]
                HazardInstallation.objects.select_related("enterprise"), user
            )
        if "resource" in self.fields:
            self.fields["resource"].queryset = restrict(Resource.objects.all(), user)  # type: ignore[attr-defined]


class PlanForm(ScopedOwnerForm):
    class Meta:
        model = EmergencyPlan
        fields = [
            "title", "kind", "level", "enterprise", "owner_unit", "version", "approved_on", "approved_by",
            "filed_on", "filing_no", "scenarios", "linked_risks", "installations",
        ]  # fmt: skip
        widgets = {
            "approved_on": _DATE,
            "filed_on": _DATE,
            "scenarios": forms.Textarea(attrs={"rows": 2}),
            "linked_risks": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        enterprise = data.get("enterprise")
        wrong = [
            i
            for i in data.get("installations") or []
            if enterprise is not None and i.enterprise_id != enterprise.pk
        ]
        if wrong:
            self.add_error("installations", _("只能关联本企业的危险源"))
        return data


class ResourceForm(ScopedOwnerForm):
    class Meta:
        model = Resource
        fields = [
            "kind", "team_type", "name", "quantity", "unit_label", "enterprise", "owner_unit", "contact",
            "phone", "address", "lon", "lat", "note",
        ]  # fmt: skip


class DrillForm(ScopedOwnerForm):
    class Meta:
        model = Drill
        fields = [
            "title", "plan", "enterprise", "owner_unit", "held_on", "scenario", "participants",
            "participant_units", "evaluation",
        ]  # fmt: skip
        widgets = {
            "held_on": _DATE,
            "scenario": forms.Textarea(attrs={"rows": 2}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
        }


class ImprovementForm(forms.Form):
    description = forms.CharField(label=_("整改事项"), max_length=300)
    owner_name = forms.CharField(label=_("责任人"), max_length=50, required=False)
    due_on = forms.DateField(label=_("整改期限"), required=False, widget=_DATE)


class IncidentReportForm(ScopedOwnerForm):
    """The phone-friendly first report: what, when, where, casualties."""

    class Meta:
        model = Incident
        fields = [
            "title", "kind", "occurred_at", "known_at", "place", "enterprise", "town", "deaths", "injuries",
            "loss_cny", "lon", "lat", "summary",
        ]  # fmt: skip
        widgets = {
            "occurred_at": _DATETIME,
            "known_at": _DATETIME,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "deaths": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "injuries": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from anjian.orgs.models import OrgUnit

        self.fields["town"].queryset = OrgUnit.objects.filter(kind="town")  # type: ignore[attr-defined]
        self.fields["lon"].widget.attrs["inputmode"] = "decimal"
        self.fields["lat"].widget.attrs["inputmode"] = "decimal"


class CasualtiesForm(forms.Form):
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0)
    injuries = forms.IntegerField(label=_("重伤人数"), min_value=0)
    loss_cny = forms.DecimalField(label=_("直接经济损失（元）"), min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("变化说明"), max_length=300)


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            (k.value, k.label) for k in (TimelineKind.DECISION, TimelineKind.DISPATCH, TimelineKind.FOLLOW_UP)
        ],
    )
    text = forms.CharField(label=_("内容"), max_length=500, required=False)
    resource = forms.ModelChoiceField(label=_("调派资源"), queryset=Resource.objects.none(), required=False)
    quantity = forms.DecimalField(label=_("调派数量"), min_value=0, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = restrict(Resource.objects.all(), user)  # type: ignore[attr-defined]


class DangerForm(forms.Form):
    description = forms.CharField(label=_("调查发现的隐患"), max_length=300)


class FootprintForm(forms.ModelForm[Footprint]):
    class Meta:
        model = Footprint
        fields = [
            "name", "substance", "lon", "lat", "release_gs", "height_m", "wind_speed", "wind_from_deg",
            "daytime", "insolation", "cloud_oktas", "stability", "level1_label", "level1_mg_m3", "level2_label",
            "level2_mg_m3",
        ]  # fmt: skip
        help_texts = {"stability": _("留空则按风速、昼夜、日照和云量查表确定（A–F）")}


class NearestForm(forms.Form):
    lon = forms.DecimalField(label=_("经度"), min_value=70, max_value=140, decimal_places=6)
    lat = forms.DecimalField(label=_("纬度"), min_value=0, max_value=60, decimal_places=6)
    kind = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *ResourceKind.choices], required=False
    )
