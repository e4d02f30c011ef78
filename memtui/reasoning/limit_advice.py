"""What a container's memory limit should be, from its history, and how long a limit lasts.

The runbook raises the limit to 16Gi whatever the pods did.  The advice here starts from what
they did: the peak working set over the window Prometheus holds (at least an hour, at most
seven days), plus headroom (15 %), plus what the current growth adds before the next planned
action (the *horizon*, a parameter: one hour by default, the runbook's step from "immediate
actions" to the long-term fix), rounded up to a quantity a person would write (512Mi steps up to
8Gi, whole Gi above).  Without Prometheus, memtui's own history (the last hour it watched) stands
in, and the advice says so.  The same figures answer the postmortem's "what should the limit be
after the fix".

Two facts matter to the operator more than the figure:

* a peak at the old limit is *censored*: the pods were OOM-killed there, so history cannot show
  how much more they would have taken;
* while the working set grows, any limit only buys time: ``buys_time`` says how much ("at
  +170 MiB/min the working set reaches 24 GiB in 1 h 10 min").

Pure: figures in, figures and sentences out; no I/O, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from memtui.state.units import format_bytes, format_rate

MiB = 1024**2
GiB = 1024**3

HEADROOM = 0.15
"""Above the peak: the runbook's alert fires at 10 GB, a limit just at the peak OOMs at the next spike."""
HORIZON_S = 3600.0
"""Until the next planned action (the root-cause fix rolled out): what the growth adds meanwhile."""
MIN_WINDOW_S = 3600.0
MAX_WINDOW_S = 7 * 86400.0
SMALL_STEP = 512 * MiB
LARGE_STEP = GiB
SMALL_UNTIL = 8 * GiB
CENSORED_SHARE = 0.97
"""A peak at 97 % of the limit or more is taken as the limit itself (the kernel reclaims before it kills)."""
GROWING = MiB / 60.0
"""Below 1 MiB/min the working set is flat: no growth term, no "buys time"."""


@dataclass(frozen=True)
class AdviceSettings:
    """The knobs of the advice; every figure the modal shows names the one it used."""

    headroom: float = HEADROOM
    horizon_s: float = HORIZON_S
    min_window_s: float = MIN_WINDOW_S
    max_window_s: float = MAX_WINDOW_S

    def __post_init__(self) -> None:
        for name, value, low, high in (("headroom", self.headroom, 0.0, 10.0),
                                       ("horizon_s", self.horizon_s, 0.0, 30 * 86400.0),
                                       ("min_window_s", self.min_window_s, 60.0, MAX_WINDOW_S),
                                       ("max_window_s", self.max_window_s, 60.0, 90 * 86400.0)):
            if not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"{name} must be between {low:g} and {high:g} (got {value!r})")
        if self.min_window_s > self.max_window_s:
            raise ValueError("min_window_s must not exceed max_window_s")


DEFAULT_SETTINGS = AdviceSettings()


@dataclass(frozen=True)
class UsageHistory:
    """What is known of one container's memory in one deployment (all its pods together)."""

    deployment: str
    container: str
    source: str
    """``prometheus`` or ``memtui`` (the cockpit's own samples), or ``none``."""
    peak_bytes: int | None
    """The highest working set over ``window_s``; None: no sample at all."""
    window_s: float
    """The window the peak is taken over (what was asked of the source)."""
    held_s: float | None = None
    """How far back the source really holds data (None: not known)."""
    growth_bytes_per_s: float | None = None
    """The fastest-growing pod's growth now (the pods pane's GROWTH)."""
    current_bytes: int | None = None
    """The largest working set now."""
    limit_bytes: int | None = None
    """The container's limit now (None: unlimited or unknown)."""
    note: str | None = None
    """Why this source (``Prometheus unreachable: …``), shown with the advice."""


@dataclass(frozen=True)
class LimitAdvice:
    """The proposed limit and how it was computed (each term kept, for the modal and the audit)."""

    history: UsageHistory
    settings: AdviceSettings
    peak_bytes: int | None
    headroom_bytes: int
    growth_bytes: int
    raw_bytes: int
    step_bytes: int
    proposed_bytes: int | None
    """None: no history, nothing to compute from (the caller keeps the runbook's value)."""
    censored: bool = False
    capped: str | None = None
    """Why the proposal was lowered to a ceiling (a LimitRange maximum), if it was."""
    lines: tuple[str, ...] = field(default=())

    @property
    def quantity(self) -> str | None:
        """The proposal as a Kubernetes quantity (``24Gi``, ``7680Mi``)."""
        return None if self.proposed_bytes is None else kubernetes_quantity(self.proposed_bytes)

    def record(self) -> dict[str, Any]:
        """JSON-able, for the audit log and the postmortem export."""
        h = self.history
        return {"deployment": h.deployment, "container": h.container, "source": h.source,
                "peak_bytes": self.peak_bytes, "window_s": h.window_s, "held_s": h.held_s,
                "headroom": self.settings.headroom, "headroom_bytes": self.headroom_bytes,
                "growth_bytes_per_s": h.growth_bytes_per_s, "horizon_s": self.settings.horizon_s,
                "growth_bytes": self.growth_bytes, "step_bytes": self.step_bytes,
                "proposed": self.quantity, "censored": self.censored, "capped": self.capped}


def window_for(held_s: float | None, settings: AdviceSettings = DEFAULT_SETTINGS) -> float:
    """The window to take the peak over: what the source holds, clamped to [min, max]."""
    if held_s is None or not math.isfinite(held_s):
        return settings.max_window_s
    return min(settings.max_window_s, max(settings.min_window_s, held_s))


def round_up(value: float) -> tuple[int, int]:
    """(value rounded up to the next step, the step): 512Mi steps up to 8Gi, then whole Gi."""
    step = SMALL_STEP if value <= SMALL_UNTIL else LARGE_STEP
    return max(step, int(math.ceil(value / step)) * step), step


def round_down(value: float) -> int:
    step = SMALL_STEP if value <= SMALL_UNTIL else LARGE_STEP
    return int(math.floor(value / step)) * step


def kubernetes_quantity(value: int) -> str:
    """The largest binary suffix that divides ``value`` exactly (``24Gi``, ``7680Mi``, ``1536Ki``)."""
    for suffix, size in (("Ti", 1024**4), ("Gi", GiB), ("Mi", MiB), ("Ki", 1024)):
        if value % size == 0 and value >= size:
            return f"{value // size}{suffix}"
    return str(value)


def span_text(seconds: float) -> str:
    """``6 h 20 min``, ``45 min``, ``2 d 3 h``, ``under a minute``."""
    if seconds < 60:
        return "under a minute"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def advise(history: UsageHistory, settings: AdviceSettings = DEFAULT_SETTINGS, *,
           ceiling: tuple[int, str] | None = None) -> LimitAdvice:
    """peak + headroom × peak + growth × horizon, rounded up; ``ceiling`` (bytes, why) caps it."""
    peak = history.peak_bytes
    if peak is None:
        why = history.note or "no sample of this container's working set"
        return LimitAdvice(history, settings, None, 0, 0, 0, 0, None,
                           lines=(f"no history to compute a limit from ({why})",))
    headroom = int(round(peak * settings.headroom))
    growth_rate = history.growth_bytes_per_s or 0.0
    growth = int(round(growth_rate * settings.horizon_s)) if growth_rate > GROWING else 0
    raw = peak + headroom + growth
    proposed, step = round_up(raw)
    censored = bool(history.limit_bytes and peak >= CENSORED_SHARE * history.limit_bytes)
    capped = None
    if ceiling is not None and proposed > ceiling[0]:
        proposed = max(round_down(ceiling[0]), SMALL_STEP)
        capped = f"capped at {kubernetes_quantity(proposed)}: {ceiling[1]}"
    lines = [_source_line(history),
             f"peak {format_bytes(peak)} + headroom {settings.headroom:.0%} ({format_bytes(headroom)})"
             + (f" + growth {format_rate(growth_rate * 60)} × {span_text(settings.horizon_s)} horizon "
                f"({format_bytes(growth)})" if growth else
                f" + no growth term ({format_rate(growth_rate * 60) if history.growth_bytes_per_s is not None else 'growth unknown'})")
             + f" = {format_bytes(raw)}, rounded up to the next {kubernetes_quantity(step)}: "
               f"{kubernetes_quantity(round_up(raw)[0])}"]
    if capped:
        lines.append(capped)
    if censored:
        lines.append(f"the peak is at the old limit ({format_bytes(history.limit_bytes)}): the pods were stopped "
                     "there, so the history cannot show how much more they would have taken")
    return LimitAdvice(history, settings, peak, headroom, growth, raw, step, proposed, censored, capped, tuple(lines))


def _source_line(h: UsageHistory) -> str:
    window = span_text(h.window_s)
    if h.source == "prometheus":
        held = ("" if h.held_s is None else
                f" (Prometheus holds only {span_text(h.held_s)})" if h.held_s < h.window_s - 60 else
                " (all Prometheus holds)" if h.window_s < MAX_WINDOW_S else "")
        line = f"from Prometheus: peak working set of {h.container} in deployment/{h.deployment} over {window}{held}"
    else:
        line = (f"from memtui's own history (no Prometheus): peak working set of deployment/{h.deployment}'s pods "
                f"over the {window} memtui watched")
    if h.note:
        line += f" ({h.note})"
    return line


def time_to_reach(limit_bytes: int, current_bytes: int | None, growth_bytes_per_s: float | None) -> float | None:
    """Seconds until a working set growing at ``growth`` reaches ``limit``; None when not growing."""
    if current_bytes is None or growth_bytes_per_s is None or growth_bytes_per_s <= GROWING:
        return None
    return max(0.0, (limit_bytes - current_bytes) / growth_bytes_per_s)


def size_text(value: int) -> str:
    """``16 GiB`` for a whole number of GiB (a limit as people say it), else ``format_bytes``."""
    return f"{value // GiB} GiB" if value % GiB == 0 and value >= GiB else format_bytes(value)


def buys_time(limit_bytes: int, history: UsageHistory) -> str | None:
    """Plainly, how long ``limit`` lasts at the current growth; None when the working set is flat."""
    seconds = time_to_reach(limit_bytes, history.current_bytes, history.growth_bytes_per_s)
    if seconds is None or history.growth_bytes_per_s is None:
        return None
    rate = format_rate(history.growth_bytes_per_s * 60)
    if seconds <= 0:
        return f"at {rate} the working set is already above {size_text(limit_bytes)}: this limit OOMs at once"
    return (f"at {rate} the working set reaches {size_text(limit_bytes)} in {span_text(seconds)}: "
            "the new limit only buys time unless the growth stops")
