#!/usr/bin/env python3
"""The main thread's cost per refresh of the real cockpit, at 1,000, 5,000 and 20,000 pods.

The simulator runs in its own process (its CPU is not memtui's), Deployment sap-llm scaled to
``--pods``; ``MemtuiApp`` runs headless (``run_test``) at ``--refresh`` against it, recording on
as by default.  After the first full screen and a few warm-up refreshes it measures a window of
``--seconds``: the main thread's CPU (``thread_time``: folding snapshots into the state, ranking,
recording frames, render and paint) per Kubernetes refresh and as % of one core, the process's
CPU (workers included) as % of one core, RSS, and the fold of each snapshot (``_fold_steps``:
state, ranking, recording, widgets' inputs; paint excluded) per source.  ``--profile FILE``
writes the window's cProfile of the main thread (only that thread: cProfile hooks the thread
that enables it) and prints its top entries.

    .venv/bin/python bench/main_thread.py                       # 1000 and 5000 pods, 40 s each
    .venv/bin/python bench/main_thread.py --pods 20000 --seconds 60 --profile /tmp/p20k.prof
    .venv/bin/python bench/main_thread.py --pods 20000 --without strip_caches   # a lever's before
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import threading
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import traceback
import types
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from app import GcPauses  # noqa: E402
from collector import percentile, rss_mib, start_sim  # noqa: E402
from fold_timing import timed_steps  # noqa: E402

from memtui.clients.kube.connection import connect  # noqa: E402
from memtui.config.settings import Settings  # noqa: E402
from memtui.ui.app import MemtuiApp  # noqa: E402
from memtui.ui.messages import SourceRefreshed  # noqa: E402


GC_PAUSES = GcPauses()
"""bench/app.py's recorder of collections: one for the process (its callback stays), reset per window."""


class TimedApp(MemtuiApp):
    """The cockpit, with each snapshot's fold timed (main-thread CPU and wall, per source)."""

    CSS_PATH = str(Path(sys.modules[MemtuiApp.__module__].__file__ or "").parent / MemtuiApp.CSS_PATH)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bench_folds: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.measuring = False

    def _handle_exception(self, error: Exception) -> None:
        traceback.print_exception(error)  # a bench shows what broke
        super()._handle_exception(error)

    def _fold_steps(self, message: SourceRefreshed):
        """The fold's steps, timed: main-thread CPU and wall of all of them (its slices may be apart)."""
        totals = [0.0, 0.0]  # cpu, wall

        def took(wall: float, cpu: float) -> None:
            totals[0] += cpu
            totals[1] += wall

        yield from timed_steps(super()._fold_steps(message), took)
        if self.measuring:
            self.bench_folds[message.source].append((totals[0], totals[1]))


async def drive(app: TimedApp, pods: int, seconds: float, warmup: int, profile: Path | None) -> dict:
    async with app.run_test(size=(200, 50)) as pilot:
        started = time.perf_counter()
        deadline = started + 600
        shown = 0.0
        # the simulator's --replicas counts the namespace's other pods in (19,996 sap-llm of 20,000)
        while len(app.state.rows) < pods * 0.99 and time.perf_counter() < deadline:
            await pilot.pause(0.1)
            if time.perf_counter() - shown > 10:
                shown = time.perf_counter()
                print(f"  ({len(app.state.rows)} rows after {shown - started:.0f} s)", file=sys.stderr, flush=True)
        first_screen = time.perf_counter() - started
        print(f"  ({len(app.state.rows)} rows after {first_screen:.1f} s)", file=sys.stderr, flush=True)
        # the events' first LIST ends a few refreshes after the pods' at 5,000 pods: steady means after it
        while not (app.state.snapshot and app.state.snapshot.events) and time.perf_counter() < deadline:
            await pilot.pause(0.1)
        print(f"  (events after {time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)
        kube = next(p for p in app.pollers.values() if p.spec.snapshot.__name__ == "KubeSnapshot")
        count = 0
        original_done = kube.done

        def done(ok: bool) -> None:
            nonlocal count
            count += 1
            original_done(ok)

        kube.done = done  # type: ignore[method-assign]
        while count < warmup:
            await pilot.pause(0.1)
        profiler = cProfile.Profile() if profile else None
        gc_main = [0.0, 0]  # seconds, collections of the oldest generation, on the main thread
        gc_started: list[float] = []

        def gc_timer(phase: str, info: dict) -> None:
            if threading.current_thread() is not threading.main_thread():
                return
            if phase == "start":
                gc_started[:] = [time.thread_time()]
            elif gc_started:
                gc_main[0] += time.thread_time() - gc_started[0]
                gc_main[1] += info["generation"] == 2

        gc.callbacks.append(gc_timer)
        GC_PAUSES.reset()  # every thread's collections, by generation
        app.measuring = True
        lags: list[float] = []

        async def loop_lag() -> None:
            """How late the event loop runs a 10 ms timer: what a key typed then would wait for."""
            loop = asyncio.get_running_loop()
            while app.measuring:
                asked = loop.time()
                await asyncio.sleep(0.01)
                lags.append(loop.time() - asked - 0.01)

        lag_task = asyncio.get_running_loop().create_task(loop_lag())
        count = 0
        cpu0, proc0, wall0 = time.thread_time(), os.times(), time.perf_counter()
        if profiler:
            profiler.enable()
        while time.perf_counter() - wall0 < seconds:
            await pilot.pause(0.2)
        if profiler:
            profiler.disable()
        cpu, wall, proc1 = time.thread_time() - cpu0, time.perf_counter() - wall0, os.times()
        app.measuring = False
        await lag_task
        gc.callbacks.remove(gc_timer)
        gc_pauses = GC_PAUSES.figures()
        rss = rss_mib()
        top = ""
        if profiler and profile:
            profiler.dump_stats(str(profile))
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
                top += out.getvalue()
        process_cpu = (proc1.user - proc0.user) + (proc1.system - proc0.system)
    return {"pods": len(app.state.rows), "first_screen": first_screen, "refreshes": count, "main_cpu": cpu,
            "process_cpu": process_cpu, "wall": wall, "gc": gc_main, "rss": rss, "folds": dict(app.bench_folds), "top": top,
            "lags": lags, "gc_pauses": gc_pauses}


def bench(pods: int, seconds: float, refresh: float, warmup: int, profile: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="memtui-bench-main-") as tmp:
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")  # the recording goes here
        sim = start_sim(pods, Path(tmp))
        try:
            settings = Settings(namespace="sap-llm", refresh=refresh, redis_deployment="", gpu_source="off",
                                request_timeout=120)
            connection = connect(kubeconfig=str(sim.kubeconfig), context="memtui-sim", namespace="sap-llm",
                                 timeout=120)
            app = TimedApp(settings, connection)
            return asyncio.run(drive(app, pods, seconds, warmup, profile))
        finally:
            sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--refresh", type=float, default=2.0)
    parser.add_argument("--warmup", type=int, default=3, help="Kubernetes refreshes before the window")
    parser.add_argument("--profile", type=Path, help="write the main thread's cProfile here (suffixed per size)")
    parser.add_argument("--young", type=int, help="try another young-collection threshold (ui.gc_tuning)")
    parser.add_argument("--switch-interval", type=float, help="try another sys.setswitchinterval (seconds)")
    parser.add_argument("--without", choices=("strip_caches", "strip_cycles"), action="append", default=[],
                        help="leave this lever of ui.gc_tuning uninstalled (the before of an A/B)")
    args = parser.parse_args()
    for lever in args.without:
        from memtui.ui import gc_tuning

        setattr(gc_tuning, lever, types.SimpleNamespace(install=lambda: False))  # what start() calls
    if args.young:
        from memtui.ui import gc_tuning

        gc_tuning.YOUNG_THRESHOLD = args.young
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    print(f"{'pods':>6} {'first screen':>12} {'refreshes':>9} {'main ms/refresh':>15} {'main %core':>10} "
          f"{'process %core':>13} {'RSS MiB':>7} {'GC ms/refresh':>13}  fold ms per snapshot (median CPU, by source)")
    for pods in args.pods:
        profile = args.profile.with_suffix(f".{pods}.prof") if args.profile else None
        r = bench(pods, args.seconds, args.refresh, args.warmup, profile)
        per_refresh = r["main_cpu"] / max(1, r["refreshes"]) * 1000
        folds = "  ".join(f"{source}: {statistics.median(c for c, _ in v) * 1000:.1f} (x{len(v)})"
                          for source, v in sorted(r["folds"].items()))
        print(f"{r['pods']:>6} {r['first_screen']:>10.1f} s {r['refreshes']:>9} {per_refresh:>15.1f} "
              f"{100 * r['main_cpu'] / r['wall']:>9.1f}% {100 * r['process_cpu'] / r['wall']:>12.1f}% "
              f"{r['rss']:>7.0f} {r['gc'][0] / max(1, r['refreshes']) * 1000:>9.1f} ({r['gc'][1]}×gen2)  {folds}", flush=True)
        lags = r["lags"]
        print(f"       event-loop lag of a 10 ms timer: p50 {percentile(lags, 50) * 1000:.1f} ms, "
              f"p99 {percentile(lags, 99) * 1000:.1f} ms, max {max(lags, default=0) * 1000:.0f} ms, "
              f"{sum(lag > 0.1 for lag in lags)} over 100 ms (of {len(lags)})")
        pauses = r["gc_pauses"]
        print("       cyclic GC, every thread, by generation: " + ",  ".join(
            f"gen{g} {n}× longest {longest * 1000:.0f} ms (its CPU {cpu * 1000:.0f} ms, {freed:,} freed; "
            f"all {total * 1000:.0f} ms)"
            for g, (n, longest, cpu, freed, total) in enumerate(zip(pauses["count"], pauses["longest"],
                                                                    pauses["longest_cpu"], pauses["longest_freed"],
                                                                    pauses["total"])) if n), flush=True)
        if r["top"]:
            print(r["top"], flush=True)


if __name__ == "__main__":
    main()
