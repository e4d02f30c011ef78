#!/usr/bin/env python3
"""How long the postmortem report of a recording takes, and how big it is.

Records ``--minutes`` of the simulator's sap-llm namespace polled every ``--refresh`` seconds as
the cockpit polls it (``KubeSource.fetch()`` per refresh, Redis figures, nvidia-smi by exec every
30 refreshes, a fix and a rollout restart in the audit frames: memtui/demo/recorded_incident.py), then
prints: the recording's size, the time ``memtui replay FILE --export html`` takes (read, fold the
incident clock, build the charts, render) and ``--export md`` (with its SVG files), the live
cockpit's ``X`` over the same session (audit log + recording, both files), and the sizes of the
page and the charts (each series is thinned to two points per pixel column).

    .venv/bin/python bench/report.py                    # an hour at 2 s: 1,800 refreshes
    .venv/bin/python bench/report.py --minutes 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.audit.recording_export import export_recording  # noqa: E402
from memtui.audit.report_data import IncidentFacts  # noqa: E402
from memtui.audit.session_report import SessionInputs, write_session_report  # noqa: E402
from memtui.demo.recorded_incident import record_incident  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--refresh", type=float, default=2.0)
    args = parser.parse_args()
    polls = int(args.minutes * 60 / args.refresh)
    with tempfile.TemporaryDirectory(prefix="memtui-bench-report-") as tmp:
        work = Path(tmp)
        sim = start_simulator(SimConfig(speed=0, seed=7), work / "sim")
        started = time.perf_counter()
        try:
            recorded = record_incident(sim, work / "bench.memtui-rec", minutes=polls, restart_minute=polls * 2 // 3,
                                       step=args.refresh)
        finally:
            sim.stop()
        print(f"recorded {polls} refreshes ({args.minutes:g} min at {args.refresh:g} s) in "
              f"{time.perf_counter() - started:.1f} s: {recorded.path.stat().st_size / 1e6:.2f} MB")
        for fmt, out in (("html", work / "report.html"), ("md", work / "report.md")):
            begin, cpu = time.perf_counter(), time.process_time()
            export = export_recording(recorded.path, fmt, out)
            wall, used = time.perf_counter() - begin, time.process_time() - cpu
            charts = sum(len(v.encode()) for v in export.files.values())
            extra = f", {len(export.files)} SVG files {charts / 1e3:.0f} kB" if export.files else ""
            print(f"--export {fmt}: {wall:.2f} s wall, {used:.2f} s CPU; {out.stat().st_size / 1e3:.0f} kB{extra}")
        # the live cockpit's X over the same session: audit log + recording -> HTML and Markdown with charts
        audit = recorded.path.parent / "audit.jsonl"
        inputs = SessionInputs(audit_path=audit, stamp="bench", now=recorded.restart_at,
                               incident=IncidentFacts(None, ""), recording=recorded.path)
        begin, cpu = time.perf_counter(), time.process_time()
        report = write_session_report(inputs)
        wall, used = time.perf_counter() - begin, time.process_time() - cpu
        assert report is not None
        print(f"X (live, from the recording): {wall:.2f} s wall, {used:.2f} s CPU in the export worker; "
              f"{report.html.stat().st_size / 1e3:.0f} kB page, {len(report.charts)} SVG files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
