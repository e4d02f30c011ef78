"""The kubectl commands memtui shows reach the cluster memtui watches, not kubectl's current-context."""

from __future__ import annotations

from memtui.clients.kube.connection import connect
from memtui.executor.kubectl_context import with_kube_context
from tests.kubeconfigs import merged_kubeconfig


def test_a_context_other_than_the_current_one_is_named_in_kubectl_commands(two_sims, tmp_path):
    eu, us = two_sims
    config = str(merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig"))
    # current-context is eu: a plain kubectl goes there, so memtui -n sap-llm needs no flag
    assert connect(kubeconfig=config, context=None, namespace="sap-llm").kubectl_context is None
    assert connect(kubeconfig=config, context="eu", namespace="sap-llm").kubectl_context is None
    # memtui --context us: a pasted command without --context would patch eu
    assert connect(kubeconfig=config, context="us", namespace="sap-llm").kubectl_context == "us"
    # --context eu,us: every tab names its own, the current one too
    assert connect(kubeconfig=config, context="eu", namespace="sap-llm", always_name_context=True).kubectl_context == "eu"


def test_the_context_goes_after_each_lines_kubectl_and_nothing_else_changes():
    commands = "kubectl exec -n sap-llm pod-a -- sh -c 'du'\nkubectl exec -n sap-llm pod-b -- sh -c 'du'\nredis-cli INFO"
    assert with_kube_context(commands, "prod eu") == (
        "kubectl --context 'prod eu' exec -n sap-llm pod-a -- sh -c 'du'\n"
        "kubectl --context 'prod eu' exec -n sap-llm pod-b -- sh -c 'du'\nredis-cli INFO")
    assert with_kube_context(commands, None) == commands
