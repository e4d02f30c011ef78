"""Run a static checker (lint-imports, mypy) over memtui laid out as it is installed.

In a checkout ``memtui.widgets`` and ``memtui.keymaps`` live beside ``memtui/`` (``widgets/``,
``keymaps/``, mapped by pyproject's ``package-dir`` and, at run time, by ``memtui/__init__``).
import-linter finds a package's modules by walking its folder and mypy by its path, so run on the
checkout both would see no widget at all (mypy: "cannot find memtui.widgets").  This copies the
installed layout into ``build/installed-layout`` (mtimes kept, so mypy's cache stays warm) and
runs the tool there with the checkout's pyproject.toml; mypy's paths are mapped back to the
checkout's files.  Extra arguments go to the tool.

    .venv/bin/python scripts/installed_layout.py lint-imports [--verbose] [--contract ID]
    .venv/bin/python scripts/installed_layout.py mypy
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"widgets": "memtui/widgets", "keymaps": "memtui/keymaps"}  # as pyproject's package-dir
BESIDE = ("bench",)  # checked too, beside the package (they import it as installed)
STAGE = ROOT / "build" / "installed-layout"


def stage(root: Path, into: Path) -> Path:
    """Copy ``root``'s memtui into ``into`` (emptied first) the way a wheel lays it out, and
    the folders ``BESIDE`` it."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for folder in ("memtui", *BESIDE):
        shutil.rmtree(into / folder, ignore_errors=True)
        shutil.copytree(root / folder, into / folder, ignore=skip)
    for folder, inside in MAPPED.items():
        shutil.copytree(root / folder, into / inside, ignore=skip)
    return into


def command(tool: str, args: list[str]) -> list[str]:
    """The tool beside this interpreter, with the checkout's configuration."""
    executable = str(Path(sys.executable).parent / tool)
    if not Path(executable).exists():
        raise SystemExit(f"{tool} is not installed beside {sys.executable}: pip install -e '.[test]'")
    config = str(ROOT / "pyproject.toml")
    if tool == "lint-imports":
        return [executable, config, "--no-cache", *args]
    if tool == "mypy":
        return [executable, "--config-file", config, "--cache-dir", str(ROOT / "build" / "mypy-cache"), *args]
    raise SystemExit(f"installed_layout.py: no such checker {tool!r} (lint-imports, mypy)")


def checkout_paths(text: str) -> str:
    """``memtui/widgets/pod_table.py:3: error`` -> ``widgets/pod_table.py:3: error``."""
    for folder, inside in MAPPED.items():
        text = text.replace(f"{inside}/", f"{folder}/")
    return text


def run_staged(tool: str, args: list[str], staged: Path | None = None, **run: Any) -> subprocess.CompletedProcess:
    """Run ``tool`` in a staged tree (by default, a fresh copy of this checkout), output captured."""
    staged = staged or stage(ROOT, STAGE)
    done = subprocess.run(command(tool, args), cwd=staged, capture_output=True, text=True, **run)
    return subprocess.CompletedProcess(done.args, done.returncode, checkout_paths(done.stdout), checkout_paths(done.stderr))


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit(__doc__)
    done = run_staged(argv[0], argv[1:])
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
