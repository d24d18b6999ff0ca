"""Start-up of a web process: load what every request needs, then put it out of the cyclic collector's reach.

CPython's full (generation 2) collection walks every tracked object. A web process holds ~150,000 of them after
start-up (Django, every app's views, URL patterns, templates) and they live as long as it does, so each full
collection — every few dozen requests — re-walked them: at 20,000 enterprises one request in about twenty paid a
70–290 ms pause, the p95 outliers of ``bench/bench_scale.py``. ``gc.freeze()`` moves the objects alive now to a
permanent generation the collector skips (docs.python.org/3/library/gc.html#gc.freeze; the pattern Instagram
described for pre-fork servers, where it also keeps the pages shared after the fork). Measured the same way the
pauses fell to 9–14 ms.
"""

from __future__ import annotations

import gc

__all__ = ["warm_and_freeze"]


def warm_and_freeze() -> None:
    """Import every view (through the URL resolver), collect what start-up left over, freeze the rest."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the attribute access imports every URLconf and view
    gc.collect()
    gc.freeze()
