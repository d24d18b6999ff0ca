"""Drop the cached four-colour map layers when a risk analysis object changes (its level, position or name;
levels follow assessments through ``refresh_levels``, which saves the object)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

__all__ = ["connect"]


def _changed(sender: Any, **kwargs: Any) -> None:
    from anjian.geo.cache import bump_now_and_on_commit

    bump_now_and_on_commit("risks")


def connect() -> None:
    """Connect the invalidation to the register the risk layers read."""
    from anjian.core.actions import bulk_saved
    from anjian.risks.models import RiskObject

    post_save.connect(_changed, sender=RiskObject, dispatch_uid="risks-object-save")
    post_delete.connect(_changed, sender=RiskObject, dispatch_uid="risks-object-delete")
    bulk_saved.connect(_changed, sender=RiskObject, dispatch_uid="risks-object-bulk")
