#!/usr/bin/env python3
"""How much one memtui refresh costs, against kubectl on the same simulated cluster.

For 100, 1,000 and 5,000 pods (Deployment sap-llm scaled), with the simulator in its own process
so its CPU is not counted as memtui's, it prints per refresh: requests memtui made (read back
from the simulator's request log), wall time, CPU time of this process, and this process's RSS
after many refreshes; and beside it the wall time of `kubectl get pods -o json` plus
`kubectl top pods` against the same simulator.

    .venv/bin/python bench/collector.py                 # 100, 1000, 5000 pods
    .venv/bin/python bench/collector.py --pods 1000 --refreshes 50

Target (issue 2): at 5,000 pods one refresh takes at most half of kubectl's get+top, and RSS
stays flat over 1,000 refreshes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.state.cockpit import CockpitState  # noqa: E402
from memtui.clients.kube.connection import connect  # noqa: E402
from memtui.sources.kube import KubeSource  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class SimProcess:
    process: subprocess.Popen
    url: str
    kubeconfig: Path
    ca: Path

    def control(self, method: str, path: str):
        context = ssl.create_default_context(cafile=str(self.ca))
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, context=context, timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_sim(replicas: int, workdir: Path, *options: str) -> SimProcess:
    """``memtui sim`` in its own process; ``options`` more of its flags (``--speed 0``: time moves by ``/_sim/advance``)."""
    kubeconfig = workdir / "kubeconfig"
    process = subprocess.Popen(
        [sys.executable, "-m", "memtui.sim", "--replicas", str(replicas), "--workdir", str(workdir),
         "--kubeconfig-out", str(kubeconfig), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )
    url = None
    deadline = time.monotonic() + 120
    assert process.stdout is not None  # stdout=PIPE
    while time.monotonic() < deadline and url is None:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("serving"):
            url = line.split()[1]
    if url is None:
        process.kill()
        raise RuntimeError("simulator did not start")
    ca = next(p for p in workdir.iterdir() if p.name.startswith("ca") and p.suffix in (".crt", ".pem"))
    return SimProcess(process, url, kubeconfig, ca)


def time_kubectl(sim: SimProcess, repeats: int) -> tuple[float, float]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return float("nan"), float("nan")
    env = dict(os.environ, KUBECONFIG=str(sim.kubeconfig))
    gets: list[float] = []
    tops: list[float] = []
    for _ in range(repeats):
        for args, sink in ((["get", "pods", "-n", "sap-llm", "-o", "json"], gets), (["top", "pods", "-n", "sap-llm"], tops)):
            started = time.perf_counter()
            subprocess.run([kubectl, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            sink.append(time.perf_counter() - started)
    return statistics.median(gets), statistics.median(tops)


def bench(pods: int, refreshes: int, kubectl_repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="memtui-bench-") as tmp:
        sim = start_sim(pods, Path(tmp))
        try:
            connection = connect(kubeconfig=str(sim.kubeconfig), context="memtui-sim", namespace="sap-llm", timeout=60)
            source = KubeSource(connection, timeout=120)
            state = CockpitState(threshold_bytes=10**10)
            sim.control("POST", "/_sim/requests/clear")
            cold0, cold_cpu0 = time.perf_counter(), time.process_time()
            first = source.fetch()  # the first refresh: paginated LISTs of pods and events
            cold_fetch = time.perf_counter() - cold0
            cold_fetch_cpu = time.process_time() - cold_cpu0  # the informers' threads included
            state.apply(first)
            cold_wall = time.perf_counter() - cold0
            del first
            cold_requests = len([r for r in sim.control("GET", "/_sim/requests") if not r["path"].startswith("/_sim")])
            walls, cpus, fetch_cpus, requests = [], [], [], []
            rss_marks: dict[int, float] = {}
            for i in range(1, refreshes + 1):
                sim.control("POST", "/_sim/requests/clear")
                wall0, cpu0 = time.perf_counter(), time.process_time()
                snapshot = source.fetch()
                fetch_cpus.append(time.process_time() - cpu0)
                state.apply(snapshot)
                walls.append(time.perf_counter() - wall0)
                cpus.append(time.process_time() - cpu0)
                del snapshot
                requests.append(len([r for r in sim.control("GET", "/_sim/requests") if not r["path"].startswith("/_sim")]))
                if i in (10, refreshes // 10, refreshes // 2, refreshes):
                    rss_marks[i] = rss_mib()
            get_s, top_s = time_kubectl(sim, kubectl_repeats)
        finally:
            source.stop()
            sim.stop()
    return {
        "pods": len(state.rows),
        "refreshes": refreshes,
        "cold_wall": cold_wall,
        "cold_fetch": cold_fetch,
        "cold_fetch_cpu": cold_fetch_cpu,
        "fetch_cpu": statistics.median(fetch_cpus),
        "cold_requests": cold_requests,
        "requests": statistics.median(requests),
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "rss": rss_marks,
        "kubectl_get": get_s,
        "kubectl_top": top_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="*", default=[100, 1000, 5000])
    parser.add_argument("--refreshes", type=int, default=0, help="refreshes per size (default 1000)")
    parser.add_argument("--kubectl-repeats", type=int, default=3)
    args = parser.parse_args()
    print("first = the first refresh (paginated LIST of pods and events); steady = median of the rest")
    print("(a WATCH then carries only changes; PodMetrics is listed every refresh).  ratio = memtui / kubectl")
    print("fetch = KubeSource.fetch alone (cpu: this process, the informers' threads included); the rest of a")
    print("refresh is CockpitState.apply folding the snapshot")
    print(f"{'pods':>6} {'first: req':>10} {'wall':>8} {'fetch':>8} {'cpu':>7} {'steady: req':>11} {'wall':>7} {'cpu':>7} "
          f"{'fetch cpu':>9} {'kubectl get+top':>22} {'ratio first':>11} {'steady':>6}  RSS MiB after N refreshes")
    for replicas in args.pods:
        refreshes = args.refreshes or 1000
        r = bench(replicas, refreshes, args.kubectl_repeats)
        kubectl = r["kubectl_get"] + r["kubectl_top"]
        marks = "  ".join(f"{n}: {v:.0f}" for n, v in sorted(r["rss"].items()))
        first, last = min(r["rss"]), max(r["rss"])
        growth = r["rss"][last] / r["rss"][first]
        kubectl_text = f"{kubectl * 1000:.0f} ms ({r['kubectl_get'] * 1000:.0f}+{r['kubectl_top'] * 1000:.0f})"
        print(f"{r['pods']:>6} {r['cold_requests']:>10} {r['cold_wall'] * 1000:>5.0f} ms {r['cold_fetch'] * 1000:>5.0f} ms "
              f"{r['cold_fetch_cpu'] * 1000:>4.0f} ms {r['requests']:>11.0f} "
              f"{r['wall'] * 1000:>4.0f} ms {r['cpu'] * 1000:>4.0f} ms {r['fetch_cpu'] * 1000:>6.0f} ms {kubectl_text:>22} "
              f"{r['cold_wall'] / kubectl:>11.2f} {r['wall'] / kubectl:>6.2f}  {marks}  "
              f"(x{growth:.2f} from refresh {first} to {last})", flush=True)


if __name__ == "__main__":
    main()
