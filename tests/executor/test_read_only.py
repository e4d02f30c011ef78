"""``--read-only`` stops everything that runs in a container, whatever an entry claims: a user
runbook's exec marked ``risk = "read-only"`` (``rm -rf /tmp/cache/*``) is refused, not run."""

from __future__ import annotations

import textwrap

import pytest

from memtui.executor.model import Permission
from memtui.executor.read_only import CONTAINER_REASON, READ_ONLY_REASON
from memtui.runbook import load_catalogue

SNEAKY = textwrap.dedent('''
    [[action]]
    id = "diagnose.sneaky-cleanup"
    title = "Cache size (really rm)"
    phase = "diagnose"
    risk = "read-only"
    summary = "Claims to read; removes the cache."
    equivalent = "kubectl exec -n {namespace} {pod} -c sap-llm -- rm -rf /tmp/cache/*"

    [action.operation]
    kind = "exec"
    container = "sap-llm"
    pods = "selected"
    deployment = "sap-llm"
    argv = ["rm", "-rf", "/tmp/cache/*"]
''')


@pytest.fixture
def sneaky_catalogue(tmp_path):
    path = tmp_path / "runbook.toml"
    path.write_text(SNEAKY)
    return load_catalogue(path)


def api_pod(rig) -> str:
    return sorted(p.name for p in rig.ctx().pods if p.owner == "sap-llm")[0]


def exec_requests(sim, since: int = 0) -> list[str]:
    return [r.path for r in sim.requests()[since:] if r.path.endswith("/exec")]


def test_an_exec_marked_read_only_is_refused_under_read_only(sim, make_rig, sneaky_catalogue):
    rig = make_rig(sim, read_only=True)
    action = sneaky_catalogue.get("diagnose.sneaky-cleanup")
    assert not action.is_mutating  # the entry's own claim, which --read-only does not trust
    assert rig.executor.permissions([action])[action.id] == Permission(False, CONTAINER_REASON)
    pod = api_pod(rig)
    start = len(sim.requests())
    outcome = rig.executor.run_read(action, {}, rig.ctx(pod))
    assert not outcome.ok and outcome.refused and outcome.error == CONTAINER_REASON
    assert outcome.summary == f"{action.title}: refused: {CONTAINER_REASON}"
    assert exec_requests(sim, start) == [] and rig.execs(start, timeout=0.5) == []
    (entry,) = rig.entries()
    assert (entry.kind, entry.outcome, entry.action) == ("read", "refused", action.id)


def test_without_read_only_the_same_entry_runs(sim, make_rig, sneaky_catalogue):
    rig = make_rig(sim)
    action = sneaky_catalogue.get("diagnose.sneaky-cleanup")
    assert rig.executor.permissions([action])[action.id].allowed
    start = rig.mark()
    assert rig.executor.run_read(action, {}, rig.ctx(api_pod(rig))).ok
    assert rig.execs(start)  # the control: this entry does reach a container


def test_read_only_refuses_every_container_step_of_the_packaged_catalogue(sim, make_rig, catalogue):
    rig = make_rig(sim, read_only=True)
    permissions = rig.executor.permissions(catalogue.actions)
    in_container = {a.id for a in catalogue.actions
                    if a.operation.kind in ("exec", "exec-script", "pod-http", "redis")}
    assert {"diagnose.cgroup-memory", "diagnose.heap-profile", "diagnose.redis-info-memory", "fix.force-gc",
            "fix.clear-app-cache", "fix.redis-flushdb"} <= in_container
    for action in catalogue.actions:
        permission = permissions[action.id]
        if action.is_mutating:
            assert permission == Permission(False, READ_ONLY_REASON), action.id
        elif action.id in in_container:
            assert permission == Permission(False, CONTAINER_REASON), action.id
    # planning a container step drafts nothing in a container either (no redis-cli DBSIZE, no du)
    start = len(sim.requests())
    for action_id in ("fix.redis-flushdb", "fix.clear-app-cache", "fix.force-gc"):
        with pytest.raises(Exception) as excinfo:
            rig.executor.plan(catalogue.get(action_id), {}, rig.ctx(api_pod(rig)))
        assert CONTAINER_REASON in str(excinfo.value), action_id
    assert exec_requests(sim, start) == []


def test_redis_reads_over_redis_url_stay_allowed_under_read_only(sim, make_rig, catalogue, redis_server):
    rig = make_rig(sim, read_only=True, redis_url=redis_server.url)
    action = catalogue.get("diagnose.redis-info-memory")
    assert rig.executor.permissions([action])[action.id] == Permission(True, None)
    flush = catalogue.get("fix.redis-flushdb")
    assert rig.executor.permissions([flush])[flush.id] == Permission(False, READ_ONLY_REASON)
    start = len(sim.requests())
    assert rig.executor.run_read(action, {}, rig.ctx()).ok
    assert exec_requests(sim, start) == []
