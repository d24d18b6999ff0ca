"""Uploaded files (certificate scans, evidence, …) served only to those who may see their object.

Media files are never published under a public URL: a page or the API links to
``/core/files/<app_label.model>/<pk>/<field>/`` (``core:file``), which fetches the object through the
access layer (absent and out of scope both answer 404) and streams the file.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from django.views import View

from anjian.core.access import access_by_id
from anjian.core.errors import ObjectNotFound
from anjian.core.models import BaseModel

__all__ = ["ProtectedFileView", "file_url"]


def file_url(obj: models.Model, field: str) -> str:
    """The scoped download URL of ``obj``'s file ``field``."""
    from django.urls import reverse

    return reverse("core:file", args=[obj._meta.label_lower, obj.pk, field])


class ProtectedFileView(LoginRequiredMixin, View):
    """Stream file ``field`` of object ``pk`` of model ``label`` if the user may see the object."""

    def get(self, request: HttpRequest, label: str, pk: int, field: str) -> FileResponse:
        try:
            model = apps.get_model(label)
            file_field = model._meta.get_field(field)
        except (LookupError, ValueError, FieldDoesNotExist) as exc:
            raise Http404 from exc
        # Only files of scoped models: every other model (users, audit rows, …) has no download.
        if not issubclass(model, BaseModel) or not isinstance(file_field, models.FileField):
            raise Http404
        try:
            obj = access_by_id(model, request.user, pk)
        except ObjectNotFound as exc:
            raise Http404(exc.message) from exc
        stored = getattr(obj, field)
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("文件不存在") from exc
        # Always a download: an uploaded HTML or SVG file must never render inside the platform's origin.
        return FileResponse(handle, as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])
