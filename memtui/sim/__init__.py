"""A simulated ``sap-llm`` MemoryUsageHigh incident served as the Kubernetes API over HTTPS.

Demo mode, the tests, the benchmarks and a real ``kubectl`` all talk to it
through the real client path, which is how we know memtui would behave the
same against a cluster.

Names load on first use (as ``textual/widgets/__init__.py`` does): the server needs the ``sim``
extra (aiohttp, cryptography), and ``memtui.sim.extra`` must be importable without it to say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memtui import lazy_names

if TYPE_CHECKING:
    from .config import GITOPS, SCENARIOS, SimConfig
    from .handle import SimulatorHandle, start_simulator
    from .journal import JournalEntry, RequestRecord
    from .truth import PodTruth

_HOMES = {
    "GITOPS": ".config",
    "SCENARIOS": ".config",
    "SimConfig": ".config",
    "SimulatorHandle": ".handle",
    "start_simulator": ".handle",
    "JournalEntry": ".journal",
    "RequestRecord": ".journal",
    "PodTruth": ".truth",
}

__all__ = ["GITOPS", "SCENARIOS", "JournalEntry", "PodTruth", "RequestRecord", "SimConfig", "SimulatorHandle",
           "start_simulator"]
__getattr__, __dir__ = lazy_names(__name__, _HOMES)
