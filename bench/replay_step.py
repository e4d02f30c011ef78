#!/usr/bin/env python3
"""What one step of ``memtui replay`` costs: opening a recording, one refresh forward, one back.

A recording is made for real (the Kubernetes source's snapshots of the simulator, one every 2 s
of simulated time, written with ``RecordingWriter``), at 10 and 1,000 pods.  Then the replay
driver (memtui/ui/replay_driver.py) opens it (its index read: no snapshot decoded; the first refresh
folded), the cursor goes to the end (the first visit folds every frame, a checkpoint every K
refreshes) and is walked: a step forward folds the frames
after the cursor; a step back copies the checkpoint at or before the target (``copy.deepcopy``,
snapshots shared) and folds the frames after it, read back from the file once per stretch between
two checkpoints (deltas included).  The ranking at the cursor (``rank``) is timed apart: the
screen recomputes it at each step.

    .venv/bin/python bench/replay_step.py                  # 10 and 1,000 pods
    .venv/bin/python bench/replay_step.py --replicas 5 --refreshes 60
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.clients.kube.connection import connect  # noqa: E402
from memtui.recording.model import Frame, RecordingMeta  # noqa: E402
from memtui.recording.store import RecordingReader, RecordingWriter  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from memtui.sources.kube import KubeSource  # noqa: E402
from memtui.ui.replay_driver import ReplayDriver  # noqa: E402


def record(replicas: int, refreshes: int, workdir: Path) -> tuple[Path, int]:
    """The Kubernetes source's real snapshots of the simulator, one per 2 s of simulated time."""
    handle = start_simulator(SimConfig(speed=0, seed=7, replicas=replicas), workdir / "sim")
    path = workdir / "r.memtui"
    try:
        connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
        source = KubeSource(connection)
        writer = RecordingWriter(path, RecordingMeta(connection.context, "sap-llm", connection.server, handle.now(),
                                                     threshold_bytes=10**10))
        writer.write([Frame(0, handle.now(), "expect", "kubernetes"), Frame(0, handle.now(), "expect", "metrics API")])
        pods = 0
        for i in range(refreshes):
            if i:
                handle.advance(2.0)
            snapshot = source.fetch()
            pods = len(snapshot.pods)
            writer.write([Frame(0, handle.now(), "apply", "kubernetes", snapshot)])
        source.stop()
        writer.close()
    finally:
        handle.stop()
    return path, pods


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def walk(path: Path, every: int) -> str:
    reader = RecordingReader(path)
    try:
        driver = ReplayDriver(reader.meta, reader.frames, checkpoint_every=every)
        started = time.perf_counter()
        driver.take(reader.index())
        driver.state_at(driver.start)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        driver.state_at(driver.end)  # the first visit of the end folds every frame
        to_end = time.perf_counter() - started
        refreshes = driver.refreshes
        back, forward, ranked = [], [], []
        cursor = driver.end
        for _ in range(min(40, len(refreshes) - 1)):  # back from the end, one refresh at a time
            target = driver.step(cursor, -1)
            started = time.perf_counter()
            driver.state_at(target)
            back.append(time.perf_counter() - started)
            started = time.perf_counter()
            driver.ranking_at(target)
            ranked.append(time.perf_counter() - started)
            cursor = target
        for _ in range(min(40, len(refreshes) - 1)):
            target = driver.step(cursor, 1)
            started = time.perf_counter()
            driver.state_at(target)
            forward.append(time.perf_counter() - started)
            cursor = target
        return (f"K={every:>3}: open at the start {ms(opened)}, first End {ms(to_end)} ({len(refreshes)} refreshes, "
                f"{driver.checkpoints} checkpoints); "
                f"step back median {ms(statistics.median(back))}, max {ms(max(back))}; "
                f"step forward median {ms(statistics.median(forward))}; rank at the cursor median "
                f"{ms(statistics.median(ranked))}")
    finally:
        reader.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, action="append", help="sap-llm replicas (default: 5 and 995: 10 and 1,000 pods)")
    parser.add_argument("--refreshes", type=int, default=80)
    args = parser.parse_args()
    for replicas in args.replicas or [5, 995]:
        with tempfile.TemporaryDirectory(prefix="memtui-replay-bench-") as tmp:
            path, pods = record(replicas, args.refreshes, Path(tmp))
            size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))
            print(f"{pods} pods, {args.refreshes} refreshes 2 s apart, file {size / 1e6:.2f} MB")
            for every in (10,):
                print("  " + walk(path, every))
    return 0


if __name__ == "__main__":
    sys.exit(main())
