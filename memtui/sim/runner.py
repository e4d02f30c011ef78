"""`memtui sim` / `python -m memtui.sim`: serve a simulated incident until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from memtui.config.cli_parser import OneLineParser

from .config import GITOPS, SCENARIOS, SimConfig, SimConfigError


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="memtui sim",
                                description="Serve a simulated sap-llm MemoryUsageHigh incident as a Kubernetes "
                                            "API (HTTPS on loopback) for memtui, kubectl and drills.")
    p.add_argument("--scenario", choices=SCENARIOS, default="leak",
                   help="root cause to simulate (default: leak)")
    p.add_argument("--seed", type=int, default=42, help="seed for every random choice (default: 42)")
    p.add_argument("--speed", type=float, default=1.0,
                   help="simulated seconds per wall second; 0 freezes the clock (default: 1)")
    p.add_argument("--replicas", type=int, default=3, help="replicas of Deployment sap-llm (default: 3)")
    p.add_argument("--no-pdb", dest="pdb", action="store_false",
                   help="no PodDisruptionBudget over the sap-llm pods (default: one, minAvailable 2)")
    p.add_argument("--hpa", action="store_true",
                   help="a HorizontalPodAutoscaler on sap-llm-api (3-8 replicas) that undoes manual scales")
    p.add_argument("--gitops", choices=GITOPS, default=None,
                   help="mark the sap-llm Deployment and ConfigMap as managed by this tool (default: none)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default: 0)")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where to write the CA, server certificate and kubeconfig (default: a temp dir)")
    p.add_argument("--kubeconfig-out", type=Path, default=None, metavar="PATH",
                   help="write the kubeconfig here instead of WORKDIR/kubeconfig")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = SimConfig(scenario=args.scenario, seed=args.seed, speed=args.speed, replicas=args.replicas,
                        host=args.host, port=args.port, pdb=args.pdb, hpa=args.hpa, gitops=args.gitops)
    except SimConfigError as exc:  # named as on the command line
        print(f"memtui sim: --{exc.field.replace('_', '-')} {exc.problem}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"memtui sim: {exc}", file=sys.stderr)
        return 2
    from .extra import missing_extra_message

    if (missing := missing_extra_message()) is not None:
        print(f"memtui sim: {missing}", file=sys.stderr)
        return 1
    from .handle import start_simulator

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="memtui-sim-"))
    try:
        handle = start_simulator(cfg, workdir, kubeconfig_path=args.kubeconfig_out)
    except OSError as exc:
        print(f"memtui sim: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"memtui sim: scenario {cfg.scenario}, seed {cfg.seed}, speed {cfg.speed:g}, "
          f"{cfg.replicas} sap-llm replicas")
    print(f"serving  {handle.url}")
    print(f"kubeconfig  {handle.kubeconfig_path}")
    print(f"try:  export KUBECONFIG={handle.kubeconfig_path}; kubectl get pods -n sap-llm")
    print("Ctrl-C to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
