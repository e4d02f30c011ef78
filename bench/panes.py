#!/usr/bin/env python3
"""Prometheus and Redis cost per refresh at 1,000 and 5,000 pods.

Prometheus: a real Prometheus scraping the simulator (10 minutes of backfilled history), and
memtui's PrometheusSource.fetch(): queries per refresh (one per metric family, whatever the pod
count), wall time, and the pods covered.  Redis: `redis-cli INFO` via exec (the default without
--redis-url): requests to the API server per refresh, read back from the simulator's log.

    .venv/bin/python bench/panes.py                  # 1000 and 5000 pods
    .venv/bin/python bench/panes.py --pods 1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.demo.local_prometheus import start_prometheus_for_simulator  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from memtui.clients.kube.connection import connect  # noqa: E402
from memtui.sources.prometheus import PrometheusSource  # noqa: E402
from memtui.sources.redis_source import RedisExecSource  # noqa: E402


def bench(pods: int, refreshes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="memtui-bench-panes-") as tmp:
        handle = start_simulator(SimConfig(replicas=pods, speed=1.0), Path(tmp) / "sim")
        prometheus = None
        try:
            prometheus = start_prometheus_for_simulator(
                handle, Path(tmp) / "prom", history=timedelta(minutes=10), step_seconds=30, scrape_interval="5s"
            )
            source = PrometheusSource(prometheus.url, "sap-llm", timeout=60)
            deadline = time.monotonic() + 120
            snapshot = source.fetch()
            while len(snapshot.pods) < pods and time.monotonic() < deadline:
                time.sleep(1)
                snapshot = source.fetch()
            walls, queries = [], []
            for _ in range(refreshes):
                started = time.perf_counter()
                snapshot = source.fetch()
                walls.append(time.perf_counter() - started)
                queries.append(snapshot.query_count)
            connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
            redis_source = RedisExecSource(connection, timeout=30)
            redis_source.fetch()  # first refresh finds the Redis pod
            redis_requests, redis_walls = [], []
            for _ in range(refreshes):
                handle.clear_request_log()
                started = time.perf_counter()
                redis_source.fetch()
                redis_walls.append(time.perf_counter() - started)
                time.sleep(0.2)  # the simulator logs an exec when its stream has closed
                redis_requests.append(len([r for r in handle.requests() if not r.path.startswith("/_sim")]))
        finally:
            if prometheus is not None:
                prometheus.stop()
            handle.stop()
    return {
        "pods": len(snapshot.pods),
        "queries": statistics.median(queries),
        "prom_wall": statistics.median(walls),
        "redis_requests": statistics.median(redis_requests),
        "redis_wall": statistics.median(redis_walls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--refreshes", type=int, default=10)
    args = parser.parse_args()
    print(f"{'pods':>6} {'PromQL queries/refresh':>22} {'wall':>8} {'Redis API requests/refresh':>27} {'wall':>7}")
    for pods in args.pods:
        r = bench(pods, args.refreshes)
        print(f"{r['pods']:>6} {r['queries']:>22.0f} {r['prom_wall'] * 1000:>5.0f} ms "
              f"{r['redis_requests']:>27.0f} {r['redis_wall'] * 1000:>4.0f} ms", flush=True)


if __name__ == "__main__":
    main()
