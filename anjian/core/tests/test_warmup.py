"""The web entry points load every view and freeze the start-up heap (core.warmup)."""

from __future__ import annotations

import gc
import sys


def test_warm_and_freeze_imports_the_views_and_freezes_what_is_alive():
    from anjian.core.warmup import warm_and_freeze

    gc.unfreeze()
    try:
        warm_and_freeze()
        # then: the views of every app are loaded and the heap alive now is out of the collector's reach
        assert "anjian.monitoring.views" in sys.modules and "anjian.plans.views" in sys.modules
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_wsgi_entry_point_starts_a_process_frozen():
    import os
    import subprocess

    code = "import gc, anjian.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "ANJIAN_SECRET_KEY": os.environ.get("ANJIAN_SECRET_KEY", "test-only-key")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip().splitlines()[-1]) > 10_000
