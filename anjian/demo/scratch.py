"""Scratch plants for the ingest benchmark and the crash tests (``anjian monitoring setup-points``): numbered
chemical enterprises sharing a number of monitoring points, in a scratch database of their own.

Like the demo zone this is generated data; the points themselves are created through
``monitoring.actions.do_create_points`` (``monitoring.plants.create_points``).
"""

from __future__ import annotations

import math
import random

from anjian.monitoring.plants import create_points

__all__ = ["setup_scratch_points"]


def setup_scratch_points(enterprises: int, points: int, first: int = 0) -> dict[str, list[str]]:
    """Create ``enterprises`` enterprises sharing ``points`` points (bench and crash tests); return code → tags.

    ``first`` numbers the enterprises from there, so a second call adds enterprises instead of repeating codes.
    """
    from anjian.domain.check_digits import org_code_check_char, uscc_check_char
    from anjian.enterprises.models import Enterprise

    rng = random.Random(7)
    out: dict[str, list[str]] = {}
    per = math.ceil(points / enterprises)
    for n in range(first, first + enterprises):
        body = f"{n + 70000:08d}"
        first17 = "91152921" + body + org_code_check_char(body)
        ent = Enterprise.objects.create(
            uscc=first17 + uscc_check_char(first17),
            name=f"压测化工企业{n + 1}",
            industry="hazchem_production",
        )
        created = create_points(ent, min(per, points - (n - first) * per), rng=rng)
        out[ent.uscc] = [p.tag for p in created]
    return out
