#!/usr/bin/env python3
"""Regenerate screenshots/report.png: the HTML postmortem of an incident over the simulator, in Chromium.

    .venv/bin/python scripts/report_screenshot.py          # or: scripts/screenshots.py report

The incident is the report tests' (tests/report/incident.py: a diagnose step, fixes, a refused fix
and a note in the last half hour of the simulator's history), exported with
``memtui audit export --format html --prometheus-url`` against a local Prometheus scraping the
simulator, and rendered by headless Chromium (tests/report/browser.py) at 1280 px, the whole page.
Needs prometheus (Debian: prometheus) and chromium.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.audit.cli import main as audit_main  # noqa: E402
from memtui.demo.local_prometheus import start_prometheus_for_simulator  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from tests.report.browser import open_page  # noqa: E402
from tests.report.conftest import sap_llm_pods  # noqa: E402
from tests.report.incident import write_incident  # noqa: E402

OUT = ROOT / "screenshots"


def take(out: Path = OUT / "report.png", *, dark: bool = False) -> Path:
    with tempfile.TemporaryDirectory(prefix="memtui-report-") as tmp:
        work = Path(tmp)
        sim = start_simulator(SimConfig(speed=0, seed=7), work / "sim")
        try:
            prometheus = start_prometheus_for_simulator(sim, work / "prometheus", scrape_interval="1s")
            try:
                log = work / "memtui-sim__sap-llm.jsonl"
                write_incident(log, sim.now() - timedelta(minutes=28), sap_llm_pods(sim)[:2])
                html = work / "report.html"
                code = audit_main(["export", "--file", str(log), "--format", "html", "-o", str(html),
                                   "--prometheus-url", prometheus.url])
                if code != 0:
                    raise SystemExit(code)
            finally:
                prometheus.stop()
        finally:
            sim.stop()
        with open_page(html, dark=dark) as page:
            page.screenshot(work / "report.png")
        out.parent.mkdir(exist_ok=True)
        shutil.copyfile(work / "report.png", out)
    return out


if __name__ == "__main__":
    print(take().relative_to(ROOT))
