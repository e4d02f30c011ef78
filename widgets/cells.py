"""Pure formatting of the pods pane's cells into role-tagged fragments.

A fragment is ``(text, role)``; the widget maps roles (``ok``, ``warn``, ``crit``, ``oom``,
``dim``…) to styles from its CSS component classes, so colours stay themeable and these
functions stay testable without a screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from memtui.state.units import BINARY_UNITS, format_age, format_bytes, format_rate
from memtui.widgets.roles import role

Fragment = tuple[str, str]

SPARK_CHARS = "▁▂▃▄▅▆▇█"
WARN_PERCENT = 80.0
CRIT_PERCENT = 90.0


FRAGMENT_ROLES = {"ok": "ok", "warn": "warn", "crit": "bold bad", "oom": "bold alarm", "accent": "accent", "dim": "muted"}
"""Fragment roles as ``widgets.roles`` specs, for panes that render Text rather than component
classes (the pods table styles the same roles with its ``pod-table--*`` classes)."""


def fragment_style(fragment_role: str) -> Style:
    """The theme's style for a fragment role; no style for an untagged fragment."""
    spec = FRAGMENT_ROLES.get(fragment_role)
    return role(spec) if spec else Style()


def crop_middle(text: str, width: int) -> str:
    """Pod names differ at the end (``…-7d9f8-x2k4p``): crop the middle, keep both ends."""
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    tail = min(len(text) // 2, max(6, (width - 1) // 2))
    head = width - 1 - tail
    return text[:head] + "…" + text[-tail:]


def severity(percent: float | None) -> str:
    """Role for a fill level against the limit."""
    if percent is None:
        return ""
    if percent >= CRIT_PERCENT:
        return "crit"
    if percent >= WARN_PERCENT:
        return "warn"
    return "ok"


def downsample(values: Sequence[float], width: int) -> list[float]:
    """Fit a series into ``width`` points, keeping each bucket's maximum (peaks matter here)."""
    if width <= 0 or not values:
        return []
    if len(values) <= width:
        return list(values)
    size = len(values) / width
    return [max(values[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)]) for i in range(width)]


def sparkline(values: Sequence[float], width: int, *, limit: float | None) -> list[Fragment]:
    """A sparkline scaled to the pod's limit (not to its own range), right-aligned.

    Scaling to the limit is what makes a line near the top mean "near OOM" on every row;
    min-max scaling would draw a flat 11.9 GiB line and a 2→3 GiB line the same.
    """
    points = downsample(values, width)
    if not points:
        return [(" " * width, "")]
    top = max(limit or 0.0, max(points)) or 1.0
    fragments: list[Fragment] = [(" " * (width - len(points)), "")] if len(points) < width else []
    for value in points:
        level = min(len(SPARK_CHARS) - 1, max(0, int(round(value / top * (len(SPARK_CHARS) - 1)))))
        role = severity(100.0 * value / limit) if limit else "accent"
        if fragments and fragments[-1][1] == role:
            fragments[-1] = (fragments[-1][0] + SPARK_CHARS[level], role)
        else:
            fragments.append((SPARK_CHARS[level], role))
    return fragments


def bar(percent: float | None, width: int, *, threshold_percent: float | None = None) -> list[Fragment]:
    """A fill bar against the limit, with the alert threshold marked ``┊`` where it falls."""
    if percent is None or width <= 0:
        return [(" " * width, "")]
    filled = min(width, int(round(percent / 100.0 * width)))
    role = severity(percent)
    marker = None
    if threshold_percent is not None and 0 < threshold_percent < 100:
        marker = min(width - 1, int(threshold_percent / 100.0 * width))
    fragments: list[Fragment] = []
    for i in range(width):
        if i < filled:
            char, r = "█", role
        elif i == marker:
            char, r = "┊", "dim"
        else:
            char, r = "░", "dim"
        if fragments and fragments[-1][1] == r:
            fragments[-1] = (fragments[-1][0] + char, r)
        else:
            fragments.append((char, r))
    return fragments


def memory_text(working_set: int | None, limit: int | None) -> str:
    """``11.3/12 GiB``: the value in its limit's unit, so the two read as one figure."""
    if working_set is None:
        return "no metrics"
    if not limit:
        return f"{format_bytes(working_set)}/none"
    limit_text = format_bytes(limit)
    number, unit = limit_text.split()
    size = dict(BINARY_UNITS).get(unit, 1)
    value = working_set / size
    value_text = f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    if number.endswith(".0"):
        number = number[:-2]
    return f"{value_text}/{number} {unit}"


def split_text(rss: float | None, cache: float | None) -> str:
    """``10.1+1.3 GiB``: how much of the working set is RSS and how much reclaimable-ish cache.

    A figure Prometheus does not have is a dash (``10.1+— GiB``), never ``0.0``: a cluster
    without ``container_memory_cache`` has not shown that the cache is empty."""
    if rss is None:
        return "—"
    gib = 1024**3
    cache_text = "—" if cache is None else f"{cache / gib:.1f}"
    return f"{rss / gib:.1f}+{cache_text} GiB"


def percent_text(percent: float | None) -> str:
    return "  —" if percent is None else f"{percent:3.0f}%"


def growth_text(per_minute: float | None) -> str:
    return format_rate(per_minute)


def oom_eta_text(seconds: float | None) -> Fragment:
    """``OOM ~6m`` when the current trend reaches the limit within the hour."""
    if seconds is None or seconds > 3600:
        return ("", "")
    if seconds < 60:
        return ("OOM <1m", "crit")
    return (f"OOM ~{int(seconds // 60)}m", "crit" if seconds < 900 else "warn")


def coarse_age(seconds: float | None) -> str:
    """One unit, for tight columns: ``45s``, ``12m``, ``3h``, ``2d``."""
    if seconds is None or seconds < 0:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def age_text(seconds: float | None) -> str:
    return format_age(seconds)


def clip_lines(text: Text, width: int) -> Text:
    """Cut every line at ``width`` with an ellipsis: pane figures must never wrap into each other."""
    lines = text.split("\n", allow_blank=True)
    for line in lines:
        line.truncate(max(1, width), overflow="ellipsis")
    return Text("\n").join(lines)
