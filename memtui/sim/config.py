"""Simulator configuration: the knobs a test, the demo or a benchmark turns."""

from __future__ import annotations

from dataclasses import dataclass

#: One scenario per root cause in the runbook ("Common Root Causes" 1-4).
SCENARIOS: tuple[str, ...] = ("leak", "model-duplication", "batch-spike", "cache-bloat")


@dataclass(frozen=True)
class SimConfig:
    """How to build and run one simulated incident.

    ``speed`` is simulated seconds per wall second: 1 keeps timestamps real for
    the demo, 0 freezes the clock so tests move time only with ``advance``.
    """

    scenario: str = "leak"
    seed: int = 42
    speed: float = 1.0
    replicas: int = 3
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; choose one of {', '.join(SCENARIOS)}")
        if self.speed < 0:
            raise ValueError("speed must be >= 0")
        if self.replicas < 0:
            raise ValueError("replicas must be >= 0")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be 0..65535")
