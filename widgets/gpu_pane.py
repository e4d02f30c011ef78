"""GPU framebuffer memory per pod against the card's total, with the source named."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memtui.snapshots import GpuUsage
from memtui.widgets.cells import bar, severity, sparkline

ROLE_STYLES = {"ok": "green", "warn": "yellow", "crit": "bold red", "accent": "cyan", "dim": "dim"}


class GpuPane(Widget):
    """One line per pod: used/total MiB, %, bar and a sparkline scaled to the card."""

    DEFAULT_CSS = """
    GpuPane {
        height: auto;
        padding: 0 1;
    }
    """

    usage: reactive[tuple[GpuUsage, ...]] = reactive((), always_update=True)
    """GPU usage per pod, highest first."""
    trends: reactive[dict[str, tuple[float, ...]]] = reactive({}, always_update=True)
    """Recent used-MiB samples per pod."""
    message: reactive[str] = reactive("")
    """Why there are no figures (no DCGM, no driver…)."""
    max_lines: reactive[int] = reactive(8)
    """Pods shown; the rest are summarised."""

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.usage:
            text.append(self.message or "waiting for GPU figures…", style="dim")
            return text
        width = self.size.width - 2
        name_width = min(28, max(12, width - 58))
        spark_width = max(0, width - name_width - 44)
        for i, gpu in enumerate(self.usage[: self.max_lines]):
            if i:
                text.append("\n")
            percent = gpu.percent
            text.append(f"{gpu.pod[:name_width]:<{name_width}} ")
            figure = f"{gpu.used_mib:,.0f}/{gpu.total_mib:,.0f} MiB"
            text.append(f"{figure:>20} ", style=ROLE_STYLES.get(severity(percent), ""))
            text.append(f"{percent:3.0f}% " if percent is not None else "  — ")
            for chunk, role in bar(percent, 8):
                text.append(chunk, style=ROLE_STYLES.get(role, ""))
            if spark_width > 4:
                text.append(" ")
                for chunk, role in sparkline(self.trends.get(gpu.pod, ()), spark_width, limit=gpu.total_mib):
                    text.append(chunk, style=ROLE_STYLES.get(role, ""))
        hidden = len(self.usage) - self.max_lines
        if hidden > 0:
            text.append(f"\n… {hidden} more pods", style="dim")
        return text
