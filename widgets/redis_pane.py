"""Redis memory and eviction at a glance, with the runbook's cache-bloat warning signs."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memtui.state.snapshots import RedisStats
from memtui.state.units import format_bytes
from memtui.widgets.cells import ROLE_STYLES, clip_lines, sparkline
from memtui.widgets.outside_text import plain, visible


class RedisPane(Widget):
    """used_memory, RSS, peak, fragmentation, maxmemory/policy, evictions, keyspace, hit rate."""

    DEFAULT_CSS = """
    RedisPane {
        height: auto;
        padding: 0 1;
    }
    """

    stats: reactive[RedisStats | None] = reactive(None, always_update=True, layout=True)
    """The last INFO reading."""
    trend: reactive[tuple[float, ...]] = reactive((), always_update=True, layout=True)
    """Recent used_memory samples, oldest first."""
    message: reactive[str] = reactive("", layout=True)
    """Shown instead of figures when Redis is not configured or never answered."""

    def render(self) -> Text:
        stats = self.stats
        text = Text(no_wrap=True, overflow="ellipsis")
        if stats is None:
            text.append(visible(self.message, one_line=True) or "waiting for the first INFO…", style="dim")
            return text
        text.append("used ", style="dim").append(format_bytes(stats.used_memory), style="bold")
        text.append("  rss ", style="dim").append(format_bytes(stats.used_memory_rss))
        text.append("  peak ", style="dim").append(format_bytes(stats.used_memory_peak))
        text.append("\n")
        if stats.maxmemory:
            text.append("maxmemory ", style="dim").append(format_bytes(stats.maxmemory))
        else:
            text.append("maxmemory ", style="dim").append("0 (unbounded)", style="bold red")
        policy_style = "bold red" if stats.maxmemory_policy == "noeviction" else ""
        text.append("  policy ", style="dim").append_text(plain(stats.maxmemory_policy, policy_style, one_line=True))
        text.append("\n")
        if stats.fragmentation_ratio is not None:
            frag_style = "yellow" if stats.fragmentation_ratio > 1.5 else ""
            text.append("frag ", style="dim").append(f"{stats.fragmentation_ratio:.2f}  ", style=frag_style)
        text.append("evicted ", style="dim").append(f"{stats.evicted_keys:,}")
        text.append("  expired ", style="dim").append(f"{stats.expired_keys:,}")
        hit = stats.hit_rate
        text.append("  hit rate ", style="dim").append("—" if hit is None else f"{hit * 100:.1f}%")
        text.append("\n")
        if stats.keyspace:
            for db in stats.keyspace[:4]:
                text.append_text(plain(f"{db.db} ", "dim", one_line=True)).append(f"{db.keys:,} keys").append(
                    f", {db.expires:,} with TTL", style="dim"
                )
                text.append("  ")
            text.append("\n")
        else:
            text.append("keyspace empty\n", style="dim")
        width = max(8, self.size.width - 2)
        limit = float(stats.maxmemory) if stats.maxmemory else None
        for chunk, role in sparkline(self.trend, width, limit=limit):
            text.append(chunk, style=ROLE_STYLES.get(role, ""))
        for warning in stats.warnings:
            text.append("\n⚠ ", style="bold yellow").append_text(plain(warning, "bold yellow", one_line=True))
        return clip_lines(text, self.size.width)
