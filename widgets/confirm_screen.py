"""The confirmation modal: exactly what will be sent, to what, and why — before anything is.

The plan on screen is the plan that gets executed: editing a parameter re-plans (validation,
diff, equivalent command, server-side dry run) in a worker, and Apply stays disabled until the
plan shown matches the fields.  Destructive actions need the target's name typed; FLUSHDB first
offers the gentler steps.  Esc cancels and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from memtui.executor.model import ExecCall, Plan, PlanError, RedisCall
from memtui.ui.key_names import bound_key_label
from memtui.runbook import Action, ParamError
from memtui.state.cockpit import PodRow
from memtui.widgets import cells
from memtui.widgets.actions_panel import RISK_GLYPHS
from memtui.widgets.outside_text import plain, toast, visible
from memtui.widgets.roles import role
from memtui.widgets.modal_state import dismissed

Replan = Callable[[Mapping[str, str]], Plan]
"""Plans the action again for edited parameter values (blocking: run in a worker)."""


@dataclass(frozen=True)
class Confirmed:
    """The operator confirmed this plan (with the name typed, if it needed one)."""

    plan: Plan
    confirmation: str | None


@dataclass(frozen=True)
class SwitchTo:
    """The operator chose a gentler step offered by the modal instead."""

    action_id: str


@dataclass(frozen=True)
class Retarget:
    """The operator chose the selected pod instead of the pod the action names ("the worst pod"):
    plan the same action again for ``pod``."""

    action_id: str
    pod: str


def action_heading(title: str, risk: str) -> Text:
    """A fix's modal's first line, the planning one's and the confirmation's: the title (it may
    come from a runbook file: literal) and the risk."""
    glyph, _ = RISK_GLYPHS.get(risk, ("", ""))
    return Text.assemble(plain(f"{title}  ", "bold", one_line=True), (f"{glyph} {risk}", role("bold warn")))


def context_line(context: str) -> Text:
    """The kube context a fix goes to, on a line of its own (several clusters watched)."""
    return plain(f"Context: {context}", one_line=True)


def plan_sections(plan: Plan, invalid: Sequence[str] = ()) -> Text:
    """Target, change, request, equivalent, dry run and warnings, as the modal shows them.

    ``invalid``: the labels of parameters that do not validate now.  Then the change, the
    request and the equivalent command say that nothing can be sent: the last valid plan's
    request is not what Apply would send (Apply is off), and copying it would mislead.
    """
    if invalid:
        return _blocked_sections(plan, invalid)
    text = _target_section(plan, why=True)
    changes = [c for c in plan.changes if c.changes_anything]
    if plan.changes:
        text.append("Restores (the values recorded before the action)\n" if plan.undo_of else "Change\n", style="bold")
        width = max(len(c.path) for c in plan.changes)
        for change in plan.changes:
            before = "(absent)" if change.before is None else change.before
            after = "(absent)" if change.after is None else change.after
            style = Style() if change.changes_anything else role("muted")
            text.append_text(plain(f"  {change.path:<{width}}  ", style, one_line=True))
            text.append_text(plain(before, role("bad") if change.changes_anything else style))
            text.append(" → ", style=role("muted")).append_text(plain(after, role("ok") if change.changes_anything else style))
            if not change.changes_anything:
                text.append("  (unchanged)", style=role("muted"))
            text.append("\n")
        if not changes:
            text.append("  nothing would change: the values are already set\n", style=role("warn"))
    text.append_text(_advice_section(plan))
    text.append("Will send\n", style="bold")
    for request in plan.requests:
        for i, line in enumerate(request.text.splitlines()):
            text.append_text(plain(("  " if i == 0 else "    ") + line, Style() if i == 0 else role("muted"))).append("\n")
    text.append("Equivalent\n", style="bold")
    for line in plan.equivalent.splitlines():
        text.append_text(plain(f"  {line}", role("code"))).append("\n")
    if plan.dry_run is not None:
        text.append("Dry run (server-side, dryRun=All)\n", style="bold")
        mark, dry_style = ("✓ ", role("ok")) if plan.dry_run.ok else ("✗ ", role("bold bad"))
        text.append_text(plain("  " + mark + plan.dry_run.message, dry_style)).append("\n")
    elif any(isinstance(r, (ExecCall, RedisCall)) for r in plan.requests):
        text.append("Dry run: ", style="bold").append("not offered by the API for exec/Redis commands\n", style=role("muted"))
    for note in plan.notes:
        text.append(f"ℹ {note}\n", style=role("muted"))
    for warning in plan.warnings:
        text.append_text(plain(f"⚠ {warning}", role("bold warn"))).append("\n")
    if not plan.permission.allowed:
        text.append_text(plain(f"⛔ not allowed: {plan.permission.reason}", role("bold bad"))).append("\n")
    return text


CHECK_MARKS = {"ok": ("✓ ", "ok"), "fail": ("✗ ", "bold bad"), "caution": ("⚠ ", "warn"), "unknown": ("? ", "warn")}


def _advice_section(plan: Plan) -> Text:
    """How the proposed value was computed from history, and the checks made before sending."""
    text = Text()
    if plan.advice:
        text.append("Advice (from history)\n", style="bold")
        for line in plan.advice:
            text.append_text(plain(f"  {line}", role("muted"))).append("\n")
    if plan.checks:
        text.append("Checks before sending\n", style="bold")
        for check in plan.checks:
            mark, style = CHECK_MARKS.get(check.status, ("? ", "warn"))
            text.append_text(plain(f"  {mark}{check.text}", role(style) if check.status != "ok" else Style()))
            text.append("\n")
    return text


def _target_section(plan: Plan, *, why: bool) -> Text:
    """The plan's targets, one a line, each with why it was chosen when ``why``."""
    text = Text()
    text.append("Target\n", style="bold")
    for target in plan.targets:
        text.append_text(plain(f"  {target.kind} {target.namespace}/{target.name}", role("bold code"), one_line=True))
        if why:
            text.append_text(plain(f"  {target.why}", role("muted")))
        text.append("\n")
    return text


def _blocked_sections(plan: Plan, invalid: Sequence[str]) -> Text:
    text = _target_section(plan, why=False)
    names = visible(", ".join(invalid), one_line=True)
    line = f"  nothing can be sent: {names} {'is' if len(invalid) == 1 else 'are'} not valid (see below)\n"
    for heading in ("Change", "Will send", "Equivalent"):
        text.append(f"{heading}\n", style="bold").append(line, style=role("bold warn"))
    return text


class ConfirmActionScreen(ModalScreen[Confirmed | SwitchTo | Retarget | None]):
    """Shows a mutating action's plan, lets the operator edit its parameters, confirm or cancel."""

    DEFAULT_CSS = """
    ConfirmActionScreen { align: center middle; }
    ConfirmActionScreen > #dialog {
        width: 110; max-width: 96%; height: auto; max-height: 94%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ConfirmActionScreen #plan { height: auto; }
    ConfirmActionScreen #live { height: auto; }
    ConfirmActionScreen.-destructive > #dialog { border: thick $error; }
    ConfirmActionScreen #title { text-style: bold; width: 1fr; }
    ConfirmActionScreen #context { text-style: bold; color: $text-warning; background: $warning 15%; }
    ConfirmActionScreen #why { color: $text-muted; margin-bottom: 1; }
    ConfirmActionScreen .field { height: auto; margin-top: 1; }
    ConfirmActionScreen .field Label { width: 26; padding: 0 1 0 0; text-align: right; }
    ConfirmActionScreen .field Input { width: 1fr; }
    ConfirmActionScreen .error { color: $error; padding-left: 27; height: auto; }
    ConfirmActionScreen #status { height: auto; color: $text-muted; }
    ConfirmActionScreen #confirm-prompt { margin-top: 1; }
    ConfirmActionScreen #confirm-name { border: tall $error; width: 60; }
    ConfirmActionScreen #confirm-name:focus { border: tall $error; background: $boost; }
    ConfirmActionScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmActionScreen #buttons Button { margin-left: 1; }
    ConfirmActionScreen #gentler { height: auto; margin-top: 1; }
    ConfirmActionScreen #retarget { height: auto; margin-top: 1; }
    ConfirmActionScreen #retarget-note { width: 1fr; }
    ConfirmActionScreen #gentler Label { padding-right: 1; color: $text-muted; }
    ConfirmActionScreen #gentler Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="confirm.apply"),
        Binding("ctrl+t", "retarget", "Selected pod instead", id="confirm.retarget"),
    ]

    def __init__(
        self, action: Action, plan: Plan, replan: Replan | None, *, gentler_titles: Mapping[str, str] | None = None,
        keymap: Mapping[str, str] | None = None, context: str | None = None,
    ) -> None:
        """``replan`` None makes the parameters read-only (an undo restores recorded values);
        ``keymap`` (binding id → keys) names the keys the buttons say, as the operator bound them;
        ``context``: the kube context the plan goes to, on a line of its own at the top (given when
        several clusters are watched, where the wrong tab is one key away)."""
        super().__init__()
        self.context = context
        self.keymap = dict(keymap or {})
        self.action = action
        self.plan = plan
        self.replan = replan
        self.gentler_titles = dict(gentler_titles or {})
        self._stale = False
        self._errors: dict[str, str] = {}

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        action = self.action
        with VerticalScroll(id="dialog"):
            if self.context is not None:
                yield Static(context_line(self.context), id="context")
            yield Static(action_heading(self.plan.title, action.risk), id="title")
            yield Static(plain(self._why(), role("muted")), id="why")
            yield Static(plan_sections(self.plan), id="plan")
            yield Static("", id="live")
            if self.plan.alternative_pod:
                with Horizontal(id="retarget"):
                    yield Static(self._retarget_note(), id="retarget-note")
                    label = plain(f"Target {self.plan.alternative_pod} instead ({self._key('confirm.retarget')})", one_line=True)
                    yield Button(label, id="retarget-button",
                                 variant="primary", compact=True)
            yield Static(self._advice_note(), id="advice-note")  # shown only when there is advice
            for param in action.params:
                with Horizontal(classes="field"):
                    yield Label(plain(param.label or param.name, one_line=True))
                    yield Input(
                        value=str(self.plan.values.get(param.name, param.default)),
                        id=f"param-{param.name}",
                        compact=True,
                        disabled=self.replan is None,
                    )
                yield Static("", classes="error", id=f"error-{param.name}")
            if self.plan.confirm_name:
                yield Static(
                    Text.assemble(("Destructive: type ", role("bold bad")), plain(self.plan.confirm_name, "bold", one_line=True),
                                  (" to enable Apply", role("bold bad"))),
                    id="confirm-prompt",
                )
                # a full (bordered) input: it has to look like the place to type, and it has focus
                yield Input(placeholder=visible(f"type {self.plan.confirm_name}", one_line=True), id="confirm-name")
            with Horizontal(classes="field"):
                yield Label("Reason / incident id")
                yield Input(placeholder="optional, goes into the audit log", id="reason", compact=True)
            yield Static("", id="status")
            if self.plan.gentler_first:
                with Horizontal(id="gentler"):
                    yield Label("Gentler first:")
                    for action_id in self.plan.gentler_first:
                        title = self.gentler_titles.get(action_id, action_id)
                        yield Button(plain(title, one_line=True), id=f"gentler-{action_id.replace('.', '__')}", variant="primary", compact=True)
            with Horizontal(id="buttons"):
                yield Button("Copy command", id="copy")
                yield Button(f"Cancel ({self._key('confirm.cancel')})", id="cancel")
                yield Button(f"Apply ({self._key('confirm.apply')})", id="apply", variant="error" if self.action.risk == "destructive" else "warning")

    def _key(self, binding_id: str) -> str:
        return bound_key_label(self.keymap, binding_id, self.BINDINGS)

    def on_mount(self) -> None:
        if dismissed(self):
            return
        self.set_class(self.action.risk == "destructive", "-destructive")
        # a destructive action starts in the name field (what the prompt asks for first)
        wanted = self.query("#confirm-name") if self.plan.confirm_name else self.query(Input)
        if wanted:
            wanted.first().focus()
        self._update_advice_note()
        self._update_apply()

    def show_live(self, rows: Sequence[PodRow], at: datetime) -> None:
        """The target pods' figures as of the latest refresh: the cockpit behind the modal keeps
        polling, and the operator deciding on a delete sees memory now, not when the modal opened."""
        pods = [t.name for t in self.plan.targets if t.kind == "Pod"]
        if not pods:
            return
        by_name = {row.name: row for row in rows}
        text = Text()
        text.append("Target now ", style="bold").append(f"({at.astimezone():%H:%M:%S}, live)\n", style=role("muted"))
        for name in pods[:6]:
            row = by_name.get(name)
            text.append(f"  {name}  ", style=role("bold code"))
            if row is None:
                text.append("no longer listed (deleted or replaced?)\n", style=role("bold warn"))
                continue
            text.append(f"working set {cells.memory_text(row.working_set, row.limit)}"
                        f" ({cells.percent_text(row.percent).strip()})")
            eta, _ = cells.oom_eta_text(row.seconds_to_oom)
            growth = cells.growth_text(row.growth_per_minute) if row.growth_per_minute is not None else ""
            text.append("".join(f", {part}" for part in (growth, eta) if part), style=role("warn") if eta else "")
            text.append(f", {row.restarts} restart{'s' if row.restarts != 1 else ''}\n", style=role("muted"))
        if len(pods) > 6:
            text.append(f"  … and {len(pods) - 6} more\n", style=role("muted"))
        self.query_one("#live", Static).update(text)

    def _why(self) -> str:
        if self.plan.undo_of:
            return (f"Puts back what {self.action.title!r} changed: the values memtui read just before it was "
                    f"sent (recorded in the audit log). Restores {self.plan.restores}.")
        return f"{self.action.summary}\n{self.action.why}".strip()

    def _update_advice_note(self) -> None:
        note = self._advice_note()
        widget = self.query_one("#advice-note", Static)
        widget.update(note)
        widget.display = bool(note.plain)

    def _advice_note(self) -> Text:
        """Beside the value: the advice in one line and any failed check (seen at 80x24 too)."""
        text = Text()
        if self.plan.advice_summary:
            text.append_text(plain(f"ℹ {self.plan.advice_summary}", role("muted"))).append("\n")
        for blocker in self.plan.blockers:
            text.append_text(plain(f"✗ {blocker}", role("bold bad"))).append("\n")
        return text

    def _retarget_note(self) -> Text:
        target = self.plan.targets[0].name if self.plan.targets else "?"
        return Text.assemble(
            ("The selected pod ", role("bold warn")), plain(self.plan.alternative_pod or "", "bold", one_line=True),
            (" is not the worst pod; this action targets the worst pod, ", role("bold warn")),
            plain(target, "bold", one_line=True),
            (".", role("bold warn")))

    # -- state --------------------------------------------------------------------------------

    def _values(self) -> dict[str, str]:
        return {p.name: self.query_one(f"#param-{p.name}", Input).value for p in self.action.params}

    def _update_apply(self) -> list[str]:
        """Enable Apply or not; returns why not (empty when it may be sent)."""
        apply = self.query_one("#apply", Button)
        reasons = []
        if not self.plan.permission.allowed:
            reasons.append(f"not allowed: {self.plan.permission.reason}")
        if self._errors:
            reasons.append("fix the parameters")
        if self._stale:
            reasons.append("updating the plan…")
        if self.plan.dry_run is not None and not self.plan.dry_run.ok:
            reasons.append("the server-side dry run failed")
        if self.plan.blockers:
            failed = len(self.plan.blockers)
            reasons.append(f"{failed} check{'s' if failed != 1 else ''} failed (✗ above): edit the value")
        if self.plan.confirm_name:
            typed = self.query_one("#confirm-name", Input).value.strip()
            if typed != self.plan.confirm_name:
                shown = f" (typed {typed!r})" if typed else ""
                reasons.append(f"type {self.plan.confirm_name!r} to enable Apply{shown}")
        apply.disabled = bool(reasons)
        self.query_one("#status", Static).update(plain("; ".join(reasons), role("warn")) if reasons else "")
        return reasons

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("param-"):
            name = event.input.id[len("param-"):]
            param = next(p for p in self.action.params if p.name == name)
            self._errors.pop("_plan", None)  # a plan-level refusal is for the old values: re-plan
            try:
                param.validate(event.value)
            except ParamError as exc:
                self._errors[name] = exc.message
            else:
                self._errors.pop(name, None)
            # the message repeats what was typed: literal, whatever brackets it holds
            self.query_one(f"#error-{name}", Static).update(plain(self._errors.get(name, "")))
            self._show_plan()
            values = self._values()
            unchanged = all(str(self.plan.values.get(k, "")) == v for k, v in values.items())
            if not self._errors and not unchanged and self.replan is not None:
                self._stale = True
                self._replan(values)
        self._update_apply()

    @work(thread=True, exclusive=True, group="replan", exit_on_error=False)
    def _replan(self, values: dict[str, str]) -> None:
        assert self.replan is not None  # started only when the modal can replan
        try:
            plan = self.replan(values)
        except PlanError as exc:
            self.app.call_from_thread(self._replan_failed, values, exc)
        else:
            self.app.call_from_thread(self._replanned, values, plan)

    def _replanned(self, values: dict[str, str], plan: Plan) -> None:
        if values != self._values():
            return  # the operator typed on; a newer re-plan is coming
        self.plan = plan
        self._stale = False
        self._show_plan()
        self._update_apply()

    def _replan_failed(self, values: dict[str, str], exc: PlanError) -> None:
        if values != self._values():
            return
        self._stale = False
        self._errors[exc.param or "_plan"] = exc.message
        if exc.param:
            self.query_one(f"#error-{exc.param}", Static).update(plain(exc.message))
        else:
            self.query_one("#status", Static).update(plain(exc.message, role("bold bad")))
        self._show_plan()
        self._update_apply()

    def _invalid_labels(self) -> list[str]:
        labels = {p.name: p.label or p.name for p in self.action.params}
        return [labels.get(name, "the plan") for name in self._errors]

    def _show_plan(self) -> None:
        """The plan as it would be sent, or that nothing can be sent while a field is invalid."""
        invalid = self._invalid_labels()
        self.query_one("#plan", Static).update(plan_sections(self.plan, invalid))
        self._update_advice_note()
        self.query_one("#copy", Button).disabled = bool(invalid)

    # -- actions ------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "apply":
            self.action_apply()
        elif button == "cancel":
            self.action_cancel()
        elif button == "copy":
            self.app.copy_to_clipboard(self.plan.equivalent)
            self.notify("Equivalent command copied to the clipboard (OSC 52)", timeout=3)
        elif button == "retarget-button":
            self.action_retarget()
        elif button.startswith("gentler-"):
            self.dismiss(SwitchTo(button[len("gentler-"):].replace("__", ".")))

    def action_apply(self) -> None:
        reasons = self._update_apply()
        if reasons:
            # ctrl+s that does nothing looks like a dead key: say why nothing was sent
            toast(self, "not applied: " + "; ".join(reasons), severity="warning", timeout=5)
            return
        reason = self.query_one("#reason", Input).value.strip() or None
        confirmation = None
        if self.plan.confirm_name:
            confirmation = self.query_one("#confirm-name", Input).value.strip()
        self.dismiss(Confirmed(replace(self.plan, reason=reason), confirmation))

    def action_retarget(self) -> None:
        """Re-plan for the selected pod: an explicit choice, never the cursor's silent effect."""
        if not self.plan.alternative_pod:
            self.notify("the selected pod is the target already (or not a pod of this deployment)", timeout=4)
            return
        self.dismiss(Retarget(self.action.id, self.plan.alternative_pod))

    def action_cancel(self) -> None:
        self.dismiss(None)

