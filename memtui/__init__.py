"""memtui: a terminal incident cockpit for the MemoryUsageHigh alert.

In a source checkout (``python -m memtui`` from the repository root, where the checkout's
``memtui/`` shadows any installed copy) the subpackages that ``pyproject.toml`` maps to folders
beside the package (``memtui.widgets`` -> ``widgets/``, ``memtui.keymaps`` -> ``keymaps/``) are
found there, exactly as an install maps them; nothing else in the repository root becomes part of
``memtui``.  An installed wheel has those folders inside the package and needs none of this.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.metadata import PackageNotFoundError, version
from importlib.util import spec_from_file_location
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).absolute().parent


def lazy_names(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that import a public name's home module on first
    use (PEP 562), as ``textual/widgets/__init__.py`` does: importing one light submodule (the
    executor's frozen types, the runbook schema) then does not load the whole package and the
    libraries behind it.  ``homes`` maps each public name to its module, absolute or relative to
    ``package`` (``".config"``); the package's ``TYPE_CHECKING`` imports are what type checkers see.
    """
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home, package), name)
        setattr(module, name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(module), *homes})

    return __getattr__, __dir__


def _checkout_pyproject() -> dict[str, Any] | None:
    """memtui's own pyproject.toml when this package sits in a source checkout, else None."""
    try:
        data = tomllib.loads((_PACKAGE_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return data if data.get("project", {}).get("name") == __name__ else None


def _mapped_folders(pyproject: dict[str, Any]) -> dict[str, Path]:
    """``{"memtui.widgets": <root>/widgets, ...}``: the package-dir entries of pyproject.toml for
    memtui's subpackages that live outside ``memtui/`` in this checkout."""
    package_dir = pyproject.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    folders = {}
    for name, folder in package_dir.items():
        path = _PACKAGE_DIR.parent / folder
        inside = _PACKAGE_DIR.joinpath(*name.split(".")[1:])
        if name.startswith(__name__ + ".") and (path / "__init__.py").is_file() and not inside.is_dir():
            folders[name] = path
    return folders


class _CheckoutFolders(MetaPathFinder):
    """Finds exactly the mapped subpackages (and, through their ``__path__``, their modules and
    resources: ``importlib.resources.files("memtui.keymaps")`` is the checkout's ``keymaps/``)."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        folder = self.folders.get(fullname)
        if folder is None:
            return None
        return spec_from_file_location(fullname, folder / "__init__.py", submodule_search_locations=[str(folder)])


_pyproject = _checkout_pyproject()
if _pyproject is not None:
    __version__: str = str(_pyproject["project"].get("version", "0.0.0+unknown"))
    _folders = _mapped_folders(_pyproject)
    if _folders and not any(isinstance(f, _CheckoutFolders) for f in sys.meta_path):
        sys.meta_path.append(_CheckoutFolders(_folders))
else:
    try:
        __version__ = version(__name__)
    except PackageNotFoundError:  # copied somewhere without its metadata
        __version__ = "0.0.0+unknown"
