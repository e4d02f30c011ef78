"""The runbook's actions in the side panel: key, risk and title, grouped the way the runbook
thinks — diagnose first, then the fixes under the root cause they address.

The fix groups follow the cause ranking (``memtui.reasoning``): most likely cause first, its
heading with the live confidence and, in brackets, the runbook's share it started from
("Fix · Memory leak 82% (30%)").  While the ranking is uncertain the groups keep the runbook's
order and show its shares only: an order that moves with thin evidence would look like a verdict.
The list is rebuilt only when the order or a shown figure changes, and the cursor stays on the
action it was on.

An action the operator may not perform stays in the list, dimmed, and its reason (RBAC,
``--read-only``) shows under the list when highlighted: hiding it would leave the operator
wondering where the runbook's step went.

The diagnose group starts folded to its heading (Enter on it unfolds it): two dozen read steps
would otherwise push every fix below the fold of a 48-line terminal, and each read has its own
key anyway (``?`` lists them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from memtui.executor.model import Permission
from memtui.reasoning.model import CAUSE_TITLES, CAUSES, PRIORS, CauseRanking
from memtui.ui.key_names import key_label
from memtui.runbook import Action
from memtui.widgets.outside_text import plain, visible
from memtui.widgets.roles import role

RISK_GLYPHS = {"read-only": ("·", "muted"), "reversible": ("↺", "ok"), "disruptive": ("!", "warn"), "destructive": ("‼", "bold bad")}
TITLE_WIDTH = 28
"""What fits beside the key and risk glyph in the 38-column side panel without wrapping."""
ANY_CAUSE = "Any cause"
"""The heading of the fixes that address no one cause (rollout restart, scale, limits)."""


def cause_groups(ranking: CauseRanking | None) -> tuple[tuple[str | None, str, str], ...]:
    """(cause, title, figures) per fix group, in the order the panel shows them.

    Ranked: by the ranking, "82% (30%)" (live confidence, runbook share).  Uncertain (or no
    ranking yet): the runbook's order by share, "(30%)" only.
    """
    groups: list[tuple[str | None, str, str]] = []
    if ranking is None or ranking.uncertain:
        for cause in sorted(CAUSES, key=lambda c: -PRIORS[c]):
            groups.append((cause, CAUSE_TITLES[cause], f"({round(100 * PRIORS[cause])}%)"))
    else:
        for score in ranking.causes:
            groups.append((score.cause, score.title,
                           f"{round(100 * score.confidence)}% ({round(100 * score.prior)}%)"))
    return (*groups, (None, ANY_CAUSE, ""))


DIAGNOSE_TOGGLE = "diagnose-toggle"
"""The option id of the diagnose group's heading, which folds and unfolds the group."""


class ActionList(OptionList):
    """The list itself; its one footer entry says that the arrows now move in the actions."""

    BINDINGS = [Binding("down", "cursor_down", "actions")]


class ActionsPanel(Vertical):
    """Every runbook action, selectable with ↑↓ Enter, each also bound to its own key."""

    DEFAULT_CSS = """
    ActionsPanel { height: 1fr; }
    ActionsPanel > OptionList { height: 1fr; border: none; padding: 0; background: $surface; }
    ActionsPanel > OptionList:focus { border: none; }  /* the side panel's border shows the focus */
    ActionsPanel > #action-hint { height: auto; max-height: 4; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [Binding("enter", "choose", "Run", show=False, id="actions.run")]

    diagnose_open: bool = False
    """Whether the diagnose group is unfolded (it starts folded to its heading)."""
    permissions: reactive[Mapping[str, Permission]] = reactive(dict, always_update=True, init=False)
    """Per action id: allowed or why not (from the executor's RBAC check and --read-only)."""

    class Chosen(Message):
        """The operator picked an action from the list."""

        def __init__(self, action_id: str) -> None:
            super().__init__()
            self.action_id = action_id

    def __init__(self, actions: Sequence[Action], keys: Mapping[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actions = {a.id: a for a in actions}
        self.keys = dict(keys)
        self.groups = cause_groups(None)
        """The fix groups as drawn now (``cause_groups``): compared to decide whether to rebuild."""
        self.rebuilds = 0
        """How many times the options were rebuilt (the tests check that an unchanged ranking costs none)."""

    def compose(self) -> ComposeResult:
        yield ActionList(*self._options(), id="action-list")
        yield Static("", id="action-hint")

    def _options(self) -> list[Option | None]:
        diagnose = [a for a in self.actions.values() if a.phase == "diagnose"]
        options: list[Option | None] = [Option(self._diagnose_heading(len(diagnose)), id=DIAGNOSE_TOGGLE)]
        if self.diagnose_open:
            options += [self._option(a) for a in diagnose]
        fixes = [a for a in self.actions.values() if a.phase == "fix"]
        known = {cause for cause, _, _ in self.groups}
        for cause, label, figures in self.groups:
            group = [a for a in fixes if a.root_cause == cause or (cause is None and a.root_cause not in known)]
            if not group:
                continue
            heading = Text(no_wrap=True, overflow="ellipsis")
            heading.append(f"Fix · {label}", style="bold underline")
            if figures:
                heading.append(f" {figures}", style="bold")
            options.append(None)
            options.append(Option(heading, disabled=True, id=f"group:{cause or 'any'}"))
            options += [self._option(a) for a in group]
        return options

    def _diagnose_heading(self, count: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.diagnose_open:
            return text.append("▾ Diagnose (no confirmation)", style="bold underline")
        text.append(f"▸ Diagnose ({count} reads)", style="bold underline")
        return text.append(" Enter", style=role("muted"))

    def show_ranking(self, ranking: CauseRanking | None) -> bool:
        """Order the fix groups by ``ranking``; True when that changed the list (else nothing is redrawn)."""
        groups = cause_groups(ranking)
        if groups == self.groups:
            return False
        self.groups = groups
        self._rebuild()
        return True

    def group_order(self) -> tuple[str | None, ...]:
        """The causes of the fix groups, in the order shown."""
        return tuple(cause for cause, _, _ in self.groups)

    def _rebuild(self) -> None:
        """Options again (diagnose folded or unfolded, groups reordered), the highlight kept on its action."""
        self.rebuilds += 1
        option_list = self.query_one(OptionList)
        keep = self._highlighted()
        option_list.clear_options()
        option_list.add_options(self._options())
        if keep is not None:
            with suppress(OptionDoesNotExist):
                option_list.highlighted = option_list.get_option_index(keep)
                option_list.scroll_to_highlight()

    def toggle_diagnose(self) -> None:
        self.diagnose_open = not self.diagnose_open
        self._rebuild()

    def _prompt(self, action: Action) -> Text:
        glyph, style = RISK_GLYPHS.get(action.risk, ("?", ""))
        permission = self.permissions.get(action.id)
        denied = permission is not None and not permission.allowed
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{key_label(self.keys.get(action.id)):>3} ", style="bold" if not denied else role("muted"))
        text.append(glyph + " ", style=role(style) if style and not denied else role("muted"))
        title = visible(action.title, one_line=True)
        title = title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"
        text.append(title, style=role("muted strike") if denied else "")
        return text

    def _option(self, action: Action) -> Option:
        return Option(self._prompt(action), id=action.id)

    def watch_permissions(self) -> None:
        option_list = self.query_one(OptionList)
        for action_id, action in self.actions.items():
            with suppress(OptionDoesNotExist):  # a folded diagnose step is drawn when unfolded
                option_list.replace_option_prompt(action_id, self._prompt(action))
        self._show_hint(self._highlighted())

    def _highlighted(self) -> str | None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    def _show_hint(self, action_id: str | None) -> None:
        hint = self.query_one("#action-hint", Static)
        action = self.actions.get(action_id or "")
        if action is None:
            hint.update("↑↓ Enter: run · the key at left runs it from anywhere")
            return
        permission = self.permissions.get(action.id)
        text = Text()
        if permission is not None and not permission.allowed:
            text.append("not allowed: ", style=role("bold warn")).append_text(plain(permission.reason, role("bold warn")))
        else:
            risk_style = RISK_GLYPHS.get(action.risk, ("", ""))[1]
            text.append(f"{action.risk}: ", style=role(risk_style) if risk_style else "")
            text.append_text(plain(action.summary))
        hint.update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_hint(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def action_choose(self) -> None:
        self._choose(self._highlighted())

    def _choose(self, option_id: str | None) -> None:
        if option_id == DIAGNOSE_TOGGLE:
            self.toggle_diagnose()
        elif option_id:
            self.post_message(self.Chosen(option_id))

    def focus_list(self) -> None:
        """Focus the list, highlighting the first fix (what ``a`` is pressed for, mid-incident)."""
        option_list = self.query_one(OptionList)
        option_list.focus()
        options = (option_list.get_option_at_index(i) for i in range(option_list.option_count))
        first_fix = next((i for i, o in enumerate(options)
                          if o.id in self.actions and self.actions[o.id].phase == "fix"), None)
        if first_fix is not None:
            option_list.highlighted = first_fix
            option_list.scroll_to_highlight()
