"""Control characters are refused at input, for every text field of every form and serializer.

One stray ``\\x01`` in a training's course name, stored through the API, once made the whole register's
Excel export fail for everyone (openpyxl refuses such characters). Text that people type never needs
them, so they are refused where text enters: :func:`install` (called once from ``CoreConfig.ready``)
adds :func:`validate_no_control_characters` to every Django form ``CharField`` and every DRF
``CharField`` (and their subclasses: e-mail, slug, URL, choice-free text of every serializer), and the
Excel import's text parser refuses them the same way. Tab, line feed and carriage return stay allowed
(text areas hold them, and Excel writes them).

Exports stay robust to what is already stored: :func:`strip_control_characters` is applied to every
cell ``core.excel`` writes.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "CONTROL_CHARACTERS",
    "control_character_message",
    "find_control_character",
    "install",
    "strip_control_characters",
    "validate_no_control_characters",
]

#: C0 controls except tab, LF and CR; DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def find_control_character(value: str) -> str | None:
    """The first control character in ``value`` (``None`` when there is none)."""
    match = CONTROL_CHARACTERS.search(value)
    return match.group(0) if match else None


def control_character_message(label: str = "") -> str:
    """The Chinese refusal, naming the field when ``label`` is given."""
    if label:
        return _("“%(label)s”含有不可见的控制字符（如从其他系统复制时带入），请删除后重新填写") % {
            "label": label
        }
    return _("含有不可见的控制字符（如从其他系统复制时带入），请删除后重新填写")


def validate_no_control_characters(value: Any) -> None:
    """Django validator: refuse a string holding a control character other than tab, LF or CR."""
    if isinstance(value, str) and find_control_character(value) is not None:
        raise ValidationError(control_character_message(), code="control_character")


def strip_control_characters(value: str) -> str:
    """``value`` without control characters (for output that must not fail on stored text)."""
    return CONTROL_CHARACTERS.sub("", value)


_installed = False


def install() -> None:
    """Add the check to Django's and DRF's ``CharField`` (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    from django import forms
    from rest_framework import fields as drf_fields
    from rest_framework.exceptions import ValidationError as DRFValidationError

    form_clean = forms.CharField.to_python

    def form_to_python(self: forms.CharField, value: Any) -> Any:
        result = form_clean(self, value)
        if isinstance(result, str) and find_control_character(result) is not None:
            label = str(self.label) if self.label else ""
            raise ValidationError(control_character_message(label), code="control_character")
        return result

    forms.CharField.to_python = form_to_python  # type: ignore[method-assign]

    drf_clean = drf_fields.CharField.to_internal_value

    def drf_to_internal_value(self: drf_fields.CharField, data: Any) -> Any:
        result = drf_clean(self, data)
        if isinstance(result, str) and find_control_character(result) is not None:
            label = str(self.label or self.field_name or "")
            raise DRFValidationError(control_character_message(label), code="control_character")
        return result

    drf_fields.CharField.to_internal_value = drf_to_internal_value  # type: ignore[method-assign,assignment]
