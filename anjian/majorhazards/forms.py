"""Page forms of the 重大危险源 register. Field rules live in the models and ``actions`` (same as API and Excel)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core.access import restrict
from anjian.core.workflow import allowed_verbs
from anjian.enterprises.forms import GeoJSONField
from anjian.enterprises.models import Enterprise
from anjian.majorhazards.actions import FILING_FIELDS
from anjian.majorhazards.choices import InstallationStatus, ResponsibilityLevel
from anjian.majorhazards.models import HazardInstallation, InventoryLine
from anjian.majorhazards.workflows import INSTALLATION_FLOW
from anjian.people.models import Person

__all__ = [
    "CalculatorForm",
    "CheckForm",
    "InstallationForm",
    "InventoryLineForm",
    "ResponsibilityForm",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InstallationForm(forms.ModelForm[HazardInstallation]):
    """Create or edit an installation. The enterprise is fixed once created; filing only for departments."""

    outline_geojson = GeoJSONField(
        label=_("范围轮廓（GeoJSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Polygon 或 MultiPolygon，经纬度坐标"),
    )

    class Meta:
        model = HazardInstallation
        fields = [
            "enterprise",
            "code",
            "name",
            "unit_kind",
            "status",
            "population_500m",
            "identified_on",
            "lon",
            "lat",
            "outline_geojson",
            "filing_status",
            "filing_number",
            "filed_on",
            "assessment_report_no",
            "assessment_agency",
            "assessed_on",
            "assessment_conclusion",
            "assessment_file",
            "description",
        ]
        widgets = {
            "identified_on": _DATE,
            "filed_on": _DATE,
            "assessed_on": _DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any, may_file: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = restrict(Enterprise.objects.all(), user, "change").order_by("name")
        if self.instance.pk is not None:
            self.fields.pop("enterprise")
            # only the current status and those a step of INSTALLATION_FLOW reaches (已核销 is final)
            current = self.instance.status
            reachable = {current} | {
                str(e.target) for e in allowed_verbs(INSTALLATION_FLOW, self.instance, user)
            }
            status = self.fields["status"]
            assert isinstance(status, forms.ChoiceField)
            status.choices = [(v, label) for v, label in InstallationStatus.choices if v in reachable]
        if not may_file:
            for name in FILING_FIELDS:
                self.fields.pop(name)


class InventoryLineForm(forms.ModelForm[InventoryLine]):
    """One hazardous chemical of an installation; checked against GB 18218-2018 by the action."""

    class Meta:
        model = InventoryLine
        fields = [
            "substance",
            "cas",
            "category",
            "max_quantity_t",
            "physical_state",
            "container",
            "temperature_c",
            "pressure_mpa",
            "conditions",
        ]


class ResponsibilityForm(forms.Form):
    """Assign the 包保 person of one level (a person of the installation's enterprise)."""

    level = forms.ChoiceField(label=_("包保层级"), choices=ResponsibilityLevel.choices)
    person = forms.ModelChoiceField(label=_("责任人"), queryset=Person.objects.none())
    since = forms.DateField(label=_("起始日期"), widget=_DATE)
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)

    def __init__(self, *args: Any, installation: HazardInstallation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = restrict(Person.objects.all(), user).filter(
            employer_enterprise_id=installation.enterprise_id, is_active=True
        )
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people.order_by("name")


class CheckForm(forms.Form):
    """One 包保 check, logged on a phone (position from the browser when allowed)."""

    level = forms.ChoiceField(label=_("包保层级"), choices=ResponsibilityLevel.choices)
    findings = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    problems_found = forms.IntegerField(label=_("发现问题数"), min_value=0, initial=0)
    lon = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    lat = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)


class CalculatorForm(forms.Form):
    """The calculator page: people within 500 m and up to 20 substance rows (named ``name_N``, ``q_N``…)."""

    population = forms.IntegerField(
        label=_("500米内常住人口"), min_value=0, help_text=_("厂区边界向外扩展500米范围内常住人口数")
    )
