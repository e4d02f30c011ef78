#!/usr/bin/env python3
"""Regenerate screenshots/report.png (and report-dark.png): a postmortem page rendered by Chromium.

    .venv/bin/python scripts/report_screenshot.py          # or: scripts/screenshots.py report

The incident is the report's recorded incident (memtui/demo/recorded_incident.py): 36 simulated minutes of
the simulator's sap-llm namespace polled as the cockpit polls it, a diagnose step, a ConfigMap fix,
a teammate's ``kubectl patch`` seen by the team source, and a rollout restart that clears the
leaking pods' memory.  It is exported as ``memtui replay FILE --export html`` does and rendered by
headless Chromium (tests/report/browser.py) at 1280 px, the whole page, light and dark.  Needs
chromium, and kubectl for the teammate's change (without it, the page has no team row).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.audit.recording_export import export_recording  # noqa: E402
from memtui.demo.recorded_incident import record_incident  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from tests.report.browser import open_page  # noqa: E402

OUT = ROOT / "screenshots"


def _kubectl(sim, work: Path):
    binary = shutil.which("kubectl") or ("/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None)
    if binary is None:
        print("kubectl missing: the report has no teammate's change", file=sys.stderr)
        return None
    from tests.conftest import Kubectl

    (work / "kube-cache").mkdir()
    return Kubectl(binary, sim, work / "kube-cache")


def take() -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory(prefix="memtui-report-") as tmp:
        work = Path(tmp)
        sim = start_simulator(SimConfig(speed=0, seed=7), work / "sim")
        try:
            recorded = record_incident(sim, work / "incident.memtui-rec", kubectl=_kubectl(sim, work))
        finally:
            sim.stop()
        html = work / "report.html"
        export_recording(recorded.path, "html", html)
        OUT.mkdir(exist_ok=True)
        for name, dark in (("report.png", False), ("report-dark.png", True)):
            with open_page(html, dark=dark) as page:
                page.screenshot(work / name)
            shutil.copyfile(work / name, OUT / name)
            written.append(OUT / name)
    return written


if __name__ == "__main__":
    for path in take():
        print(path.relative_to(ROOT))
