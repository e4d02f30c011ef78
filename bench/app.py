#!/usr/bin/env python3
"""The whole cockpit at 100 to 20,000 pods, beside kubectl get+top on the same simulator.

Each size runs in a fresh process that is the app's process: the real ``MemtuiApp`` (settings
from memtui's own command-line parser, ``connect``, Textual's real Linux driver) on a
pseudo-terminal, so every frame is rendered and written as on a terminal, and keys are typed
into the pty and timed until their effect appears in the bytes written back.  The simulator
(with ``Deployment sap-llm`` scaled to N) and a real Prometheus (10 minutes backfilled from the
simulator, then scraping it) run in another process, a real ``redis-server`` in a third, so the
CPU share and RSS are the app's alone.  Prometheus's cost is read from its own
``prometheus_http_requests_total`` / ``prometheus_http_response_size_bytes`` metrics.

    .venv/bin/python bench/app.py                       # 100, 1000, 5000, 20000 pods
    .venv/bin/python bench/app.py --pods 5000 --window 20
    .venv/bin/python bench/app.py --pods 5000 --profile /tmp/profile.txt   # + cProfile of the main thread
    MEMTUI_BENCH_CENSUS=/tmp/census.txt .venv/bin/python bench/app.py --pods 5000   # + where the RSS goes
    MEMTUI_BENCH_TRACEMALLOC=1 MEMTUI_BENCH_CENSUS=...   # + the lines that allocated it (slower)
    MEMTUI_BENCH_GC_CENSUS=/tmp/gc1.txt ...   # + what a middle collection among the keys walks, by type

Figures per size: first refresh (all pods, their metrics and events folded; from the start of
polling) and launch to first full screen (every pane showing data and a frame written; from
before the settings are read, plus a fresh interpreter's ``import memtui.ui.app``), both also
as a ratio of kubectl get+top; steady refresh (a kube poll's wall time + its fold on the main
thread); CPU share of one core and RSS over the steady window; main-thread CPU per kube
refresh (folding, ranking, rendering, writing the frames); Prometheus queries and bytes per
Prometheus refresh; key→screen latency p50/p99 for ``j``, ``/``, a runbook action's modal
(``R``: its first frame, and the confirmation once its plan is made), also while one source
(``--hang``) is SIGSTOPped.
Goals (issue 11) at 5,000 pods: first ≤ 0.35× kubectl, steady ≤ 0.03×, CPU ≤ 10 %, RSS ≤ 200 MiB
(≤ 400 MiB at 20,000), launch ≤ 0.5× kubectl.
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import importlib
import inspect
import json
import os
import random
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

COLUMNS, LINES = 200, 50
MiB = 1024 * 1024
KEY_TIMEOUT = 5.0
"""A key whose effect is not on screen after this long counts as lost (and as this long in p99)."""


# -- the backends' process: simulator + Prometheus ------------------------------------------

def serve_backends(pods: int, workdir: Path, scrape_interval: str) -> int:
    """Run in its own process: the simulator and a Prometheus scraping it, until SIGTERM."""
    from datetime import timedelta

    from memtui.demo.local_prometheus import start_prometheus_for_simulator
    from memtui.sim import SimConfig, start_simulator

    started = time.perf_counter()
    handle = start_simulator(SimConfig(replicas=pods, speed=1.0), workdir / "sim")
    sim_s = time.perf_counter() - started
    prometheus = start_prometheus_for_simulator(handle, workdir / "prom", history=timedelta(minutes=10),
                                                step_seconds=30, scrape_interval=scrape_interval, timeout=300)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(json.dumps({"sim": handle.url, "kubeconfig": str(handle.kubeconfig_path), "ca": str(handle.ca_path),
                      "prometheus": prometheus.url, "prometheus_pid": prometheus.process.pid,
                      "sim_start_s": sim_s, "backends_s": time.perf_counter() - started}), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        prometheus.stop()
        handle.stop()
    return 0


class Backends:
    def __init__(self, pods: int, workdir: Path, scrape_interval: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-backends", str(pods), "--workdir", str(workdir),
             "--scrape-interval", scrape_interval],
            stdout=subprocess.PIPE, stderr=open(workdir.parent / "backends.log", "w"), text=True, cwd=ROOT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the simulator/Prometheus process ended before serving")
        self.info = json.loads(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def prometheus_counters(url: str) -> tuple[float, float]:
    """(API requests, API response bytes) Prometheus counted for itself, over /api/v1/*."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        text = response.read().decode()
    requests = size = 0.0
    for line in text.splitlines():
        if 'handler="/api/v1/' not in line:
            continue
        if line.startswith("prometheus_http_requests_total{"):
            requests += float(line.rsplit(" ", 1)[1])
        elif line.startswith("prometheus_http_response_size_bytes_sum{"):
            size += float(line.rsplit(" ", 1)[1])
    return requests, size


def import_seconds() -> float:
    """A fresh interpreter's ``import memtui.cli, memtui.ui.app`` (part of launching; ``run_app``
    imports them before its clock starts)."""
    code = "import time; t = time.perf_counter(); import memtui.cli, memtui.ui.app; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip())


# -- the app's process ------------------------------------------------------------------------

def thread_cpu(ident: int | None) -> float:
    if ident is None:
        return 0.0
    return time.clock_gettime(time.pthread_getcpuclockid(ident))


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Screen:
    """Reads what the app writes to the pty; finds when a marker appears after a key was typed."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.bytes = 0
        self.last_write = 0.0
        self._lock = threading.Lock()
        self._markers: list[tuple[bytes, ...]] = []
        """Still to appear, in order; each one text or any of several."""
        self._tail = b""
        self._found = threading.Event()
        self.found_at: list[float] = []
        self.ident: int | None = None
        self._writes: deque[float] = deque(maxlen=4096)
        self.sent_at = 0.0
        """When the last timed key was typed (perf_counter): its window, for ``slow_keys``."""
        self.main_ident = threading.main_thread().ident
        """The app's thread (it runs on this process's main thread)."""
        self.sent_main_cpu = 0.0
        """The app thread's CPU time when the last timed key was typed."""
        self._thread = threading.Thread(target=self._read, name="bench-pty-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        self.ident = threading.get_ident()
        while True:
            try:
                chunk = os.read(self.master, 1 << 17)
            except OSError:
                return
            if not chunk:
                return
            now = time.perf_counter()
            with self._lock:
                self.bytes += len(chunk)
                self.last_write = now
                self._writes.append(now)
                if self._markers:
                    window = self._tail + chunk
                    while self._markers and any(m in window for m in self._markers[0]):
                        self._markers.pop(0)
                        self.found_at.append(now)
                    if self._markers:
                        self._tail = window[-max(len(m) for alts in self._markers for m in alts):]
                    else:
                        self._found.set()

    def type_and_wait(self, keys: bytes, marker: bytes, timeout: float = KEY_TIMEOUT) -> float:
        """Seconds from typing ``keys`` to ``marker`` appearing in what the app writes (NaN: not within ``timeout``)."""
        return self.type_and_wait_each(keys, ((marker,),), timeout)[0]

    def type_and_wait_each(self, keys: bytes, markers: tuple[tuple[bytes, ...], ...],
                           timeout: float = KEY_TIMEOUT) -> list[float]:
        """Seconds from typing ``keys`` to each of ``markers`` appearing, in that order, in what
        the app writes (a marker: any of its texts; NaN for each not within ``timeout``)."""
        with self._lock:
            self._markers, self._tail, self.found_at = list(markers), b"", []
            self._found.clear()
        sent = self.sent_at = time.perf_counter()
        self.sent_main_cpu = thread_cpu(self.main_ident)
        os.write(self.master, keys)
        self._found.wait(timeout)
        with self._lock:
            self._markers = []
            found = list(self.found_at)
        return [t - sent for t in found] + [float("nan")] * (len(markers) - len(found))

    def write_after(self, since: float, timeout: float) -> float:
        """The first write after ``since`` (perf_counter), waiting up to ``timeout``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                after = [t for t in self._writes if t > since]
            if after:
                return after[0]
            time.sleep(0.005)
        return float("nan")

    def type_until(self, keys: bytes, done: Callable[[], bool], timeout: float = KEY_TIMEOUT) -> float:
        """Seconds from typing ``keys`` to the first frame written once ``done()`` holds in the app
        (for a key whose visible effect is not a unique text: the cursor's row)."""
        sent = self.sent_at = time.perf_counter()
        self.sent_main_cpu = thread_cpu(self.main_ident)
        os.write(self.master, keys)
        if not wait_until(done, timeout, step=0.002):
            return float("nan")
        return self.write_after(time.perf_counter() - 0.002, sent + timeout - time.perf_counter()) - sent


def instrumented_app_class():
    """MemtuiApp counting what the bench needs: when polls are folded, how long each fold takes."""
    from memtui.state.snapshots import KubeSnapshot
    from memtui.ui.app import MemtuiApp
    from fold_timing import timed_steps

    class BenchedApp(MemtuiApp):
        CSS_PATH = str(Path(inspect.getfile(MemtuiApp)).with_name(str(MemtuiApp.CSS_PATH)))
        """Textual finds a relative CSS_PATH beside the subclass's module: keep the app's own."""
        bench_pods = 0
        bench_polling_at = 0.0
        bench_first_refresh_at = 0.0
        bench_full_at = 0.0
        bench_full_sources: tuple[str, ...] = ("kubernetes", "metrics API", "prometheus", "gpu", "redis")

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.bench_folds: dict[str, int] = {}
            self.bench_first_fold: dict[str, float] = {}  # source -> seconds from polling start
            self.bench_failures: dict[str, list[str]] = {}  # source -> failed polls, when and why
            self.bench_kube: list[tuple[float, float]] = []  # (poll seconds, fold seconds)
            self.bench_longest: dict[str, float] = {}  # source -> its longest fold on the main thread (all steps)
            self.bench_longest_step: dict[str, float] = {}  # source -> its longest single step
            self.bench_longest_step_cpu: dict[str, float] = {}  # the same step's main-thread CPU, not wall
            self.bench_slices: deque[tuple[float, float]] = deque(maxlen=20_000)
            """Each slice of folds on the main thread, (start, end): what a slow key waited behind."""
            slice_now = self.folds._slice_now

            def timed_slice() -> None:
                started = time.perf_counter()
                try:
                    slice_now()
                finally:
                    self.bench_slices.append((started, time.perf_counter()))

            self.folds._slice_now = timed_slice  # type: ignore[method-assign]

        def _start_polling(self) -> None:
            type(self).bench_polling_at = time.perf_counter()
            super()._start_polling()

        def _fold_steps(self, message):
            """The fold's steps, timed: their main-thread time, summed (its slices may be apart)."""
            source, busy = message.source, [0.0]

            def took(wall: float, cpu: float) -> None:
                busy[0] += wall
                self.bench_longest_step[source] = max(self.bench_longest_step.get(source, 0.0), wall)
                self.bench_longest_step_cpu[source] = max(self.bench_longest_step_cpu.get(source, 0.0), cpu)

            yield from timed_steps(super()._fold_steps(message), took)
            self._bench_folded(message, busy[0], time.perf_counter())

        def _bench_folded(self, message, busy: float, ended: float) -> None:
            started = ended - busy
            source = message.source
            self.bench_folds[source] = self.bench_folds.get(source, 0) + 1
            self.bench_longest[source] = max(self.bench_longest.get(source, 0.0), ended - started)
            if message.error is None:
                self.bench_first_fold.setdefault(source, ended - type(self).bench_polling_at)
            else:
                self.bench_failures.setdefault(source, []).append(f"{ended - type(self).bench_polling_at:.1f} s: "
                                                                   f"{message.error}"[:160])
            snapshot = message.snapshot
            if isinstance(snapshot, KubeSnapshot):
                self.bench_kube.append((snapshot.duration_seconds, ended - started))
            state = self.state
            cls = type(self)
            # every pod the API lists folded (the first LIST done: at 20,000 the simulator lists 19,997,
            # so the nominal scale is no count to wait for), with their metrics and the events
            if not cls.bench_first_refresh_at and state.snapshot is not None and state.pods_loading is None \
                    and state.rows and state.events() \
                    and state.health["metrics API"].last_ok is not None:
                cls.bench_first_refresh_at = ended
            if not cls.bench_full_at and cls.bench_first_refresh_at:
                health = state.health
                if all(name in health and health[name].last_ok is not None for name in cls.bench_full_sources):
                    cls.bench_full_at = ended

    return BenchedApp


PROGRESS: list[Path] = []


GC_CENSUS: list = [os.environ["MEMTUI_BENCH_GC_CENSUS"]] if os.environ.get("MEMTUI_BENCH_GC_CENSUS") else []
"""``MEMTUI_BENCH_GC_CENSUS=FILE``: what the first middle collection while keys are timed walks, by type."""


def middle_generation_census(path: Path) -> bool:
    """The objects in generation 1 as a middle collection starts (what it is about to walk), by
    type and by the thread that started it; once, as it costs as much as the collection."""
    from collections import Counter

    objects = gc.get_objects(1)
    kinds = Counter(type(o).__qualname__ for o in objects)
    # a tuple stays tracked while it holds a tracked object: what they hold says who made them
    tuples = Counter("(" + ", ".join(type(item).__qualname__ for item in o[:6]) + (", …)" if len(o) > 6 else ")")
                     for o in objects if type(o) is tuple)
    lines = [f"{threading.current_thread().name}: {sum(kinds.values()):,} objects in generation 1, "
             f"{len(gc.get_objects(0)):,} in 0"]
    lines += [f"{n:>9,}  {kind}" for kind, n in kinds.most_common(30)]
    lines += ["tuples by what they hold:"] + [f"{n:>9,}  {kind}" for kind, n in tuples.most_common(15)]
    path.write_text("\n".join(lines) + "\n")
    return True


class GcPauses:
    """Every cyclic collection's wall time by generation (``gc.callbacks``): a collection holds the
    GIL, so a key waits for it whichever thread set it off, and a fold's step that sets one off
    is as long as the collection."""

    def __init__(self) -> None:
        self._started = (0.0, 0.0)
        self.keys_timed = False
        self.reset()
        gc.callbacks.append(self._callback)  # for the rest of this size's process

    def reset(self) -> None:
        self.longest = [0.0, 0.0, 0.0]
        self.longest_cpu = [0.0, 0.0, 0.0]
        """The longest one's CPU time on its thread: far below its wall time, the collecting
        thread was off the CPU (2 vCPU, the simulator beside) while it held the GIL."""
        self.longest_freed = [0, 0, 0]
        """Objects the longest one found unreachable and freed: freeing a cycle frees all that
        hangs from it (a whole snapshot held by a dead worker), and that is in its time."""
        self.count = [0, 0, 0]
        self.total = [0.0, 0.0, 0.0]
        self.intervals: list[tuple[float, float, int, str]] = []
        """While keys are timed: each collection's (start, end, generation, thread), for ``slow_keys``."""

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            if info["generation"] == 1 and self.keys_timed and GC_CENSUS and not GC_CENSUS[1:]:
                GC_CENSUS.append(middle_generation_census(Path(GC_CENSUS[0])))
            self._started = (time.perf_counter(), time.thread_time())
            return
        took, generation = time.perf_counter() - self._started[0], info["generation"]
        if took > self.longest[generation]:
            self.longest[generation] = took
            self.longest_cpu[generation] = time.thread_time() - self._started[1]
            self.longest_freed[generation] = info["collected"]
        self.count[generation] += 1
        self.total[generation] += took
        if self.keys_timed:
            self.intervals.append((self._started[0], self._started[0] + took, generation,
                                   threading.current_thread().name))

    def figures(self) -> dict:
        return {"longest": list(self.longest), "longest_cpu": list(self.longest_cpu), "count": list(self.count),
                "total": list(self.total), "longest_freed": list(self.longest_freed)}


def progress(text: str) -> None:
    """A line in this size's progress log (the terminal is the app's while it runs)."""
    if PROGRESS:
        with PROGRESS[0].open("a") as log:
            log.write(f"{time.strftime('%H:%M:%S')} {text}\n")


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def workers_now() -> str:
    """Where the thread workers are (run on the app's loop when a plan did not come in time): the
    loop's default executor, which Textual runs every thread worker on, queued and running, and
    each thread's innermost memtui frame."""
    import asyncio
    import sys as _sys

    pool = getattr(asyncio.get_running_loop(), "_default_executor", None)
    lines = [f"default executor: {getattr(pool, '_max_workers', '?')} workers, {len(getattr(pool, '_threads', ()))} "
             f"started, {pool._work_queue.qsize() if pool is not None else 0} queued"]
    frames = _sys._current_frames()
    for thread in threading.enumerate():
        frame, where = frames.get(thread.ident or 0), "?"
        while frame is not None:
            if "memtui" in frame.f_code.co_filename or "widgets" in frame.f_code.co_filename:
                where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
                break
            frame = frame.f_back
        lines.append(f"  {thread.name}: {where}")
    return "plan not in time; " + "\n".join(lines)


def measure_keys(app, screen: Screen, presses: int, sink: dict, prefix: str) -> None:
    """``j`` (the cursor's frame), ``/`` (the filter's placeholder), ``R`` (the modal's field), into
    ``sink[prefix_key]`` as they are measured (a key not shown within KEY_TIMEOUT counts as that)."""
    from memtui.widgets.pod_table import PodTable

    table = app.query_one(PodTable)
    out: dict[str, list[float]] = {"j": [], "/": [], "modal": [], "plan": []}
    for key, values in out.items():
        sink[f"{prefix}_{key}"] = values
        sink[f"{prefix}_{key}_lost"] = 0
    rng = random.Random(1)

    windows = sink.setdefault("key_windows", [])

    def took(key: str, seconds: float) -> None:
        if key != "plan":  # the plan's window starts with the modal's key, as the modal's does
            windows.append((prefix, key, screen.sent_at, KEY_TIMEOUT if seconds != seconds else seconds,
                            thread_cpu(screen.main_ident) - screen.sent_main_cpu))
        out[key].append(KEY_TIMEOUT if seconds != seconds else seconds)
        if seconds != seconds:
            sink[f"{prefix}_{key}_lost"] += 1
        progress(f"{prefix} {key} {seconds:.3f}")

    def settled() -> bool:
        return len(app.screen_stack) == 1 and not app.query_one("#filter").has_class("-active")

    def settle() -> None:
        """No modal and no filter open (a modal that came up after its Esc would eat the next keys)."""
        for _ in range(15):
            if wait_until(settled, 1.0):
                return
            os.write(screen.master, b"\x1b")

    def cursor_on(name: str) -> Callable[[], bool]:
        return lambda: table.cursor_pod == name

    def next_pod() -> str | None:
        rows = table.visible_rows
        index = next((i for i, r in enumerate(rows) if r.name == table.cursor_pod), -1)
        return rows[index + 1].name if 0 <= index + 1 < len(rows) else None

    for _ in range(10):  # sorted by name, the row below the cursor stays the same across refreshes
        if table.sort_key == "name":
            break
        os.write(screen.master, b"s")
        wait_until(lambda: False, 1.0)
    settle()
    for i in range(presses):
        if i % 20 == 0:  # back to the top now and then, so the cursor stays on the screen's rows
            os.write(screen.master, b"\x1b[H")
            time.sleep(0.3)
        name = app.call_from_thread(next_pod)
        if name is not None:  # the pod's name is on screen already: wait for the cursor, then its frame
            took("j", screen.type_until(b"j", cursor_on(name)))
        time.sleep(0.1 + rng.random() * 0.2)
    for _ in range(presses):
        took("/", screen.type_and_wait(b"/", b"lter pods (regex"))  # "fi": the cursor's cell
        time.sleep(0.1)
        os.write(screen.master, b"\x1b")
        time.sleep(0.3 + rng.random() * 0.2)
        settle()
    for _ in range(max(3, presses // 2)):
        # the modal's first frame (planning, or the plan already), then the confirmation with its
        # plan (the reads and the dry run)
        confirmation = b"Reason / incident id"
        modal, plan = screen.type_and_wait_each(b"R", ((b"Planning: ", confirmation), (confirmation,)))
        took("modal", modal)
        took("plan", plan)
        if plan != plan:
            progress(app.call_from_thread(workers_now))
        time.sleep(0.2)
        os.write(screen.master, b"\x1b")
        time.sleep(0.5 + rng.random() * 0.3)
        settle()


def run_one(pods: int, window: float, refresh: float, presses: int, kubectl_repeats: int, hang: str,
            scrape_interval: str, profile_path: str | None) -> dict:
    from collector import time_kubectl, SimProcess  # the reference, as bench/collector.py takes it

    tmp = Path(tempfile.mkdtemp(prefix="memtui-bench-app-"))
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[var] = str(tmp / var.lower())  # recordings and audit log of this run, no user config
    # the tests' own redis-server starter (one home for it; the bench runs from a checkout, where
    # tests/ is importable, and mypy checks memtui and bench as installed, where it is not)
    start_redis = importlib.import_module("tests.servers").start_redis

    PROGRESS.append(tmp / "progress.log")
    print(f"# {pods} pods: progress in {PROGRESS[0]}", file=sys.stderr, flush=True)

    result: dict = {"pods": pods}
    backends = Backends(pods, tmp / "backends", scrape_interval)
    redis = None
    try:
        info = backends.info
        result["sim_start_s"] = info["sim_start_s"]
        result["backends_s"] = info["backends_s"]
        redis = start_redis(tmp / "redis")
        sim = SimProcess(backends.process, info["sim"], Path(info["kubeconfig"]), Path(info["ca"]))
        get_s, top_s = time_kubectl(sim, kubectl_repeats)
        result.update(kubectl_get=get_s, kubectl_top=top_s, kubectl=get_s + top_s)
        result["imports_s"] = import_seconds()
        progress(f"kubectl and imports: {result}")
        result.update(run_app(pods, info, redis, window, refresh, presses, hang, profile_path))
        # again once the app is gone: this machine's load moves, and the reference should share it
        after_get, after_top = time_kubectl(sim, kubectl_repeats)
        result.update(kubectl_before=get_s + top_s, kubectl_after=after_get + after_top,
                      kubectl_get=(get_s + after_get) / 2, kubectl_top=(top_s + after_top) / 2,
                      kubectl=(get_s + top_s + after_get + after_top) / 2)
    finally:
        if redis is not None:
            os.kill(redis.process.pid, signal.SIGCONT)
            redis.stop()
        backends.stop()
    return result


def run_app(pods: int, info: dict, redis, window: float, refresh: float, presses: int, hang: str,
            profile_path: str | None) -> dict:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
    os.environ.pop("NO_COLOR", None)
    saved_in, saved_err = os.dup(0), os.dup(2)
    screen = Screen(master)
    result: dict = {}
    errors: list[BaseException] = []

    # imported before the clock starts: a fresh interpreter's imports are timed on their own
    # (``import_seconds``) and added to the launch; timed here as well, they were counted twice
    from memtui.cli import build_parser, cli_values
    from memtui.clients.kube.connection import connect
    from memtui.config.settings import load_settings
    from memtui.process_memory import limit_malloc_arenas
    importlib.import_module("memtui.ui.app")
    limit_malloc_arenas()  # as memtui's main() does first

    launch0 = time.perf_counter()
    if os.environ.get("MEMTUI_BENCH_TRACEMALLOC"):  # the census then says which lines allocated what is live
        import tracemalloc
        tracemalloc.start(int(os.environ["MEMTUI_BENCH_TRACEMALLOC"]))

    argv = ["-n", "sap-llm", "--kubeconfig", info["kubeconfig"], "--context", "memtui-sim", "--refresh", str(refresh),
            "--prometheus-url", info["prometheus"], "--redis-url", redis.url]
    result["argv"] = " ".join(argv)
    settings = load_settings(cli_values(build_parser().parse_args(argv)))
    connection = connect(kubeconfig=settings.kubeconfig, context=settings.context, namespace=settings.namespace,
                         timeout=settings.request_timeout)
    App = instrumented_app_class()
    App.bench_pods = pods
    App.bench_gc = GcPauses()
    app = App(settings, connection)

    def script() -> None:
        try:
            result.update(drive(result, app, App, screen, launch0, pods, info, redis, window, refresh, presses, hang,
                                profile_path))
        except BaseException as exc:  # noqa: BLE001 - reported after the terminal is back
            errors.append(exc)
        finally:
            app.call_from_thread(app.exit)

    control = threading.Thread(target=script, name="bench-control", daemon=True)
    os.dup2(slave, 0)
    os.dup2(slave, 2)
    try:
        control.start()
        app.run()
    except Exception:
        if app.crash_report is not None:
            print(f"# crash report: {app.crash_report}", file=sys.stdout, flush=True)
        raise
    finally:
        os.dup2(saved_in, 0)
        os.dup2(saved_err, 2)
    control.join(30)
    if app.crash_line:  # a finding: the figures measured until then are kept, the crash is printed
        result["crash"] = app.crash_line
    elif errors:
        raise errors[0]
    return result


def census(app, path: Path) -> None:
    """Where the RSS goes (``MEMTUI_BENCH_CENSUS=FILE``): live objects by type (count, shallow
    bytes), then the RSS before and after glibc's ``malloc_trim`` (freed memory the heap kept)."""
    import collections
    import ctypes
    import gc

    done = threading.Event()
    lines: list[str] = []

    def count() -> None:
        gc.collect()
        sizes: collections.Counter[str] = collections.Counter()
        counts: collections.Counter[str] = collections.Counter()
        for obj in gc.get_objects():
            name = type(obj).__qualname__
            counts[name] += 1
            sizes[name] += sys.getsizeof(obj)
        lines.append(f"gc-tracked objects: {sum(counts.values()):,}, {sum(sizes.values()) / MiB:.1f} MiB shallow")
        for name, size in sizes.most_common(30):
            lines.append(f"  {size / MiB:8.1f} MiB {counts[name]:>9,}  {name}")
        import tracemalloc
        if tracemalloc.is_tracing():
            snapshot = tracemalloc.take_snapshot()
            lines.append(f"tracemalloc: {tracemalloc.get_traced_memory()[0] / MiB:.1f} MiB live since the app was made")
            for key in ("filename", "lineno"):
                for stat in snapshot.statistics(key)[:25]:
                    lines.append(f"  {stat.size / MiB:8.1f} MiB {stat.count:>9,}  {stat.traceback}")
        before = rss_mib()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        lines.append(f"RSS {before:.0f} MiB, after malloc_trim {rss_mib():.0f} MiB")
        done.set()

    app.call_from_thread(count)
    done.wait(120)
    path.write_text("\n".join(lines) + "\n")


def drive(out: dict, app, App, screen: Screen, launch0: float, pods: int, info: dict, redis, window: float, refresh: float,
          presses: int, hang: str, profile_path: str | None) -> dict:
    """The phases, each adding its figures to ``out`` as it ends (the app may crash on the way)."""
    within = float(os.environ.get("MEMTUI_BENCH_FULL_WITHIN", "900"))  # seconds a size may take to its full screen
    if not wait_until(lambda: App.bench_full_at, timeout=within):
        state = app.state  # read from this thread for the message only
        health = {name: "ok" if h.last_ok is not None else (h.error or "no answer")[:120] for name, h in state.health.items()}
        raise RuntimeError(f"no full screen after {within:.0f} s (folds so far: {app.bench_folds}; rows {len(state.rows)}, "
                           f"events {len(state.events())}, first refresh {'done' if App.bench_first_refresh_at else 'not yet'}, "
                           f"health {health})")
    shown = screen.write_after(App.bench_full_at, timeout=10)
    out["first_refresh_s"] = App.bench_first_refresh_at - App.bench_polling_at
    out["launch_s"] = shown - launch0
    out["polling_start_s"] = App.bench_polling_at - launch0
    out["first_folds"] = dict(app.bench_first_fold)
    out["failures_before_full"] = {k: v[:3] for k, v in app.bench_failures.items()}
    progress(f"full screen: {out}")
    time.sleep(2 * refresh + 1)  # let the first slow polls (history backfill) settle

    progress("steady window")
    # -- the steady window --------------------------------------------------------------------
    main_ident = threading.main_thread().ident
    kube0, folds0 = len(app.bench_kube), dict(app.bench_folds)
    prom0 = prometheus_counters(info["prometheus"])
    cpu0, main0, reader0 = time.process_time(), thread_cpu(main_ident), thread_cpu(screen.ident)
    trims0, trim_s0 = app.collector.heap_trims, app.collector.heap_trim_seconds
    wall0, bytes0 = time.perf_counter(), screen.bytes
    rss: list[float] = []
    while time.perf_counter() - wall0 < window:
        time.sleep(1.0)
        rss.append(rss_mib())
    wall = time.perf_counter() - wall0
    cpu, main = time.process_time() - cpu0, thread_cpu(main_ident) - main0
    reader = thread_cpu(screen.ident) - reader0
    prom1 = prometheus_counters(info["prometheus"])
    kube = app.bench_kube[kube0:]
    refreshes = max(1, len(kube))
    prom_polls = max(1, app.bench_folds.get("prometheus", 0) - folds0.get("prometheus", 0))
    out.update(
        window_s=wall,
        kube_refreshes=len(kube),
        steady_poll_s=statistics.median(p for p, _ in kube) if kube else float("nan"),
        steady_fold_s=statistics.median(f for _, f in kube) if kube else float("nan"),
        steady_s=statistics.median(p + f for p, f in kube) if kube else float("nan"),
        cpu_share=(cpu - reader) / wall,
        bench_reader_share=reader / wall,
        main_per_refresh_s=main / refreshes,
        rss_mib=rss[-1],
        rss_max_mib=max(rss),
        prometheus_polls=prom_polls,
        prometheus_queries=(prom1[0] - prom0[0]) / prom_polls,
        prometheus_bytes=(prom1[1] - prom0[1]) / prom_polls,
        screen_bytes_per_s=(screen.bytes - bytes0) / wall,
        heap_trims=app.collector.heap_trims - trims0,
        heap_trim_s=app.collector.heap_trim_seconds - trim_s0,
    )

    progress(f"window done: {out}")
    if os.environ.get("MEMTUI_BENCH_CENSUS"):
        census(app, Path(os.environ["MEMTUI_BENCH_CENSUS"]))
    if profile_path:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        app.call_from_thread(lambda: profiler.enable())  # the main thread's own profile: the event loop
        time.sleep(window)
        app.call_from_thread(lambda: profiler.disable())
        text = io.StringIO()
        text.write(f"# main thread, {window:.0f} s of steady refreshes at {pods} pods, --refresh {refresh}\n")
        for order in ("cumulative", "tottime"):
            text.write(f"\n## top 15 by {order}\n")
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(15)
        text.write("\n## memtui's own functions, top 25 by cumulative\n")
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats("memtui/", 25)
        Path(profile_path).write_text(text.getvalue())

    # -- keys -----------------------------------------------------------------------------------
    out["longest_slice_s"] = app.folds.longest_slice  # from launch on (the first listing's included)
    app.folds.longest_slice = 0.0  # from here: what a key pressed in steady refreshes may wait for
    out["gc_before_keys"] = App.bench_gc.figures()
    App.bench_gc.reset()
    App.bench_gc.keys_timed = True
    measure_keys(app, screen, presses, out, "key")

    # -- keys while one source hangs ----------------------------------------------------------
    progress(f"hanging {hang}")
    pid = redis.process.pid if hang == "redis" else info["prometheus_pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(refresh + 1)  # a poll is now waiting on the stopped process
        measure_keys(app, screen, presses, out, "hang")
    finally:
        os.kill(pid, signal.SIGCONT)
    out["longest_folds"] = dict(app.bench_longest)  # from launch on
    out["longest_steps"] = dict(app.bench_longest_step)
    out["longest_slice_keys_s"] = app.folds.longest_slice  # a key waits at most for the slice it lands in
    out["longest_steps_cpu"] = dict(app.bench_longest_step_cpu)
    out["gc_keys"] = App.bench_gc.figures()
    out["sliced_folds"] = app.folds.sliced
    out["slow_keys"] = slow_keys(out.get("key_windows", []), App.bench_gc.intervals, list(app.bench_slices))
    return out


SLOW_KEY_SECONDS = 0.1


def slow_keys(windows: list, collections: list, slices: list) -> list[str]:
    """Each key over ``SLOW_KEY_SECONDS``: what ran inside its window (key typed → its frame
    written) that holds the GIL or the main thread: cyclic collections (generation, thread) and
    slices of folds; and the app thread's CPU from the key to about its frame (measured when
    the bench saw the frame).  Far below the window, the app waited: for the GIL another thread
    held, or for a CPU (2 vCPU, the simulator beside)."""

    def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
        return max(0.0, min(a1, b1) - max(a0, b0))

    lines = []
    for prefix, key, sent, seconds, main_cpu in windows:
        if seconds <= SLOW_KEY_SECONDS:
            continue
        end = sent + seconds
        inside = [f"gen{g} on {thread} {overlap(sent, end, s0, s1) * 1000:.0f} ms"
                  for s0, s1, g, thread in collections if overlap(sent, end, s0, s1) > 0]
        folds = sum(overlap(sent, end, s0, s1) for s0, s1 in slices)
        lines.append(f"{prefix} {key} {seconds * 1000:.0f} ms (app thread CPU {main_cpu * 1000:.0f} ms): "
                     + ", ".join(inside + [f"fold slices {folds * 1000:.0f} ms"]))
    return lines


# -- the table ------------------------------------------------------------------------------

GOALS_AT = 5000


def goal(ok: bool) -> str:
    return "ok" if ok else "MISS"


class Figures(dict):
    """A size's figures; those a crashed run did not reach read as NaN (or empty)."""

    def __missing__(self, key: str):
        if key.startswith(("key_", "hang_")) and not key.endswith("_lost"):
            return []
        if key.endswith("_lost"):
            return 0
        return {} if key in ("first_folds", "failures_before_full") else float("nan")


def print_table(r: dict, hang: str, refresh: float) -> None:
    from collector import percentile  # one home with bench/main_thread.py's (collector imports memtui)

    r = Figures(r)
    k = r["kubectl"]
    at_goal = r["pods"] >= GOALS_AT
    rss_goal = 400 if r["pods"] >= 20000 else 200
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731

    def row(name: str, value: str, ratio: str = "", target: str = "") -> None:
        print(f"  {name:<44} {value:>16} {ratio:>9}   {target}")

    def keys(prefix: str) -> str:
        parts = []
        for key, label in (("j", "j"), ("/", "/"), ("modal", "modal R"), ("plan", "its plan")):
            v = r[f"{prefix}_{key}"]
            lost = r[f"{prefix}_{key}_lost"]
            parts.append(f"{label} {percentile(v, 50) * 1000:.0f}/{percentile(v, 99) * 1000:.0f} ms"
                         + (f" ({lost}/{len(v)} not shown in {KEY_TIMEOUT:g} s)" if lost else ""))
        return ",  ".join(parts)

    print(f"\n{r['pods']:,} pods  (simulator up in {r['sim_start_s']:.1f} s, with Prometheus backfilled "
          f"{r['backends_s']:.1f} s; window {r['window_s']:.0f} s at --refresh {refresh:g}, "
          f"{r['kube_refreshes']} kube refreshes)")
    print(f"  {'figure':<44} {'measured':>16} {'× kubectl':>9}   goal at {GOALS_AT:,} pods")
    row("kubectl get pods -o json + kubectl top pods", ms(k), "1",
        f"({ms(r['kubectl_get'])} + {ms(r['kubectl_top'])}; mean of {ms(r['kubectl_before'])} before the app, "
        f"{ms(r['kubectl_after'])} after)")
    first = r["first_refresh_s"]
    row("first refresh (pods, metrics, events folded)", ms(first), f"{first / k:.2f}",
        f"≤ 0.35× {goal(first / k <= 0.35) if at_goal else ''}")
    launch = r["launch_s"] + r["imports_s"]
    row("launch to first full screen (+ imports)", ms(launch), f"{launch / k:.2f}",
        f"≤ 0.5× {goal(launch / k <= 0.5) if at_goal else ''}  (imports {ms(r['imports_s'])}, polling starts at {ms(r['polling_start_s'])})")
    steady = r["steady_s"]
    row("steady refresh (kube poll + fold)", ms(steady), f"{steady / k:.3f}",
        f"≤ 0.03× {goal(steady / k <= 0.03) if at_goal else ''}  "
        f"(poll {ms(r['steady_poll_s'])} + fold {ms(r['steady_fold_s'])})")
    row("CPU, share of one core (app process)", f"{r['cpu_share'] * 100:.1f} %", "",
        f"≤ 10 % {goal(r['cpu_share'] <= 0.10) if at_goal else ''}  "
        f"(bench pty reader {r['bench_reader_share'] * 100:.1f} % not counted)")
    row("RSS, end of window (max)", f"{r['rss_mib']:.0f} MiB ({r['rss_max_mib']:.0f})", "",
        f"≤ {rss_goal} MiB {goal(r['rss_max_mib'] <= rss_goal) if at_goal else ''}")
    trims = r.get("heap_trims", 0)
    row("main-thread CPU per kube refresh", ms(r["main_per_refresh_s"]), "",
        f"(fold, rank, render, write; {trims} heap trims in the window, "
        f"{r.get('heap_trim_s', 0) / max(1, trims) * 1000:.1f} ms each)")
    row("Prometheus queries / bytes per its refresh",
        f"{r['prometheus_queries']:.1f} / {r['prometheus_bytes'] / MiB:.2f} MiB", "",
        f"({r['prometheus_polls']} Prometheus refreshes in the window)")
    firsts = ", ".join(f"{name} {s:.1f}" for name, s in sorted(r["first_folds"].items(), key=lambda kv: kv[1]))
    print(f"  first answer per source, s from polling start: {firsts}")
    longest = sorted(r.get("longest_folds", {}).items(), key=lambda kv: -kv[1])
    print("  longest fold per source, main-thread time of all its steps: "
          + ", ".join(f"{name} {ms(s).strip()}" for name, s in longest[:5]))
    print(f"  longest slice of folds on the main thread (a key waits for it): {ms(r['longest_slice_keys_s']).strip()}"
          f" while keys were timed, {ms(r['longest_slice_s']).strip()} before"
          f"  ({r['sliced_folds']} folds went on in later slices); longest step per source: "
          + ", ".join(f"{name} {ms(s).strip()}" for name, s in sorted(r.get("longest_steps", {}).items(),
                                                                      key=lambda kv: -kv[1])[:4]))
    if "longest_steps_cpu" in r:
        print("  the same steps' main-thread CPU (the rest of a step's wall time is other threads holding the GIL): "
              + ", ".join(f"{name} {ms(s).strip()}" for name, s in sorted(r["longest_steps_cpu"].items(),
                                                                          key=lambda kv: -kv[1])[:4]))
    for label, key in (("before keys", "gc_before_keys"), ("while keys were timed", "gc_keys")):
        if key in r:
            gcs = r[key]
            print(f"  cyclic GC {label}, per generation 0/1/2: "
                  + ", ".join(f"{n}× longest {ms(l).strip()} (its CPU {ms(c).strip()}, {f:,} freed; all {ms(t).strip()})"
                              for n, l, c, f, t in zip(gcs["count"], gcs["longest"], gcs["longest_cpu"],
                                                       gcs["longest_freed"], gcs["total"])))
    for source, failures in r.get("failures_before_full", {}).items():
        print(f"  failed before the full screen: {source}: {'; '.join(failures)}")
    print(f"  key→screen p50/p99:  {keys('key')}")
    slow = r["slow_keys"] if isinstance(r["slow_keys"], list) else []
    print(f"  keys over {SLOW_KEY_SECONDS * 1000:.0f} ms, and what ran inside their window: "
          + ("; ".join(slow) if slow else "none"))
    print(f"  same, {hang} SIGSTOPped: {keys('hang')}")
    if "crash" in r:
        print(f"  THE APP CRASHED during the run (figures after it: nan): {r['crash']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[100, 1000, 5000, 20000])
    parser.add_argument("--window", type=float, default=60.0, help="seconds of the steady window (default 60)")
    parser.add_argument("--refresh", type=float, default=2.0, help="memtui --refresh (default 2)")
    parser.add_argument("--presses", type=int, default=20,
                        help="presses of j and / per phase, half as many of the modal (default 20)")
    parser.add_argument("--kubectl-repeats", type=int, default=3)
    parser.add_argument("--hang", choices=("redis", "prometheus"), default="redis",
                        help="the source SIGSTOPped for the second key phase (default redis)")
    parser.add_argument("--scrape-interval", default="15s", help="Prometheus's scrape interval of the simulator")
    parser.add_argument("--profile", metavar="FILE", help="also profile the main thread for a window (one size)")
    parser.add_argument("--json", metavar="FILE", help="append each size's raw figures to FILE (JSON lines)")
    parser.add_argument("--serve-backends", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_backends is not None:
        return serve_backends(args.serve_backends, args.workdir, args.scrape_interval)
    if args.one is not None:
        r = run_one(args.one, args.window, args.refresh, args.presses, args.kubectl_repeats, args.hang,
                    args.scrape_interval, args.profile)
        print("RESULT " + json.dumps(r), flush=True)
        return 0
    print(__doc__.split("\n\n")[0])
    failed = 0
    for pods in args.pods:
        command = [sys.executable, __file__, "--one", str(pods), "--window", str(args.window),
                   "--refresh", str(args.refresh), "--presses", str(args.presses),
                   "--kubectl-repeats", str(args.kubectl_repeats), "--hang", args.hang,
                   "--scrape-interval", args.scrape_interval]
        if args.profile:
            command += ["--profile", args.profile]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            print(f"\n{pods:,} pods: the run failed (exit {done.returncode})", flush=True)
            failed += 1
            continue
        r = json.loads(lines[-1][len("RESULT "):])
        if args.json:
            with open(args.json, "a") as sink:
                sink.write(json.dumps(r) + "\n")
        print_table(r, args.hang, args.refresh)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
