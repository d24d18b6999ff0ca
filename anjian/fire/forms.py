"""Page forms of the fire app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.fire.models import Inspection


class InspectionForm(forms.ModelForm[Inspection]):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "inspector", "pressure_mpa", "result", "findings", "photo"]
        widgets = {"inspected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_photo(self) -> Any:
        from anjian.fire.api.serializers import MAX_PHOTO_BYTES

        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "size", 0) > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("照片不能超过5MB"))
        return photo


class GeoJSONImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON 文件"), help_text=_("FeatureCollection，WGS 84；properties.id 与 kind")
    )
