"""The cause ranking at the top of the side panel: which of the runbook's causes is at work, why,
what would make it surer, and the keys that fix it.

It is the part of the side panel that stays on a small terminal (80x24): the operator's question
at 3 a.m. is "which fix", and this answers it in a dozen lines.  Each cause has its confidence
(and the runbook's share it started from); the top causes show the facts behind them with where
each came from (``log``, ``prom``, ``exec``, ``redis``…) and their fix keys; the first gap a
diagnose step would fill is shown with the key that runs it.

When the ranking is uncertain, nothing here looks like a verdict: the causes are listed in the
runbook's fixed order (not ranked), dimmed, under "uncertain", with what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memtui.executor.model import Permission
from memtui.reasoning.model import CAUSES, CauseRanking, CauseScore, Fact, Gap
from memtui.runbook import Action
from memtui.ui.key_names import key_label
from memtui.widgets.outside_text import visible
from memtui.widgets.roles import role

SOURCE_TAGS = {"prometheus": "prom", "kubernetes": "k8s", "history": "hist", "config": "cfg", "metrics": "metr"}
"""Four-cell source tags (the panel is 34 cells wide): the rest are short enough already."""
AT_WORK = 0.5
"""A cause this likely, after the top one, is shown with its facts and fix keys too (leak and
cache bloat can happen together)."""
SHORT_NAMES = {"model-loading": "model", "leak": "leak", "batch": "batch", "cache": "cache"}
"""A cause in one word, for the lines that list several."""


def source_tag(source: str) -> str:
    return SOURCE_TAGS.get(source, source)[:5]


def percent(value: float) -> str:
    return f"{max(0, min(100, round(100 * value))):>3}%"


def same_ranking(a: CauseRanking | None, b: CauseRanking | None) -> bool:
    """Equal but for when they were computed."""
    if a is None or b is None:
        return a is b
    return replace(a, computed_at=None) == replace(b, computed_at=None)


class RankingPanel(Widget):
    """The runbook's causes ranked from live evidence, with facts, gaps and fix keys."""

    DEFAULT_CSS = """
    RankingPanel {
        height: auto;
        padding: 0 1;
        background: $surface;
    }
    """

    ranking: reactive[CauseRanking | None] = reactive(None, layout=True)
    """The ranking (memtui.reasoning), recomputed per applied snapshot; redrawn only when it changed."""
    compact: reactive[bool] = reactive(False, layout=True)
    """Short terminal: fewer facts and gaps, fix keys on the cause's line, the causes not at work on one line."""
    minimal: reactive[bool] = reactive(False, layout=True)
    """Short terminal while the actions list has focus: only the causes at work and their fix keys
    (one line each), so the list below keeps its rows."""
    permissions: reactive[Mapping[str, Permission]] = reactive(dict, always_update=True)
    """Per action id: allowed or why not; a fix key the operator may not use is struck through."""

    def __init__(self, actions: Sequence[Action], keys: Mapping[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actions = {a.id: a for a in actions}
        self.keys = dict(keys)

    def show(self, ranking: CauseRanking | None) -> bool:
        """Draw ``ranking`` if it says something new (its time of computation aside); True if redrawn.

        The ranking is recomputed per applied snapshot: most of those change nothing the panel shows,
        and a redraw with a layout pass per refresh would be wasted."""
        if same_ranking(ranking, self.ranking):
            return False
        self.ranking = ranking
        return True

    # -- what the panel offers (also used by tests and the app) ---------------------------------------

    def fix_actions(self, cause: str) -> list[Action]:
        """The runbook's fixes for ``cause`` in catalogue order, then those its resolution ends in
        (``Action.also_for``: a rollout restart clears a leak and applies a ConfigMap fix)."""
        fixes = [a for a in self.actions.values() if a.phase == "fix"]
        return [a for a in fixes if a.root_cause == cause] + [a for a in fixes if cause in a.also_for]

    def gap_key(self, gap: Gap) -> str:
        """The key that runs ``gap``'s diagnose step ('' when none is bound)."""
        return key_label(self.keys.get(gap.action_id or ""))

    # -- drawing ------------------------------------------------------------------------------------

    @property
    def _width(self) -> int:
        return max(20, self.size.width - 2) if self.size.width else 34

    def render(self) -> Text:
        ranking = self.ranking
        text = Text(no_wrap=True, overflow="ellipsis")
        if ranking is None or not ranking.causes:
            text.append("Cause\n", style="bold underline").append("waiting for the first refresh", style=role("muted"))
            return text
        if self.minimal:
            self._render_minimal(text, ranking)
        elif ranking.uncertain:
            self._render_uncertain(text, ranking)
            self._render_gaps(text, ranking)
        else:
            self._render_ranked(text, ranking)
            self._render_gaps(text, ranking)
        text.rstrip()
        lines = text.split("\n")
        for line in lines:  # one line per fact, gap or cause: never wrapped into the next one
            line.truncate(self._width, overflow="ellipsis")
        return Text("\n").join(lines)

    def _heading(self, text: Text, ranking: CauseRanking, verdict: str, style: str) -> None:
        text.append("Cause", style="bold underline").append(" ")
        text.append(verdict, style=role(style))
        if ranking.evidence_at is not None:
            text.append(f"  evidence {ranking.evidence_at.astimezone().strftime('%H:%M')}", style=role("muted"))
        text.append("\n")

    def _render_uncertain(self, text: Text, ranking: CauseRanking) -> None:
        """No order that looks like a verdict: the runbook's fixed order, dimmed, no marker."""
        self._heading(text, ranking, "uncertain", "bold warn")
        scores = {c.cause: c for c in ranking.causes}
        shown = [scores[c] for c in CAUSES if c in scores]
        if self.compact:
            cells = [f"{SHORT_NAMES[c.cause]} {round(100 * c.confidence)}%" for c in shown]
            for pair in (cells[:2], cells[2:]):
                if pair:
                    text.append("   " + " · ".join(pair) + "\n", style=role("muted"))
        else:
            for score in shown:
                text.append(f"   {score.title:<14}{percent(score.confidence)}", style=role("muted"))
                same = abs(score.confidence - score.prior) < 0.005
                text.append(" runbook\n" if same else f" (prior {round(100 * score.prior)}%)\n", style=role("muted"))
        facts = sorted((f for c in ranking.causes for f in c.facts if f.weight), key=lambda f: -abs(f.weight))
        for fact in facts[: 1 if self.compact else 2]:
            self._fact(text, fact, with_cause=True)
        if not ranking.gaps:
            text.append("missing ", style=role("warn")).append("no evidence weighed yet\n", style=role("muted"))

    @staticmethod
    def at_work(ranking: CauseRanking) -> list[CauseScore]:
        """The top cause, and the next one too when it is likely as well (shown with facts and fixes)."""
        return [ranking.causes[0]] + [c for c in ranking.causes[1:2] if c.confidence >= AT_WORK]

    def _render_minimal(self, text: Text, ranking: CauseRanking) -> None:
        if ranking.uncertain:
            text.append("Cause ", style="bold").append("uncertain", style=role("bold warn"))
            steps = [g for g in ranking.gaps if g.action_id in self.actions and self.gap_key(g)]
            if steps:
                text.append(" · surer ", style=role("muted")).append(self.gap_key(steps[0]), style=role("bold accent"))
            return
        for index, score in enumerate(self.at_work(ranking)):
            text.append("▶" if index == 0 else " ", style=role("accent"))
            text.append(f"{percent(score.confidence)} {score.title} ", style="bold")
            self._fix_keys(text, score.cause)
            text.append("\n")

    def _render_ranked(self, text: Text, ranking: CauseRanking) -> None:
        if not self.compact:
            self._heading(text, ranking, "ranked", "ok")
        at_work = self.at_work(ranking)
        for index, score in enumerate(at_work):
            self._cause_line(text, score, first=index == 0)
            for fact in score.facts[: (2 if self.compact else 3) if index == 0 else (1 if self.compact else 2)]:
                self._fact(text, fact)
            if not self.compact:
                self._fix_line(text, score.cause)
        rest = [c for c in ranking.causes if c not in at_work]
        if self.compact and rest:
            text.append("  also " + " · ".join(f"{SHORT_NAMES[c.cause]} {round(100 * c.confidence)}%"
                                               for c in rest) + "\n", style=role("muted"))
        else:
            for score in rest:
                text.append(f" {percent(score.confidence)} {score.title:<14}", style=role("muted"))
                text.append(f"(prior {round(100 * score.prior)}%)\n", style=role("muted"))

    def _cause_line(self, text: Text, score: CauseScore, *, first: bool) -> None:
        text.append("▶" if first else " ", style=role("accent"))
        text.append(f"{percent(score.confidence)} {score.title:<14}", style="bold")
        if self.compact:  # the fix keys where the prior would be: one line less per cause
            self._fix_keys(text, score.cause)
            text.append("\n")
        else:
            text.append(f"(prior {round(100 * score.prior)}%)\n", style=role("muted"))

    def _fact(self, text: Text, fact: Fact, *, with_cause: bool = False) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"   {source_tag(fact.source):<5} ", style=role("muted"))
        if with_cause:
            line.append(SHORT_NAMES.get(fact.cause, fact.cause) + ": ", style=role("muted"))
        sign_style = "" if fact.weight >= 0 else role("muted")
        line.append(visible(fact.text, one_line=True), style=sign_style)
        line.truncate(self._width, overflow="ellipsis")
        text.append_text(line).append("\n")

    def _allowed(self, action_id: str) -> bool:
        permission = self.permissions.get(action_id)
        return permission is None or permission.allowed

    def fix_keys(self, cause: str) -> list[tuple[str, Action]]:
        """(key, action) of the bound fixes for ``cause``."""
        fixes = [(key_label(self.keys.get(a.id)), a) for a in self.fix_actions(cause)]
        return [(k, a) for k, a in fixes if k]

    def _fix_keys(self, text: Text, cause: str) -> None:
        fixes = self.fix_keys(cause)
        if not fixes:
            return
        text.append("fix ", style=role("muted"))
        for key, action in fixes:
            allowed = self._allowed(action.id)
            text.append(key, style=role("bold accent") if allowed else role("muted strike")).append(" ")

    def _fix_line(self, text: Text, cause: str) -> None:
        if self.fix_keys(cause):
            text.append("   ")
            self._fix_keys(text, cause)
            text.append("\n")

    def _render_gaps(self, text: Text, ranking: CauseRanking) -> None:
        steps = [g for g in ranking.gaps if g.action_id and g.action_id in self.actions]
        missing = [g for g in ranking.gaps if g not in steps]
        steps.sort(key=lambda g: not self._allowed(g.action_id or ""))  # a step the operator can run first
        limit = 1 if self.compact else 2
        for gap in missing[:limit]:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("missing ", style=role("warn")).append(visible(gap.what, one_line=True), style=role("muted"))
            line.truncate(self._width, overflow="ellipsis")
            text.append_text(line).append("\n")
        for index, gap in enumerate(steps[:limit]):
            action = self.actions[gap.action_id or ""]
            key = self.gap_key(gap) or "^p"
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("surer " if index == 0 else "      ", style=role("muted"))
            allowed = self._allowed(action.id)
            line.append(f"{key:>2}", style=role("bold accent") if allowed else role("muted strike")).append(" ")
            line.append(visible(action.title, one_line=True), style="" if allowed else role("muted strike"))
            line.truncate(self._width, overflow="ellipsis")
            text.append_text(line).append("\n")
