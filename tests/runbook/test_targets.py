"""'Delete the worst pod' targets the pod the runbook's text means, not the one its command picks."""

from __future__ import annotations

from dataclasses import dataclass

from memtui.runbook import worst_pod

GIB = 2**30


@dataclass
class Pod:
    name: str
    working_set: int | None
    limit: int | None
    restarts: int
    seconds_to_oom: float | None = None


def _runbook_pick(pods: list[Pod]) -> str:
    """The runbook's command: --sort-by=restartCount (ascending), then .items[0]."""
    return sorted(pods, key=lambda p: p.restarts)[0].name


def test_worst_is_highest_memory_against_limit_not_fewest_restarts():
    pods = [
        Pod("sap-llm-a", working_set=11 * GIB, limit=12 * GIB, restarts=3),  # 92 %: the one about to die
        Pod("sap-llm-b", working_set=4 * GIB, limit=12 * GIB, restarts=0),  # healthy, fewest restarts
        Pod("sap-llm-c", working_set=9 * GIB, limit=12 * GIB, restarts=1),
    ]
    assert _runbook_pick(pods) == "sap-llm-b"
    pick = worst_pod(pods, threshold_bytes=10**10)
    assert pick.name == "sap-llm-a"
    assert pick.reason == "highest working set against its limit: 11.0 GiB of 12.0 GiB (92%), 3 restarts"


def test_ratio_beats_absolute_memory_and_restarts_break_ties():
    pods = [
        Pod("big-limit", working_set=14 * GIB, limit=32 * GIB, restarts=0),
        Pod("small-limit", working_set=7 * GIB, limit=8 * GIB, restarts=0),
        Pod("small-limit-restarted", working_set=7 * GIB, limit=8 * GIB, restarts=2),
    ]
    assert worst_pod(pods, threshold_bytes=10**10).name == "small-limit-restarted"


def test_pod_without_limit_is_measured_against_the_alert_threshold():
    pods = [
        Pod("no-limit", working_set=12 * 10**9, limit=None, restarts=0),  # 120 % of 10 GB
        Pod("limited", working_set=11 * GIB, limit=12 * GIB, restarts=5),
    ]
    pick = worst_pod(pods, threshold_bytes=10**10)
    assert pick.name == "no-limit"
    assert "alert threshold" in pick.reason and "0 restarts" in pick.reason


def test_no_memory_figures_means_no_pick():
    assert worst_pod([Pod("x", None, 12 * GIB, 9)], threshold_bytes=10**10) is None
    assert worst_pod([], threshold_bytes=10**10) is None


def test_same_percentage_goes_to_the_nearest_forecast_oom():
    pods = [
        Pod("restarted-a-lot", working_set=int(6.99 * GIB), limit=8 * GIB, restarts=9, seconds_to_oom=3600),
        Pod("about-to-die", working_set=int(6.96 * GIB), limit=8 * GIB, restarts=0, seconds_to_oom=120),
        Pod("lower", working_set=5 * GIB, limit=8 * GIB, restarts=0, seconds_to_oom=30),
    ]
    pick = worst_pod(pods, threshold_bytes=10**10)
    assert pick.name == "about-to-die"  # 87 % both: the one that OOMs first
    assert pick.reason.endswith("forecast OOM in 2 min")
