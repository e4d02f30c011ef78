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
windows, time to OOM, restarts, a DCGM GPU figure per pod) at each scrape (``--scrape``, 30 s),
so it moves when a scrape would have; figures with and without it are printed.

The frames are then written through ``RecordingWriter`` (one transaction per refresh, as the
writer thread does) and read back through ``RecordingReader`` (checked equal).  It prints per
size: MB per hour (extrapolated from the run: ``--minutes`` of recorded time, default 10 = one whole
keyframe cycle), bytes per frame and per refresh, the ratio of the frames stored whole to what is
stored, the write and read time per refresh; and per source: its keyframe and mean delta, MB per
hour, that ratio, and the codec's encode and decode time per frame (without SQLite).

    .venv/bin/python bench/recording.py                    # 10, 1000, 5000 pods, 10 minutes each
    .venv/bin/python bench/recording.py --pods 1000 --minutes 2

Targets (issue 10): at most 50 MB per hour at 5,000 pods and 2 MB per hour at 10 pods, 2 s refresh.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

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


class PrometheusModel:
    """What Prometheus would answer about the pods KubeSource read (see the module's docstring).

    Its figures move once per scrape (``scrape_s``: 30 s is kube-prometheus-stack's default), as
    instant queries over scraped series do; between scrapes each query answers the same values
    (new, equal objects, as PrometheusSource builds them afresh)."""

    def __init__(self, scrape_s: float) -> None:
        self.scrape_s = scrape_s
        self._scrape = -1
        self._seen: dict[str, tuple[float, float, float | None]] = {}
        self._trends: dict[str, PodTrend] = {}
        self._gpu: dict[str, GpuUsage] = {}

    def snapshot(self, kube: KubeSnapshot, t: float) -> PrometheusSnapshot:
        scrape = int(t // self.scrape_s)
        if scrape != self._scrape:
            self._scrape = scrape
            self._trends, self._gpu = self._scraped(kube, t)
        trends = {pod: replace(trend) for pod, trend in self._trends.items()}
        gpu = {pod: replace(usage) for pod, usage in self._gpu.items()}
        return PrometheusSnapshot(kube.taken_at, trends, gpu, 9, 0.04)

    def _scraped(self, kube: KubeSnapshot, now: float) -> tuple[dict[str, PodTrend], dict[str, GpuUsage]]:
        trends, gpu = {}, {}
        for pod in kube.pods:
            usage = kube.usage.get(pod.name)
            if usage is None:
                continue
            ws = float(usage.working_set_bytes)
            limit = pod.memory_limit_bytes
            last = self._seen.get(pod.name)
            if last is None:
                self._seen[pod.name] = (now, ws, None)
            elif last[1] != ws and now > last[0]:
                self._seen[pod.name] = (now, ws, (ws - last[1]) / (now - last[0]))
            growth = self._seen[pod.name][2]
            to_oom = (limit - ws) / growth if growth and growth > 0 and limit else None
            trends[pod.name] = PodTrend(pod.name, working_set=ws, rss=float(round(ws * 0.93)),
                                        cache=float(round(ws * 0.07)), usage=float(round(ws * 1.07)),
                                        limit=float(limit) if limit else None,
                                        growth_per_second=growth, seconds_to_oom=to_oom, restarts_2h=pod.restarts,
                                        oom_within_2h=bool(to_oom and to_oom < 7200))
            if pod.gpus:
                gpu[pod.name] = GpuUsage(pod.name, round(ws / 2**20 * 0.6, 1) % GPU_MIB, GPU_MIB, "DCGM", pod.gpus)
        return trends, gpu


def collect(pods: int, minutes: float, scrape_s: float) -> Run:
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
            prometheus = PrometheusModel(scrape_s)
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
                    batch.append(_apply(state, now, "prometheus", prometheus.snapshot(snapshot, t)))
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


def measure(run: Run, workdir: Path) -> dict[str, Any]:
    """Write the run as the writer thread would, read it back, and take the figures."""
    path = workdir / f"bench-{run.pods}.memtui"
    writer = RecordingWriter(path, RecordingMeta("memtui-sim", "sap-llm", "bench", run.batches[0][0].at))
    write_s = []
    for batch in run.batches:
        started = time.perf_counter()
        writer.write(batch)
        write_s.append(time.perf_counter() - started)
    writer.close()  # checkpoints the WAL into the file
    written = [f for b in run.batches for f in b]
    reader = RecordingReader(path)
    started = time.perf_counter()
    read = list(reader.frames())
    read_s = time.perf_counter() - started
    assert [f.payload for f in read] == [f.payload for f in written], "a frame did not read back equal"
    db = sqlite3.connect(path)
    per_source = {(source or kind): (keys, deltas, key_bytes or 0, delta_bytes or 0)
                  for kind, source, keys, deltas, key_bytes, delta_bytes in db.execute(
                      "SELECT kind, source, SUM(base IS NULL), SUM(base IS NOT NULL), "
                      "SUM(CASE WHEN base IS NULL THEN LENGTH(body) END), "
                      "SUM(CASE WHEN base IS NOT NULL THEN LENGTH(body) END) "
                      "FROM frames WHERE body IS NOT NULL GROUP BY kind, source")}
    db.close()
    whole = {name: 0 for name in per_source}
    encode_s = {name: 0.0 for name in per_source}
    decode_s = {name: 0.0 for name in per_source}
    encoder, decoder = codec.ChainEncoder(), codec.ChainDecoder()
    for seq, frame in enumerate(written, 1):  # the codec alone, per source (no SQLite)
        if frame.payload is None:
            continue
        name = frame.source or frame.kind
        whole[name] += len(codec.encode(frame.payload))
        started = time.perf_counter()
        row = encoder.encode(seq, frame)
        encode_s[name] += time.perf_counter() - started
        started = time.perf_counter()
        key = codec.chain_key(frame.kind, frame.source, frame.snapshot_type)
        if row.chain is None or key is None:
            codec.decode(row.body or b"", frame.snapshot_type)
        else:
            decoder.payload(seq, key, row.chain, row.base, frame.snapshot_type, row.body or b"")
        decode_s[name] += time.perf_counter() - started
    size = path.stat().st_size
    hours = run.seconds / 3600
    stored = sum(k + d for _n, _m, k, d in per_source.values())
    prometheus = sum(per_source.get("prometheus", (0, 0, 0, 0))[2:])
    return {
        "frames": len(written),
        "file_mb": size / 1e6,
        "mb_per_hour": size / 1e6 / hours,
        "mb_per_hour_without_prometheus": (size - prometheus) / 1e6 / hours,
        "bytes_per_frame": size / len(written),
        "bytes_per_refresh": size / len(run.batches),
        "ratio": sum(whole.values()) / stored,
        "write_ms_refresh": statistics.median(write_s) * 1000,
        "write_ms_refresh_max": max(write_s) * 1000,
        "read_ms_frame": read_s / len(written) * 1000,
        "read_ms_refresh": read_s / len(run.batches) * 1000,
        "sources": {name: {"frames": k + d, "keyframe_kb": kb / max(k, 1) / 1e3, "delta_kb": db_ / max(d, 1) / 1e3,
                           "mb_per_hour": (kb + db_) / 1e6 / hours, "ratio": whole[name] / max(kb + db_, 1),
                           "encode_ms": encode_s[name] / (k + d) * 1000, "decode_ms": decode_s[name] / (k + d) * 1000}
                    for name, (k, d, kb, db_) in per_source.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[10, 1000, 5000])
    parser.add_argument("--minutes", type=float, default=10.0, help="recorded (simulated) minutes per size (default 10)")
    parser.add_argument("--scrape", type=float, default=30.0, help="Prometheus scrape interval, s (default 30)")
    args = parser.parse_args()
    print(f"refresh {REFRESH:.0f} s, {args.minutes:g} recorded minutes per size (MB per hour extrapolated from them), "
          f"Prometheus scraping every {args.scrape:g} s; a keyframe every {codec.KEYFRAME_SECONDS:.0f} s or "
          f"{codec.KEYFRAME_DELTAS} deltas; whole:stored = the frames' bodies stored whole / as stored")
    with tempfile.TemporaryDirectory(prefix="memtui-bench-rec-") as tmp:
        for pods in args.pods:
            collected = time.perf_counter()
            run = collect(pods, args.minutes, args.scrape)
            collected = time.perf_counter() - collected
            r = measure(run, Path(tmp))
            print(f"\n{pods} pods: {r['mb_per_hour']:.2f} MB per hour ({r['mb_per_hour_without_prometheus']:.2f} without "
                  f"Prometheus), {r['frames']} frames in {r['file_mb']:.2f} MB: {r['bytes_per_frame']:.0f} B per frame, "
                  f"{r['bytes_per_refresh']:.0f} B per refresh; whole:stored {r['ratio']:.1f}x; write per refresh "
                  f"{r['write_ms_refresh']:.1f} ms median ({r['write_ms_refresh_max']:.0f} ms at most: a keyframe), "
                  f"read {r['read_ms_refresh']:.1f} ms per refresh, {r['read_ms_frame']:.2f} ms per frame "
                  f"(collected from the simulator in {collected:.0f} s)")
            print(f"  {'source':<12} {'frames':>6} {'keyframe':>10} {'delta':>9} {'MB/hour':>8} {'whole:stored':>12} "
                  f"{'encode':>9} {'decode':>9}")
            for name, v in sorted(r["sources"].items(), key=lambda item: -item[1]["mb_per_hour"]):
                print(f"  {name:<12} {v['frames']:>6} {v['keyframe_kb']:>8.1f}kB {v['delta_kb']:>7.2f}kB "
                      f"{v['mb_per_hour']:>8.2f} {v['ratio']:>11.1f}x {v['encode_ms']:>6.2f} ms {v['decode_ms']:>6.2f} ms",
                      flush=True)


if __name__ == "__main__":
    main()
