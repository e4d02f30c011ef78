#!/usr/bin/env python3
"""Regenerate screenshots/ from the simulated incident: Textual SVGs, converted to PNG.

    .venv/bin/python scripts/screenshots.py            # all shots
    .venv/bin/python scripts/screenshots.py cockpit    # one

Runs the real app against the simulator (and a real Prometheus when installed), headless, at
fixed sizes, with a fixed seed, so the pictures change only when the UI does.  PNGs need
``rsvg-convert`` (Debian package librsvg2-bin).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.ui.app import MemtuiApp  # noqa: E402
from memtui.demo.local_prometheus import binaries_available, start_prometheus_for_simulator  # noqa: E402
from memtui.config.settings import Settings  # noqa: E402
from memtui.sim import SimConfig, start_simulator  # noqa: E402
from memtui.clients.kube.connection import connect  # noqa: E402

OUT = ROOT / "screenshots"


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    scenario: str = "leak"
    keys: tuple[str, ...] = ()
    prometheus: bool = True
    wait_for_screen: bool = False
    """After the keys, wait for a modal screen (plans and diagnose steps run in workers)."""


SHOTS = (
    Shot("cockpit", (160, 48)),
    Shot("cockpit-80x24", (80, 24), prometheus=False),
    Shot("cache-bloat", (160, 48), scenario="cache-bloat"),
    Shot("filter", (160, 48), keys=("slash", "o", "o", "m")),
    Shot("no-prometheus", (120, 36), prometheus=False),
    Shot("confirm-modal", (160, 48), scenario="batch-spike", keys=("B",), wait_for_screen=True),
    Shot("flushdb-modal", (160, 48), scenario="cache-bloat", keys=("ctrl+f",), wait_for_screen=True),
    Shot("diagnose-output", (160, 48), keys=("l",), wait_for_screen=True),
    Shot("delete-pod-modal", (160, 48), keys=("D",), wait_for_screen=True),
    Shot("help-80x24", (80, 24), prometheus=False, keys=("question_mark",), wait_for_screen=True),
    Shot("actions-80x24", (80, 24), prometheus=False, keys=("a",)),
)


async def take(shot: Shot, workdir: Path) -> Path:
    handle = start_simulator(SimConfig(scenario=shot.scenario, seed=42, speed=1.0), workdir=workdir / shot.name)
    prometheus = None
    try:
        settings = Settings(namespace="sap-llm", demo=True, scenario=shot.scenario)
        if shot.prometheus and binaries_available():
            prometheus = start_prometheus_for_simulator(handle, workdir / shot.name / "prom")
            settings = Settings(namespace="sap-llm", demo=True, scenario=shot.scenario, prometheus_url=prometheus.url)
        connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
        from dataclasses import replace

        settings = replace(settings, audit_log=str(workdir / shot.name / "audit.jsonl"))
        app = MemtuiApp(settings, connection)
        async with app.run_test(size=shot.size) as pilot:
            for _ in range(100):
                await pilot.pause(0.1)
                state = app.state
                ready = (
                    state.snapshot is not None
                    and state.snapshot.events_error is None  # events synced: the OOM history is in
                    and (not shot.prometheus or prometheus is None or state.prometheus is not None)
                )
                if ready and state.redis is not None:
                    break
            await pilot.pause(1.0)
            for key in shot.keys:
                await pilot.press(key)
            if shot.wait_for_screen:
                for _ in range(100):
                    await pilot.pause(0.1)
                    if len(app.screen_stack) > 1:
                        break
                await pilot.pause(1.0)
            elif shot.keys:
                await pilot.pause(0.3)
            svg = OUT / f"{shot.name}.svg"
            app.save_screenshot(filename=svg.name, path=str(OUT))
        return svg
    finally:
        if prometheus is not None:
            prometheus.stop()
        handle.stop()


def to_png(svg: Path) -> Path | None:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert missing (apt install librsvg2-bin): SVG only", file=sys.stderr)
        return None
    png = svg.with_suffix(".png")
    # rsvg gives the SVG's no-break spaces no width; plain spaces under xml:space="preserve"
    # render as the terminal showed them.
    text = svg.read_text(encoding="utf-8").replace("&#160;", " ").replace("<svg ", '<svg xml:space="preserve" ', 1)
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8", delete=False) as handle:
        handle.write(text)
    try:
        subprocess.run([converter, "--background-color", "#0c0c0c", "-o", str(png), handle.name], check=True)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return png


async def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    wanted = [s for s in SHOTS if not names or s.name in names]
    with tempfile.TemporaryDirectory(prefix="memtui-shots-") as tmp:
        for shot in wanted:
            svg = await take(shot, Path(tmp))
            png = to_png(svg)
            print(f"{shot.name}: {svg.relative_to(ROOT)}" + (f", {png.relative_to(ROOT)}" if png else ""))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
