"""The Python API others build on: lookup, phases, binding values into what the executor sends."""

from __future__ import annotations

import dataclasses

import pytest

from memtui.executor.kinds.configmap import merge_patch, undo_patch
from memtui.executor.kinds.deployment import limit_patch
from memtui.runbook import KINDS, PHASES, RISKS, Catalogue, load_catalogue


def test_lookup_and_phases(catalogue: Catalogue):
    assert catalogue.get("fix.reduce-batch-size").title == "Reduce batch size"
    with pytest.raises(KeyError, match="fix.nope"):
        catalogue.get("fix.nope")
    assert "fix.scale-api" in catalogue and "fix.nope" not in catalogue
    assert catalogue.by_phase("diagnose") + catalogue.by_phase("fix") == catalogue.actions
    with pytest.raises(ValueError):
        catalogue.by_phase("repair")
    assert PHASES == ("diagnose", "fix")
    assert RISKS == ("read-only", "reversible", "disruptive", "destructive")


def test_root_causes_group_fixes(catalogue: Catalogue):
    cache = {a.id for a in catalogue.by_root_cause("cache") if a.phase == "fix"}
    assert cache == {"fix.clear-app-cache", "fix.redis-flushdb", "fix.redis-eviction-policy", "fix.redis-maxmemory",
                     "fix.redis-memory-purge", "fix.redis-config-rewrite", "fix.cache-ttls"}
    assert {a.id for a in catalogue.by_root_cause("model-loading") if a.phase == "fix"} == {
        "fix.reduce-model-instances", "fix.enable-quantization", "fix.clear-model-cache"}


def test_actions_are_frozen_and_hashable(catalogue: Catalogue):
    action = catalogue.get("fix.reduce-model-instances")
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.title = "x"
    assert len({hash(a) for a in catalogue.actions}) == len(catalogue)
    assert load_catalogue() == catalogue


def test_undo_is_offered_exactly_where_a_previous_value_can_be_restored(catalogue: Catalogue):
    undoable = {a.id for a in catalogue.actions if a.undo == "restore-previous"}
    assert undoable == {
        "fix.reduce-model-instances", "fix.enable-quantization", "fix.reduce-batch-size", "fix.enable-streaming",
        "fix.limit-concurrency", "fix.cache-ttls", "fix.redis-eviction-policy", "fix.redis-maxmemory",
        "fix.scale-api", "fix.raise-memory-limit", "fix.silence-alert",
    }


def test_catalogue_uses_most_kinds_and_only_known_ones(catalogue: Catalogue):
    used = {a.operation.kind for a in catalogue.actions}
    assert used <= set(KINDS)
    assert used == set(KINDS), f"kinds no packaged entry uses: {set(KINDS) - used}"


def test_bind_fills_templates_with_validated_values(catalogue: Catalogue):
    bound = catalogue.get("fix.reduce-batch-size").bind({"batch_size": "8", "max_batch_size": "16"}, namespace="sap-llm")
    assert merge_patch(bound) == {"data": {"batch_size": "8", "max_batch_size": "16"}}
    assert catalogue.get("fix.reduce-batch-size").operation.data["batch_size"] == "{batch_size}"  # the entry is unchanged
    logs = catalogue.get("diagnose.logs-memory").bind({"pattern": "killed"}, namespace="sap-llm")
    assert (logs.pattern, logs.ignore_case, logs.tail_lines, logs.pods) == ("killed", True, 10000, "all")
    limit = catalogue.get("fix.raise-memory-limit").bind({"limit": "20GB"}, namespace="sap-llm")
    assert limit.limit == "20G"


def test_exec_targets_are_stated(catalogue: Catalogue):
    pods = {a.id: a.operation.pods for a in catalogue.actions if hasattr(a.operation, "pods")}
    assert pods["fix.clear-model-cache"] == "all"
    assert pods["fix.clear-app-cache"] == "selected"
    assert pods["fix.force-gc"] == "selected"
    assert all(mode in ("selected", "all", "one") for mode in pods.values())


def test_memory_limit_patch_targets_the_container_by_name(catalogue: Catalogue):
    bound = catalogue.get("fix.raise-memory-limit").bind(namespace="sap-llm")
    containers = [{"name": "istio-proxy", "resources": {"limits": {"memory": "1Gi"}}},
                  {"name": "sap-llm", "resources": {"limits": {"memory": "12Gi"}, "requests": {"memory": "8Gi"}}}]
    assert limit_patch(bound, containers) == [
        {"op": "test", "path": "/spec/template/spec/containers/1/name", "value": "sap-llm"},
        {"op": "add", "path": "/spec/template/spec/containers/1/resources/limits/memory", "value": "16Gi"},
    ]
    assert limit_patch(bound, [{"name": "sap-llm"}])[1] == {
        "op": "add", "path": "/spec/template/spec/containers/0/resources", "value": {"limits": {"memory": "16Gi"}}}
    assert limit_patch(bound, [{"name": "sap-llm", "resources": {"requests": {"memory": "8Gi"}}}])[1] == {
        "op": "add", "path": "/spec/template/spec/containers/0/resources/limits", "value": {"memory": "16Gi"}}
    with pytest.raises(ValueError, match="no container 'sap-llm'"):
        limit_patch(bound, [{"name": "other"}])


def test_configmap_undo_restores_previous_values_and_removes_new_keys(catalogue: Catalogue):
    bound = catalogue.get("fix.reduce-batch-size").bind(namespace="sap-llm")
    assert undo_patch(bound, {"batch_size": "128", "other": "x"}) == {"data": {"batch_size": "128", "max_batch_size": None}}
