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


def kexec(handle: SimulatorHandle, pod: str, command: list[str], namespace: str = NS,
          context: str = "memtui-sim") -> tuple[str, str, int]:
    """Exec through kubernetes.stream (v5/v4 channel protocol); returns (stdout, stderr, exit code)."""
    from kubernetes.stream import stream

    c = core(handle, context)
    resp = stream(c.connect_get_namespaced_pod_exec, pod, namespace, command=command, stderr=True, stdin=False,
                  stdout=True, tty=False, _preload_content=False)
    resp.run_forever(timeout=15)
    out, err = resp.read_stdout(), resp.read_stderr()
    return out, err, resp.returncode


def restart_deployment(handle: SimulatorHandle, name: str = "sap-llm") -> None:
    body = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": handle.now().isoformat()}}}}}
    apps(handle).patch_namespaced_deployment(name, NS, body)


def patch_config(handle: SimulatorHandle, data: dict[str, str]) -> None:
    core(handle).patch_namespaced_config_map("sap-llm-config", NS, {"data": data})


def names(pods: list) -> set[str]:
    return {p.metadata.name for p in pods}


def by_ttl(handle: SimulatorHandle) -> list[tuple[str, float]]:
    """sap-llm pods that will OOM, soonest first."""
    return sorted(((n, t.seconds_to_oom) for n, t in handle.truth().items() if t.seconds_to_oom is not None),
                  key=lambda x: x[1])
