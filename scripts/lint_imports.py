"""Check the import contracts of pyproject.toml ``[tool.importlinter]`` over memtui as installed.

import-linter (grimp) finds a package's modules by walking its folder, and in a checkout
``memtui.widgets`` and ``memtui.keymaps`` live beside ``memtui/`` (``widgets/``, ``keymaps/``,
mapped by pyproject's ``package-dir``): run on the checkout, the contracts would silently see no
widget at all.  So this stages the installed layout (copies, in a temporary folder) and runs
``lint-imports`` there.  Extra arguments go to lint-imports (``--verbose``, ``--contract ID``).

    .venv/bin/python scripts/lint_imports.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"widgets": "memtui/widgets", "keymaps": "memtui/keymaps"}  # as pyproject's package-dir


def stage(root: Path, into: Path) -> Path:
    """Copy ``root``'s memtui into ``into`` the way a wheel lays it out; returns ``into``."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "memtui", into / "memtui", ignore=skip)
    for folder, inside in MAPPED.items():
        shutil.copytree(root / folder, into / inside, ignore=skip)
    return into


def lint_staged(staged: Path, args: list[str], **run: object) -> subprocess.CompletedProcess:
    """``lint-imports`` (the one beside this interpreter) over a staged tree, with ROOT's contracts."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    command = [str(lint_imports), str(ROOT / "pyproject.toml"), "--no-cache", *args]
    return subprocess.run(command, cwd=staged, **run)  # type: ignore[call-overload]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="memtui-lint-imports-") as tmp:
        return lint_staged(stage(ROOT, Path(tmp)), argv).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
