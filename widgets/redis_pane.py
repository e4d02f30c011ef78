"""Redis memory and eviction at a glance, with the runbook's cache-bloat warning signs."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from memtui.state.snapshots import RedisStats
from memtui.state.units import format_bytes
from memtui.widgets.cells import fragment_style, clip_lines, sparkline
from memtui.widgets.content_fit import FitsContent
from memtui.widgets.outside_text import plain, visible
from memtui.widgets.roles import role


class RedisPane(FitsContent):
    """used_memory, RSS, peak, fragmentation, maxmemory/policy, evictions, keyspace, hit rate."""

    DEFAULT_CSS = """
    RedisPane {
        height: auto;
        padding: 0 1;
    }
    """

    stats: reactive[RedisStats | None] = reactive(None, always_update=True)
    """The last INFO reading."""
    trend: reactive[tuple[float, ...]] = reactive((), always_update=True)
    """Recent used_memory samples, oldest first."""
    message: reactive[str] = reactive("")
    """Shown instead of figures when Redis is not configured or never answered."""

    def watch_stats(self) -> None:
        self.refit()

    def watch_trend(self) -> None:
        self.refit()

    def watch_message(self) -> None:
        self.refit()

    def render(self) -> Text:
        stats = self.stats
        text = Text(no_wrap=True, overflow="ellipsis")
        if stats is None:
            text.append(visible(self.message, one_line=True) or "waiting for the first INFO…", style=role("muted"))
            return text
        text.append("used ", style=role("muted")).append(format_bytes(stats.used_memory), style="bold")
        text.append("  rss ", style=role("muted")).append(format_bytes(stats.used_memory_rss))
        text.append("  peak ", style=role("muted")).append(format_bytes(stats.used_memory_peak))
        text.append("\n")
        if stats.maxmemory:
            text.append("maxmemory ", style=role("muted")).append(format_bytes(stats.maxmemory))
        else:
            text.append("maxmemory ", style=role("muted")).append("0 (unbounded)", style=role("bold bad"))
        policy_style = role("bold bad") if stats.maxmemory_policy == "noeviction" else ""
        text.append("  policy ", style=role("muted")).append_text(plain(stats.maxmemory_policy, policy_style, one_line=True))
        text.append("\n")
        if stats.fragmentation_ratio is not None:
            frag_style = role("warn") if stats.fragmentation_ratio > 1.5 else ""
            text.append("frag ", style=role("muted")).append(f"{stats.fragmentation_ratio:.2f}  ", style=frag_style)
        text.append("evicted ", style=role("muted")).append(f"{stats.evicted_keys:,}")
        text.append("  expired ", style=role("muted")).append(f"{stats.expired_keys:,}")
        hit = stats.hit_rate
        text.append("  hit rate ", style=role("muted")).append("—" if hit is None else f"{hit * 100:.1f}%")
        text.append("\n")
        if stats.keyspace:
            for db in stats.keyspace[:4]:
                text.append_text(plain(f"{db.db} ", role("muted"), one_line=True)).append(f"{db.keys:,} keys").append(
                    f", {db.expires:,} with TTL", style=role("muted")
                )
                text.append("  ")
            text.append("\n")
        else:
            text.append("keyspace empty\n", style=role("muted"))
        width = max(8, self.size.width - 2)
        limit = float(stats.maxmemory) if stats.maxmemory else None
        for chunk, chunk_role in sparkline(self.trend, width, limit=limit):
            text.append(chunk, style=fragment_style(chunk_role))
        for warning in stats.warnings:
            text.append("\n⚠ ", style=role("bold warn")).append_text(plain(warning, role("bold warn"), one_line=True))
        return clip_lines(text, self.size.width)
