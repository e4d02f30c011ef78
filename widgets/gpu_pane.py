"""GPU framebuffer memory per pod against the card's total, with the source named."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.reactive import reactive

from memtui.state.snapshots import GpuUsage
from memtui.widgets.cells import fragment_style, clip_lines, crop_middle, severity, sparkline
from memtui.widgets.content_fit import FitsContent
from memtui.widgets.outside_text import visible
from memtui.widgets.roles import role



class GpuPane(FitsContent):
    """One line per pod: used/total (DCGM's MiB shown as GiB), % and a sparkline scaled to the card."""

    DEFAULT_CSS = """
    GpuPane {
        height: auto;
        padding: 0 1;
    }
    """

    usage: reactive[tuple[GpuUsage, ...]] = reactive((), always_update=True)
    """GPU usage per pod, highest first."""
    trends: reactive[Mapping[str, tuple[float, ...]]] = reactive(dict, always_update=True)
    """Recent used-MiB samples per pod."""
    message: reactive[str] = reactive("")
    """Why there are no figures (no DCGM, no driver…)."""
    max_lines: reactive[int] = reactive(8)
    """Pods shown; the rest are summarised."""

    def watch_usage(self) -> None:
        self.refit()

    def watch_message(self) -> None:
        self.refit()

    def watch_max_lines(self) -> None:
        self.refit()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.usage:
            text.append(visible(self.message, one_line=True) or "waiting for GPU figures…", style=role("muted"))
            return text
        width = max(30, self.size.width)
        figure_width, percent_width = 13, 5
        spark_width = max(0, min(24, width - 18 - figure_width - percent_width - 2))
        name_width = width - figure_width - percent_width - spark_width - 2
        for i, gpu in enumerate(self.usage[: self.max_lines]):
            if i:
                text.append("\n")
            percent = gpu.percent
            level = severity(percent)
            text.append(f"{crop_middle(visible(gpu.pod, one_line=True), name_width):<{name_width}} ")
            used, total = gpu.used_mib / 1024, gpu.total_mib / 1024
            text.append(f"{used:.1f}/{total:.0f} GiB".rjust(figure_width), style=fragment_style(level))
            text.append(f"{percent:4.0f}% " if percent is not None else "   — ", style=fragment_style(level))
            if spark_width:
                for chunk, spark_role in sparkline(self.trends.get(gpu.pod, ()), spark_width, limit=gpu.total_mib):
                    text.append(chunk, style=fragment_style(spark_role))
        hidden = len(self.usage) - self.max_lines
        if hidden > 0:
            text.append(f"\n… {hidden} more pods", style=role("muted"))
        return clip_lines(text, self.size.width)
