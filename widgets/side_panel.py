"""The incident panel: the selected pod's facts, OOM kills this incident, the escalation ladder.

What the operator weighs before acting: how this pod is doing, how many times pods already
died (even those a rollout replaced), and who should be called by now.  The cause ranking sits
above it (``ranking_panel``) and the fix groups, ordered by that ranking, below it.

On a short or narrow terminal (80x24) this part steps aside and the ranking stays: the pods
table already has the selected pod's row, and the header the escalation level and who to call.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.reactive import reactive

from memtui.state.cockpit import OomSummary, PodRow
from memtui.state.incident import ESCALATION_LEVELS, EscalationLevel
from memtui.state.oom_ledger import KillKind
from memtui.state.units import format_age, format_bytes, format_rate
from memtui.widgets.content_fit import FitsContent
from memtui.widgets.outside_text import plain, visible
from memtui.widgets.roles import role

LEVEL_SPANS = {1: "0–15m", 2: "15–30m", 3: "30m+"}
LEVEL_WHO = {1: "on-call", 2: "app engineer", 3: "architecture"}


class SidePanel(FitsContent):
    """Selected pod, OOM kills this incident, and the escalation ladder."""

    DEFAULT_CSS = """
    SidePanel {
        height: auto;
        margin-top: 1;  /* below the cause ranking */
        padding: 0 1;
        background: $surface;
    }
    """

    pod: reactive[PodRow | None] = reactive(None, always_update=True)
    """The pod under the cursor in the pods pane."""
    escalation: reactive[EscalationLevel | None] = reactive(None)
    """The incident's current escalation level, highlighted in the ladder."""
    oom_kills: reactive[tuple[OomSummary, ...]] = reactive((), always_update=True)
    """OOM kills this incident per pod, kept after rollouts replace the pods."""

    def watch_pod(self) -> None:
        self.refit()

    def watch_oom_kills(self) -> None:
        self.refit()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = lambda: datetime.now(timezone.utc)

    def render(self) -> Text:
        text = Text()
        self._render_pod(text)
        self._render_oom(text)
        text.append("\nEscalation\n", style="bold underline")
        for level in ESCALATION_LEVELS:
            current = self.escalation is not None and self.escalation.level == level.level
            style = "bold reverse" if current else ""
            line = f"L{level.level} {LEVEL_SPANS[level.level]:<7}{LEVEL_WHO[level.level]}"
            text.append(line, style=style).append("\n")
        return text

    def _render_oom(self, text: Text) -> None:
        text.append("\nOOM kills (this incident)\n", style="bold underline")
        if not self.oom_kills:
            text.append("none seen\n", style=role("muted"))
            return
        for summary in self.oom_kills[:6]:
            when = summary.last.astimezone().strftime("%H:%M") if summary.last else "≤2h"
            pod = visible(summary.pod, one_line=True)
            name = pod if len(pod) <= 14 else "…" + pod[-13:]
            text.append(f"{name:<14}", style=role("muted") if summary.gone else "bold")
            text.append(f" ×{summary.kills} {when}", style=role("bad"))
            # why the latest died: its own limit, or the node's pressure (Enter on the pod says more)
            kind = summary.latest.kind if summary.latest is not None else None
            if kind is not None:
                text.append(f" {kind.short}", style=role("bold bad" if kind is KillKind.LIMIT else "bold warn"))
            text.append(" gone\n" if summary.gone else "\n", style=role("muted"))
        if len(self.oom_kills) > 6:
            text.append(f"… {len(self.oom_kills) - 6} more pods\n", style=role("muted"))

    def _render_pod(self, text: Text) -> None:
        row = self.pod
        text.append("Selected pod\n", style="bold underline")
        if row is None:
            text.append("none\n", style=role("muted"))
            return
        text.append_text(plain(row.name, "bold", one_line=True)).append("\n")
        facts = [
            ("status", f"{row.status_text} {row.ready_text}"),
            ("working set", format_bytes(row.working_set)),
            ("limit", format_bytes(row.limit) if row.limit else "none"),
            ("growth", format_rate(row.growth_per_minute)),
            ("restarts", str(row.restarts)),
            ("OOM kills", f"{row.oom_kills_seen} seen"),
            ("node", row.node or "—"),
        ]
        if row.last_reason:
            ago = ""
            if row.last_terminated_at:
                ago = f" {format_age((self.now() - row.last_terminated_at).total_seconds())} ago"
            facts.insert(5, ("last exit", row.last_reason + ago))
        for label, value in facts:
            text.append(f"{label:>11} ", style=role("muted")).append_text(plain(value, one_line=True)).append("\n")
