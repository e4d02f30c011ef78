#!/usr/bin/env python3
"""What one Prometheus refresh costs memtui: queries, bytes and CPU per ``PrometheusSource.fetch()``.

For each size, the simulator's Deployment ``sap-llm`` is scaled to N pods, a real Prometheus is
backfilled with promtool from the simulator's own series (the last hour: every family memtui
queries, cAdvisor's pod-level series and the other namespace included) and then scrapes it every
10 s.  Then ``fetch()`` runs ``--refreshes`` times as the cockpit would
(the slow families' schedule sees one refresh every ``--interval`` seconds, 5 by default, as
``--refresh 2`` gives the Prometheus source) and it prints,
per refresh: the queries sent, the bytes on the wire and after decompression, the wall time and
the CPU time of the thread that fetches (request, decompression, decoding and building the
snapshot; Prometheus runs in its own process, and the simulator's thread, which serves
Prometheus's one scrape, is not counted).  Bytes on the wire are Prometheus's own count
(``prometheus_http_response_size_bytes``), after compression.

    .venv/bin/python bench/prometheus.py                    # 1000 and 5000 pods
    .venv/bin/python bench/prometheus.py --pods 5000 --refreshes 24
    .venv/bin/python bench/prometheus.py --slow-every-refresh   # what the schedule saves

A last line per size ("start") is the one-shot backfill at start (``PrometheusBackfill``: the
last hour of the working set and of DCGM, 180 points per series), and under it the backfill's
memory, from tracemalloc: its peak while the answer is decoded, and what its snapshot holds (the
recorder keeps it for the whole run).

Figures are medians over the refreshes; "all" is the mean over a whole slow-family period, what
the cockpit spends on average.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.demo.local_prometheus import start_prometheus_for_simulator  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from memtui.sources.backfill import PrometheusBackfill  # noqa: E402
from memtui.sources.prometheus import PrometheusSource  # noqa: E402


def sent_bytes(url: str) -> float:
    """What Prometheus says it wrote to query clients (its own ``prometheus_http_response_size_bytes``:
    after compression).  urllib3 cannot say (``raw.tell()`` is 0 for a chunked body)."""
    text = requests.get(f"{url}/metrics", timeout=30).text
    return sum(float(m.group(1)) for m in re.finditer(
        r'^prometheus_http_response_size_bytes_sum\{handler="/api/v1/query(?:_range)?"\} (\S+)$', text, re.M))


def scraped(url: str, timeout: float = 120.0) -> None:
    """Wait for Prometheus's first scrape of the simulator (the live samples the queries read)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(f"{url}/api/v1/query", params={"query": 'up{job="memtui-sim"} == 1'}, timeout=30).json()
        if body["data"]["result"]:
            return
        time.sleep(1)
    raise RuntimeError("Prometheus never scraped the simulator")


class WireMeter:
    """Every response the source's session receives (counted, decoded size) and the bytes Prometheus sent."""

    def __init__(self, session, url: str) -> None:
        self.responses: list = []
        self.url = url
        self.mark = sent_bytes(url)
        session.hooks.setdefault("response", []).append(self._seen)

    def _seen(self, response, *args, **kwargs):
        self.responses.append(response)
        return response

    def take(self) -> tuple[int, int, int]:
        """(requests, wire bytes, decoded bytes) since the last take."""
        responses, self.responses = self.responses, []
        mark, self.mark = self.mark, sent_bytes(self.url)
        wire = int(self.mark - mark)
        body = sum(len(r.content) for r in responses)
        return len(responses), wire, body


def bench(pods: int, refreshes: int, history: timedelta, step: float, interval: float, slow_every: bool,
          profile: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="memtui-bench-prom-") as tmp:
        # real time, scraped every 10 s: the backfill at 5,000 pods takes minutes, longer than the
        # 5-minute lookback would keep its last samples current
        handle = start_simulator(SimConfig(speed=1.0, seed=7, replicas=pods), Path(tmp) / "sim")
        try:
            built = time.perf_counter()
            server = start_prometheus_for_simulator(handle, Path(tmp) / "prometheus", history=history,
                                                    step_seconds=step, scrape_interval="10s", timeout=300)
            backfill_s = time.perf_counter() - built
            try:
                scraped(server.url)
                source = PrometheusSource(server.url, "sap-llm", timeout=120)
                clock = [0.0]
                source.clock = lambda: clock[0]  # the cockpit's refresh interval, without waiting for it
                if slow_every:
                    source.slow_interval = 0.0
                meter = WireMeter(source._prom._session, server.url)
                source.fetch()  # warm: connection, Prometheus's caches
                meter.take()
                rows = []
                profiler = cProfile.Profile() if profile else None
                for _ in range(refreshes):
                    clock[0] += interval
                    wall0, cpu0 = time.perf_counter(), time.thread_time()
                    if profiler is not None:
                        profiler.enable()
                    snapshot = source.fetch()
                    if profiler is not None:
                        profiler.disable()
                    cpu = time.thread_time() - cpu0
                    wall = time.perf_counter() - wall0
                    requests, wire, body = meter.take()
                    rows.append((requests, wire, body, wall, cpu))
                if profiler is not None:
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
                # the one-shot backfill at start: the last hour of the working set and DCGM, 180 points
                wall0, cpu0 = time.perf_counter(), time.thread_time()
                PrometheusBackfill(source, with_gpu=True).fetch(180)
                cpu = time.thread_time() - cpu0
                backfill = (*meter.take(), time.perf_counter() - wall0, cpu)
                # again under tracemalloc: the peak while it decodes, and what its snapshot holds
                gc.collect()
                tracemalloc.start()
                base = tracemalloc.get_traced_memory()[0]
                kept = PrometheusBackfill(source, with_gpu=True).fetch(180)
                meter.take()  # the meter's hold on the responses, not the backfill's
                gc.collect()
                held, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                samples = sum(map(len, (*kept.memory.values(), *kept.gpu.values())))
                backfill_memory = (samples, peak - base, held - base)
                del kept
            finally:
                server.stop()
        finally:
            handle.stop()
    return {"pods": len(snapshot.pods), "backfill_s": backfill_s, "rows": rows, "backfill": backfill,
            "backfill_memory": backfill_memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--refreshes", type=int, default=12)
    parser.add_argument("--history-minutes", type=float, default=60.0)
    parser.add_argument("--step", type=float, default=60.0, help="backfill step in seconds")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between refreshes (the cockpit's 5 s)")
    parser.add_argument("--slow-every-refresh", action="store_true",
                        help="read the slow families (limits, restarts, OOM, GPU count) every refresh too")
    parser.add_argument("--profile", action="store_true", help="print the top 15 of cProfile (tottime) per size")
    args = parser.parse_args()
    print(f"{'pods':>6} {'queries':>8} {'wire KiB':>9} {'decoded KiB':>11} {'wall ms':>8} {'cpu ms':>7}"
          f"   (median of {args.refreshes}; mean per refresh in brackets)")
    for pods in args.pods:
        r = bench(pods, args.refreshes, timedelta(minutes=args.history_minutes), args.step, args.interval,
                  args.slow_every_refresh, args.profile)
        cols = list(zip(*r["rows"]))
        med = [statistics.median(c) for c in cols]
        mean = [statistics.fmean(c) for c in cols]
        print(f"{r['pods']:>6} {med[0]:>8.0f} {med[1] / 1024:>9.0f} {med[2] / 1024:>11.0f} {med[3] * 1000:>8.0f} "
              f"{med[4] * 1000:>7.0f}   ({mean[0]:.1f} q, {mean[1] / 1024:.0f} KiB wire, {mean[2] / 1024:.0f} KiB, "
              f"{mean[3] * 1000:.0f} ms, {mean[4] * 1000:.0f} ms cpu; backfill {r['backfill_s']:.0f} s)", flush=True)
        b = r["backfill"]
        print(f"{'start':>6} {b[0]:>8} {b[1] / 1024:>9.0f} {b[2] / 1024:>11.0f} {b[3] * 1000:>8.0f} {b[4] * 1000:>7.0f}"
              "   (the one-shot range queries of the last hour at start, 180 points)", flush=True)
        samples, peak, held = r["backfill_memory"]
        print(f"{'':>6} backfill memory: {samples:,} samples, peak {peak / 2**20:.1f} MiB while decoding "
              f"({peak / samples:.0f} B a sample), its snapshot holds {held / 2**20:.1f} MiB "
              f"({held / samples:.0f} B a sample)", flush=True)


if __name__ == "__main__":
    main()
