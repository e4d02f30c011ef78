"""What a fix did to the forecast, as pure functions: enough points after the action, the
container's current life only, a rollout's new pods, the words the header and the effect use."""

from datetime import datetime, timedelta, timezone

from memtui.state.forecast_change import (
    MIN_POINTS_AFTER,
    MIN_SPAN_AFTER_S,
    ForecastWatch,
    Trend,
    describe_oom,
    forecast_change,
    rate_pair,
    trend_before,
)
from memtui.state.snapshots import ContainerState, PodState

T0 = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)
GiB, MiB = 2**30, 2**20
BEFORE = Trend(171 * MiB, 32 * 60.0)


def pod(name: str, started: datetime, *, owner: str = "sap-llm", status: str = "Running") -> PodState:
    container = ContainerState("sap-llm", True, 0, "running", None, None, None, started, 12 * GiB, 8 * GiB)
    return PodState(name, "sap-llm", f"uid-{name}", "Running", status, started, "node-1", owner, (container,))


def line(start: datetime, seconds: float, step: float, base: float, per_minute: float) -> list[tuple[float, float]]:
    """Samples every ``step`` s for ``seconds`` from ``start``, growing ``per_minute`` bytes a minute."""
    t0 = start.timestamp()
    return [(t0 + i * step, base + per_minute * i * step / 60) for i in range(int(seconds / step) + 1)]


def watch(**scope) -> ForecastWatch:
    return ForecastWatch("Limit concurrent requests (N)", T0, BEFORE, **scope)


def test_measuring_until_enough_points_span_two_minutes_after_the_action():
    p = pod("a", T0 - timedelta(hours=1))
    samples = {"a": line(T0 - timedelta(minutes=10), 600 + 60, 15, 8 * GiB, 171 * MiB)}  # 1 min after
    change = forecast_change(watch(pods=frozenset({"a"})), [p], samples)
    assert change.after is None and change.points_after == 4 and change.span_after_s == 45
    assert change.text() == "+171 MiB/min, OOM ~32 min → measuring (4/5 points, 45/120 s)"
    samples = {"a": line(T0 - timedelta(minutes=10), 600 + 15 + MIN_SPAN_AFTER_S, 15, 8 * GiB, 171 * MiB)}
    change = forecast_change(watch(pods=frozenset({"a"})), [p], samples)
    assert change.after is not None and change.points_after >= MIN_POINTS_AFTER
    assert round(change.after.growth_per_minute / MiB) == 171  # samples before the action do not count


def test_a_rollouts_new_pods_are_measured_and_a_flat_line_means_no_oom_in_24_h():
    new = pod("new", T0 + timedelta(seconds=30))  # "old" is no longer listed: the rollout replaced it
    gone = pod("going", T0 - timedelta(hours=1), status="Terminating")
    samples = {
        "old": line(T0 - timedelta(minutes=10), 600, 15, 10 * GiB, 171 * MiB),
        "going": line(T0, 600, 15, 11 * GiB, 500 * MiB),  # terminating: not the new trend
        "new": line(T0 + timedelta(seconds=30), 300, 15, 2 * GiB, 5 * MiB),
    }
    change = forecast_change(watch(deployments=frozenset({"sap-llm"})), [new, gone, pod("api", T0, owner="api")],
                             samples)
    assert change.after is not None and round(change.after.growth_per_minute / MiB) == 5
    assert change.after.seconds_to_oom is None  # 10 GiB to go at 5 MiB/min: 34 h, beyond the horizon
    assert change.text() == "+171 → +5 MiB/min, OOM ~32 min → none in 24 h"


def test_a_restart_inside_the_window_counts_only_the_new_container_life():
    restarted = pod("a", T0 + timedelta(minutes=1))  # OOM-killed a minute after the action
    samples = {"a": line(T0, 60, 15, 11 * GiB, 171 * MiB) + line(T0 + timedelta(minutes=1), 180, 15, 1 * GiB, 171 * MiB)}
    change = forecast_change(watch(pods=frozenset({"a"})), [restarted], samples)
    assert change.after is not None and round(change.after.growth_per_minute / MiB) == 171  # no "drop"
    assert 60 * 60 < change.after.seconds_to_oom < 70 * 60  # 11 GiB of headroom left at 171 MiB/min


def test_the_words():
    assert describe_oom(None) == "none in 24 h" and describe_oom(25 * 3600) == "none in 24 h"
    assert describe_oom(32 * 60) == "~32 min" and describe_oom(5 * 3600) == "~5.0 h"
    assert rate_pair(171 * MiB, 9 * MiB) == "+171 → +9 MiB/min"
    assert rate_pair(2 * GiB, 9 * MiB) == "+2.0 GiB/min → +9 MiB/min"
    assert rate_pair(171 * MiB, None) == "+171 MiB/min → —"


def test_trend_before_is_the_worst_of_the_pods_the_action_is_about():
    class Row:
        def __init__(self, name, growth, oom):
            self.name, self.growth_per_minute, self.seconds_to_oom = name, growth, oom

    rows = [Row("a", 100.0, 900.0), Row("b", 171.0, 1200.0), Row("api", 999.0, 60.0)]
    assert trend_before(rows, {"a", "b"}.__contains__) == Trend(171.0, 900.0)
    assert trend_before(rows, lambda name: False) == Trend(None, None)


def test_a_deleted_pods_replacement_stands_in_for_it_but_not_its_older_siblings():
    replacement, sibling = pod("b", T0 + timedelta(seconds=20)), pod("c", T0 - timedelta(hours=1))
    samples = {"b": line(T0 + timedelta(seconds=20), 300, 15, 1 * GiB, 40 * MiB),
               "c": line(T0 - timedelta(minutes=5), 600, 15, 6 * GiB, 300 * MiB)}
    deleted = watch(pods=frozenset({"a"}), owners=frozenset({"sap-llm"}))
    change = forecast_change(deleted, [replacement, sibling], samples)
    assert change.after is not None and round(change.after.growth_per_minute / MiB) == 40
