"""Run the benchmarks and write ``bench/results/<name>.json`` (numbers of this machine, with its core count)."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Run each ``bench_*.py`` (or those named on the command line) and save its result."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.test_settings")
    import django

    django.setup()
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("bench_*.py"))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        result = module.run()
        result["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
        (out / f"{name}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"{name}: {json.dumps(result['summary'], ensure_ascii=False)}")


if __name__ == "__main__":
    main()
