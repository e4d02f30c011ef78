"""Which ConfigMap keys a pod template reads only when its containers start.

A ConfigMap patch reaches a running pod in one of two ways.  Environment variables
(``envFrom.configMapRef`` for every key, ``env[].valueFrom.configMapKeyRef`` for one) are
resolved when the container starts and never again, and so is a file mounted with ``subPath``
(the kubelet does not update it).  Until the pods are replaced (a rollout) or their containers
restart, such a patch has changed nothing in them: "restart pending".  A ConfigMap mounted as a
whole volume is updated in place by the kubelet within about a minute; whether the app re-reads it
is the app's business, so those keys are not reported as pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def start_read_keys(pod_spec: Mapping[str, Any], configmap: str, keys: Iterable[str]) -> tuple[str, ...]:
    """The ``keys`` of ``configmap`` that the pod spec's containers read only at start, sorted."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    volumes = {v.get("name"): v for v in pod_spec.get("volumes") or [] if isinstance(v, Mapping)}
    containers = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
    for container in containers:
        if not isinstance(container, Mapping):
            continue
        for source in container.get("envFrom") or []:
            ref = (source or {}).get("configMapRef") or {}
            if ref.get("name") == configmap:
                found.update(wanted)  # every key becomes a variable (with the optional prefix)
        for env in container.get("env") or []:
            ref = (((env or {}).get("valueFrom") or {}).get("configMapKeyRef")) or {}
            if ref.get("name") == configmap and ref.get("key") in wanted:
                found.add(ref["key"])
        for mount in container.get("volumeMounts") or []:
            volume = volumes.get((mount or {}).get("name")) or {}
            source = volume.get("configMap") or {}
            if source.get("name") != configmap or not mount.get("subPath"):
                continue
            items = {i.get("path"): i.get("key") for i in source.get("items") or []}
            key = items.get(mount["subPath"], mount["subPath"] if not items else None)
            if key in wanted:
                found.add(key)
    return tuple(sorted(found))
