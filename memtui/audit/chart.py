"""A plain-text chart of pod memory around the actions, for the Markdown export.

Drawn with plotext's figure API (plotext 6: ``plotext.figure``; its ``build()`` returns a matrix
whose ``string(colorless=True)`` is the text).  The chart must read in a Markdown file without
colours, so each pod gets its own marker character and actions are vertical lines; the key under
the chart says which is which, with the action numbers of the timeline table.  Only the pods with
the highest peaks are drawn, so a namespace of forty pods still gives a legible picture.

plotext keeps one global figure: drawing is serialised with a lock, and the figure is cleared
before and after use.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from memtui.audit.report_data import ChartMark, clip_all, pods_to_chart, time_ticks
from memtui.audit.times import as_utc

__all__ = ["ChartMark", "ChartUnavailable", "memory_chart"]

GIB = 1024**3
MARKERS = ("•", "+", "x", "o", "*", "#", "@", "%")
WIDTH, HEIGHT = 100, 22
_PLOT_LOCK = threading.Lock()


class ChartUnavailable(Exception):
    """plotext is missing or is a version whose API this code does not know."""


def memory_chart(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    marks: Sequence[ChartMark] = (),
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """Pod working-set memory in GiB over time, with the actions as vertical lines.

    ``series`` maps pod name to (time, bytes) samples.  Samples outside [start, end] are dropped.
    Returns "" when there is nothing to draw.
    """
    try:
        import plotext
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ChartUnavailable(f"plotext is not installed ({exc})") from None
    figure = getattr(plotext, "figure", None)
    if figure is None or not hasattr(figure, "signal") or not hasattr(figure, "build"):
        version = getattr(plotext, "__version__", "?")
        raise ChartUnavailable(f"plotext {version} lacks the figure API (plotext >= 6 needed)")

    pods = clip_all(series, start, end)  # the pods and the window: the SVG charts' own choice
    if not pods:
        return ""
    shown = pods_to_chart(pods, (), len(MARKERS))
    # the window asked for, so actions show even where samples are sparse; else the data's span
    t0 = as_utc(start) if start else min(pods[p][0][0] for p in shown)
    t1 = as_utc(end) if end else max(pods[p][-1][0] for p in shown)
    visible_marks = [m for m in marks if t0 <= as_utc(m.time) <= t1]
    if t1 <= t0:
        t1 = t0 + timedelta(minutes=1)

    def x(moment: datetime) -> float:
        return (as_utc(moment) - t0).total_seconds()

    with _PLOT_LOCK:
        figure.clear()
        try:
            figure.plot_size(width, height)
            for marker, pod in zip(MARKERS, shown):
                samples = pods[pod]
                signal = figure.signal([x(t) for t, _ in samples], [v / GIB for _, v in samples], marker=marker)
                figure.draw(signal)
            for mark in visible_marks:
                figure.line(x(mark.time), orientation="vertical")
            ticks = time_ticks(t0, t1)
            form = "%H:%M" if t1 - t0 < timedelta(days=1) else "%m-%d %H:%M"
            figure.ruler("x").lim(0, x(t1))
            figure.ruler("x").ticks([x(t) for t in ticks], [t.strftime(form) for t in ticks])
            figure.legend(active=False)
            figure.title("Pod memory, working set (GiB) — time in UTC")
            text = figure.build().string(colorless=True)
        finally:
            figure.clear()

    key = ["   ".join(f"{marker} {pod}" for marker, pod in zip(MARKERS, shown))]
    if len(pods) > len(shown):
        key.append(f"({len(pods) - len(shown)} pods with lower peaks not drawn)")
    if visible_marks:
        key.append("│ actions: " + ", ".join(f"#{m.number} {as_utc(m.time):%H:%M:%S} {m.label}" for m in visible_marks))
    return "\n".join(line.rstrip() for line in [*text.splitlines(), "", *key])

