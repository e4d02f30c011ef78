"""The container an exec runs in, at one simulated instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..models import Life, MemSample
    from ..records import PodRecord


@dataclass
class ExecResult:
    stdout: bytes = b""
    stderr: bytes = b""
    code: int = 0


@dataclass
class ExecContext:
    cluster: "Cluster"
    rec: "PodRecord"
    life: "Life"
    t: float
    tty: bool = False
    env: dict[str, str] = field(default_factory=dict)

    @property
    def image_kind(self) -> str:
        c = self.rec.container
        if c == "redis":
            return "redis"
        if c == "sap-llm":
            return "sap-llm"
        return "generic"

    def sample(self) -> "MemSample":
        return self.rec.model.sample(self.life, self.t)

    @property
    def seed(self) -> int:
        return self.cluster.config.seed
