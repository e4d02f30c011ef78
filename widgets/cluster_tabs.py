"""The tab bar of ``memtui --context a,b``: one tab per cluster, the one on screen highlighted.

Each tab carries its cluster's badge, so a cluster that is not on screen still says when it
needs a look: how many pods are over the threshold, and whether its API has gone stale.  The
widget only draws what it is handed (``ClusterTab``); with one context the app hides it and the
screen is the single-cluster cockpit, line for line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from memtui.widgets.outside_text import plain
from memtui.widgets.roles import role


@dataclass(frozen=True)
class ClusterTab:
    """One cluster's tab: its context name and its badge."""

    name: str
    over_threshold: int
    stale: bool


def tabs_text(tabs: Sequence[ClusterTab], active: int, keys: str = "") -> Text:
    """`` ▸ prod-eu 2 over │  prod-us ⚠ stale``: the active tab bold and reversed."""
    text = Text()
    for index, tab in enumerate(tabs):
        if index:
            text.append(" │ ", style=role("muted"))
        current = index == active
        text.append_text(plain(f" {'▸ ' if current else ''}{tab.name}", role("bold reverse accent") if current else role("bold"),
                               one_line=True))
        if tab.stale:
            text.append(" ⚠ stale", style=role("bold warn"))
        if tab.over_threshold:
            text.append(f" {tab.over_threshold} over", style=role("bold bad"))
    if keys:
        text.append(f"   {keys} switch", style=role("muted"))
    return text


class ClusterTabs(Static):
    """One line of tabs above the panes (``show`` redraws it)."""

    keys = ""
    """The keys that switch tabs, as the keymap binds them (shown at the end of the line)."""

    def show(self, tabs: Sequence[ClusterTab], active: int) -> None:
        self.tabs = tuple(tabs)
        self.update(tabs_text(tabs, active, self.keys))
