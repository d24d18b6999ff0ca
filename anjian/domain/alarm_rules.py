"""Alarm rules of one monitoring point: a point's state and a reading in, the alarm events out.

This is the hot path of the ingest worker, so the state is a small mutable object with ``__slots__`` that
:func:`step` updates in place and the events are plain tuples; everything else is pure (no clock, no I/O,
no Django). The worker persists a state whenever :func:`step` reports that it changed.

Semantics (issue 12, also the contract of ``anjian monitoring replay``):

* **Process levels** H/HH (high) and L/LL (low). A level is *entered* when readings stay at or above
  (low side: at or below) its threshold for ``on_delay_s`` — the event is stamped at the first reading that
  completes the delay (``on_delay_s = 0``: the first such reading). It is *left* when readings stay below
  threshold − deadband (low side: above threshold + deadband) for ``off_delay_s``. The shown level is the most
  severe entered one; going None→X is ``raised``, X→None ``cleared`` (with the level that was cleared), and
  any move between two levels ``changed`` (with the new level). The deadband is the hysteresis that keeps a
  value wandering around a threshold from *chattering* (ISA-18.2 / EEMUA 191: deadband and on/off delays
  are the designed cures for chattering alarms).
* **Bad quality** (``q != 0``) is a device alarm, not a process alarm: ``device_fault`` once, process alarms
  are suspended (the value is not evaluated, running delays restart, an entered level is kept as it was —
  a broken transmitter neither raises nor clears a process alarm), and the first good reading emits
  ``device_ok`` and is evaluated normally.
* **Offline**: no reading within ``offline_after_s`` (strictly later than last reading + timeout) makes the
  point ``offline``, stamped at last reading + timeout; the next reading emits ``online`` first. Running delays
  restart after a gap. :func:`check_offline` does the same for a clock time (the worker's periodic job,
  the replay's ``until``).
* **Rate of change** (optional ``roc_per_s``): |Δv / Δt| between consecutive good readings above the limit
  emits ``rate_high``; the next reading within the limit emits ``rate_ok``.
* **Order**: a reading not newer than the last one seen (duplicate or out of order) changes nothing. The
  worker still stores it once (the readings table is unique per point and time).

Defaults for gas detectors follow GB/T 50493-2019 《石油化工可燃气体和有毒气体检测报警设计标准》 §5.5.2:
combustible gas first-level ≤ 25 % LEL, second-level ≤ 50 % LEL; toxic gas first-level ≤ 100 % OEL,
second-level ≤ 200 % OEL (see :func:`gas_detector_defaults`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "CHANGED",
    "CHATTER_COUNT",
    "CHATTER_WINDOW_MS",
    "EVENTS",
    "IGNORED",
    "LEVELS",
    "SEEN",
    "STANDING_MS",
    "AlarmEvent",
    "PointRules",
    "PointState",
    "chattering_bursts",
    "check_offline",
    "gas_detector_defaults",
    "replay",
    "step",
]

Level = Literal["H", "HH", "L", "LL"]
LEVELS: Final = ("LL", "L", "H", "HH")
EVENTS: Final = (
    "raised",
    "changed",
    "cleared",
    "device_fault",
    "device_ok",
    "offline",
    "online",
    "rate_high",
    "rate_ok",
)

#: Severity order of the process levels (0 = normal); L/LL mirror H/HH.
_SEVERITY: Final = {None: 0, "H": 1, "HH": 2, "L": 1, "LL": 2}

#: ISA-18.2 (ANSI/ISA-18.2-2016 §16.6; EEMUA 191): a chattering alarm activates three or more times in one minute.
CHATTER_COUNT: Final = 3
CHATTER_WINDOW_MS: Final = 60_000
#: ISA-18.2: a standing (stale) alarm stays active for more than 24 hours.
STANDING_MS: Final = 24 * 3600 * 1000

#: One alarm event: (epoch ms, event name, level or ``None``).
AlarmEvent = tuple[int, str, str | None]


@dataclass(frozen=True)
class PointRules:
    """The alarm configuration of one point (thresholds in the point's unit, delays in seconds)."""

    h: float | None = None
    hh: float | None = None
    l: float | None = None  # noqa: E741 - the field names are the issue's JSON keys
    ll: float | None = None
    deadband: float = 0.0
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    offline_after_s: float | None = None
    roc_per_s: float | None = None

    def __post_init__(self) -> None:
        # Precomputed for the hot path: the band of values where a quiet point needs no evaluation.
        highs = [x for x in (self.h, self.hh) if x is not None]
        lows = [x for x in (self.l, self.ll) if x is not None]
        object.__setattr__(self, "_quiet_hi", min(highs) if highs else math.inf)
        object.__setattr__(self, "_quiet_lo", max(lows) if lows else -math.inf)
        timeout = self.offline_after_s
        object.__setattr__(self, "_offline_ms", None if timeout is None else round(timeout * 1000))

    _quiet_hi: float = field(init=False, repr=False, compare=False)
    _quiet_lo: float = field(init=False, repr=False, compare=False)
    _offline_ms: int | None = field(init=False, repr=False, compare=False)

    def problems(self) -> list[str]:
        """Chinese reasons why this configuration is inconsistent (empty when it is fine)."""
        out: list[str] = []
        if self.h is not None and self.hh is not None and self.hh < self.h:
            out.append("高高报警值（二级）不应低于高报警值（一级）")
        if self.l is not None and self.ll is not None and self.ll > self.l:
            out.append("低低报警值（二级）不应高于低报警值（一级）")
        highs = [x for x in (self.h, self.hh) if x is not None]
        lows = [x for x in (self.l, self.ll) if x is not None]
        if highs and lows and min(highs) <= max(lows):
            out.append("高报警值应高于低报警值")
        for name, value in (
            ("回差", self.deadband),
            ("报警延时", self.on_delay_s),
            ("消警延时", self.off_delay_s),
        ):
            if value < 0 or not math.isfinite(value):
                out.append(f"{name}不能为负数")
        if self.offline_after_s is not None and not self.offline_after_s > 0:
            out.append("离线判定时间应大于0")
        if self.roc_per_s is not None and not self.roc_per_s > 0:
            out.append("变化率限值应大于0")
        return out

    @property
    def on_delay_ms(self) -> int:
        return round(self.on_delay_s * 1000)

    @property
    def off_delay_ms(self) -> int:
        return round(self.off_delay_s * 1000)


class PointState:
    """What the rules remember about one point between readings (persisted by the worker when it changes).

    ``level`` is the shown process level; ``enter_ms``/``exit_ms`` hold, per level, since when the entry
    (resp. exit) condition has held without interruption, or ``None``.
    """

    __slots__ = (
        "enter_ms",
        "exit_ms",
        "fault",
        "last_ms",
        "last_v",
        "level",
        "offline",
        "rate_high",
    )

    def __init__(
        self,
        *,
        last_ms: int | None = None,
        last_v: float | None = None,
        level: str | None = None,
        fault: bool = False,
        offline: bool = False,
        rate_high: bool = False,
        enter_ms: dict[str, int] | None = None,
        exit_ms: dict[str, int] | None = None,
    ) -> None:
        self.last_ms = last_ms
        self.last_v = last_v
        self.level = level
        self.fault = fault
        self.offline = offline
        self.rate_high = rate_high
        self.enter_ms: dict[str, int] = dict(enter_ms or {})
        self.exit_ms: dict[str, int] = dict(exit_ms or {})

    def as_dict(self) -> dict[str, object]:
        """A JSON-safe form (the worker stores the timers this way)."""
        return {
            "last_ms": self.last_ms,
            "last_v": self.last_v,
            "level": self.level,
            "fault": self.fault,
            "offline": self.offline,
            "rate_high": self.rate_high,
            "enter_ms": dict(self.enter_ms),
            "exit_ms": dict(self.exit_ms),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PointState) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"PointState({self.as_dict()!r})"


def gas_detector_defaults(kind: Literal["combustible", "toxic"], oel: float | None = None) -> PointRules:
    """Alarm set-points of a gas detector by GB/T 50493-2019 §5.5.2.

    Combustible gas in % LEL: first level 25, second level 50. Toxic gas in the unit of ``oel`` (the
    occupational exposure limit, e.g. mg/m³ or ppm): first level 100 % OEL, second level 200 % OEL.
    """
    if kind == "combustible":
        return PointRules(h=25.0, hh=50.0, deadband=2.0, on_delay_s=0, off_delay_s=5, offline_after_s=60)
    if oel is None or not oel > 0:
        raise ValueError("有毒气体检测器需要给出职业接触限值（OEL）")
    return PointRules(h=oel, hh=2 * oel, deadband=0.1 * oel, on_delay_s=0, off_delay_s=5, offline_after_s=60)


def _restart_delays(state: PointState) -> None:
    if state.enter_ms:
        state.enter_ms.clear()
    if state.exit_ms:
        state.exit_ms.clear()


def _timer(timers: dict[str, int], key: str, holds: bool, ts: int) -> int | None:
    """Keep ``timers[key]`` = since when the condition holds; return the start or ``None``."""
    if holds:
        since = timers.get(key)
        if since is None:
            timers[key] = ts
            return ts
        return since
    timers.pop(key, None)
    return None


def _process(rules: PointRules, state: PointState, ts: int, v: float, out: list[AlarmEvent]) -> bool:
    """Evaluate the process levels for one good reading; return whether the level or a delay timer changed."""
    before = (tuple(state.enter_ms.items()), tuple(state.exit_ms.items()))
    on_ms = rules.on_delay_ms
    off_ms = rules.off_delay_ms
    db = rules.deadband
    current = state.level
    active_low = current in ("L", "LL")
    enter = state.enter_ms
    leave = state.exit_ms
    new_high: str | None = None
    new_low: str | None = None
    # High side: HH, then H (an entered HH implies H is entered too).
    for key, threshold in (("HH", rules.hh), ("H", rules.h)):
        if threshold is None:
            continue
        is_active = current == key or (key == "H" and current == "HH")
        if is_active:
            # Leaving needs readings below threshold - deadband for the off-delay.
            since = _timer(leave, key, v < threshold - db, ts)
            if key in enter:
                del enter[key]
            still = since is None or ts - since < off_ms
        else:
            since = _timer(enter, key, v >= threshold, ts)
            if key in leave:
                del leave[key]
            still = since is not None and ts - since >= on_ms
        if still and new_high is None:
            new_high = key
    for key, threshold in (("LL", rules.ll), ("L", rules.l)):
        if threshold is None:
            continue
        is_active = current == key or (key == "L" and current == "LL")
        if is_active:
            since = _timer(leave, key, v > threshold + db, ts)
            if key in enter:
                del enter[key]
            still = since is None or ts - since < off_ms
        else:
            since = _timer(enter, key, v <= threshold, ts)
            if key in leave:
                del leave[key]
            still = since is not None and ts - since >= on_ms
        if still and new_low is None:
            new_low = key
    # A jump across the whole range with no delays could satisfy both sides; the side already shown wins.
    new: str | None
    if new_high is not None and new_low is not None:
        new = new_low if active_low else new_high
    else:
        new = new_high if new_high is not None else new_low
    if new == current:
        return before != (tuple(enter.items()), tuple(leave.items()))
    if current is None:
        out.append((ts, "raised", new))
    elif new is None:
        out.append((ts, "cleared", current))
    elif (current in ("H", "HH")) == (new in ("H", "HH")):
        out.append((ts, "changed", new))
    else:
        out.append((ts, "cleared", current))
        out.append((ts, "raised", new))
    state.level = new
    if new is None:
        leave.clear()
    else:
        # The entered levels' entry timers are done (HH implies H, LL implies L).
        enter.pop(new, None)
        enter.pop(new[0], None)
    return True


def check_offline(rules: PointRules, state: PointState, now_ms: int, out: list[AlarmEvent]) -> bool:
    """Mark the point offline if nothing arrived within the timeout before ``now_ms``; return whether it changed."""
    timeout = rules.offline_after_s
    if timeout is None or state.offline or state.last_ms is None:
        return False
    deadline = state.last_ms + round(timeout * 1000)
    if now_ms > deadline:
        state.offline = True
        _restart_delays(state)
        out.append((deadline, "offline", None))
        return True
    return False


#: What :func:`step` did with a reading.
IGNORED: Final = 0  # duplicate or out of order: nothing changed
SEEN: Final = 1  # only the last time/value moved (no level, flag or delay timer changed)
CHANGED: Final = 2  # a level, flag or delay timer changed: persist the state


def step(rules: PointRules, state: PointState, ts: int, v: float, q: int, out: list[AlarmEvent]) -> int:
    """Apply one reading to ``state``; append its events to ``out``; return IGNORED, SEEN or CHANGED.

    A reading not newer than the last one seen is ignored (duplicate or out of order). The worker persists
    the state when CHANGED; ``last_ms``/``last_v`` are recovered from the stored readings after a restart.
    """
    last = state.last_ms
    result = SEEN
    if last is not None:
        if ts <= last:
            return IGNORED
        timeout = rules._offline_ms
        if timeout is not None and not state.offline and ts > last + timeout:
            state.offline = True
            _restart_delays(state)
            out.append((last + timeout, "offline", None))
    if state.offline:
        state.offline = False
        out.append((ts, "online", None))
        result = CHANGED
    prev_v = state.last_v
    state.last_ms = ts
    if q != 0:
        state.last_v = None
        if not state.fault:
            state.fault = True
            _restart_delays(state)
            out.append((ts, "device_fault", None))
            return CHANGED
        return result
    if state.fault:
        state.fault = False
        out.append((ts, "device_ok", None))
        result = CHANGED
    state.last_v = v
    if rules.roc_per_s is not None and prev_v is not None and last is not None:
        if abs(v - prev_v) * 1000.0 / (ts - last) > rules.roc_per_s:
            if not state.rate_high:
                state.rate_high = True
                out.append((ts, "rate_high", None))
                result = CHANGED
        elif state.rate_high:
            state.rate_high = False
            out.append((ts, "rate_ok", None))
            result = CHANGED
    # Fast path: a quiet point (no level, no running delay) with a value inside the normal band.
    if state.level is None and rules._quiet_lo < v < rules._quiet_hi and not state.enter_ms:
        return result
    if _process(rules, state, ts, v, out):
        return CHANGED
    return result


def replay(
    rules: PointRules,
    readings: Iterable[tuple[int, float, int]],
    *,
    until: int | None = None,
    state: PointState | None = None,
) -> list[AlarmEvent]:
    """Run ``readings`` (ts ms, value, quality) through one point's rules; offline checked up to ``until``."""
    st = state if state is not None else PointState()
    out: list[AlarmEvent] = []
    for ts, v, q in readings:
        step(rules, st, ts, v, q, out)
    if until is not None:
        check_offline(rules, st, until, out)
    return out


def chattering_bursts(
    raised_ms: Sequence[int], *, count: int = CHATTER_COUNT, window_ms: int = CHATTER_WINDOW_MS
) -> int:
    """How many times ``count`` or more alarms were raised within ``window_ms`` (ISA-18.2 chattering).

    ``raised_ms`` are the raise times of one point, sorted; overlapping bursts are counted once each time the
    window slides onto a new qualifying alarm.
    """
    bursts = 0
    start = 0
    in_burst = False
    for end, t in enumerate(raised_ms):
        while t - raised_ms[start] > window_ms:
            start += 1
        if end - start + 1 >= count:
            if not in_burst:
                bursts += 1
                in_burst = True
        else:
            in_burst = False
    return bursts
