"""The wheel as a user gets it: built from this checkout, installed in a clean venv outside it, and
run from a directory where the checkout cannot be imported.  First as `pip install memtui` (for a
real cluster: no simulator libraries, and the demo says how to get them), then with the `sim` extra
added to the same venv (the demo runs).  Then the README's old failure mode: the wheel installed and
`python -m memtui --demo` run from the repository root, where the checkout's `memtui/` shadows the
installed package.

Building and installing go through pip and the configured package index only."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.terminal import Terminal, memtui_env

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.timeout(900)


SIM_EXTRA = ("aiohttp", "cryptography")
"""What pyproject.toml's `sim` extra adds; a plain install must not ask for either."""

PRODUCT_MODULES = ("memtui.cli", "memtui.ui.app", "memtui.clients.kube.connection", "memtui.audit.cli")
"""What watching a real cluster imports: none of it may load the simulator or its libraries."""

_IMPORT_PROBE = (
    "import importlib, json, sys\n"
    "for name in sys.argv[1:]: importlib.import_module(name)\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'cryptography')"
    " or m.startswith('memtui.sim'))))\n"
)

_DISTRIBUTIONS = (
    "import importlib.metadata as md, json\n"
    "print(json.dumps({'installed': sorted({d.metadata['Name'].lower() for d in md.distributions()}),"
    " 'memtui_requires': md.requires('memtui') or []}))\n"
)


@dataclass(frozen=True)
class PlainInstall:
    """What `pip install memtui` (no extra) gave, recorded before the sim extra was added."""

    installed: list[str]
    """Distribution names in the venv, lower case."""
    memtui_requires: list[str]
    """The wheel's Requires-Dist lines."""
    loaded: list[str]
    """Modules of memtui.sim, aiohttp or cryptography loaded by importing PRODUCT_MODULES."""
    help: subprocess.CompletedProcess[str]
    demo: subprocess.CompletedProcess[str]
    sim: subprocess.CompletedProcess[str]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    outside: Path
    """A directory outside the checkout to run from."""
    plain: PlainInstall

    @property
    def memtui(self) -> str:
        return str(self.venv / "bin" / "memtui")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


def _run(argv: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


def _plain_install(venv: Path, outside: Path, home: Path) -> PlainInstall:
    """Probe the venv as `pip install memtui` left it (one venv serves both installs: the sim extra
    adds three packages, a second venv would download and unpack all of them again)."""
    import json

    python, memtui = str(venv / "bin" / "python"), str(venv / "bin" / "memtui")
    dists = json.loads(_run([python, "-c", _DISTRIBUTIONS], cwd=outside).stdout)
    loaded = json.loads(_run([python, "-c", _IMPORT_PROBE, *PRODUCT_MODULES], cwd=outside).stdout)

    def attempt(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([memtui, *argv], cwd=outside, env=memtui_env(home), capture_output=True, text=True,
                              timeout=120)

    return PlainInstall(dists["installed"], dists["memtui_requires"], loaded, attempt("--help"),
                        attempt("--demo"), attempt("sim"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
          "-w", str(work / "dist"), str(ROOT)], cwd=work)
    (wheel,) = (work / "dist").glob("memtui-*.whl")
    _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    pip = [str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run([*pip, str(wheel)], cwd=work)
    outside = work / "elsewhere"
    outside.mkdir()
    plain = _plain_install(work / "venv", outside, work / "home")
    _run([*pip, f"{wheel}[sim]"], cwd=work)
    return Installed(wheel, work / "venv", outside, plain)


def _expected_wheel_files() -> set[str]:
    """Every module and package-data file of the packages pyproject.toml lists, at its installed path."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    package_dir, package_data = setuptools.get("package-dir", {}), setuptools.get("package-data", {})
    expected = set()
    for package in setuptools["packages"]:
        source = ROOT / package_dir.get(package, package.replace(".", "/"))
        patterns = ["*.py", *package_data.get(package, [])]
        for path in source.iterdir():
            if path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in patterns):
                expected.add(f"{package.replace('.', '/')}/{path.name}")
    return expected


def test_every_package_of_the_source_is_declared():
    """A new folder under memtui/ that pyproject.toml does not list would be missing from the wheel."""
    declared = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "memtui").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= declared, f"not in pyproject.toml's packages: {sorted(found - declared)}"


def test_wheel_holds_every_module_and_resource(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    missing = _expected_wheel_files() - names
    assert not missing, sorted(missing)
    for resource in ("memtui/keymaps/default.toml", "memtui/ui/app.tcss", "memtui/widgets/__init__.py"):
        assert resource in names
    assert not any(name.startswith(("tests/", "widgets/", "keymaps/", "scripts/")) for name in names)


def test_installed_memtui_reports_its_version_outside_the_checkout(installed):
    done = _run([installed.memtui, "--version"], cwd=installed.outside)
    assert done.stdout.strip() == f"memtui {PYPROJECT['project']['version']}"
    where = _run([installed.python, "-c", "import memtui.keymaps as k; print(k.__file__)"], cwd=installed.outside)
    assert where.stdout.startswith(str(installed.venv))


def test_plain_install_leaves_the_simulator_libraries_to_the_sim_extra(installed):
    """`pip install memtui` asks for aiohttp and cryptography only under the `sim` extra.  cryptography
    is then absent; aiohttp is not memtui's ask but arrives anyway, as a dependency of the kubernetes
    client (37.x, for its asyncio API), so what matters for it is that nothing of memtui loads it."""
    plain = installed.plain
    for library in SIM_EXTRA:
        asks = [line for line in plain.memtui_requires if line.lower().startswith(library)]
        assert asks and all('extra == "sim"' in line for line in asks), plain.memtui_requires
    assert "cryptography" not in plain.installed, plain.installed
    assert "memtui" in plain.installed


def test_plain_install_imports_no_simulator_for_a_real_cluster(installed):
    assert installed.plain.loaded == []


def test_plain_install_runs_memtui_help(installed):
    done = installed.plain.help
    assert done.returncode == 0, done.stderr
    assert "--demo" in done.stdout and "--namespace" in done.stdout


@pytest.mark.parametrize("attempt", ["demo", "sim"])
def test_plain_install_says_how_to_get_the_simulator(installed, attempt):
    """`memtui --demo` and `memtui sim` without the extra: one line naming the install command, exit 1."""
    done = getattr(installed.plain, attempt)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install 'memtui[sim]'" in lines[0] and "cryptography" in lines[0]


def test_sim_extra_installs_what_the_demo_imports(installed):
    done = _run([installed.python, "-c", "import memtui.demo.session, memtui.sim.server, memtui.sim.tls"],
                cwd=installed.outside)
    assert done.returncode == 0


def _demo_quits_cleanly(argv: list[str], cwd: Path, home: Path) -> None:
    """The demo draws the incident; `q` ends it with status 0 and no traceback."""
    with Terminal(argv, env=memtui_env(home), cwd=cwd) as terminal:
        drawn = terminal.read_until(b"OOMKilled", timeout=120)
        assert drawn, terminal.seen[-3000:].decode(errors="replace")
        terminal.send(b"q")
        code = terminal.wait(timeout=60)
    assert code == 0, terminal.seen[-3000:].decode(errors="replace")
    assert b"Traceback" not in terminal.seen
    assert b"DEMO" in terminal.seen and b"sap-llm" in terminal.seen


def test_installed_memtui_runs_the_demo_headless(installed, tmp_path):
    _demo_quits_cleanly([installed.memtui, "--demo"], installed.outside, tmp_path)


def test_installed_memtui_verifies_a_fresh_audit_log(installed, tmp_path):
    log = tmp_path / "fresh.jsonl"
    _run([installed.python, "-c",
          "import sys; from memtui.audit.log import AuditLog; "
          "AuditLog(sys.argv[1], context='memtui-sim', namespace='sap-llm').note('wheel check')", str(log)],
         cwd=installed.outside)
    verified = subprocess.run([installed.memtui, "audit", "verify", "--file", str(log)],
                              cwd=installed.outside, capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert "Traceback" not in verified.stderr
    log.write_text(log.read_text().replace("wheel check", "wheel cheque"))
    tampered = subprocess.run([installed.memtui, "audit", "verify", "--file", str(log)],
                              cwd=installed.outside, capture_output=True, text=True, timeout=60)
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr


def test_python_dash_m_memtui_from_the_repository_root_with_the_wheel_installed(installed, tmp_path):
    """The README's old command: the checkout's memtui/ shadows the wheel, and still runs."""
    _demo_quits_cleanly([installed.python, "-m", "memtui", "--demo"], ROOT, tmp_path)
