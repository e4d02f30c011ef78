"""The effect rules as pure functions: which actions meet, when an effect is due, what a window
credits.  Synthetic pods and samples: the simulator-driven tests are in tests/executor and tests/app."""

from datetime import datetime, timedelta, timezone

from memtui.executor.effects import ROLLOUT_WAIT_S, SETTLE_S, ActionMark, EffectWindow, due_window, measure
from memtui.state.snapshots import ContainerState, PodState

T0 = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)
GiB = 2**30


def pod(name: str, started: datetime, *, phase: str = "Running", owner: str = "sap-llm") -> PodState:
    container = ContainerState("sap-llm", True, 0, "running", None, None, None, started, 12 * GiB, 8 * GiB)
    return PodState(name, "sap-llm", f"uid-{name}", phase, phase, started, "node-1", owner, (container,))


def mark(number: int, at: datetime, kind: str = "exec", **touch) -> ActionMark:
    return ActionMark(f"intent-{number}", f"fix.{kind}", number, at, 20.0, kind, **touch)


def test_an_exec_on_a_pod_meets_a_restart_of_its_deployment_but_not_an_exec_on_another_pod():
    gc_a = mark(1, T0, pods=frozenset({"a"}), owners=frozenset({"deployment/sap-llm"}))
    gc_b = mark(2, T0, pods=frozenset({"b"}), owners=frozenset({"deployment/sap-llm"}))
    restart = mark(3, T0, "deployment-restart", wide=frozenset({"deployment/sap-llm"}), pods=frozenset({"a", "b"}))
    redis = mark(4, T0, "redis", wide=frozenset({"redis/redis"}))
    assert not gc_a.touches_same(gc_b)
    assert gc_a.touches_same(restart) and restart.touches_same(gc_b)
    assert not redis.touches_same(restart) and not redis.touches_same(gc_a)


def test_a_rollout_is_due_once_every_new_pod_has_run_a_while_or_when_it_has_waited_too_long():
    restart = ActionMark("i", "fix.rollout-restart", 1, T0, 180.0, "deployment-restart",
                         wide=frozenset({"deployment/sap-llm"}))
    later = T0 + timedelta(seconds=200)
    half = [pod("old", T0 - timedelta(hours=1)), pod("new", T0 + timedelta(seconds=30))]
    assert due_window(restart, [restart], half, later, deployment="sap-llm") is None
    pending = [pod("new-1", T0 + timedelta(seconds=30)), pod("new-2", T0 + timedelta(seconds=190), phase="Pending")]
    assert due_window(restart, [restart], pending, later, deployment="sap-llm") is None
    done = [pod("new-1", T0 + timedelta(seconds=30)), pod("new-2", T0 + timedelta(seconds=190))]
    assert due_window(restart, [restart], done, later, deployment="sap-llm") is None  # settling
    settled = T0 + timedelta(seconds=190 + SETTLE_S)
    assert due_window(restart, [restart], done, settled, deployment="sap-llm") == EffectWindow(T0, settled)
    stuck = T0 + timedelta(seconds=ROLLOUT_WAIT_S)
    assert due_window(restart, [restart], half, stuck, deployment="sap-llm") == EffectWindow(T0, stuck)


def test_the_window_ends_at_the_next_action_and_later_figures_are_not_credited():
    first = mark(1, T0, pods=frozenset({"a"}))
    second = mark(2, T0 + timedelta(seconds=10), pods=frozenset({"a"}))
    window = due_window(first, [first, second], [], T0 + timedelta(seconds=60), deployment=None)
    assert window.end == second.at and window.cut_by.number == 2
    t = T0.timestamp()
    # 10 GiB, 9 GiB just before the second action, 4 GiB after it
    samples = {"a": ((t - 30, 10 * GiB), (t, 10 * GiB), (t + 5, 9 * GiB), (t + 15, 4 * GiB))}
    before = {"scope": "pods", "pods": {"a": 10 * GiB}, "limits": {"a": 12 * GiB}}
    (effect,) = measure(first, before, window, marks=[first, second], pods_now=[pod("a", T0 - timedelta(hours=1))],
                        samples=samples)
    assert effect.working_set_after == 9 * GiB and effect.improved is True
    assert effect.summary().startswith("pod/a: 10.0 GiB → 9.0 GiB (−1.0 GiB)")
    assert "until action 2 (fix.exec at 22:00:10Z)" in effect.summary()
