"""Whether the simulator's own libraries (the ``sim`` extra) are installed, asked without importing them.

``pip install memtui`` is for watching a real cluster: the simulator's HTTPS server (aiohttp) and the
certificates it mints (cryptography) are not needed there, so they sit behind ``memtui[sim]``.  The
demo and ``memtui sim`` ask here first, so that a plain install answers with how to get the extra
instead of a ModuleNotFoundError traceback.  This module must stay importable without the extra:
``memtui/sim/__init__.py`` loads nothing eagerly for that reason.
"""

from __future__ import annotations

import importlib.util

SIM_LIBRARIES = ("aiohttp", "cryptography")
"""Import names of what the ``sim`` extra in pyproject.toml adds (PyYAML is a plain dependency)."""

INSTALL_HINT = "pip install 'memtui[sim]'"


def missing_libraries() -> tuple[str, ...]:
    """The simulator's libraries that cannot be found, in SIM_LIBRARIES order."""
    return tuple(name for name in SIM_LIBRARIES if importlib.util.find_spec(name) is None)


def missing_extra_message() -> str | None:
    """One line saying what is missing and the command that installs it; None when the simulator can run."""
    missing = missing_libraries()
    if not missing:
        return None
    return (f"the simulated cluster needs {' and '.join(missing)}, which a plain install leaves out: "
            f"{INSTALL_HINT}")
