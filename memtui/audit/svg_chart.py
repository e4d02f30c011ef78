"""A ``Chart`` as an SVG string: memory in GiB over UTC time, the limit dashed, the changes numbered.

Pure and deterministic (the same chart gives the same bytes, so a report can be compared with a
golden file).  Every text in the SVG is escaped: pod names and action ids come from outside.  The
look is CSS classes (``CHART_CSS``): the HTML report puts them in its own style sheet, with a dark
variant under ``prefers-color-scheme``; a standalone file (the Markdown's ``<name>.svg``) carries
them in a ``<style>`` of its own.  The limit is a dashed line, the numbers on the vertical lines
are the timeline's row numbers.  Long series are thinned to a minimum and a maximum per pixel
column, so an hour recorded every 2 s draws as fast as a Prometheus range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from memtui.audit.report_data import Chart, ChartMark, time_ticks
from memtui.audit.times import as_utc

GIB = 1024**3
WIDTH, HEIGHT = 880, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 20, 30, 62
_SERIES_CLASSES = 6
_GIB_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 8, 10, 16, 20, 32, 40, 64, 80, 100, 160, 200, 500, 1000)

CHART_CSS = """
.mt-chart { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; font-size: 12px; }
.mt-chart .mt-bg { fill: var(--mt-chart-bg, #ffffff); }
.mt-chart .mt-plot { fill: var(--mt-plot-bg, #fafbfc); stroke: var(--mt-grid, #d8dde3); }
.mt-chart .mt-grid { stroke: var(--mt-grid, #d8dde3); stroke-width: 1; }
.mt-chart .mt-axis, .mt-chart .mt-legend, .mt-chart .mt-title { fill: var(--mt-ink-soft, #4a5563); }
.mt-chart .mt-title { font-size: 14px; font-weight: 600; fill: var(--mt-ink, #1d2530); }
.mt-chart .mt-line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.mt-chart .mt-s0 { stroke: #2f6fdf; } .mt-chart .mt-k0 { fill: #2f6fdf; }
.mt-chart .mt-s1 { stroke: #12a37c; } .mt-chart .mt-k1 { fill: #12a37c; }
.mt-chart .mt-s2 { stroke: #b86ad8; } .mt-chart .mt-k2 { fill: #b86ad8; }
.mt-chart .mt-s3 { stroke: #e08a1e; } .mt-chart .mt-k3 { fill: #e08a1e; }
.mt-chart .mt-s4 { stroke: #7a8696; } .mt-chart .mt-k4 { fill: #7a8696; }
.mt-chart .mt-s5 { stroke: #c2417a; } .mt-chart .mt-k5 { fill: #c2417a; }
.mt-chart .mt-limit { fill: none; stroke: #d64545; stroke-width: 2; stroke-dasharray: 7 5; }
.mt-chart .mt-klimit { stroke: #d64545; stroke-width: 2; stroke-dasharray: 5 3; }
.mt-chart .mt-mark { stroke: var(--mt-mark, #5b3fc4); stroke-width: 1.5; stroke-dasharray: 2 3; }
.mt-chart .mt-mark-team { stroke: var(--mt-mark-team, #b7791f); }
.mt-chart .mt-badge { fill: var(--mt-mark, #5b3fc4); }
.mt-chart .mt-badge-team { fill: var(--mt-mark-team, #b7791f); }
.mt-chart .mt-badge-text { fill: #ffffff; font-size: 11px; font-weight: 700; }
@media (prefers-color-scheme: dark) {
  .mt-chart .mt-s0 { stroke: #6ea2ff; } .mt-chart .mt-k0 { fill: #6ea2ff; }
  .mt-chart .mt-s1 { stroke: #3fd1a6; } .mt-chart .mt-k1 { fill: #3fd1a6; }
  .mt-chart .mt-limit { stroke: #ff7070; } .mt-chart .mt-klimit { stroke: #ff7070; }
}
"""
_STANDALONE_VARS = """
svg { --mt-chart-bg: #ffffff; --mt-plot-bg: #fafbfc; --mt-grid: #d8dde3; --mt-ink: #1d2530; --mt-ink-soft: #4a5563;
      --mt-mark: #5b3fc4; --mt-mark-team: #b7791f; }
@media (prefers-color-scheme: dark) {
  svg { --mt-chart-bg: #161b22; --mt-plot-bg: #0d1117; --mt-grid: #30363d; --mt-ink: #e6edf3; --mt-ink-soft: #9da7b3;
        --mt-mark: #a58cff; --mt-mark-team: #e3b341; }
}
"""


def render_svg(chart: Chart, *, standalone: bool = False, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The chart as ``<svg>`` markup; ``standalone`` adds the XML namespace, the title and the style
    sheet, for a file of its own."""
    top = _TOP + (24 if standalone else 0)
    legend = _legend_items(chart, width)
    rows = 1 + max((row for _, row, _ in legend), default=0)
    height += 18 * (rows - 1)
    plot_w, plot_h = width - _LEFT - _RIGHT, height - top - _BOTTOM - 18 * (rows - 1)
    t0, t1 = as_utc(chart.start), as_utc(chart.end)
    if t1 <= t0:
        t1 = t0 + timedelta(minutes=1)
    span = (t1 - t0).total_seconds()
    values = [v for line in chart.lines for _, v in line.points]
    values += [v for _, v in chart.limit.points] if chart.limit else []
    step, y_max = _y_scale(max(values, default=0.0))

    def x(moment: datetime) -> float:
        return _LEFT + plot_w * (as_utc(moment) - t0).total_seconds() / span

    def y(value: float) -> float:
        return top + plot_h * (1 - min(max(value / GIB, 0.0), y_max) / y_max)

    out: list[str] = []
    label = escape(chart.title, quote=True)
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out.append(f'<svg{ns} class="mt-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
               f'role="img" aria-label="{label}">')
    out.append(f"<title>{escape(chart.title)}</title>")
    if standalone:
        out.append(f"<style>{_STANDALONE_VARS}{CHART_CSS}</style>")
        out.append(f'<rect class="mt-bg" x="0" y="0" width="{width}" height="{height}"/>')
        out.append(f'<text class="mt-title" x="{_LEFT}" y="22">{escape(chart.title)}</text>')
    out.append(f'<rect class="mt-plot" x="{_LEFT}" y="{top}" width="{plot_w}" height="{plot_h}"/>')
    # y axis: GiB ticks
    n_ticks = int(round(y_max / step))
    for i in range(n_ticks + 1):
        value = i * step * GIB
        yy = y(value)
        out.append(f'<line class="mt-grid" x1="{_LEFT}" y1="{yy:.1f}" x2="{_LEFT + plot_w}" y2="{yy:.1f}"/>')
        out.append(f'<text class="mt-axis" x="{_LEFT - 8}" y="{yy + 4:.1f}" text-anchor="end">'
                   f"{_gib_text(i * step)}</text>")
    out.append(f'<text class="mt-axis" x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">GiB</text>')
    # x axis: UTC times on round minutes
    form = "%H:%M" if t1 - t0 < timedelta(days=1) else "%m-%d %H:%M"
    for tick in time_ticks(t0, t1):
        xx = x(tick)
        out.append(f'<line class="mt-grid" x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + plot_h}"/>')
        out.append(f'<text class="mt-axis" x="{xx:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                   f"{tick:{form}}</text>")
    out.append(f'<text class="mt-axis" x="{_LEFT + plot_w}" y="{top + plot_h + 30}" text-anchor="end">time (UTC)</text>')
    # series, then the limit over them, then the marks
    for i, line in enumerate(chart.lines):
        d = _path(line.points, x, y, plot_w, span, t0)
        if d:
            out.append(f'<path class="mt-line mt-s{i % _SERIES_CLASSES}" d="{d}">'
                       f"<title>{escape(line.label)}</title></path>")
    if chart.limit is not None:
        d = _path(chart.limit.points, x, y, plot_w, span, t0)
        if d:
            out.append(f'<path class="mt-limit" d="{d}"><title>{escape(chart.limit_label)}</title></path>')
    out.extend(_marks(chart.marks, x, t0, t1, top, plot_h))
    out.extend(_legend(legend, top + plot_h + 46))
    out.append("</svg>")
    return "".join(out)


def _y_scale(peak: float) -> tuple[float, float]:
    """(tick step, axis top) in GiB: at most 6 steps, the top a whole step above the peak."""
    peak_gib = max(peak / GIB, 0.01) * 1.05
    step = next((s for s in _GIB_STEPS if peak_gib / s <= 6), _GIB_STEPS[-1])
    return step, math.ceil(peak_gib / step - 1e-9) * step


def _gib_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def _thin(points: Sequence[tuple[datetime, float]], plot_w: float, span: float, t0: datetime
          ) -> list[tuple[datetime, float]]:
    """At most a minimum and a maximum per pixel column, in time order."""
    if len(points) <= 2 * plot_w:
        return list(points)
    columns: dict[int, list[tuple[datetime, float]]] = {}
    for t, v in points:
        columns.setdefault(int(plot_w * (t - t0).total_seconds() / span), []).append((t, v))
    out: list[tuple[datetime, float]] = []
    for column in columns.values():
        low, high = min(column, key=lambda p: p[1]), max(column, key=lambda p: p[1])
        out.extend(sorted({low, high}))
    return out


def _path(points, x, y, plot_w: float, span: float, t0: datetime) -> str:
    """``M x y L x y ...``, broken where the samples stop for a while (a pod gone, memtui not running)."""
    if not points:
        return ""
    points = _thin(points, plot_w, span, t0)
    gaps = sorted((b[0] - a[0]).total_seconds() for a, b in zip(points, points[1:]))
    typical = gaps[len(gaps) // 2] if gaps else 0.0
    gap = max(4 * typical, 90.0)
    parts: list[str] = []
    previous: datetime | None = None
    for t, v in points:
        verb = "M" if previous is None or (t - previous).total_seconds() > gap else "L"
        parts.append(f"{verb}{x(t):.1f} {y(v):.1f}")
        previous = t
    if len(parts) == 1:  # one sample: a short tick, so it shows
        xx, yy = parts[0][1:].split()
        parts.append(f"L{float(xx) + 2:.1f} {yy}")
    return " ".join(parts)


def _marks(marks: Sequence[ChartMark], x, t0: datetime, t1: datetime, top: float, plot_h: float) -> list[str]:
    out = []
    placed: list[float] = []
    for mark in marks:
        if not t0 <= as_utc(mark.time) <= t1:
            continue
        xx = x(mark.time)
        team = "" if mark.kind == "action" else " mt-mark-team"
        badge = "mt-badge" if mark.kind == "action" else "mt-badge-team"
        # badges of close marks step down so their numbers stay readable
        row = sum(1 for p in placed if abs(p - xx) < 22) % 3
        placed.append(xx)
        by = top - 22 + row * 18
        text = f"#{mark.number} {as_utc(mark.time):%H:%M:%S} {mark.label}"
        out.append(f'<g class="mt-marker"><title>{escape(text)}</title>'
                   f'<line class="mt-mark{team}" x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + plot_h}"/>'
                   f'<rect class="{badge}" x="{xx - 11:.1f}" y="{by:.1f}" width="22" height="16" rx="8"/>'
                   f'<text class="mt-badge-text" x="{xx:.1f}" y="{by + 12:.1f}" text-anchor="middle">'
                   f"{mark.number}</text></g>")
    return out


def _legend_items(chart: Chart, width: int) -> list[tuple[float, int, str]]:
    """(x, row, markup with ``{y}`` for the baseline) per legend key, wrapped to the width."""
    keys: list[tuple[float, str]] = []
    for i, line in enumerate(chart.lines):
        text = line.label if len(line.label) <= 48 else line.label[:47] + "…"
        keys.append((32 + 7 * len(text),
                     f'<rect class="mt-k{i % _SERIES_CLASSES}" x="{{x}}" y="{{y9}}" width="14" height="4" rx="2"/>'
                     f'<text class="mt-legend" x="{{x20}}" y="{{y3}}">{_braced(text)}</text>'))
    if chart.limit is not None:
        keys.append((40 + 7 * len(chart.limit_label),
                     '<line class="mt-klimit" x1="{x}" y1="{y7}" x2="{x18}" y2="{y7}"/>'
                     f'<text class="mt-legend" x="{{x24}}" y="{{y3}}">{_braced(chart.limit_label)}</text>'))
    if chart.marks:
        keys.append((200, '<line class="mt-mark" x1="{x6}" y1="{y13}" x2="{x6}" y2="{y1}"/>'
                          '<text class="mt-legend" x="{x14}" y="{y3}">change (# in the timeline)</text>'))
    out = []
    xx, row = float(_LEFT), 0
    for size, markup in keys:
        if xx > _LEFT and xx + size > width - _RIGHT:
            xx, row = float(_LEFT), row + 1
        out.append((xx, row, markup))
        xx += size
    return out


def _braced(text: str) -> str:
    """Escaped, with braces doubled: the key's markup is a ``str.format`` template."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _legend(items: list[tuple[float, int, str]], baseline: float) -> list[str]:
    out = []
    for xx, row, markup in items:
        b = baseline + 18 * row
        out.append(markup.format(x=f"{xx:.1f}", x6=f"{xx + 6:.1f}", x14=f"{xx + 14:.1f}", x18=f"{xx + 18:.1f}",
                                 x20=f"{xx + 20:.1f}", x24=f"{xx + 24:.1f}", y1=f"{b + 1:.1f}", y3=f"{b - 3:.1f}",
                                 y7=f"{b - 7:.1f}", y9=f"{b - 9:.1f}", y13=f"{b - 13:.1f}"))
    return out
