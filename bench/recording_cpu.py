#!/usr/bin/env python3
"""What recording costs per refresh, against the cockpit's own fold of the same snapshots.

For 10, 1,000 and 5,000 pods (2 s refresh) it collects the frames the cockpit would record from
the simulator through the real sources (``bench/recording.py``'s ``collect``: KubeSource, nodes,
Redis via exec, evidence, a modelled Prometheus, the ranking when it changes), then replays them:

* fold: what the cockpit does anyway, ``CockpitState.apply`` of each snapshot plus ``rank``
  after it (the app ranks after each successful poll), CPU time of the main thread
  (``time.thread_time``);
* recording, main thread: what the app adds to each fold, building the frame (fail/disable
  reasons redacted), ``Recorder.record`` (a queue put) and the ranking's ``to_record`` compared
  with the last one, ``time.thread_time``;
* recording, writer thread: the real ``Recorder``'s thread (encode with deltas and keyframes,
  one SQLite transaction), its own ``time.thread_time``.  Each refresh's frames are handed over
  and the bench waits for them to be committed before the next refresh: one commit per refresh,
  as the app makes at a 2 s refresh.

It prints per refresh: fold CPU, recording CPU (main + writer), recording as a percentage of one
core at a 2 s refresh, and relative to the fold; and the recording's size.

    .venv/bin/python bench/recording_cpu.py                    # 10, 1000, 5000 pods, 2 minutes each
    .venv/bin/python bench/recording_cpu.py --pods 1000 --minutes 10

Goal (issue 10): recording adds at most 5 % CPU.  The first refresh writes a keyframe of every
source; later keyframes come every 10 minutes (``codec.KEYFRAME_SECONDS``), so runs shorter than
that weigh keyframes more than an hour does (the figures are an upper bound).
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
sys.path.insert(0, str(ROOT / "bench"))

from recording import REFRESH, Run, collect  # noqa: E402

from memtui.audit.redact import redact_text  # noqa: E402
from memtui.reasoning.ranking import rank  # noqa: E402
from memtui.recording.fold import apply_frame  # noqa: E402
from memtui.recording.model import Frame, RecordingMeta  # noqa: E402
from memtui.recording.recorder import Recorder  # noqa: E402
from memtui.state.cockpit import CockpitState  # noqa: E402

THRESHOLD = 10 * 2**30


def fold_cost(run: Run) -> list[float]:
    """Main-thread CPU per refresh of what the cockpit does with the snapshots anyway."""
    state = CockpitState(threshold_bytes=THRESHOLD)
    costs = []
    for batch in run.batches:
        t0 = time.thread_time()
        for frame in batch:
            if frame.kind in ("expect", "disable", "fail"):
                apply_frame(state, frame)
            elif frame.kind == "apply":
                state.apply(frame.payload)
                rank(state, frame.at)
        costs.append(time.thread_time() - t0)
    return costs


def recording_cost(run: Run, workdir: Path) -> dict:
    """The app's additions to each fold (main thread) and the writer thread's work, per refresh."""
    state = CockpitState(threshold_bytes=THRESHOLD)
    rankings = []  # the CauseRanking objects the app would hold (computed outside the timed part)
    for batch in run.batches:
        for frame in batch:
            apply_frame(state, frame)
        rankings.append(rank(state, batch[-1].at) if batch else None)
    first_at = run.batches[0][0].at
    recorder = Recorder(workdir / "bench.memtui", RecordingMeta("memtui-sim", "sap-llm", "https://sim", first_at,
                                                              refresh_s=REFRESH, threshold_bytes=THRESHOLD)).start()
    recorder.record(Frame(0, first_at, "expect", "bench"))  # the file is open before the clock starts
    wait_written(recorder, 1)
    writer0 = recorder.stats().writer_cpu_s
    mains, writers = [], []
    last_ranking: dict | None = None
    for batch, ranking in zip(run.batches, rankings):
        before = recorder.stats()
        t0 = time.thread_time()
        for frame in batch:
            if frame.kind == "ranking":
                continue  # decided below, as the app does: to_record compared with the last one
            payload = redact_text(frame.payload) if isinstance(frame.payload, str) else frame.payload
            recorder.record(Frame(0, frame.at, frame.kind, frame.source, payload))
        if ranking is not None:
            record = ranking.to_record()
            compared = {k: v for k, v in record.items() if k != "computed_at"}
            if compared != last_ranking:
                last_ranking = compared
                recorder.record(Frame(0, batch[-1].at, "ranking", "", record))
        mains.append(time.thread_time() - t0)
        wait_written(recorder, recorder.stats().frames_queued)
        writers.append(recorder.stats().writer_cpu_s - before.writer_cpu_s)
    recorder.close()
    assert recorder.error is None, recorder.error
    return {"main": mains, "writer": writers, "writer_total": recorder.stats().writer_cpu_s - writer0,
            "size": (workdir / "bench.memtui").stat().st_size}


def wait_written(recorder: Recorder, frames: int) -> None:
    while recorder.stats().frames_written < frames:
        if recorder.error is not None:
            raise RuntimeError(recorder.error)
        time.sleep(0.001)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[10, 1000, 5000])
    parser.add_argument("--minutes", type=float, default=2.0, help="recorded time per size (default 2)")
    parser.add_argument("--scrape", type=float, default=30.0, help="Prometheus scrape interval modelled (s)")
    args = parser.parse_args()
    print(f"CPU per refresh (mean; median in brackets), refresh {REFRESH:.0f} s; % = of one core")
    print(f"{'pods':>6} {'refreshes':>9} {'fold ms':>13} {'rec main ms':>13} {'rec writer ms':>15} "
          f"{'rec % core':>10} {'rec/fold':>8} {'file MB':>8}")
    for pods in args.pods:
        run = collect(pods, args.minutes, args.scrape)
        folds = fold_cost(run)
        with tempfile.TemporaryDirectory(prefix="memtui-bench-") as tmp:
            rec = recording_cost(run, Path(tmp))
        n = len(run.batches)
        fold, main_, writer = (statistics.mean(x) for x in (folds, rec["main"], rec["writer"]))
        total = main_ + writer
        print(f"{run.pods:>6} {n:>9} "
              f"{fold * 1e3:>6.2f} ({statistics.median(folds) * 1e3:>4.1f}) "
              f"{main_ * 1e3:>6.3f} ({statistics.median(rec['main']) * 1e3:>4.2f}) "
              f"{writer * 1e3:>7.2f} ({statistics.median(rec['writer']) * 1e3:>4.1f}) "
              f"{total / REFRESH * 100:>9.2f}% {total / fold if fold else float('nan'):>8.2f} "
              f"{rec['size'] / 1e6:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
