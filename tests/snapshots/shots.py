"""The screenshot list, and how each shot is set up: one home for the snapshot tests and for
``scripts/screenshots.py`` (which writes ``screenshots/`` from the same definitions).

A shot is the real app against the simulator, made deterministic:

* the simulator runs at speed 0 from a fixed epoch, with a fixed seed: every pod, figure,
  event and age is the same on every run;
* the app's clock is the simulator's, shown in UTC: "updated", "since" and the incident
  timer are fixed;
* sources poll only when the shot says (``refresh`` 3600 s, then a refresh after each step of
  simulated time): sparklines and counters do not depend on how many polls a slow machine
  managed before the picture;
* the stopwatches that time a poll or a diagnose step read zero, so "158 ms" does not drift;
* the text cursor does not blink, toasts (which last seconds of wall time) are cleared, and
  the size is fixed per shot.

Prometheus is not part of the shots: it is a separate process scraping on its own wall clock,
so its instant queries cannot be pinned to the simulator's frozen time (the tests under
tests/prometheus and tests/app cover that pane against a real one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from textual.notifications import Notifications
from textual.pilot import Pilot
from textual.widgets._toast import Toast, ToastRack
from textual.widgets import Input

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.sim import SimConfig, start_simulator
from memtui.ui.app import MemtuiApp
from memtui.widgets.planning_screen import PlanningScreen
from tests.kubeconfigs import merged_kubeconfig

EPOCH = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
"""When every shot is taken, in simulated time."""
SEED = 42
TICKS = 6
TICK_SECONDS = 20.0
"""Polls after the first, and how far the simulated incident moves on before each."""


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    scenario: str = "leak"
    keys: tuple[str, ...] = ()
    wait_for_screen: bool = False
    """After the keys, wait for a modal screen (plans and diagnose steps run in workers)."""
    theme: str = "textual-dark"
    replay: bool = False
    """``memtui replay`` over a recording of the same simulated incident (the keys move its cursor)."""
    team: bool = False
    """Teammates change the namespace while memtui runs (``team_changes``): the events pane's team rows."""
    second: str | None = None
    """``--context prod-eu,prod-us``: a second simulated cluster playing this scenario (the tab bar)."""
    planning: str | None = None
    """A fix's id: its modal as it is while the plan is made (opened as its key does, without the
    plan, which on the simulator comes too soon to be photographed)."""


SHOTS = (
    Shot("cockpit", (160, 48)),
    Shot("cockpit-80x24", (80, 24)),
    Shot("cockpit-high-contrast", (160, 48), theme="memtui-high-contrast"),
    Shot("cache-bloat", (160, 48), scenario="cache-bloat"),
    Shot("filter", (160, 48), keys=("slash", "o", "o", "m")),
    Shot("medium-120x36", (120, 36)),
    Shot("confirm-modal", (160, 48), scenario="batch-spike", keys=("B",), wait_for_screen=True),
    Shot("flushdb-modal", (160, 48), scenario="cache-bloat", keys=("ctrl+f",), wait_for_screen=True),
    Shot("planning-modal", (160, 48), planning="fix.rollout-restart"),
    Shot("diagnose-output", (160, 48), keys=("l",), wait_for_screen=True),
    Shot("delete-pod-modal", (160, 48), keys=("D",), wait_for_screen=True),
    Shot("help-80x24", (80, 24), keys=("question_mark",), wait_for_screen=True),
    Shot("actions-80x24", (80, 24), keys=("a",)),
    Shot("limit-advice-modal", (160, 48), keys=("L",), wait_for_screen=True),
    Shot("limit-advice-80x24", (80, 24), keys=("L",), wait_for_screen=True),
    Shot("ranking-80x24", (80, 24), scenario="cache-bloat"),
    Shot("ranking-160x48", (160, 48), scenario="model-duplication"),
    Shot("pod-details", (160, 48), keys=("down", "down", "enter"), wait_for_screen=True),  # the OOMKilled pod
    Shot("pod-details-80x24", (80, 24), keys=("enter",), wait_for_screen=True),
    Shot("replay", (160, 48), keys=("right_square_bracket", "right"), replay=True),  # just after action 1
    Shot("replay-80x24", (80, 24), keys=("end", "left"), replay=True),
    Shot("team-timeline", (160, 48), scenario="batch-spike", team=True),
    Shot("two-contexts", (160, 48), second="cache-bloat", keys=("greater_than_sign",)),  # prod-us on screen
    Shot("two-contexts-modal", (160, 48), second="cache-bloat", keys=("greater_than_sign", "C"),
         wait_for_screen=True),  # a fix on prod-us: the modal's first line names the context
)
"""Every screen the README shows, at the sizes people run it: 160x48, 120x36 and 80x24."""

SHOT_NAMES = tuple(s.name for s in SHOTS)


class _Stopwatch:
    """``time`` for the modules that time a poll or a step: the same module, except that its
    clocks stand still (elapsed is always 0), so durations on screen are reproducible."""

    def __init__(self) -> None:
        self._real = time

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    @staticmethod
    def perf_counter() -> float:
        return 0.0

    @staticmethod
    def monotonic() -> float:
        return 0.0


STOPWATCH_MODULES = ("memtui.sources.kube", "memtui.sources.prometheus", "memtui.executor.executor",
                     "memtui.widgets.planning_screen")
"""Modules whose ``time`` times a poll or a step ("3 requests, 158 ms", "(0.45 s, in the audit
log", the planning modal's "… 1.5 s"): replaced while a shot runs.  The executor's other use,
the wait for an effect measurement at quit, never runs in a shot (no shot applies a change).  A
module moved away fails loudly here."""


@contextmanager
def frozen_stopwatches() -> Iterator[None]:
    import importlib

    swapped = []
    for name in STOPWATCH_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "time", None) is time:
            module.time = _Stopwatch()
            swapped.append(module)
    try:
        yield
    finally:
        for module in swapped:
            module.time = time


@contextmanager
def utc_display() -> Iterator[None]:
    """Clock texts use the local zone (``astimezone()``): pin it to UTC for the shot."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


RunBefore = Callable[[Pilot], Awaitable[None]]


@contextmanager
def shot_app(shot: Shot, workdir: Path) -> Iterator[tuple[MemtuiApp, RunBefore]]:
    """The app for ``shot`` on a simulator of its own, and what to do before the picture:
    wait until every source has answered, press the keys, wait for the modal."""
    folder = workdir / shot.name
    if shot.replay:
        with replay_shot_app(shot, folder) as made:
            yield made
        return
    handle = start_simulator(SimConfig(scenario=shot.scenario, seed=SEED, speed=0, epoch=EPOCH), workdir=folder)
    handles = [handle]
    try:
        with utc_display(), frozen_stopwatches():
            settings = Settings(namespace="sap-llm", demo=shot.second is None, scenario=shot.scenario, refresh=3600,
                                audit_log=str(folder / "audit.jsonl"), theme=shot.theme,
                                record_path=str(folder / "session.memtui"))  # recorded, as every run; not in the state dir
            if shot.second is None:
                connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
                app = MemtuiApp(settings, connection, clock=handle.now)
            else:
                handles.append(start_simulator(SimConfig(scenario=shot.second, seed=SEED + 1, speed=0, epoch=EPOCH),
                                               workdir=folder / "second"))
                config = merged_kubeconfig({"prod-eu": (handle, handle.url), "prod-us": (handles[1], handles[1].url)},
                                           folder / "merged.kubeconfig")
                eu, us = (connect(kubeconfig=str(config), context=name, namespace="sap-llm") for name in ("prod-eu", "prod-us"))
                app = MemtuiApp(settings, eu, more=[us], clock=handle.now)

            def advance(seconds: float) -> None:
                for each in handles:
                    each.advance(seconds)

            async def run_before(pilot: Pilot) -> None:
                await _settle(pilot, app, shot, advance,
                              before_ticks=(lambda: team_changes(handle)) if shot.team else None)

            yield app, run_before
    finally:
        for each in handles:
            each.stop()


def team_changes(handle) -> None:
    """What teammates do meanwhile, through the API as their tools do it: ``kubectl patch`` of the
    ConfigMap (the field manager kubectl sends), Argo CD applying its copy server-side, and another
    operator's memtui recording its action as a ``MemtuiAction`` Event."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=str(handle.kubeconfig_path), context="memtui-sim")
    core = client.CoreV1Api(api)
    core.patch_namespaced_config_map("sap-llm-config", "sap-llm", {"data": {"batch_size": "128"}},
                                     field_manager="kubectl-patch")
    handle.advance(TICK_SECONDS)
    core.patch_namespaced_config_map(
        "sap-llm-config", "sap-llm", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sap-llm-config"},
                                      "data": {"max_concurrent_requests": "200"}},
        field_manager="argocd-controller", force=True, _content_type="application/apply-patch+yaml")
    handle.advance(TICK_SECONDS)
    stamp = handle.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    core.create_namespaced_event("sap-llm", {
        "metadata": {"generateName": "sap-llm-config.memtui-", "namespace": "sap-llm",
                     "annotations": {"audit.memtui.io/entry": "shot-other-operator"}},
        "involvedObject": {"kind": "ConfigMap", "name": "sap-llm-config", "namespace": "sap-llm", "apiVersion": "v1"},
        "reason": "MemtuiAction", "type": "Normal", "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
        "message": "Limit concurrency [fix.limit-concurrency] by oncall-2 (bob@laptop2): ok",
        "source": {"component": "memtui", "host": "laptop2"}})


async def _wait(pilot: Pilot, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise TimeoutError(f"the shot's app did not settle within {timeout:.0f} s")


async def _settle(pilot: Pilot, app: MemtuiApp, shot: Shot, advance: Callable[[float], None],
                  before_ticks: Callable[[], None] | None = None) -> None:
    """Every source answers once at start, then ``TICKS`` times more, each after the simulator
    moved ``TICK_SECONDS`` on (so trends, growth and the OOM forecast have samples, the same ones
    on every run); then the keys, then the modal they open."""

    sessions = app.sessions  # every cluster watched (the tab bar's badges are in the picture)

    def idle() -> bool:
        return not any(p.in_flight for s in sessions for p in s.pollers.values())

    def answered(*names: str) -> bool:
        return all(h.last_ok is not None or h.error is not None
                   for s in sessions for name, h in s.state.health.items() if h.enabled and (not names or name in names))

    await _wait(pilot, lambda: all(s.state.snapshot is not None and s.state.snapshot.events_error is None
                                   for s in sessions) and answered("kubernetes", "metrics API", "redis") and idle())
    if before_ticks is not None:
        before_ticks()
    for _ in range(TICKS):
        advance(TICK_SECONDS)
        for session in sessions:
            with app.working_for(session):
                app.action_refresh_now()
        await _wait(pilot, lambda: answered() and idle())
    await pilot.pause(0.3)
    for key in shot.keys:
        await pilot.press(key)
    if shot.planning:
        app._open_planning(app.catalogue.get(shot.planning))
        await _wait(pilot, lambda: isinstance(app.screen, PlanningScreen) and app.screen.is_mounted)
        await pilot.pause(0.3)
    if shot.wait_for_screen:
        # a fix's planning modal is up at once; the shot is of the screen that follows its plan
        await _wait(pilot, lambda: len(app.screen_stack) > 1 and not isinstance(app.screen, PlanningScreen))
        # what the modal reads in its own workers (the pod details' log tail) is part of the picture
        await _wait(pilot, lambda: all(w.is_finished for w in app.workers if w.node is app.screen))
        await pilot.pause(0.5)
    elif shot.keys:
        await pilot.pause(0.3)
    _no_blink(app)
    # a toast lives a few seconds of wall time: whether it is still up depends on the machine's load
    # Textual clears only the active screen's toast rack: a toast posted just before a modal
    # opened stays on the screen beneath, visible through the modal (CI, under load); so every
    # screen's rack is emptied, and the shot waits until no toast is left on any of them
    app.clear_notifications()
    await pilot.pause()
    for screen in app.screen_stack:
        for rack in screen.query(ToastRack):
            rack.show(Notifications())
    await _wait(pilot, lambda: not any(screen.query(Toast) for screen in app.screen_stack))
    await pilot.pause()


def _no_blink(app: MemtuiApp) -> None:
    """A blinking cursor is on or off depending on the moment: keep it on."""
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False


@contextmanager
def replay_shot_app(shot: Shot, folder: Path) -> Iterator[tuple[MemtuiApp, RunBefore]]:
    """The replay cockpit over a recording made for real of the shot's simulated incident: the
    Kubernetes source's snapshots at start and after each of ``TICKS`` steps, a batch-size fix
    audited after the 3rd and a rollout restart after the 5th (their intents and results only)."""
    from memtui.recording.store import RecordingReader
    from memtui.ui.replay import ReplayApp
    from tests.replay.recordings import SessionRecorder

    handle = start_simulator(SimConfig(scenario=shot.scenario, seed=SEED, speed=0, epoch=EPOCH), workdir=folder)
    reader = None
    try:
        with utc_display(), frozen_stopwatches():
            recorder = SessionRecorder(handle, folder / "session.memtui", folder / "audit.jsonl")
            for tick in range(TICKS + 1):
                recorder.refresh(advance=TICK_SECONDS if tick else 0.0)
                if tick == 3:
                    recorder.act("fix.reduce-batch-size")
                elif tick == 5:
                    recorder.act("fix.rollout-restart")
            recorder.close()
            reader = RecordingReader(folder / "session.memtui")
            app = ReplayApp(Settings(theme=shot.theme), reader)

            async def run_before(pilot: Pilot) -> None:
                await pilot.pause()
                for key in shot.keys:
                    await pilot.press(key)
                await pilot.pause(0.3)
                _no_blink(app)
                app.clear_notifications()
                await pilot.pause()

            yield app, run_before
    finally:
        if reader is not None:
            reader.close()
        handle.stop()
