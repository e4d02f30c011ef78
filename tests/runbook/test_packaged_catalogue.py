"""The packaged catalogue: it loads, covers every runbook step in DESIGN.md, in the runbook's
order, with the runbook's values as defaults, and does not copy the runbook's traps."""

from __future__ import annotations

import shlex

import pytest

from memtui.clients.prometheus import Queries
from memtui.executor.kinds.configmap import merge_patch
from memtui.runbook import PHASES, RISKS, Catalogue, Quantity
from memtui.runbook.action import TITLE_MAX

# DESIGN.md, "The runbook, step by step, as memtui should offer it", in its order, with the ids
# that implement each step.
DESIGN_DIAGNOSE = [
    ("top pods (metrics API)", ["diagnose.top-pods"]),
    ("cgroup memory via exec", ["diagnose.cgroup-memory"]),
    ("Prometheus memory now and over the last hour", ["diagnose.prom-memory-now", "diagnose.prom-memory-1h"]),
    ("process list in the pod", ["diagnose.process-list"]),
    ("Python max RSS", ["diagnose.python-max-rss"]),
    ("GPU memory (nvidia-smi via exec, DCGM via Prometheus)", ["diagnose.gpu-nvidia-smi", "diagnose.gpu-dcgm"]),
    ("logs grep memory|leak|oom", ["diagnose.logs-memory"]),
    ("du -sh /models/* /tmp/cache /tmp/model_cache", ["diagnose.disk-models-cache"]),
    ("Redis INFO memory", ["diagnose.redis-info-memory"]),
    ("count of model loaded|model cached", ["diagnose.logs-model-loaded"]),
    ("memory growth rate", ["diagnose.memory-growth", "diagnose.oom-forecast"]),
    ("pod age vs memory", ["diagnose.pod-age-memory"]),
    ("logs grep allocated|freed|gc", ["diagnose.logs-gc"]),
    ("heap profile download", ["diagnose.heap-profile"]),
    ("rollout history", ["diagnose.rollout-history"]),
    ("ConfigMap keys for memory/cache/batch", ["diagnose.configmap-keys"]),
    ("deployment limits/requests", ["diagnose.deployment-resources"]),
    ("OOMKilled pods", ["diagnose.oom-killed"]),
    ("memory limits per pod", ["diagnose.memory-limits"]),
]
DESIGN_FIX = [
    ("reduce model instances", ["fix.reduce-model-instances"]),
    ("enable quantization", ["fix.enable-quantization"]),
    ("clear model cache", ["fix.clear-model-cache"]),
    ("rollout restart", ["fix.rollout-restart"]),
    ("set PYTHONUNBUFFERED=1", ["fix.python-unbuffered"]),
    ("force GC", ["fix.force-gc"]),
    ("reduce batch size", ["fix.reduce-batch-size"]),
    ("enable streaming", ["fix.enable-streaming"]),
    ("limit concurrency", ["fix.limit-concurrency"]),
    ("clear app cache", ["fix.clear-app-cache"]),
    ("Redis FLUSHDB", ["fix.redis-flushdb"]),
    ("Redis maxmemory-policy and maxmemory", ["fix.redis-eviction-policy", "fix.redis-maxmemory"]),
    ("cache TTLs", ["fix.cache-ttls"]),
    ("scale sap-llm-api to 2 replicas", ["fix.scale-api"]),
    ("raise the memory limit to 16Gi", ["fix.raise-memory-limit"]),
    ("delete the worst pod", ["fix.delete-worst-pod"]),
]
GENTLER_REDIS = ["fix.redis-memory-purge", "fix.redis-config-rewrite"]


def _is_subsequence(wanted: list[str], actual: tuple[str, ...]) -> bool:
    positions = iter(actual)
    return all(any(item == candidate for candidate in positions) for item in wanted)


@pytest.mark.parametrize(("phase", "design"), [("diagnose", DESIGN_DIAGNOSE), ("fix", DESIGN_FIX)])
def test_every_design_step_is_an_entry_in_the_runbooks_order(catalogue: Catalogue, phase, design):
    ids = tuple(a.id for a in catalogue.by_phase(phase))
    wanted = [action_id for _, group in design for action_id in group]
    missing = [action_id for action_id in wanted if action_id not in ids]
    assert not missing, f"missing {phase} steps: {missing}"
    assert _is_subsequence(wanted, ids), f"{phase} steps out of the runbook's order: {ids}"


def test_gentler_redis_steps_and_phases_are_ordered(catalogue: Catalogue):
    for action_id in GENTLER_REDIS:
        assert action_id in catalogue
    phases = [a.phase for a in catalogue.actions]
    assert phases == sorted(phases, key=PHASES.index), "diagnose entries must all come before fixes"
    assert len(set(catalogue.ids)) == len(catalogue.ids)


def test_diagnose_steps_read_and_fixes_change(catalogue: Catalogue):
    for action in catalogue.by_phase("diagnose"):
        assert action.risk == "read-only" and not action.is_mutating, action.id
    for action in catalogue.by_phase("fix"):
        assert action.risk in RISKS[1:] and action.is_mutating, action.id


def test_every_entry_fits_the_side_panel_and_explains_itself(catalogue: Catalogue):
    for action in catalogue.actions:
        assert 0 < len(action.title) <= TITLE_MAX, action.id
        assert action.summary and "\n" not in action.summary, action.id
        assert action.runbook_ref, action.id
        assert action.why, action.id
        assert action.source == "catalogue.toml"


# The runbook's values (memory-usage-high.md), as the defaults the modal starts from.
RUNBOOK_DEFAULTS = {
    "fix.reduce-model-instances": {"max_model_instances": 1, "model_cache_size": 2},
    "fix.enable-quantization": {"model_precision": "fp16", "use_quantization": True},
    "fix.reduce-batch-size": {"batch_size": 32, "max_batch_size": 64},
    "fix.enable-streaming": {"use_streaming": True, "stream_batch_size": 16},
    "fix.limit-concurrency": {"max_concurrent_requests": 50},
    "fix.cache-ttls": {"cache_ttl_seconds": 3600, "max_cache_size_mb": 4096},
    "fix.scale-api": {"replicas": 2},
    "fix.raise-memory-limit": {"limit": Quantity(16 * 2**30, "16Gi")},
    "fix.redis-maxmemory": {"maxmemory": Quantity(8 * 2**30, "8gb")},
    "fix.redis-eviction-policy": {"policy": "allkeys-lru"},
}


@pytest.mark.parametrize("action_id", sorted(RUNBOOK_DEFAULTS))
def test_fixes_default_to_the_runbooks_values(catalogue: Catalogue, action_id):
    assert catalogue.get(action_id).validate({}) == RUNBOOK_DEFAULTS[action_id]


def test_configmap_fixes_send_the_runbooks_data(catalogue: Catalogue):
    expected = {
        "fix.reduce-model-instances": {"max_model_instances": "1", "model_cache_size": "2"},
        "fix.enable-quantization": {"model_precision": "fp16", "use_quantization": "true"},
        "fix.reduce-batch-size": {"batch_size": "32", "max_batch_size": "64"},
        "fix.enable-streaming": {"use_streaming": "true", "stream_batch_size": "16"},
        "fix.limit-concurrency": {"max_concurrent_requests": "50"},
        "fix.cache-ttls": {"cache_ttl_seconds": "3600", "max_cache_size_mb": "4096"},
    }
    for action_id, data in expected.items():
        bound = catalogue.get(action_id).bind(namespace="sap-llm")
        assert bound.kind == "configmap-patch" and bound.name == "sap-llm-config"
        assert merge_patch(bound) == {"data": data}, action_id
        assert catalogue.get(action_id).undo == "restore-previous"


def test_scale_limit_and_redis_fixes_send_the_runbooks_values(catalogue: Catalogue):
    scale = catalogue.get("fix.scale-api").bind(namespace="sap-llm")
    assert (scale.deployment, scale.replicas) == ("sap-llm-api", 2)
    limit = catalogue.get("fix.raise-memory-limit").bind(namespace="sap-llm")
    assert (limit.deployment, limit.container, limit.limit) == ("sap-llm", "sap-llm", "16Gi")
    assert catalogue.get("fix.redis-maxmemory").bind(namespace="x").command == ("CONFIG", "SET", "maxmemory", "8gb")
    assert catalogue.get("fix.redis-eviction-policy").bind(namespace="x").command == (
        "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    env = catalogue.get("fix.python-unbuffered").bind(namespace="x")
    assert dict(env.env) == {"PYTHONUNBUFFERED": "1"}


def test_clear_cache_steps_run_a_fixed_script_through_sh_c(catalogue: Catalogue):
    for action_id, directory in (("fix.clear-model-cache", "/tmp/model_cache"), ("fix.clear-app-cache", "/tmp/cache")):
        action = catalogue.get(action_id)
        assert action.operation.kind == "exec-script"
        assert action.operation.argv == ("sh", "-c", f"rm -rf {directory}/*")
        assert action.params == ()  # nothing typed can reach the script
        assert action.render_equivalent(namespace="sap-llm", pods=["sap-llm-1"]) == (
            f"kubectl exec -n sap-llm sap-llm-1 -c sap-llm -- sh -c 'rm -rf {directory}/*'")
        assert "one arbitrary pod" in action.why


def test_du_uses_the_containers_shell_for_its_glob(catalogue: Catalogue):
    operation = catalogue.get("diagnose.disk-models-cache").operation
    assert operation.kind == "exec-script"
    assert "du -sh /models/* /tmp/cache /tmp/model_cache" in operation.script


def test_force_gc_calls_the_apps_endpoint_not_a_new_python(catalogue: Catalogue):
    action = catalogue.get("fix.force-gc")
    operation = action.operation
    assert (operation.kind, operation.method, operation.port, operation.path) == ("pod-http", "POST", 8080, "/admin/gc")
    assert operation.argv == ("curl", "-sS", "--fail", "--max-time", "60", "-X", "POST", "http://localhost:8080/admin/gc")
    rendered = action.render_equivalent(namespace="sap-llm", pods=["sap-llm-1"])
    assert "python3" not in rendered and "gc.collect" not in rendered
    assert "python3 -c" in action.why  # and it says why not
    for every in catalogue.actions:  # no step anywhere runs a fresh interpreter to "fix" the server
        argv = getattr(every.operation, "argv", ())
        assert "python3" not in argv and "python" not in argv, every.id


def test_python_max_rss_reads_the_servers_proc_status(catalogue: Catalogue):
    action = catalogue.get("diagnose.python-max-rss")
    assert action.operation.argv[-1] == "/proc/1/status"
    assert "VmHWM" in action.operation.argv[2]
    assert "RUSAGE_SELF" in action.why


def test_delete_worst_pod_means_worst_by_memory(catalogue: Catalogue):
    action = catalogue.get("fix.delete-worst-pod")
    assert action.operation.kind == "pod-delete" and action.operation.pod == "worst"
    assert action.risk == "destructive" and action.confirm_name
    assert "fewest restarts" in action.why


def test_flushdb_is_destructive_and_offers_gentler_steps_first(catalogue: Catalogue):
    action = catalogue.get("fix.redis-flushdb")
    assert action.risk == "destructive" and action.confirm_name
    assert action.gentler_first == ("fix.redis-eviction-policy", "fix.redis-maxmemory", "fix.redis-memory-purge")
    for action_id in ("fix.redis-eviction-policy", "fix.redis-maxmemory"):
        note = catalogue.get(action_id).persistence_note
        assert "not persistent" in note.lower() and "CONFIG REWRITE" in note


def test_prometheus_steps_avoid_the_runbooks_query_traps(catalogue: Catalogue):
    promql = [a for a in catalogue.actions if a.operation.kind == "promql"]
    assert {a.id for a in promql} >= {"diagnose.prom-memory-now", "diagnose.prom-memory-1h", "diagnose.memory-growth",
                                     "diagnose.oom-forecast", "diagnose.gpu-dcgm"}
    for action in promql:
        query = action.bind(namespace="sap-llm").query
        assert 'namespace="sap-llm"' in query, action.id
        assert "container_memory_usage_bytes" not in query and "rate(" not in query, action.id
        if "container_memory_working_set_bytes" in query:
            assert 'container!=""' in query and 'container!="POD"' in query, action.id
            assert "max by (pod)" in query or "max by (pod, container)" in query, action.id
    # the working set the diagnose steps show is the pods pane's figure (and the audit chart's)
    for action_id in ("diagnose.prom-memory-now", "diagnose.prom-memory-1h"):
        for namespace in ("sap-llm", 'a"b\\c'):
            assert catalogue.get(action_id).bind(namespace=namespace).query == Queries(namespace).working_set
    assert "deriv(" in catalogue.get("diagnose.memory-growth").operation.query
    forecast = catalogue.get("diagnose.oom-forecast").operation.query
    assert "predict_linear(" in forecast and "kube_pod_container_resource_limits" in forecast
    ranged = catalogue.get("diagnose.prom-memory-1h").bind(namespace="sap-llm")
    assert (ranged.range, ranged.step) == ("1h", "60s")
    assert "start=-1h" in catalogue.get("diagnose.prom-memory-1h").why


def test_heap_profile_is_saved_to_a_named_file(catalogue: Catalogue):
    from datetime import datetime, timezone

    action = catalogue.get("diagnose.heap-profile")
    bound = action.bind(namespace="sap-llm", pod="sap-llm-7d-x", now=datetime(2025, 11, 17, 3, 4, 5, tzinfo=timezone.utc))
    assert bound.argv[-1] == "http://localhost:8080/debug/pprof/heap"
    assert bound.save_output_to == "heap-sap-llm-7d-x-20251117T030405Z.prof"


def test_every_shell_equivalent_parses_and_matches_its_operation(catalogue: Catalogue):
    """The command shown is the command sent: argv after ``--``, JSON after ``-p``, Redis words."""
    for action in catalogue.actions:
        rendered = action.render_equivalent(namespace="sap-llm", pods=["sap-llm-1"])
        if action.equivalent_syntax != "shell":
            continue
        words = shlex.split(rendered)  # one pod: one command (multi-line scripts stay quoted)
        bound = action.bind(namespace="sap-llm", pod="sap-llm-1")
        if bound.kind == "alertmanager-silence":  # Alertmanager's own CLI, equality matchers only
            assert words[:3] == ["amtool", "silence", "add"], action.id
            assert {"alertname=MemoryUsageHigh", "namespace=sap-llm"} <= set(words) and "=~" not in rendered
            continue
        assert words[0] == "kubectl", action.id
        if bound.kind in ("exec", "exec-script", "pod-http"):
            after = words[words.index("--") + 1:]
            if ">" in after:
                after = after[: after.index(">")]
            assert tuple(after) == bound.argv, action.id
            assert words[words.index("-c") + 1] == bound.container
        elif bound.kind == "configmap-patch":
            import json

            assert json.loads(words[words.index("-p") + 1]) == merge_patch(bound), action.id
        elif bound.kind == "redis":
            assert tuple(words[words.index("redis-cli") + 1:]) == bound.command, action.id
        elif bound.kind == "deployment-scale":
            assert f"--replicas={bound.replicas}" in words
        elif bound.kind == "deployment-memory-limit":
            assert f"--limits=memory={bound.limit}" in words


def test_exec_steps_name_the_pods_they_reach(catalogue: Catalogue):
    action = catalogue.get("fix.clear-model-cache")
    assert action.operation.pods == "all"
    rendered = action.render_equivalent(namespace="sap-llm", pods=["sap-llm-a", "sap-llm-b"])
    assert rendered.splitlines() == [
        "kubectl exec -n sap-llm sap-llm-a -c sap-llm -- sh -c 'rm -rf /tmp/model_cache/*'",
        "kubectl exec -n sap-llm sap-llm-b -c sap-llm -- sh -c 'rm -rf /tmp/model_cache/*'",
    ]
    for every in catalogue.actions:
        assert "deployment/sap-llm --" not in every.equivalent and "deploy/sap-llm" not in every.equivalent, every.id
