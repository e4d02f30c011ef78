"""The static checks, run by pytest so that CI (``./scripts/test``) runs them: import contracts
(import-linter), ruff and mypy, each from this interpreter's environment, each clean.

On failure the tool's own output is the assertion message: it names the file, line and rule.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _installed_layout_script():
    spec = importlib.util.spec_from_file_location("installed_layout", REPO / "scripts" / "installed_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


installed_layout = _installed_layout_script()


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    """``tool`` from this interpreter's environment, in the repository root, with its output."""
    executable = BIN / tool
    assert executable.exists(), f"{tool} is not installed beside {sys.executable}: pip install -e '.[test]'"
    return subprocess.run([str(executable), *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_import_contracts_are_kept(tmp_path: Path) -> None:
    """``[tool.importlinter]``'s contracts over memtui as installed (widgets/ is memtui.widgets)."""
    done = installed_layout.run_staged("lint-imports", [], installed_layout.stage(REPO, tmp_path), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("contract", "added"),
    [
        ("no-backend-below-ui", {"memtui/state/leaky.py": "from kubernetes import client"}),
        ("no-executor-internals", {"memtui/widgets/leaky.py": "from memtui.executor.executor import Executor"}),
        ("executor-model-is-a-leaf", {"memtui/executor/model.py": "from memtui.executor import planning"}),
        ("textual-only-in-ui", {"memtui/state/leaky.py": "from textual.widget import Widget"}),
        ("sources-executor-independent", {"memtui/sources/leaky.py": "from memtui.executor import planning"}),
        ("sim-only-for-demo", {"memtui/clients/leaky.py": "from memtui.sim import SimConfig"}),
        ("product-without-sim", {"memtui/config/leaky.py": "from memtui.demo import session"}),
        ("layers", {"memtui/clients/leaky.py": "from memtui.sources import kube"}),
        ("no-cycles", {"memtui/state/leaky.py": "from memtui.state import leaky_too",
                       "memtui/state/leaky_too.py": "from memtui.state import leaky"}),
    ],
)
def test_a_contract_breaks_when_its_rule_is_broken(tmp_path: Path, contract: str, added: dict[str, str]) -> None:
    """The contracts can fail: a forbidden import added to a staged copy (a new module, or a line
    appended to an existing one) breaks that contract, and the report names the importer."""
    staged = installed_layout.stage(REPO, tmp_path)
    for path, line in added.items():
        with (staged / path).open("a", encoding="utf-8") as module:
            module.write("\n" + line + "\n")
    done = installed_layout.run_staged("lint-imports", ["--contract", contract], staged, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    importer = Path(next(iter(added))).stem
    assert "BROKEN" in done.stdout and importer in done.stdout, done.stdout


def test_ruff_finds_nothing() -> None:
    """The rules of ``[tool.ruff.lint]`` over the whole repository (ruff lints; it formats nothing)."""
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.timeout(600)  # a cold cache (a fresh CI machine) takes a minute or two
def test_mypy_finds_nothing() -> None:
    """``[tool.mypy]`` over memtui as installed; see its overrides for what is not yet checked."""
    done = installed_layout.run_staged("mypy", [], timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
