"""A generation counter for caches that read geography or registers (the cockpit keys its cache on it)."""

from __future__ import annotations

from django.core.cache import cache as django_cache

__all__ = ["bump", "generation"]

_KEY = "anjian:geo:generation"


def generation() -> int:
    """The current generation (changes whenever :func:`bump` is called)."""
    value = django_cache.get(_KEY)
    if value is None:
        django_cache.add(_KEY, 1, timeout=None)
        value = django_cache.get(_KEY, 1)
    return int(value)


def bump() -> None:
    """Invalidate every cache keyed on the generation."""
    try:
        django_cache.incr(_KEY)
    except ValueError:
        django_cache.set(_KEY, 2, timeout=None)
