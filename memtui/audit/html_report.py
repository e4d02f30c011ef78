"""The postmortem as one self-contained HTML file: summary, charts, timeline, why, limits.

One file to attach to a ticket or open from a laptop without network: the style sheet is inline,
the charts are inline SVG (``memtui.audit.svg_chart``), there is no script, no font, no image and
no link to fetch.  Everything from outside (pod names, action ids, parameters, reasons, messages,
the ranking's facts) goes through ``html.escape``; no text is ever markup.  Light and dark follow
``prefers-color-scheme``; printed, it drops the backgrounds and keeps each chart on one page.
The output depends only on its inputs (no "generated at"), so a report can be compared with a
golden file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from memtui.audit.report_data import Chart, IncidentFacts
from memtui.audit.svg_chart import CHART_CSS, render_svg
from memtui.audit.timeline import Timeline, TimelineRow, TimelineSummary
from memtui.audit.times import as_utc
from memtui.audit.verify import VerifyReport
from memtui.reasoning.model import CAUSE_TITLES

PAGE_CSS = """
:root { color-scheme: light dark;
  --mt-bg: #f4f6f9; --mt-card: #ffffff; --mt-ink: #1d2530; --mt-ink-soft: #4a5563; --mt-line: #d8dde3;
  --mt-chart-bg: #ffffff; --mt-plot-bg: #fafbfc; --mt-grid: #e1e5ea; --mt-mark: #5b3fc4; --mt-mark-team: #b7791f;
  --mt-ok: #137a4b; --mt-ok-bg: #e3f5ec; --mt-bad: #b42318; --mt-bad-bg: #fdeceb; --mt-warn: #8a5a00;
  --mt-warn-bg: #fff4d6; --mt-info-bg: #eaf0fb; --mt-bar: #2f6fdf; --mt-bar-bg: #e6ebf2; }
@media (prefers-color-scheme: dark) {
  :root { --mt-bg: #0d1117; --mt-card: #161b22; --mt-ink: #e6edf3; --mt-ink-soft: #9da7b3; --mt-line: #30363d;
    --mt-chart-bg: #161b22; --mt-plot-bg: #0d1117; --mt-grid: #262c34; --mt-mark: #a58cff; --mt-mark-team: #e3b341;
    --mt-ok: #56d364; --mt-ok-bg: #12261a; --mt-bad: #ff7b72; --mt-bad-bg: #2d1214; --mt-warn: #e3b341;
    --mt-warn-bg: #2b2110; --mt-info-bg: #142033; --mt-bar: #6ea2ff; --mt-bar-bg: #262c34; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--mt-bg); color: var(--mt-ink); line-height: 1.45;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--mt-line); }
h3 { font-size: 14px; margin: 0 0 8px; }
.sub { color: var(--mt-ink-soft); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: var(--mt-card); border: 1px solid var(--mt-line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--mt-ink-soft); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 20px; font-weight: 650; margin: 2px 0; }
.card .detail { color: var(--mt-ink-soft); font-size: 12.5px; }
.level-1 .value { color: var(--mt-ok); } .level-2 .value { color: var(--mt-warn); } .level-3 .value { color: var(--mt-bad); }
.notes { margin: 16px 0 0; padding: 10px 14px 10px 32px; background: var(--mt-warn-bg); border-radius: 8px; }
.notes li { margin: 2px 0; }
.unknown { margin-top: 16px; padding: 12px 14px; border-radius: 8px; background: var(--mt-bad-bg);
  color: var(--mt-bad); font-weight: 600; }
figure { margin: 0 0 16px; background: var(--mt-card); border: 1px solid var(--mt-line); border-radius: 10px;
  padding: 14px 14px 8px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--mt-ink-soft); font-size: 12.5px; margin-top: 2px; }
.source { color: var(--mt-ink-soft); font-size: 12.5px; margin: -4px 0 12px; }
table { width: 100%; border-collapse: collapse; background: var(--mt-card); border: 1px solid var(--mt-line);
  border-radius: 10px; overflow: hidden; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 7px 9px; border-bottom: 1px solid var(--mt-line); }
th { font-size: 12px; color: var(--mt-ink-soft); font-weight: 600; background: var(--mt-bg); }
tr:last-child td { border-bottom: 0; }
td.num { font-weight: 700; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; overflow-wrap: break-word; }
td:nth-child(5) { min-width: 190px; } td:nth-child(6) { min-width: 180px; } td:nth-child(7) { max-width: 220px; overflow-wrap: anywhere; }
a { color: var(--mt-bar); text-decoration: none; }
.kind { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 11.5px; font-weight: 600;
  background: var(--mt-info-bg); white-space: nowrap; }
.kind-action { color: var(--mt-mark); } .kind-team { color: var(--mt-mark-team); background: var(--mt-warn-bg); }
.kind-read, .kind-note, .kind-orphan { color: var(--mt-ink-soft); background: var(--mt-bg); }
.outcome { font-weight: 600; white-space: nowrap; }
.outcome-success { color: var(--mt-ok); } .outcome-failure, .outcome-unknown { color: var(--mt-bad); }
.outcome-refused { color: var(--mt-warn); }
.muted { color: var(--mt-ink-soft); }
.why { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); }
.why article { background: var(--mt-card); border: 1px solid var(--mt-line); border-radius: 10px; padding: 12px 14px;
  break-inside: avoid; }
.cause { display: grid; grid-template-columns: 200px 1fr 44px; gap: 10px; align-items: center; margin: 4px 0; }
.bar { height: 9px; border-radius: 5px; background: var(--mt-bar-bg); overflow: hidden; }
.bar span { display: block; height: 100%; background: var(--mt-bar); border-radius: 5px; }
.pct { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.facts, .gaps { margin: 2px 0 6px 210px; color: var(--mt-ink-soft); font-size: 12.5px; padding-left: 16px; }
footer { margin-top: 36px; color: var(--mt-ink-soft); font-size: 12px; }
@media print {
  :root { --mt-bg: #ffffff; --mt-card: #ffffff; --mt-chart-bg: #ffffff; --mt-plot-bg: #ffffff; --mt-ink: #000000;
    --mt-ink-soft: #444444; --mt-line: #999999; --mt-grid: #dddddd; --mt-mark: #5b3fc4; --mt-mark-team: #b7791f;
    --mt-ok: #137a4b; --mt-bad: #b42318; --mt-warn: #8a5a00; --mt-bar: #2f6fdf; --mt-bar-bg: #e6ebf2;
    --mt-ok-bg: #ffffff; --mt-bad-bg: #ffffff; --mt-warn-bg: #ffffff; --mt-info-bg: #ffffff; }
  body { background: #ffffff; color: #000000; font-size: 11px; }
  main { max-width: none; padding: 0; }
  figure, .card, table, .why article { border-color: #999999; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"""

_COLUMNS = ("#", "Time (UTC)", "Kind", "Who", "What and why", "Target", "Parameters", "Outcome", "Effect / output",
            "Top cause then")


def render_html(
    timeline: Timeline,
    charts: Sequence[Chart] = (),
    *,
    incident: IncidentFacts | None = None,
    verify_report: VerifyReport | None = None,
    warnings: Sequence[str] = (),
    limits_after_fix: Sequence[tuple[str, Mapping[str, Any]]] = (),
    source: str = "",
    notes: Sequence[str] = (),
    version: str = "",
) -> str:
    """The whole document.  ``source`` says where the charts' figures come from; ``notes`` what
    they lack (no Redis exporter, no GPU); ``warnings`` what the export could not do."""
    s = timeline.summary
    where = " / ".join(x for x in (", ".join(s.contexts), ", ".join(s.namespaces)) if x) or "no entries"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # no network, ever: the policy says so to the browser too
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           'img-src data:">',
           f"<title>Postmortem: {_e(where)}</title>",
           f"<style>{PAGE_CSS}{CHART_CSS}</style>", "</head>", "<body>", "<main>"]
    out.append('<header id="summary">')
    out.append(f"<h1>Postmortem: MemoryUsageHigh in {_e(where)}</h1>")
    out.append(f'<p class="sub">{_e(_period(s))}</p>')
    out.append(_cards(timeline, incident, verify_report))
    unknown = [r for r in timeline.rows if r.outcome_unknown]
    if unknown:
        numbers = ", ".join(f"#{r.number}" for r in unknown)
        out.append(f'<p class="unknown">⚠ {len(unknown)} change{"s" if len(unknown) > 1 else ""} with OUTCOME '
                   f"UNKNOWN ({_e(numbers)}): memtui recorded the intent and stopped before recording a result. "
                   "The change may have been applied: check the target in the cluster.</p>")
    problems = [*warnings, *notes]
    if problems:
        out.append('<ul class="notes">' + "".join(f"<li>{_e(p)}</li>" for p in problems) + "</ul>")
    out.append("</header>")

    out.append('<section id="charts">')
    out.append("<h2>Memory around the changes</h2>")
    if source:
        out.append(f'<p class="source">Figures from {_e(source)}. Numbered lines are the rows of the timeline below; '
                   "the dashed line is the limit.</p>")
    if charts:
        for chart in charts:
            out.append(f'<figure id="chart-{_e(chart.name)}"><h3>{_e(chart.title)}</h3>{render_svg(chart)}')
            if chart.note:
                out.append(f"<figcaption>{_e(chart.note)}</figcaption>")
            out.append("</figure>")
    else:
        out.append('<p class="muted">No memory figures for this period (give --prometheus-url, or export from a '
                   "recording).</p>")
    out.append("</section>")

    out.append('<section id="timeline">')
    out.append("<h2>Timeline</h2>")
    if timeline.rows:
        out.append("<table><thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in _COLUMNS) + "</tr></thead><tbody>")
        out.extend(_row(row) for row in timeline.rows)
        out.append("</tbody></table>")
    else:
        out.append('<p class="muted">No actions recorded in this period.</p>')
    out.append("</section>")

    chosen = [r for r in timeline.rows if r.ranking]
    if chosen:
        out.append('<section id="why">')
        out.append("<h2>Why each action was chosen: the cause ranking at the time</h2>")
        out.append('<div class="why">')
        out.extend(_why(row) for row in chosen)
        out.append("</div></section>")
    if limits_after_fix:
        out.append('<section id="limits">')
        out.append("<h2>Memory limit after the fix</h2>")
        out.append('<p class="muted">What the history after the last fix advises (peak working set + headroom + '
                   "what the growth left adds over the horizon), per affected deployment and container:</p><ul>")
        out.extend(f"<li>{_strong(line.removeprefix('- '))}</li>" for line, _ in limits_after_fix)
        out.append("</ul></section>")
    out.append(f"<footer>memtui{' ' + _e(version) if version else ''} postmortem report · times in UTC · "
               "self-contained: no scripts, fonts or network.</footer>")
    out.append("</main>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _strong(text: str) -> str:
    """Escaped, then the Markdown's ``**x**`` as ``<strong>`` (after escaping: the text stays text)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _e(text))


def _time(moment: datetime | None, form: str = "%Y-%m-%d %H:%M:%S") -> str:
    return "" if moment is None else f"{as_utc(moment):{form}}"


def _period(s: TimelineSummary) -> str:
    if s.start is None or s.end is None:
        return "No entries."
    return f"{_time(s.start)} → {_time(s.end)} UTC"


def _card(label: str, value: str, detail: str = "", css: str = "") -> str:
    klass = f"card {css}".strip()
    return (f'<div class="{klass}"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
            f'<div class="detail">{_e(detail)}</div></div>')


def _cards(timeline: Timeline, incident: IncidentFacts | None, report: VerifyReport | None) -> str:
    s = timeline.summary
    cards = []
    if incident is not None and incident.started_at is not None:
        cards.append(_card("Alert start", _time(incident.started_at, "%H:%M:%S") + " UTC",
                           f"{_time(incident.started_at, '%Y-%m-%d')} · basis: {incident.basis}"))
    else:
        cards.append(_card("Alert start", "unknown", incident.note if incident else "no alert source for this export"))
    level = incident.escalation if incident is not None else None
    if level is not None and incident is not None:
        minutes = incident.minutes_in or 0.0
        cards.append(_card("Escalation reached", f"L{level.level} {level.who}",
                           f"{minutes:.0f} min into the incident, {incident.reached_when}", f"level-{level.level}"))
    else:
        cards.append(_card("Escalation reached", "unknown", "needs the alert start"))
    detail = f"{s.succeeded} succeeded, {s.failed} failed, {s.refused} refused, {s.unknown} outcome unknown"
    cards.append(_card("memtui actions", str(s.actions), detail))
    kinds: dict[str, int] = {}
    for row in timeline.rows:
        if row.kind not in ("action",):
            kinds[row.kind] = kinds.get(row.kind, 0) + 1
    others = ", ".join(f"{n} {_KIND_NAMES.get(k, k)}" for k, n in kinds.items()) or "none"
    cards.append(_card("Other rows", str(sum(kinds.values())), others))
    if report is not None:
        cards.append(_card("Audit log", "chain intact" if report.ok else "CHAIN BROKEN", report.describe(),
                           "level-1" if report.ok else "level-3"))
    return '<div class="cards">' + "".join(cards) + "</div>"


_KIND_NAMES = {"read": "diagnose steps", "note": "notes", "team": "team changes", "orphan": "unmatched entries"}


def _row(row: TimelineRow) -> str:
    kind = re.sub(r"[^a-z0-9-]", "", row.kind.lower()) or "other"
    outcome = "outcome unknown" if row.outcome_unknown else row.outcome
    o_class = "unknown" if row.outcome_unknown else re.sub(r"[^a-z0-9-]", "", row.outcome.lower())
    outcome_html = f'<span class="outcome outcome-{o_class}">{_e(outcome.upper() if row.outcome_unknown else outcome)}</span>'
    if row.error:
        outcome_html += f'<div class="muted">{_e(row.error)}</div>'
    if row.dry_run:
        outcome_html += f'<div class="muted">dry run: {_e(row.dry_run)}</div>'
    if row.duration_s is not None:
        outcome_html += f'<div class="muted">{row.duration_s:.2f} s</div>'
    what = f"<code>{_e(row.action)}</code>" if row.kind in ("action", "read") else _e(row.action)
    if row.reason:
        what += f'<div class="muted">{_e(row.reason)}</div>'
    top = row.causes.split(", ")[0] if row.causes else ""
    if row.causes.startswith("uncertain"):
        top = "uncertain"
    cells = [
        f'<td class="num">{row.number}</td>',
        f'<td class="time">{_time(row.time, "%H:%M:%S")}<div class="muted">{_time(row.time, "%Y-%m-%d")}</div></td>',
        f'<td><span class="kind kind-{kind}">{_e(row.kind)}</span></td>',
        f"<td>{_e(row.who)}</td>",
        f"<td>{what}</td>",
        f"<td>{_e(row.target)}</td>",
        f"<td><code>{_e(row.parameters)}</code></td>" if row.parameters else "<td></td>",
        f"<td>{outcome_html}</td>",
        f"<td>{_e(row.effect)}</td>",
        f'<td><a href="#why-{row.number}">{_e(top)}</a></td>' if top and row.ranking else f"<td>{_e(top)}</td>",
    ]
    return f'<tr id="row-{row.number}" class="row-{kind}">' + "".join(cells) + "</tr>"


def _why(row: TimelineRow) -> str:
    ranking = row.ranking or {}
    when = _time(row.time, "%H:%M:%S")
    out = [f'<article id="why-{row.number}"><h3>#{row.number} {when} <code>{_e(row.action)}</code></h3>']
    if ranking.get("uncertain"):
        out.append('<p class="muted">Uncertain: the evidence was too thin to name a cause.</p>')
    causes = [c for c in ranking.get("causes") or () if isinstance(c, Mapping)]
    if not ranking.get("uncertain"):  # most likely first (uncertain: in the order recorded)
        causes.sort(key=lambda c: -(_fraction(c.get("confidence")) or 0.0))
    for cause in causes:
        name = CAUSE_TITLES.get(str(cause.get("cause")), str(cause.get("cause")))
        confidence = _fraction(cause.get("confidence"))
        prior = _fraction(cause.get("prior"))
        pct = "?" if confidence is None else f"{round(100 * confidence)}%"
        width = 0 if confidence is None else round(100 * confidence)
        prior_text = "" if prior is None else f" (prior {round(100 * prior)}%)"
        out.append(f'<div class="cause"><span>{_e(name)}<span class="muted">{_e(prior_text)}</span></span>'
                   f'<div class="bar"><span style="width:{width}%"></span></div><span class="pct">{_e(pct)}</span></div>')
        facts = [f for f in cause.get("facts") or () if isinstance(f, Mapping)][:3]
        if facts:
            out.append('<ul class="facts">' + "".join(
                f"<li>{_e(f.get('text', ''))} <span class=\"muted\">[{_e(f.get('source', '?'))}]</span></li>"
                for f in facts) + "</ul>")
    gaps = [g for g in ranking.get("gaps") or () if isinstance(g, Mapping)]
    if gaps:
        out.append('<ul class="gaps">' + "".join(
            f"<li>missing: {_e(g.get('what', ''))}" + (f" ({_e(g['action_id'])})" if g.get("action_id") else "") + "</li>"
            for g in gaps) + "</ul>")
    out.append("</article>")
    return "".join(out)


def _fraction(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return min(max(float(value), 0.0), 1.0)
