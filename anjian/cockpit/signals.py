"""Drop the cached overviews when a register they count changes (any save or delete of these models)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from anjian.cockpit.overview import invalidate

#: Models whose rows the overview counts.
WATCHED = (
    "enterprises.Enterprise",
    "enterprises.Standardization",
    "enterprises.Licence",
    "people.Certificate",
    "plans.PlanTask",
    "plans.Target",
    "plans.ProgressReport",
    "assessment.AssessmentResult",
)


def _changed(sender: Any, **kwargs: Any) -> None:
    # Now (the writing transaction's own next read sees the change) and on commit (an overview another
    # request computed in between from the old rows is dropped too).
    invalidate()
    transaction.on_commit(invalidate)


def connect() -> None:
    """Connect the invalidation to every watched model that is installed (bulk writes too: an Excel import
    of enterprises or certificates sends no ``post_save``)."""
    from anjian.core.actions import bulk_saved

    for label in WATCHED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=f"cockpit-{label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"cockpit-{label}-delete")
        bulk_saved.connect(_changed, sender=model, dispatch_uid=f"cockpit-{label}-bulk")
