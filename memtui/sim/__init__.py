"""A simulated ``sap-llm`` MemoryUsageHigh incident served as the Kubernetes API over HTTPS.

Demo mode, the tests, the benchmarks and a real ``kubectl`` all talk to it
through the real client path, which is how we know memtui would behave the
same against a cluster.
"""

from .config import GITOPS, SCENARIOS, SimConfig
from .handle import SimulatorHandle, start_simulator
from .journal import JournalEntry, RequestRecord
from .truth import PodTruth

__all__ = ["GITOPS", "SCENARIOS", "JournalEntry", "PodTruth", "RequestRecord", "SimConfig", "SimulatorHandle",
           "start_simulator"]
