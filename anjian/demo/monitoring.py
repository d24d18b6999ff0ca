"""Demo monitoring: points on the park's chemical plants, six hours of history run through the real ingest path
(so the alarms, their log and the rollups are what the rules give), and some alarms already handled.

``anjian demo`` then starts ``anjian simulate`` beside the web server, which keeps feeding the HTTP path.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.db import transaction

from anjian.demo.context import DemoContext

HOURS = 6
STEP_MS = 60_000


def _pick(ctx: DemoContext) -> list[Any]:
    from anjian.enterprises.models import Enterprise

    qs = Enterprise.objects.filter(industry="hazchem_production").order_by(
        "-major_hazard", "-key_process", "id"
    )
    chosen = list(qs[:8])
    first = (ctx.refs.get("enterprises") or [None])[0]
    if first is not None and first not in chosen:
        chosen = [first, *chosen[:7]]
    return chosen


def build(ctx: DemoContext) -> None:
    """Create points on up to eight chemical plants and feed them six hours of history."""
    from anjian.monitoring import actions
    from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, write_batch
    from anjian.monitoring.maintenance import offline_sweep, rollup
    from anjian.monitoring.models import Alarm
    from anjian.monitoring.plants import POINT_TEMPLATES, PointSim, create_points

    rng = ctx.child_rng("monitoring")
    enterprises = _pick(ctx)
    if not enterprises:
        return
    for i, ent in enumerate(enterprises):
        installation = ent.hazard_installations.order_by("id").first()
        create_points(ent, 12 if i else 18, rng=rng, installation=installation)
    registry = Registry.load()
    templates = {t["kind"]: t for t in POINT_TEMPLATES}
    sims: dict[str, list[PointSim]] = {}
    for code, points in registry.by_code.items():
        for tag, rt in points.items():
            from anjian.monitoring.models import MonitoringPoint

            kind = MonitoringPoint.objects.filter(pk=rt.point_id).values_list("kind", flat=True).first() or ""
            t = templates.get(kind, POINT_TEMPLATES[0])
            sims.setdefault(code, []).append(
                PointSim(tag=tag, base=t["base"], noise=t["noise"], h=rt.rules.h, value=t["base"])
            )
    gas = [s for code in sorted(sims) for s in sims[code] if s.tag.startswith("GT")]
    if gas:
        gas[0].mode = "flapping"
    silent = gas[1] if len(gas) > 1 else None
    now = int(time.time() * 1000) // STEP_MS * STEP_MS
    start = now - HOURS * 3_600_000
    rejects = Rejects()
    steps = HOURS * 60
    for k in range(steps):
        ts = start + k * STEP_MS
        if rng.random() < 0.05:
            victim = rng.choice([s for code in sims for s in sims[code] if s.mode == "normal"])
            victim.excursion_left = rng.randint(3, 8)
        batch = Batch()
        for code in sorted(sims):
            readings = [
                {"tag": s.tag, "v": s.next(rng), "ts": ts}
                for s in sims[code]
                if not (s is silent and k > steps - 90)
            ]
            decode_into(
                batch, code, json.dumps({"ts": ts, "readings": readings}).encode(), registry, rejects, now
            )
        with transaction.atomic():
            write_batch(batch, registry, rejects)
    offline_sweep(registry, now)
    rollup(start, now + STEP_MS)
    # Some alarms were already dealt with by the plants' duty staff.
    from anjian.orgs.models import User

    for alarm in Alarm.objects.filter(active=False).select_related("enterprise").order_by("raised_ms")[:40]:
        user = User.objects.filter(org=alarm.enterprise.org_unit, is_active=True).first()
        if user is None:
            user = User.objects.filter(role__in=["committee", "admin"]).first()
        if user is None:
            break
        actions.do_acknowledge_alarm(alarm, acting_user=user, reason="值班确认")
        if rng.random() < 0.8:
            false_alarm = rng.random() < 0.3
            actions.do_handle_alarm(
                alarm,
                acting_user=user,
                cause="探头受潮漂移" if false_alarm else rng.choice(["进料波动", "冷却水量不足", "法兰微漏"]),
                measures="校准探头"
                if false_alarm
                else rng.choice(["调整进料", "加大冷却", "紧固法兰并复测"]),
                false_alarm=false_alarm,
            )
            if rng.random() < 0.7:
                actions.do_close_alarm(alarm, acting_user=user, reason="已恢复正常")
