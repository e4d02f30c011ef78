"""The simulator behind the `sim` extra, checked fast in this venv (the wheel test does it for real,
in a clean venv, and takes minutes): the real-cluster path loads none of the simulator, and without
its libraries `memtui --demo` / `memtui sim` answer with one line naming the install command.

"Without its libraries" is a fresh interpreter with ``sys.modules["aiohttp"] = None`` (and the same
for cryptography): the import system's own way to make a module absent, for ``import`` and
``importlib.util.find_spec`` alike, so the whole CLI runs as it would on a plain install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.terminal import memtui_env

ROOT = Path(__file__).resolve().parents[2]

_WITHOUT_SIM_LIBRARIES = """
import sys
sys.modules.update(aiohttp=None, cryptography=None)
"""


def _python(code: str, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=memtui_env(home),
                          capture_output=True, text=True, timeout=120)


def test_the_real_cluster_path_loads_no_simulator(tmp_path):
    """What `memtui -n NS` imports must not need the sim extra (cryptography is left out of the check:
    redis-py probes for it when it is installed, as it is here)."""
    probe = ("import importlib, json, sys\n"
             "for name in sys.argv[1:]: importlib.import_module(name)\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'aiohttp'"
             " or m.startswith('memtui.sim'))))\n")
    done = _python(probe, tmp_path, "memtui.cli", "memtui.ui.app", "memtui.clients.kube.connection",
                   "memtui.audit.cli")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_libraries_are_really_hidden(tmp_path):
    """Guards the two tests below: they mean something only if the import really fails."""
    done = _python(_WITHOUT_SIM_LIBRARIES + "import importlib.util\n"
                   "assert importlib.util.find_spec('aiohttp') is None\nimport cryptography", tmp_path)
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr


@pytest.mark.parametrize("argv", [["--demo"], ["sim"], ["sim", "--port", "0"]])
def test_without_the_extra_the_simulator_says_how_to_install_it(tmp_path, argv):
    run_cli = _WITHOUT_SIM_LIBRARIES + "from memtui.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    done = _python(run_cli, tmp_path, *argv)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "aiohttp and cryptography" in line and "pip install 'memtui[sim]'" in line


def test_without_the_extra_memtui_sim_help_still_works(tmp_path):
    done = _python(_WITHOUT_SIM_LIBRARIES + "from memtui.cli import main\nsys.exit(main(['sim', '--help']))\n",
                   tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--scenario" in done.stdout


def test_python_dash_m_memtui_sim_says_how_to_install_it(tmp_path):
    done = _python(_WITHOUT_SIM_LIBRARIES + "import runpy\nsys.argv = ['memtui.sim']\n"
                   "runpy.run_module('memtui.sim', run_name='__main__')\n", tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pip install 'memtui[sim]'" in done.stderr and "Traceback" not in done.stderr
