"""Drop cached map layers when an enterprise (location, plot, flags), its standardisation grade or a grid
(网格员, phone) changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from anjian.geo.cache import bump_now_and_on_commit

__all__ = ["connect"]


def _changed(sender: Any, **kwargs: Any) -> None:
    bump_now_and_on_commit()


def connect() -> None:
    """Connect the invalidation to the registers the enterprise layers read."""
    from anjian.core.actions import bulk_saved
    from anjian.enterprises.models import Enterprise, Grid, Standardization

    for model in (Enterprise, Standardization, Grid):
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"geo-{label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"geo-{label}-delete")
        bulk_saved.connect(_changed, sender=model, dispatch_uid=f"geo-{label}-bulk")
