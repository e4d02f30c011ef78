"""``memtui replay``: the same cockpit, read-only, fed from a recording instead of the cluster.

``ReplayApp`` is ``MemtuiApp`` with no source (an empty ``SourceBundle``: no poller starts) and a
stand-in connection made from the recording's header: the panes, keys and layout are the live
cockpit's, the state on screen is the fold of the recording up to the cursor
(``memtui.ui.replay_driver``), and every clock the widgets read is the cursor's recorded time.

Nothing here may reach a cluster.  Every runbook action (fixes, and diagnose steps too: they read
the live cluster, not the recording) is unavailable with the reason "replay", through the same
permissions the RBAC check and ``--read-only`` use: the actions panel shows them struck through,
their keys give a toast and send nothing, no executor and no audit log are made.  The pod details
screen opens without a log read.  Keys that only look (filter, sort, details, help, panes) work,
and ``X`` writes the recording's postmortem beside it (it reads the file, nothing else).

``--follow`` reads a recording another memtui is still writing (SQLite WAL): a one-shot thread
worker asks for the frames after the last one every second, re-armed when it is done (polls never
overlap, nothing keeps the process alive at quit).  The cursor stays at the live end unless the
operator stepped back; End goes live again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar, cast

from rich.text import Text
from textual.worker import get_current_worker
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.timer import Timer
from textual.widgets import Input

from memtui.audit.errors import AuditError
from memtui.audit.export import charts_dir_for
from memtui.audit.recording_export import write_recording_report
from memtui.clients.kube.connection import KubeConnection
from memtui.config.settings import Settings
from memtui.executor.model import Permission
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingError, RecordingReader
from memtui.runbook import Catalogue
from memtui.sources.bundle import SourceBundle
from memtui.state.pod_details import pod_details
from memtui.ui.app import MemtuiApp
from memtui.ui.bindings import APP_BINDINGS, REPLAY_BINDINGS
from memtui.ui.keymap import Keymap
from memtui.ui.keys_help import help_sections
from memtui.ui.replay_driver import CHECKPOINT_EVERY, FoldJob, FoldResult, ReplayDriver
from memtui.widgets.help_screen import HelpScreen, HelpSection
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.outside_text import plain, toast, visible
from memtui.widgets.pod_details_screen import PodDetailsScreen
from memtui.widgets.roles import role
from memtui.widgets.time_bar import Mark, TimeBar, clock
from memtui.ui.key_names import key_text
from memtui.ui.workers import thread_worker

REPLAY_REASON = "replay"
"""Why every runbook action is unavailable in the replay cockpit (the permissions' reason)."""
SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Playback speeds, in recorded seconds per second."""
PLAY_TICK = 0.25
FOLLOW_POLL = 1.0
SYNC_REFRESHES = CHECKPOINT_EVERY
"""A move that folds at most this many Kubernetes refreshes is folded on the main thread: one
refresh forward (~30 ms at 1,000 pods, ``bench/replay_step.py``) and a step back (a checkpoint and
at most this many refreshes after it: a few hundred ms) answer at once, without a "folding…" flash
and a second reader rebuilding delta chains.  Anything further (End, a late action, ``--at``,
playing at 60×) folds in a thread worker while the screen keeps the state it has."""
NOT_IN_FOOTER = frozenset({"app.refresh", "app.undo", "app.export"})
"""Keys the replay's footer leaves out for its own: refresh and undo are live-only (they answer
with the reason); export works (the help lists it)."""

HELP = (
    ("replay.back", "one refresh back"),
    ("replay.forward", "one refresh forward"),
    ("replay.previous-action", "to the previous runbook action"),
    ("replay.next-action", "to the next runbook action"),
    ("replay.play", "play / pause (recorded time, at the speed shown)"),
    ("replay.slower", "slower (1×, 2×, 5×, 10×, 30×, 60×)"),
    ("replay.faster", "faster"),
    ("replay.start", "to the start"),
    ("replay.end", "to the end (the live end while following)"),
)


@dataclass(frozen=True)
class RecordedConnection:
    """Where the recording was made (its header), standing in for the app's connection.

    It has the fields the cockpit shows (context, namespace, server, user) and no API client:
    anything that tried to talk to the cluster through it would fail on the spot."""

    context: str
    namespace: str
    server: str
    user: str
    kubeconfig: str | None = None


def stand_in_connection(meta: RecordingMeta) -> KubeConnection:
    """The recording's connection, typed as the app's: the replay app overrides every path that
    would use an API client (sources, runbook setup, pod logs), so only the fields are read."""
    return cast(KubeConnection, RecordedConnection(meta.context, meta.namespace, meta.server, meta.user))


def replay_settings(base: Settings, meta: RecordingMeta) -> Settings:
    """The user's display settings (theme, keymap) with what the recording says of the session."""
    return replace(base, namespace=meta.namespace, context=meta.context, refresh=meta.refresh_s,
                   threshold=str(meta.threshold_bytes) if meta.threshold_bytes else base.threshold,
                   read_only=meta.read_only, demo=meta.demo_scenario is not None,
                   scenario=meta.demo_scenario or base.scenario, prometheus_url=None, alertmanager_url=None,
                   redis_url=None, record=False, record_path=None)


class ReplayApp(MemtuiApp):
    """The cockpit over a recording: a time bar, the recorded time in the header, nothing live."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(replace(b, show=False) if b.id in NOT_IN_FOOTER else b for b in APP_BINDINGS), *REPLAY_BINDINGS]

    def __init__(
        self,
        settings: Settings,
        reader: RecordingReader,
        *,
        keymap: Keymap | None = None,
        catalogue: Catalogue | None = None,
        follow: bool = False,
        speed: float = 1.0,
        follow_poll: float = FOLLOW_POLL,
        checkpoint_every: int | None = None,
        sync_refreshes: int = SYNC_REFRESHES,
    ) -> None:
        meta = reader.meta
        settings = replay_settings(settings, meta)
        super().__init__(settings, stand_in_connection(meta), keymap=keymap, clock=self._cursor_time,
                         sources=SourceBundle(()), catalogue=catalogue)
        self.reader = reader
        self.meta = meta
        extra = {} if checkpoint_every is None else {"checkpoint_every": checkpoint_every}
        self.driver = ReplayDriver(meta, reader.frames, threshold_bytes=settings.threshold_bytes, **extra)
        self.driver.take(reader.index())
        self.follow = follow
        self.following = follow
        """At the live end of a followed recording (False once the operator steps back)."""
        self.speed = speed
        self.playing = False
        self.follow_poll = follow_poll
        self.sync_refreshes = sync_refreshes
        self.shown = self.driver.start
        """The position of the state on screen (the cursor's once its fold is done)."""
        self.state = self.driver.state_at(self.shown)
        self.cursor = self.driver.end if follow else self.driver.start
        self._fold_job: FoldJob | None = None
        """The far jump being folded in a worker (the newest: an older one is superseded)."""
        self.fold_progress: int | None = None
        """Its progress in percent, as the worker reports it; None when nothing is being folded."""
        self._play_at: datetime | None = None
        self._play_wall = 0.0
        self._play_timer: Timer | None = None
        self._follow_reader: RecordingReader | None = None
        self._follow_error: str | None = None
        self.recording_export: tuple[Path, Path] | None = None
        """The last report ``X`` wrote (HTML, Markdown)."""

    def start_at(self, when: datetime) -> None:
        """Before the screen opens: the cursor on the last refresh recorded at or before ``when``."""
        self.cursor = self.driver.at(when)
        self.following = False  # the mount's first draw folds there (in a worker when it is far)

    def _cursor_time(self) -> datetime:
        driver = getattr(self, "driver", None)
        if driver is None:
            return self.meta.started_at if hasattr(self, "meta") else datetime.now(timezone.utc)
        return driver.time_of(getattr(self, "shown", self.cursor)) or self.meta.started_at

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield widget
            if isinstance(widget, IncidentHeader):
                widget.replay = True
                yield TimeBar(id="time-bar")

    def on_mount(self) -> None:
        super().on_mount()
        self.title = f"memtui replay · {visible(self.meta.context, one_line=True)}"
        self._play_timer = self.set_interval(PLAY_TICK, self._play_tick, pause=True)
        if self.follow:
            self._follow_reader = RecordingReader(self.reader.path)
            self._poll_follow(self._follow_reader, self.driver.last_seq)
        self._show()
        for problem in self.driver.problems[:3]:
            toast(self, f"recording: {problem}", severity="warning", timeout=8)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self._follow_reader is not None:
            self._follow_reader.close()

    # -- nothing live ---------------------------------------------------------------------------

    def _setup_runbook(self) -> None:
        """No executor and no audit log: every action is unavailable, the reason "replay"."""
        self.executor = None
        self.outcomes = []
        self._effects_pending = {}
        self._effects_started = {}
        self._samples_before = {}
        self.action_marks = []
        self._set_permissions({a.id: Permission(False, REPLAY_REASON) for a in self.catalogue.actions})

    def _start_recording(self) -> None:
        """A replay records nothing: the flight recorder is the live cockpit's."""

    def action_undo(self) -> None:
        toast(self, f"Undo: not allowed: {REPLAY_REASON}", severity="warning", timeout=6)

    def action_export(self) -> None:
        """The recording's postmortem (as ``memtui replay FILE --export``): an export reads the file
        and changes nothing in the cluster, so it is not a cluster key."""
        self._export_recording(Path(self.reader.path), Path.cwd())

    @thread_worker("export")
    def _export_recording(self, recording: Path, fallback: Path) -> None:
        try:
            html, markdown = write_recording_report(recording, fallback)
        except AuditError as exc:
            self.call_from_thread(toast, self, f"export failed: {exc}", severity="error", timeout=10)
            return
        self.recording_export = (html, markdown)
        self.call_from_thread(toast, self, f"postmortem of the recording written: {html} and {markdown} "
                                           f"(charts in {markdown.parent / charts_dir_for(markdown)})", timeout=15)

    def open_pod_details(self, pod: str) -> None:
        """The pod's details at the cursor, without a log read (logs are the live cluster's)."""
        self.push_screen(PodDetailsScreen(pod_details(self.state, pod), facts=self._facts_for(pod),
                                          fetch_logs=None, now=self.clock),
                         callback=self._pod_details_closed)

    def action_toggle_help(self) -> None:
        bindings = self.keymap_bindings
        rows = [(key_text(bindings[b]), what) for b, what in HELP if bindings.get(b)]
        # the pods table's Home/End are the time cursor's here: not listed as first/last pod
        taken = {key for b, keys in bindings.items() if b.startswith("replay.") for key in keys.split(",")}
        others = {b: keys for b, keys in bindings.items() if not set(keys.split(",")) <= taken}
        sections = [HelpSection("Replay (runbook actions are unavailable: replay)", rows),
                    *help_sections(others, self.keymap_actions, self.catalogue)]
        self.push_screen(HelpScreen(sections), callback=lambda _: self._after_modal())

    # -- the cursor -----------------------------------------------------------------------------

    def _show(self) -> None:
        """Fold to the cursor and draw: the panes, the header (its clock is the shown state's) and
        the bar.  A far cursor is folded by a worker; the panes keep their state until it is done."""
        driver, seq = self.driver, self.cursor
        if driver.cost(seq) <= self.sync_refreshes:
            self._cancel_fold()
            self.state = driver.state_at(seq)
            self.ranking = driver.ranking_at(seq)
            self.shown = seq
            self._render_state()
        else:
            job = driver.plan(seq)
            self._fold_job, self.fold_progress = job, 0
            self._fold(job, Path(self.reader.path))
        self._render_bar()

    def _cancel_fold(self) -> None:
        if self._fold_job is not None:
            self._fold_job, self.fold_progress = None, None
            self.workers.cancel_group(self, "replay-fold")

    @thread_worker("replay-fold", exclusive=True)
    def _fold(self, job: FoldJob, path: Path) -> None:
        """Fold ``job`` on its own copy, with a reader of this thread's (exclusive: a newer jump
        cancels this one, which stops at its next frame)."""
        worker = get_current_worker()
        reported = -1

        def progress(fraction: float) -> None:
            nonlocal reported
            percent = int(fraction * 100)
            if percent >= reported + 5 and not worker.is_cancelled:
                reported = percent
                self.call_from_thread(self._fold_progressed, job, percent)

        try:
            reader = RecordingReader(path)
            try:
                result = job.run(reader.frames, progress=progress, cancelled=lambda: worker.is_cancelled)
            finally:
                reader.close()
        except RecordingError as exc:
            if not worker.is_cancelled:
                self.call_from_thread(self._fold_failed, job, str(exc))
            return
        if result is not None and not worker.is_cancelled:
            self.call_from_thread(self._folded, result)

    def _fold_progressed(self, job: FoldJob, percent: int) -> None:
        if job is self._fold_job:
            self.fold_progress = percent
            self._render_bar()

    def _fold_failed(self, job: FoldJob, error: str) -> None:
        if job is self._fold_job:
            self._fold_job, self.fold_progress = None, None
            self.cursor = self.shown
            toast(self, f"replay: {error}", severity="error", timeout=10)
            self._render_bar()

    def _folded(self, result: FoldResult) -> None:
        """The worker's state becomes the driver's (main thread) and is drawn; a superseded one is dropped."""
        if result.job is not self._fold_job:
            return
        self._fold_job, self.fold_progress = None, None
        self.driver.adopt(result)
        if self.following:
            self.cursor = self.driver.end  # frames came while it folded: the rest is a small step
        self._show()

    def _render_bar(self) -> None:
        driver = self.driver
        bar = self.query_one(TimeBar)
        bar.start = driver.time_of(driver.start)
        bar.end = driver.time_of(driver.end)
        bar.cursor = driver.time_of(self.cursor)
        bar.folding = self.fold_progress
        bar.marks = tuple(Mark(a.number, a.at) for a in driver.actions)
        bar.playing = self.playing
        bar.speed = self.speed
        bar.following = self.following if self.follow else None
        bar.detail = self._detail()

    def _detail(self) -> Text:
        driver, seq = self.driver, self.cursor
        text = Text()
        if not driver.refreshes:
            return text.append("waiting for the first refresh…", style=role("muted"))
        text.append(f"refresh {driver.refresh_number(seq)}/{len(driver.refreshes)}", style=role("muted"))
        text.append(f" · {len(driver.actions)} action{'' if len(driver.actions) == 1 else 's'}", style=role("muted"))
        action = driver.action_at_or_before(seq)
        if action is not None:
            text.append("  ")
            text.append(f"#{action.number} {clock(action.at)} ", style=role("bold accent"))
            text.append_text(plain(self.action_label(action.intent.action or "?"), "bold", one_line=True))
            for entry in driver.follows_of(action):
                if entry.kind == "result":
                    text.append(" → ").append_text(plain(entry.outcome or "?", role("ok" if entry.outcome == "success"
                                                                                 else "bad"), one_line=True))
                    if entry.error:
                        text.append(": ").append_text(plain(entry.error, one_line=True))
                elif entry.kind == "effect" and entry.summary:
                    text.append(" · effect ", style=role("muted")).append_text(plain(entry.summary, one_line=True))
        return text

    def move_to(self, seq: int) -> None:
        """Put the cursor on position ``seq`` (following stops unless it is the live end)."""
        self.cursor = seq
        if self.follow:
            self.following = seq >= self.driver.end
        self._show()

    def _guard(self) -> None:
        """Replay keys step aside while the filter box or a modal has the keys."""
        if len(self.screen_stack) > 1 or isinstance(self.focused, Input):
            raise SkipAction()

    def action_replay_step(self, delta: int) -> None:
        self._guard()
        self._pause()
        self.move_to(self.driver.step(self.cursor, delta))

    def action_replay_action(self, delta: int) -> None:
        self._guard()
        self._pause()
        driver = self.driver
        action = driver.next_action(self.cursor) if delta > 0 else driver.previous_action(self.cursor)
        if action is None:
            toast(self, "no later runbook action in the recording" if delta > 0 else "no earlier runbook action",
                  timeout=3)
            return
        self.move_to(action.seq)

    def action_replay_start(self) -> None:
        self._guard()
        self._pause()
        self.move_to(self.driver.start)

    def action_replay_end(self) -> None:
        self._guard()
        self._pause()
        self.move_to(self.driver.end)

    def action_replay_speed(self, delta: int) -> None:
        self._guard()
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.speed = SPEEDS[min(max(index + delta, 0), len(SPEEDS) - 1)]
        self._render_bar()

    def action_replay_play(self) -> None:
        self._guard()
        if self.playing:
            self._pause()
            self._render_bar()
            return
        if self.cursor >= self.driver.end and not self.follow:
            self.move_to(self.driver.start)  # play again from the start
        self.playing = True
        self._play_at = self.driver.time_of(self.cursor)
        self._play_wall = time.monotonic()
        if self._play_timer is not None:
            self._play_timer.resume()
        self._render_bar()

    def _pause(self) -> None:
        self.playing = False
        if self._play_timer is not None:
            self._play_timer.pause()

    def _play_tick(self) -> None:
        """Recorded time moves on at the speed; the cursor goes to the last refresh it has passed."""
        if not self.playing or self._play_at is None or self._fold_job is not None:
            return  # while a fold is in flight recorded time still runs: the next tick jumps on
        wall = time.monotonic()
        self._play_at += timedelta(seconds=(wall - self._play_wall) * self.speed)
        self._play_wall = wall
        driver = self.driver
        target = max(driver.at(self._play_at), self.cursor)
        if target != self.cursor:
            self.move_to(target)
        if driver.last_at is not None and self._play_at >= driver.last_at and not self.follow:
            self._pause()
            self._render_bar()

    # -- following a live recording -------------------------------------------------------------

    @thread_worker("replay-follow", exclusive=True)
    def _poll_follow(self, reader: RecordingReader, after: int) -> None:
        """The frames another memtui committed since ``after`` (read in this thread, decoded here)."""
        try:
            frames = list(reader.frames(after=after))
        except RecordingError as exc:
            self.call_from_thread(self._followed, [], str(exc))
            return
        self.call_from_thread(self._followed, frames, None)

    def _followed(self, frames: list[Frame], error: str | None) -> None:
        if error is not None and error != self._follow_error:  # once, not every second
            toast(self, f"following: {error}", severity="warning", timeout=8)
        self._follow_error = error
        if frames and self.driver.take(frames, fold=self.following):
            if self._fold_job is not None:
                self._render_bar()  # the fold in flight is not superseded: it follows on when done
            else:
                if self.following:
                    self.cursor = self.driver.end
                self._show()
        if self._follow_reader is not None:
            self.set_timer(self.follow_poll, lambda: self._poll_follow(self._follow_reader, self.driver.last_seq))

