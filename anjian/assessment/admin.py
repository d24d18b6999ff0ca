"""View-only admin for the assessment: every change goes through the pages and actions, which audit it."""

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models

from anjian.assessment.models import AssessmentResult, AssessmentScheme, VetoEvent

_M = TypeVar("_M", bound=models.Model)


class ViewOnlyAdmin(admin.ModelAdmin[_M]):
    """Lists and shows rows; adding, changing and deleting happen in the audited pages."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ViewOnlyAdmin[AssessmentScheme]):
    list_display = ["year", "name", "is_final", "last_run_at", "needs_rerun"]


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ViewOnlyAdmin[AssessmentResult]):
    list_display = ["scheme", "unit", "rank", "total", "grade", "vetoed"]
    list_filter = ["scheme", "grade", "vetoed"]


@admin.register(VetoEvent)
class VetoEventAdmin(ViewOnlyAdmin[VetoEvent]):
    list_display = ["year", "unit", "grade", "occurred_on", "description", "source"]
    list_filter = ["year", "grade", "source"]
