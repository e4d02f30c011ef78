"""One of Textual's functions replaced by memtui's, only where Textual's is the one that was read.

``strip_cycles`` and ``component_styles`` each replace a Textual function whose behaviour costs
the cockpit (a cycle per painted line, a cycle per component class at each restyle).  Each
checks first that the Textual in use still has what it replaces, and the cockpit installs them
at every start: tests and ``memtui demo`` run several apps in one process."""

from __future__ import annotations

from collections.abc import Callable


def replace(owner: type, name: str, replacement: Callable[..., object], applies: Callable[[], bool]) -> bool:
    """``owner.name = replacement`` where ``applies()``; True when it is (or was already) replaced."""
    if owner.__dict__.get(name) is replacement:
        return True
    if not applies():
        return False
    setattr(owner, name, replacement)
    return True
