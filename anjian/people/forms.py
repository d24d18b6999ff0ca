"""Page forms; field rules are the models' ``clean()`` (the same as the API and Excel import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.people.access import assignable_enterprises, assignable_units, changeable_people
from anjian.people.identity import normalize_id_number
from anjian.people.models import Certificate, Person, TrainingRecord

if TYPE_CHECKING:
    from anjian.enterprises.models import Enterprise
    from anjian.orgs.models import OrgUnit

__all__ = ["CertificateForm", "ImportForm", "PersonForm", "TrainingForm"]


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.ModelForm[Person]):
    """Register or edit a person; the employer choices are those the user may register people in."""

    class Meta:
        model = Person
        fields = [
            "name",
            "id_type",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "employer_enterprise",
            "employer_unit",
            "job",
            "role_category",
            "education",
            "major",
            "major_safety_related",
            "years_experience",
            "is_active",
        ]
        widgets = {"birth_date": _DateInput()}
        help_texts = {
            "id_number": _("居民身份证按 GB 11643-1999 校验，性别和出生日期自动得出"),
            "employer_enterprise": _("企业人员填写所在企业，部门人员填写所在部门，二者只能填一项"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprises = assignable_enterprises(user)
        units = assignable_units(user)
        cast("forms.ModelChoiceField[Enterprise]", self.fields["employer_enterprise"]).queryset = enterprises
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["employer_unit"]).queryset = units
        if not units.exists():
            # Enterprise users register only their own staff.
            del self.fields["employer_unit"]
            if self.instance.pk is None and enterprises.count() == 1:
                only = enterprises.first()
                if only is not None:
                    self.initial.setdefault("employer_enterprise", only.pk)
        self.fields["sex"].help_text = _("居民身份证无需填写")
        self.fields["birth_date"].help_text = _("居民身份证无需填写")

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data.get("id_number"))

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the model fields this form edits."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class CertificateForm(forms.ModelForm[Certificate]):
    """Register or edit a certificate of a person the user may change."""

    class Meta:
        model = Certificate
        fields = [
            "person",
            "kind",
            "category",
            "operation_item",
            "number",
            "issuer",
            "issued_on",
            "expires_on",
            "file",
        ]
        widgets = {"issued_on": _DateInput(), "expires_on": _DateInput()}

    def __init__(self, *args: Any, user: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Person]", self.fields["person"]).queryset = changeable_people(user)
        if person is not None:
            self.fields["person"].initial = person.pk
            self.fields["person"].widget = forms.HiddenInput()

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the model fields this form edits."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class TrainingForm(forms.ModelForm[TrainingRecord]):
    """Record a training of a person the user may change."""

    class Meta:
        model = TrainingRecord
        fields = ["person", "course", "kind", "hours", "date", "result", "provider"]
        widgets = {"date": _DateInput()}

    def __init__(self, *args: Any, user: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Person]", self.fields["person"]).queryset = changeable_people(user)
        if person is not None:
            self.fields["person"].initial = person.pk
            self.fields["person"].widget = forms.HiddenInput()

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the model fields this form edits."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ImportForm(forms.Form):
    """Upload of an .xlsx file."""

    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件"))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 10 MB"))
        return upload
