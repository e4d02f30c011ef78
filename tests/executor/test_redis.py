"""Redis fixes against a real redis-server (redis-py) and through redis-cli exec in the simulator."""

from __future__ import annotations

import redis

from memtui.executor import RedisCall

PASSWORD = "s3cret-pw"


def fill(server, keys: int) -> redis.Redis:
    client = redis.Redis.from_url(server.url, decode_responses=True)
    client.mset({f"resp:{i:05d}": "x" * 2048 for i in range(keys)})
    return client


def test_flushdb_needs_the_redis_deployments_name_and_shows_the_key_count_first(sim, make_rig, catalogue, redis_server):
    client = fill(redis_server, 250)
    rig = make_rig(sim, redis_url=redis_server.url)
    plan = rig.executor.plan(catalogue.get("fix.redis-flushdb"), {}, rig.ctx(reason="INC-5"))
    assert plan.confirm_name == "redis"
    assert [(c.path, c.before, c.after) for c in plan.changes] == [("keys in database 0", "250", "0")]
    assert any(w.startswith("DBSIZE: database 0 holds 250 keys") for w in plan.warnings)
    assert plan.gentler_first == ("fix.redis-eviction-policy", "fix.redis-maxmemory", "fix.redis-memory-purge")
    assert plan.requests == (RedisCall(("FLUSHDB", "ASYNC"), f"redis://:***@127.0.0.1:{redis_server.port}/0"),)
    assert plan.dry_run is None and not plan.undoable

    for typed in (None, "", "Redis", "sap-llm"):
        refused = rig.executor.execute(plan, confirmation=typed)
        assert not refused.ok and refused.refused, typed
        assert client.dbsize() == 250
    done = rig.executor.execute(plan, confirmation="redis")
    assert done.ok, done
    assert client.dbsize() == 0
    outcomes = [e.outcome for e in rig.entries() if e.kind == "result"]
    assert outcomes == ["refused"] * 4 + ["success"]
    assert all(e.reason == "INC-5" for e in rig.entries() if e.kind == "intent")


def test_config_set_records_the_old_value_and_undo_restores_it(sim, make_rig, catalogue, redis_server):
    client = fill(redis_server, 1)
    rig = make_rig(sim, redis_url=redis_server.url)
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    plan = rig.executor.plan(catalogue.get("fix.redis-eviction-policy"), {"policy": "allkeys-lfu"}, rig.ctx())
    assert [(c.path, c.before, c.after) for c in plan.changes] == [
        ("CONFIG maxmemory-policy", "noeviction", "allkeys-lfu")]
    assert any("not persistent" in w and "CONFIG REWRITE" in w for w in plan.warnings)
    assert plan.follow_up == ("fix.redis-config-rewrite",) and plan.undoable
    done = rig.executor.execute(plan)
    assert done.ok and client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lfu"}
    assert dict(done.previous) == {"kind": "redis-config", "values": {"maxmemory-policy": "noeviction"}}

    undo = rig.executor.undo_plan(done)
    assert undo.requests[0].words == ("CONFIG", "SET", "maxmemory-policy", "noeviction")
    assert rig.executor.execute(undo).ok
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}

    limit = rig.executor.execute(rig.executor.plan(catalogue.get("fix.redis-maxmemory"), {"maxmemory": "8Gi"}, rig.ctx()))
    assert limit.ok and client.config_get("maxmemory") == {"maxmemory": str(8 * 2**30)}
    assert rig.executor.execute(rig.executor.undo_plan(limit)).ok
    assert client.config_get("maxmemory") == {"maxmemory": "0"}
    (result,) = [e for e in rig.entries() if e.kind == "result" and e.action == "fix.redis-maxmemory"]
    assert result.previous == {"kind": "redis-config", "values": {"maxmemory": "0"}}


def test_the_password_never_appears_in_a_plan_an_outcome_the_audit_or_an_event(sim, make_rig, catalogue, redis_server):
    fill(redis_server, 10)
    rig = make_rig(sim, redis_url=redis_server.url)
    plan = rig.executor.plan(catalogue.get("fix.redis-flushdb"), {}, rig.ctx())
    outcome = rig.executor.execute(plan, confirmation="redis")
    read = rig.executor.run_read(catalogue.get("diagnose.redis-info-memory"), {}, rig.ctx())
    effect = rig.executor.check_effect(outcome, rig.ctx())
    assert outcome.ok and read.ok and effect is not None
    for thing in (plan, outcome, read, effect):
        assert PASSWORD not in repr(thing)
    assert PASSWORD not in rig.audit_path.read_text()
    assert PASSWORD not in repr(rig.sim.journal())
    assert "redis://:***@" in plan.targets[0].why


def test_a_wrong_password_is_a_failure_without_the_password_in_it(sim, make_rig, catalogue, redis_server):
    url = redis_server.url.replace(PASSWORD, "not-the-" + PASSWORD)
    rig = make_rig(sim, redis_url=url)
    outcome = rig.executor.run_read(catalogue.get("diagnose.redis-info-memory"), {}, rig.ctx())
    assert not outcome.ok and outcome.error
    assert PASSWORD not in repr(outcome) and PASSWORD not in rig.audit_path.read_text()


def test_flushdb_effect_reports_used_memory_before_and_after(sim, make_rig, catalogue, redis_server):
    fill(redis_server, 3000)
    rig = make_rig(sim, redis_url=redis_server.url)
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.redis-flushdb"), {}, rig.ctx()),
                                   confirmation="redis")
    effect = rig.executor.check_effect(outcome, rig.ctx())
    assert effect.before["redis_used_memory"] > effect.after["redis_used_memory"]
    assert effect.improved is True and "Redis used_memory" in effect.summary


def test_without_a_url_redis_cli_runs_in_the_redis_pod_as_an_argv(rig, catalogue):
    ctx = rig.ctx()
    redis_pod = next(p.name for p in ctx.pods if p.owner == "redis")
    plan = rig.executor.plan(catalogue.get("fix.redis-maxmemory"), {}, ctx)
    (call,) = plan.requests
    assert (call.pod, call.container, call.argv) == (redis_pod, "redis", ("redis-cli", "CONFIG", "SET", "maxmemory", "8gb"))
    assert [(c.before, c.after) for c in plan.changes] == [("0 (no limit)", "8gb")]
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    # CONFIG GET first (the value undo restores, read just before the intent), then the CONFIG SET;
    # an exec is journaled when its stream closes, so the plan's INFO may land after the mark
    execs = rig.execs(start, commands=[["redis-cli", "CONFIG", "GET", "maxmemory"],
                                       ["redis-cli", "CONFIG", "SET", "maxmemory", "8gb"]])
    commands = [e.query["command"] for e in execs]
    assert commands.index(["redis-cli", "CONFIG", "GET", "maxmemory"]) < commands.index(
        ["redis-cli", "CONFIG", "SET", "maxmemory", "8gb"])
    entry = execs[commands.index(["redis-cli", "CONFIG", "SET", "maxmemory", "8gb"])]
    assert entry.path == f"/api/v1/namespaces/sap-llm/pods/{redis_pod}/exec" and entry.token_name == "operator"
    assert rig.sim.redis_truth()["maxmemory"] == 8 * 2**30
    assert rig.executor.execute(rig.executor.undo_plan(outcome)).ok
    assert rig.sim.redis_truth()["maxmemory"] == 0

    flush = rig.executor.plan(catalogue.get("fix.redis-flushdb"), {}, rig.ctx())
    keys = rig.sim.redis_truth()["keys"]
    assert flush.changes[0].before == f"{keys:,}" and flush.confirm_name == "redis"
    assert rig.executor.execute(flush, confirmation="redis").ok
    assert rig.sim.redis_truth()["keys"] == 0
