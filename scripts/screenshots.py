#!/usr/bin/env python3
"""Regenerate screenshots/ from the simulated incident: Textual SVGs, converted to PNG.

    .venv/bin/python scripts/screenshots.py            # all shots
    .venv/bin/python scripts/screenshots.py cockpit    # one

The shots are the snapshot tests' (tests/snapshots/shots.py: one list, one way to set each up,
deterministic: frozen simulator, fixed clock, size and seed), taken the way the tests take them
(Textual's ``take_svg_screenshot``, which ``snap_compare`` uses), so a picture here is the
snapshot the tests compare.  After a meant change to the screen:

    .venv/bin/python -m pytest tests/snapshots --snapshot-update && .venv/bin/python scripts/screenshots.py

PNGs need ``rsvg-convert`` (Debian package librsvg2-bin).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual._doc import take_svg_screenshot  # noqa: E402

from tests.snapshots.shots import SHOT_NAMES, SHOTS, Shot, shot_app  # noqa: E402

OUT = ROOT / "screenshots"


def take(shot: Shot, workdir: Path) -> Path:
    with shot_app(shot, workdir) as (app, run_before):
        svg = take_svg_screenshot(app=app, terminal_size=shot.size, run_before=run_before)
    path = OUT / f"{shot.name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


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


def main(names: list[str]) -> int:
    if not names or "report" in names:  # the HTML postmortem, rendered by Chromium (not a Textual shot)
        from scripts.report_screenshot import take as take_report

        print("report: " + ", ".join(str(p.relative_to(ROOT)) for p in take_report()))
        names = [n for n in names if n != "report"]
        if not names and sys.argv[1:]:
            return 0
    unknown = [n for n in names if n not in SHOT_NAMES]
    if unknown:
        print(f"unknown shot {', '.join(unknown)}; shots: {', '.join(SHOT_NAMES)}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    wanted = [s for s in SHOTS if not names or s.name in names]
    with tempfile.TemporaryDirectory(prefix="memtui-shots-") as tmp:
        for shot in wanted:
            svg = take(shot, Path(tmp))
            png = to_png(svg)
            print(f"{shot.name}: {svg.relative_to(ROOT)}" + (f", {png.relative_to(ROOT)}" if png else ""))
    if not names:  # shots no longer in the list go, so the folder is the list
        for stale in sorted(set(p.stem for p in OUT.glob("*.svg")) - set(SHOT_NAMES)):
            for suffix in (".svg", ".png"):
                (OUT / f"{stale}{suffix}").unlink(missing_ok=True)
            print(f"{stale}: removed (no longer a shot)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
