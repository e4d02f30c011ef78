"""The README's Quickstart, verbatim: exactly two commands, `./scripts/demo` and `./scripts/test`,
CI runs the second, and the first works from a fresh copy of the checkout with the system Python
(it makes its own .venv: Debian's python3 refuses `pip install`, PEP 668)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.cli.terminal import Terminal, memtui_env

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_quickstart_is_two_commands_demo_then_test():
    assert _quickstart_commands() == ["./scripts/demo", "./scripts/test"]


def test_ci_runs_the_quickstart_test_command():
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[-1] == "exec ./scripts/test"


@pytest.mark.timeout(900)
def test_scripts_demo_from_a_fresh_copy_installs_into_its_own_venv_and_runs_the_demo(tmp_path):
    clone = tmp_path / "memtui"
    shutil.copytree(ROOT, clone, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache", "results"))
    python = SYSTEM_PYTHON if Path(SYSTEM_PYTHON).exists() else sys._base_executable
    env = memtui_env(tmp_path / "home", PYTHON=python)
    with Terminal(["./scripts/demo", "--seed", "5"], env=env, cwd=clone) as terminal:
        drawn = terminal.read_until(b"OOMKilled", timeout=600)
        assert drawn, terminal.seen[-3000:].decode(errors="replace")
        terminal.send(b"q")
        code = terminal.wait(timeout=60)
    assert code == 0, terminal.seen[-3000:].decode(errors="replace")
    assert b"Traceback" not in terminal.seen
    assert (clone / ".venv" / "bin" / "memtui").is_file()
