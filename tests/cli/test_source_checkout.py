"""A source checkout runs as it is: `python -m memtui` from the repository root imports the
checkout's `memtui/`, and the subpackages that pyproject.toml maps to folders beside it
(`memtui.widgets` -> `widgets/`, `memtui.keymaps` -> `keymaps/`) resolve there too, with no install.

The interpreter runs with `-S` (no site-packages), so neither an installed wheel nor the editable
install's finder can supply those names: only the checkout itself can."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib.resources, importlib.util, sys
import memtui, memtui.keymaps, memtui.widgets
print("keymaps", memtui.keymaps.__file__)
print("widgets", memtui.widgets.__file__)
print("pod_table", importlib.util.find_spec("memtui.widgets.pod_table").origin)
print("default.toml", importlib.resources.files("memtui.keymaps").joinpath("default.toml").is_file())
print("app.tcss", importlib.resources.files("memtui.ui").joinpath("app.tcss").is_file())
for name in ("memtui.tests", "memtui.scripts", "memtui.bench", "memtui.screenshots"):
    print(name, importlib.util.find_spec(name))
print("version", memtui.__version__)
"""


def _probe(cwd: Path) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE], cwd=cwd, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def test_checkout_maps_widgets_and_keymaps_to_the_folders_beside_the_package():
    seen = _probe(ROOT)
    assert seen["keymaps"] == str(ROOT / "keymaps" / "__init__.py")
    assert seen["widgets"] == str(ROOT / "widgets" / "__init__.py")
    assert seen["pod_table"] == str(ROOT / "widgets" / "pod_table.py")
    assert seen["default.toml"] == "True"
    assert seen["app.tcss"] == "True"


def test_only_the_mapped_folders_become_memtui_subpackages():
    seen = _probe(ROOT)
    for name in ("memtui.tests", "memtui.scripts", "memtui.bench", "memtui.screenshots"):
        assert seen[name] == "None"


def test_checkout_reports_the_version_of_its_pyproject():
    import tomllib

    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert _probe(ROOT)["version"] == expected
