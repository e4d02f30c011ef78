"""Ranking the runbook's causes from live evidence: priors updated by facts.

Skeleton (priors only) until the evidence is weighed; the contract is ``rank(state, now)``.
"""

from __future__ import annotations

from datetime import datetime

from memtui.reasoning.model import CauseRanking
from memtui.state.cockpit import CockpitState


def rank(state: CockpitState, now: datetime) -> CauseRanking:
    """The causes for what ``state`` holds now, most likely first."""
    ranking = CauseRanking.priors_only()
    return CauseRanking(ranking.causes, computed_at=now, uncertain=True, gaps=ranking.gaps)
