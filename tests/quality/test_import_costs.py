"""Heavy imports stay lazy: the state, the runbook schema and the widgets load no backend client.

Importing ``kubernetes`` costs most of a second, redis-py and the Prometheus client more on top;
a widget that formats bytes, or a test of the runbook schema, should pay for none of it.  Each
check runs a fresh interpreter (this process has long since loaded everything) and reads
``sys.modules`` after the import: what was loaded, not how long it took, so the test does not
depend on the machine's speed.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import memtui.state
import memtui.widgets

REPO = Path(__file__).resolve().parents[2]
BACKEND_LIBRARIES = ("kubernetes", "redis", "prometheus_api_client", "pynvml")

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules)))
"""


def loaded_after_import(module: str, watched: tuple[str, ...] = BACKEND_LIBRARIES) -> list[str]:
    """Which of ``watched`` a fresh interpreter has in ``sys.modules`` after ``import module``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module, json.dumps(watched)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"
    return json.loads(done.stdout)


def _submodules(package) -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."))


LIGHT_MODULES = [
    *_submodules(memtui.state),
    "memtui.runbook",
    "memtui.runbook.operations",
    "memtui.executor",
    "memtui.executor.model",
    "memtui.audit",
    "memtui.config.settings",
    "memtui.cli",  # `memtui --help` and `memtui audit verify` start without the clients
    "memtui.audit.cli",
    *_submodules(memtui.widgets),
]


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_importing_loads_no_backend_client(module: str) -> None:
    assert loaded_after_import(module) == [], f"import {module} loads a backend client at import time"


def test_the_probe_sees_a_backend_client_when_one_is_loaded() -> None:
    """The check above can fail: a module that needs the client at import time is caught."""
    assert loaded_after_import("memtui.clients.kube.connection") == ["kubernetes"]


def test_state_runbook_schema_and_cli_load_no_textual() -> None:
    for module in ("memtui.state.cockpit", "memtui.runbook.operations", "memtui.executor.model", "memtui.cli"):
        assert loaded_after_import(module, ("textual",)) == [], module


LAZY_PACKAGES = ["memtui.executor", "memtui.audit", "memtui.runbook"]


def _type_checking_names(package: str) -> dict[str, str]:
    """``{name: home module}`` as the package's ``if TYPE_CHECKING:`` block imports them."""
    tree = ast.parse(Path(importlib.import_module(package).__file__).read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                names.update({alias.name: imp.module for alias in imp.names})
    return names


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_lazy_package_exports_each_name_from_its_home(package: str) -> None:
    """What type checkers see (the TYPE_CHECKING imports) is what ``__getattr__`` returns."""
    module = importlib.import_module(package)
    homes = module._HOMES
    assert _type_checking_names(package) == homes
    assert sorted(module.__all__) == sorted(homes)
    for name, home in homes.items():
        assert getattr(module, name) is getattr(importlib.import_module(home), name), name
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        module.nothing_here  # noqa: B018


@pytest.mark.parametrize("package", ["memtui.audit", "memtui.executor", "memtui.runbook", "memtui.sim"])
def test_a_lazy_package_lists_exactly_the_names_it_can_load(package: str) -> None:
    """``__all__`` (what linters and ``import *`` read) and ``_HOMES`` (what ``__getattr__`` loads)
    are two lists of one set of names: a name in one only is either unloadable or unlisted."""
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(module._HOMES)
    for name in module.__all__:
        assert getattr(module, name) is not None


_LAUNCH_PROBE = """
import json, sys
from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.sources.bundle import build_sources
settings = Settings(namespace="sap-llm", kubeconfig=sys.argv[1], context="memtui-sim", redis_deployment="")
connection = connect(kubeconfig=sys.argv[1], context="memtui-sim", namespace="sap-llm")
sources = build_sources(settings, connection)
snapshot = sources.kube.fetch()
sources.stop()
from memtui.clients.kube.exec import exec_in_pod
ran = exec_in_pod(connection.exec_api_client, "sap-llm", snapshot.pods[0].name, ["ls", "/"])
print(json.dumps([len(snapshot.pods), ran.exit_code, sorted(m for m in sys.modules if m.startswith("kubernetes.client.api."))]))
"""


def test_connecting_the_first_refresh_and_an_exec_build_none_of_the_generated_api_classes(sim) -> None:
    """kubernetes 37's generated API classes are pydantic models: importing ``CoreV1Api`` alone
    took 0.9 s, most of memtui's launch before its first request.  The namespace check, the
    sources' construction and the pods, events and PodMetrics reads go by path
    (``clients.kube.rest``), and so does the evidence's ``du`` (an exec): kept loaded, the
    classes held some 20 MB of the cockpit's RSS."""
    done = subprocess.run([sys.executable, "-c", _LAUNCH_PROBE, str(sim.kubeconfig_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    pods, exit_code, generated = json.loads(done.stdout.strip().splitlines()[-1])
    assert pods > 0 and exit_code == 0 and generated == []
