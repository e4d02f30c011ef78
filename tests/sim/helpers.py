"""Official-client helpers for simulator tests (the real client path, no internals)."""

from __future__ import annotations

from kubernetes import client, config

from memtui.sim import SimulatorHandle

NS = "sap-llm"


def api(handle: SimulatorHandle, context: str = "memtui-sim") -> client.ApiClient:
    return config.new_client_from_config(config_file=str(handle.kubeconfig_path), context=context)


def core(handle: SimulatorHandle, context: str = "memtui-sim") -> client.CoreV1Api:
    return client.CoreV1Api(api(handle, context))


def apps(handle: SimulatorHandle, context: str = "memtui-sim") -> client.AppsV1Api:
    return client.AppsV1Api(api(handle, context))


def custom(handle: SimulatorHandle, context: str = "memtui-sim") -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api(handle, context))


def sap_llm_pods(handle: SimulatorHandle) -> list:
    return core(handle).list_namespaced_pod(NS, label_selector="app=sap-llm").items


def pod_metrics(handle: SimulatorHandle) -> dict[str, int]:
    """working set bytes per pod from metrics.k8s.io (Ki as metrics-server reports it)."""
    from memtui.sim.quantity import parse_bytes

    items = custom(handle).list_namespaced_custom_object("metrics.k8s.io", "v1beta1", NS, "pods")["items"]
    return {i["metadata"]["name"]: parse_bytes(i["containers"][0]["usage"]["memory"]) for i in items}
