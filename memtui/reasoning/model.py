"""The cause ranking as the rest of memtui sees it: the runbook's four causes, each with a
confidence, the facts behind it and what would make it surer.

This is the contract between the ranking (``ranking.py``), the side panel, the pod details, the
audit log and the recorder: typed, frozen, JSON-able with ``to_record``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CAUSES: tuple[str, ...] = ("model-loading", "leak", "batch", "cache")
"""The runbook's root causes, by the ids the catalogue's ``root_cause`` uses."""

CAUSE_TITLES: dict[str, str] = {
    "model-loading": "Model loading",
    "leak": "Memory leak",
    "batch": "Large batches",
    "cache": "Cache bloat",
}

PRIORS: dict[str, float] = {"model-loading": 0.35, "leak": 0.30, "batch": 0.20, "cache": 0.15}
"""The runbook's shares of cases ("Common Root Causes"): where the ranking starts."""

SOURCES: tuple[str, ...] = ("log", "prometheus", "metrics", "exec", "redis", "history", "config", "kubernetes")
"""Where a fact came from, as the panel prints it."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One observation and what it says about one cause."""

    cause: str
    weight: float
    """Log-likelihood ratio: > 0 supports the cause, < 0 speaks against it, 0 is context."""
    text: str
    """What was seen, short enough for the side panel (units said): "4 'model loaded' in 20 min"."""
    source: str
    """One of ``SOURCES``."""
    pod: str | None = None
    """The pod it was seen on, when it is about one pod (the pod details show these)."""

    def to_record(self) -> dict[str, Any]:
        return {"cause": self.cause, "weight": round(self.weight, 3), "text": self.text,
                "source": self.source, "pod": self.pod}


@dataclass(frozen=True, slots=True)
class Gap:
    """Evidence the ranking lacks, and how to get it (one key, when a diagnose step would)."""

    what: str
    """ "no Prometheus: growth shape from memtui's own samples only", "logs: forbidden (RBAC)"."""
    action_id: str | None = None
    """The catalogue's diagnose step that would fill it, e.g. ``diagnose.disk-models-cache``."""
    cause: str | None = None
    """The cause it would settle, if it is about one."""

    def to_record(self) -> dict[str, Any]:
        return {"what": self.what, "action_id": self.action_id, "cause": self.cause}


@dataclass(frozen=True, slots=True)
class CauseScore:
    cause: str
    prior: float
    confidence: float
    """Probability in [0, 1] that this cause is at work.  Causes are scored independently (a leak
    and a cache bloat can happen together), so confidences need not sum to 1."""
    facts: tuple[Fact, ...] = ()
    """The facts behind it, strongest (by |weight|) first."""

    @property
    def title(self) -> str:
        return CAUSE_TITLES[self.cause]

    def to_record(self) -> dict[str, Any]:
        return {"cause": self.cause, "prior": self.prior, "confidence": round(self.confidence, 3),
                "facts": [f.to_record() for f in self.facts]}


@dataclass(frozen=True, slots=True)
class CauseRanking:
    """The causes, most likely first, with what the ranking could not see."""

    causes: tuple[CauseScore, ...]
    computed_at: datetime | None = None
    uncertain: bool = True
    """True when the evidence is too thin to name a cause: the panel says "uncertain", not a guess."""
    gaps: tuple[Gap, ...] = ()
    evidence_at: datetime | None = None
    """When the last evidence gathering (logs, exec) finished; None before the first."""
    inputs: dict[str, Any] = field(default_factory=dict, compare=False)
    """What went in, for the audit log (pods sampled, windows, sources used)."""

    @classmethod
    def priors_only(cls, *, gaps: tuple[Gap, ...] = ()) -> CauseRanking:
        """Before any evidence: the runbook's shares, flagged uncertain."""
        causes = tuple(CauseScore(c, PRIORS[c], PRIORS[c]) for c in sorted(CAUSES, key=lambda c: -PRIORS[c]))
        return cls(causes=causes, uncertain=True, gaps=gaps)

    @property
    def top(self) -> CauseScore:
        return self.causes[0]

    def score(self, cause: str) -> CauseScore:
        return next(c for c in self.causes if c.cause == cause)

    def order(self) -> tuple[str, ...]:
        return tuple(c.cause for c in self.causes)

    def facts_for_pod(self, pod: str) -> tuple[Fact, ...]:
        return tuple(f for c in self.causes for f in c.facts if f.pod == pod)

    def to_record(self) -> dict[str, Any]:
        """The ranking as the audit log and the recorder store it (why this fix was chosen)."""
        return {
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "evidence_at": self.evidence_at.isoformat() if self.evidence_at else None,
            "uncertain": self.uncertain,
            "causes": [c.to_record() for c in self.causes],
            "gaps": [g.to_record() for g in self.gaps],
            "inputs": self.inputs,
        }
