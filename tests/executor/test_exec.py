"""Exec fixes: argument lists only; a glob only through the catalogue's fixed ``sh -c`` script;
force GC through the server's own ``POST :8080/admin/gc``."""

from __future__ import annotations

from dataclasses import replace

from memtui.executor import ExecCall


def test_clear_cache_runs_the_fixed_sh_c_script_in_the_selected_pod_and_frees_its_memory(sim_factory, make_rig,
                                                                                       catalogue):
    rig = make_rig(sim_factory(scenario="cache-bloat", seed=7))
    ctx = rig.ctx()
    pod = sorted(p.name for p in ctx.pods if p.owner == "sap-llm")[1]
    plan = rig.executor.plan(catalogue.get("fix.clear-app-cache"), {}, replace(ctx, selected_pod=pod))
    assert plan.requests == (ExecCall(pod, "sap-llm", ("sh", "-c", "rm -rf /tmp/cache/*"), 35.0),)
    assert [t.name for t in plan.targets] == [pod] and plan.targets[0].why.startswith("the selected pod")
    assert plan.dry_run is None and plan.changes == ()
    assert plan.equivalent == f"kubectl exec -n sap-llm {pod} -c sap-llm -- sh -c 'rm -rf /tmp/cache/*'"

    before = rig.sim.truth()[pod]
    others = {n: t.working_set_bytes for n, t in rig.sim.truth().items() if n != pod}
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    (entry,) = rig.execs(start, 1)
    assert entry.path == f"/api/v1/namespaces/sap-llm/pods/{pod}/exec"
    assert entry.query["command"] == ["sh", "-c", "rm -rf /tmp/cache/*"] and entry.query["container"] == "sap-llm"
    assert entry.token_name == "operator"
    after = rig.sim.truth()[pod]
    assert after.cache_bytes < before.cache_bytes - 256 * 2**20
    assert after.working_set_bytes < before.working_set_bytes - 256 * 2**20
    assert {n: t.working_set_bytes for n, t in rig.sim.truth().items() if n != pod} == others  # only that pod


def test_a_plain_argv_glob_would_have_freed_nothing(sim_factory, make_rig):
    """Why the catalogue uses sh -c: the same rm with a literal * in an argv removes nothing."""
    from memtui.clients.kube.exec import exec_in_pod

    rig = make_rig(sim_factory(scenario="cache-bloat", seed=7))
    pod = sorted(rig.sim.truth())[0]
    before = rig.sim.truth()[pod].cache_bytes
    exec_in_pod(rig.connection.exec_api_client, "sap-llm", pod, ["rm", "-rf", "/tmp/cache/*"], container="sap-llm")
    assert rig.sim.truth()[pod].cache_bytes == before


def test_force_gc_posts_to_the_servers_own_admin_gc_endpoint(rig, catalogue):
    ctx = rig.ctx()
    pod = next(p.name for p in ctx.pods if p.owner == "sap-llm")
    plan = rig.executor.plan(catalogue.get("fix.force-gc"), {}, replace(ctx, selected_pod=pod))
    (call,) = plan.requests
    assert call.argv == ("curl", "-sS", "--fail", "--max-time", "60", "-X", "POST", "http://localhost:8080/admin/gc")
    assert "python3" not in call.argv
    rss = rig.sim.truth()[pod].rss_bytes
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    (entry,) = rig.execs(start, 1)
    assert entry.query["command"] == list(call.argv)
    assert '"freed_bytes"' in outcome.output
    assert rig.sim.truth()[pod].rss_bytes < rss


def test_clear_model_cache_reaches_every_running_pod_and_says_so(rig, catalogue):
    ctx = rig.ctx()
    pods = sorted(p.name for p in ctx.pods if p.owner == "sap-llm")
    plan = rig.executor.plan(catalogue.get("fix.clear-model-cache"), {}, ctx)
    assert [r.pod for r in plan.requests] == pods
    assert all(r.argv == ("sh", "-c", "rm -rf /tmp/model_cache/*") for r in plan.requests)
    assert all(f"all {len(pods)} running pods of deployment/sap-llm" in t.why for t in plan.targets)
    assert plan.equivalent.count("kubectl exec") == len(pods)
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    assert sorted(e.path.split("/")[-2] for e in rig.execs(start, len(pods))) == pods
    (intent,) = [e for e in rig.entries() if e.kind == "intent"]
    assert intent.target["pods"] == pods


def test_an_exec_that_fails_is_a_failure_with_its_reason(rig, catalogue, tmp_path):
    """Exit codes count: a command that fails in the container fails the action (and is audited so)."""
    import textwrap

    from memtui.runbook import load_catalogue

    runbook = tmp_path / "runbook.toml"
    runbook.write_text(textwrap.dedent('''
        [[action]]
        id = "fix.remove-models"
        title = "Remove models"
        phase = "fix"
        risk = "disruptive"
        summary = "Try to delete the read-only model directory."
        equivalent = "kubectl exec -n {namespace} {pod} -- {argv}"

        [action.operation]
        kind = "exec"
        argv = ["rm", "-rf", "/models/sap-llm-13b"]
        container = "sap-llm"
    '''))
    action = load_catalogue(runbook).get("fix.remove-models")
    outcome = rig.executor.execute(rig.executor.plan(action, {}, rig.ctx()))
    assert not outcome.ok and "Read-only file system" in outcome.error
    result = [e for e in rig.entries() if e.kind == "result"][0]
    assert result.outcome == "failure" and "Read-only file system" in result.error


def test_a_user_action_marked_confirm_name_asks_for_its_target_pods_name(rig, tmp_path):
    import textwrap

    from memtui.runbook import load_catalogue

    runbook = tmp_path / "runbook.toml"
    runbook.write_text(textwrap.dedent('''
        [[action]]
        id = "fix.wipe-model-cache"
        title = "Wipe model cache (one pod)"
        phase = "fix"
        risk = "destructive"
        confirm_name = true
        summary = "Delete the selected pod's model cache."
        equivalent = "kubectl exec -n {namespace} {pod} -- sh -c {script}"

        [action.operation]
        kind = "exec-script"
        script = "rm -rf /tmp/model_cache/*"
        container = "sap-llm"
    '''))
    action = load_catalogue(runbook).get("fix.wipe-model-cache")
    ctx = rig.ctx()
    pod = sorted(p.name for p in ctx.pods if p.owner == "sap-llm")[0]
    plan = rig.executor.plan(action, {}, replace(ctx, selected_pod=pod))
    assert plan.confirm_name == pod
    start = rig.mark()
    assert rig.executor.execute(plan).refused
    assert rig.executor.execute(plan, confirmation="sap-llm").refused
    assert rig.execs(start, 1, timeout=0.3) == []
    assert rig.executor.execute(plan, confirmation=pod).ok
    assert len(rig.execs(start, 1)) == 1
