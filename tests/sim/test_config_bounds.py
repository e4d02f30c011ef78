"""The simulator's size bounds: issue 11 measures the cockpit at 20,000 pods in one namespace."""

from __future__ import annotations

import pytest

from memtui.sim import SimConfig
from memtui.sim.config import SimConfigError


def test_twenty_thousand_replicas_are_accepted():
    assert SimConfig(replicas=20_000).replicas == 20_000


def test_more_than_twenty_thousand_replicas_are_refused_with_the_field_named():
    with pytest.raises(SimConfigError) as refused:
        SimConfig(replicas=20_001)
    assert refused.value.field == "replicas"
    assert "between 0 and 20000 (got 20001)" in refused.value.problem
