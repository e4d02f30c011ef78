#!/usr/bin/env python3
"""How big a recording grows, and what writing and reading it costs, at 10, 1,000 and 5,000 pods.

For each size it runs the simulator (``memtui sim``, its clock frozen and moved 2 s per refresh,
in its own process) and reads it as the cockpit does, through the real sources: KubeSource (pods
and events by watch, PodMetrics every refresh: metrics-server's 15 s windows, so a pod's usage
moves every seventh or eighth refresh; the leak scenario's pods grow, get OOMKilled and restart,
events arrive), NodeSource every 15 s, RedisExecSource (``redis-cli INFO`` via exec in the redis
pod) every 2 s, EvidenceSource (logs and ``du`` of the representative pods) every 60 s, and the
cause ranking after each refresh.  Prometheus is not run: its snapshot (every 5 s) is built from
the figures KubeSource read (working set, rss and cache split, limit, growth over the last two
windows, time to OOM, restarts, a DCGM GPU figure per pod), so it moves when the pods' figures do.

The frames are then written through ``RecordingWriter`` (one transaction per refresh, as the
writer thread does) and read back through ``RecordingReader``.  It prints per size: frames, file
size and MB per hour (extrapolated from the run: ``--minutes`` of recorded time, default 5 = one
whole keyframe cycle), bytes per refresh, the Kubernetes chain's keyframe and mean delta, the
ratio of whole frames to what is stored, and encode (write) and decode (read) time per frame.

    .venv/bin/python bench/recording.py                    # 10, 1000, 5000 pods, 5 minutes each
    .venv/bin/python bench/recording.py --pods 1000 --minutes 2

Targets (issue 10): at most 50 MB per hour at 5,000 pods and 2 MB per hour at 10 pods, 2 s refresh.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from collector import SimProcess, start_sim  # noqa: E402

from memtui.clients.kube.connection import connect  # noqa: E402
from memtui.reasoning.ranking import rank  # noqa: E402
from memtui.recording import codec  # noqa: E402
from memtui.recording.model import Frame, RecordingMeta  # noqa: E402
from memtui.recording.store import RecordingReader, RecordingWriter  # noqa: E402
from memtui.sources.evidence import EvidenceSource, evidence_inputs  # noqa: E402
from memtui.sources.kube import KubeSource  # noqa: E402
from memtui.sources.nodes import NodeSource, pod_nodes  # noqa: E402
from memtui.sources.redis_source import RedisExecSource  # noqa: E402
from memtui.state.cockpit import CockpitState  # noqa: E402
from memtui.state.snapshots import GpuUsage, KubeSnapshot, PodTrend, PrometheusSnapshot  # noqa: E402

REFRESH = 2.0
INTERVALS = {"nodes": 15.0, "prometheus": 5.0, "evidence": 60.0, "redis": 2.0}
GPU_MIB = 81920.0


@dataclass
class Run:
    pods: int
    seconds: float
    batches: list[list[Frame]] = field(default_factory=list)


def _prometheus(snapshot: KubeSnapshot, before: dict[str, tuple[float, float, float | None]], now: float) -> PrometheusSnapshot:
    """What Prometheus would say of the pods KubeSource read (see the module's docstring)."""
    trends, gpu = {}, {}
    for pod in snapshot.pods:
        usage = snapshot.usage.get(pod.name)
        if usage is None:
            continue
        ws = float(usage.working_set_bytes)
        limit = pod.memory_limit_bytes
        last = before.get(pod.name)
        if last is None:
            before[pod.name] = (now, ws, None)
        elif last[1] != ws and now > last[0]:
            before[pod.name] = (now, ws, (ws - last[1]) / (now - last[0]))
        growth = before[pod.name][2]
        to_oom = (limit - ws) / growth if growth and growth > 0 and limit else None
        trends[pod.name] = PodTrend(pod.name, working_set=ws, rss=round(ws * 0.93), cache=round(ws * 0.07),
                                    usage=round(ws * 1.07), limit=float(limit) if limit else None,
                                    growth_per_second=growth, seconds_to_oom=to_oom, restarts_2h=pod.restarts,
                                    oom_within_2h=bool(to_oom and to_oom < 7200))
        if pod.gpus:
            gpu[pod.name] = GpuUsage(pod.name, round(ws / 2**20 * 0.6, 1) % GPU_MIB, GPU_MIB, "DCGM", pod.gpus)
    return PrometheusSnapshot(snapshot.taken_at, trends, gpu, 9, 0.04)


def collect(pods: int, minutes: float) -> Run:
    """Refreshes of a simulated namespace of ``pods`` pods, as the frames the cockpit would record."""
    run = Run(pods, minutes * 60)
    with tempfile.TemporaryDirectory(prefix="memtui-bench-") as tmp:
        sim: SimProcess = start_sim(pods, Path(tmp), "--speed", "0")
        kube = None
        try:
            connection = connect(kubeconfig=str(sim.kubeconfig), context="memtui-sim", namespace="sap-llm", timeout=120)
            kube = KubeSource(connection, timeout=120)
            nodes = NodeSource(connection, timeout=60)
            redis = RedisExecSource(connection, deployment="redis", timeout=60)
            evidence = EvidenceSource(connection, read_only=False, timeout=60)
            state = CockpitState(threshold_bytes=10 * 2**30)
            due = dict.fromkeys(INTERVALS, 0.0)
            seen: dict[str, tuple[float, float, float | None]] = {}
            last_ranking = None
            t = 0.0
            first = [Frame(0, _now(sim), "expect", name) for name in ("kubernetes", "nodes", "prometheus", "redis",
                                                                       "evidence")]
            while t < run.seconds:
                now = _now(sim)
                batch: list[Frame] = first
                first = []
                snapshot = kube.fetch()
                batch.append(_apply(state, now, "kubernetes", snapshot))
                if t >= due["nodes"]:
                    wanted = pod_nodes(state)
                    if wanted is not None:
                        batch.append(_apply(state, now, "nodes", nodes.fetch(wanted)))
                if t >= due["prometheus"]:
                    batch.append(_apply(state, now, "prometheus", _prometheus(snapshot, seen, now.timestamp())))
                if t >= due["redis"]:
                    try:
                        batch.append(_apply(state, now, "redis", redis.fetch()))
                    except Exception as exc:  # noqa: BLE001 - recorded as the cockpit would: a failed poll
                        batch.append(Frame(0, now, "fail", "redis", str(exc)))
                if t >= due["evidence"]:
                    inputs = evidence_inputs(state)
                    if inputs is not None:
                        batch.append(_apply(state, now, "evidence", evidence.fetch(inputs)))
                for name, interval in INTERVALS.items():
                    if t >= due[name]:
                        due[name] += interval
                ranking = rank(state, now).to_record()
                if ranking != last_ranking:
                    batch.append(Frame(0, now, "ranking", "", ranking))
                    last_ranking = ranking
                run.batches.append(batch)
                sim.control("POST", f"/_sim/advance?seconds={REFRESH}")
                t += REFRESH
        finally:
            if kube is not None:
                kube.stop()
            sim.stop()
    return run


def _now(sim: SimProcess) -> datetime:
    return datetime.fromisoformat(sim.control("GET", "/_sim/now")["now"])


def _apply(state: CockpitState, now: datetime, source: str, snapshot: object) -> Frame:
    state.apply(snapshot)
    return Frame(0, now, "apply", source, snapshot)


def measure(run: Run, workdir: Path) -> dict[str, float]:
    path = workdir / f"bench-{run.pods}.memtui"
    writer = RecordingWriter(path, RecordingMeta("memtui-sim", "sap-llm", "bench", run.batches[0][0].at))
    write_s = []
    for batch in run.batches:
        started = time.perf_counter()
        writer.write(batch)
        write_s.append(time.perf_counter() - started)
    writer.close()  # checkpoints the WAL into the file
    frames = sum(len(b) for b in run.batches)
    reader = RecordingReader(path)
    started = time.perf_counter()
    read = list(reader.frames())
    read_s = time.perf_counter() - started
    assert [f.payload for f in read] == [f.payload for b in run.batches for f in b], "a frame did not read back equal"
    rows = reader._db.execute(
        "SELECT source, base IS NULL, COUNT(*), SUM(LENGTH(body)) FROM frames WHERE kind = 'apply' "
        "AND source = 'kubernetes' GROUP BY 2").fetchall()
    stored = reader._db.execute("SELECT SUM(LENGTH(body)) FROM frames").fetchone()[0] or 0
    reader.close()
    kube_key = next((size / count for _s, key, count, size in rows if key), 0.0)
    kube_delta = next((size / count for _s, key, count, size in rows if not key), 0.0)
    whole = sum(len(codec.encode(f.payload)) for b in run.batches for f in b if f.payload is not None)
    kube_frames = [f for b in run.batches for f in b if f.source == "kubernetes" and f.kind == "apply"]
    started = time.perf_counter()
    for f in kube_frames[:20]:
        codec.decode(codec.encode(f.payload), "KubeSnapshot")
    whole_decode = (time.perf_counter() - started) / min(20, len(kube_frames))
    size = path.stat().st_size
    hours = run.seconds / 3600
    return {
        "frames": frames,
        "file_mb": size / 1e6,
        "mb_per_hour": size / 1e6 / hours,
        "bytes_per_refresh": size / len(run.batches),
        "kube_keyframe": kube_key,
        "kube_delta": kube_delta,
        "ratio": whole / stored if stored else float("nan"),
        "write_ms_refresh": statistics.median(write_s) * 1000,
        "write_ms_frame": sum(write_s) / frames * 1000,
        "read_ms_frame": read_s / frames * 1000,
        "read_ms_refresh": read_s / len(run.batches) * 1000,
        "whole_kube_decode_ms": whole_decode * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[10, 1000, 5000])
    parser.add_argument("--minutes", type=float, default=5.0, help="recorded (simulated) minutes per size (default 5)")
    args = parser.parse_args()
    print(f"refresh {REFRESH:.0f} s; {args.minutes:g} recorded minutes per size, MB per hour extrapolated from them; "
          f"keyframe every {codec.KEYFRAME_SECONDS:.0f} s or {codec.KEYFRAME_DELTAS} deltas")
    print(f"{'pods':>5} {'frames':>6} {'file MB':>8} {'MB/hour':>8} {'B/refresh':>10} {'kube key':>9} "
          f"{'kube delta':>10} {'whole:stored':>12} {'write/refresh':>13} {'write/frame':>11} {'read/frame':>10} "
          f"{'read/refresh':>12}")
    with tempfile.TemporaryDirectory(prefix="memtui-bench-rec-") as tmp:
        for pods in args.pods:
            collected = time.perf_counter()
            run = collect(pods, args.minutes)
            collected = time.perf_counter() - collected
            r = measure(run, Path(tmp))
            print(f"{pods:>5} {r['frames']:>6.0f} {r['file_mb']:>8.2f} {r['mb_per_hour']:>8.2f} "
                  f"{r['bytes_per_refresh']:>10.0f} {r['kube_keyframe'] / 1e3:>7.1f}kB {r['kube_delta'] / 1e3:>8.2f}kB "
                  f"{r['ratio']:>11.1f}x {r['write_ms_refresh']:>10.1f} ms {r['write_ms_frame']:>8.2f} ms "
                  f"{r['read_ms_frame']:>7.2f} ms {r['read_ms_refresh']:>9.1f} ms   "
                  f"(whole KubeSnapshot decode {r['whole_kube_decode_ms']:.1f} ms; collected in {collected:.0f} s)",
                  flush=True)


if __name__ == "__main__":
    main()
