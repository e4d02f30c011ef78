"""A kubeconfig with several simulated clusters in it, one context each (``--context eu,us``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from memtui.sim.kubeconfig import CONTEXT


def merged_kubeconfig(clusters: dict[str, tuple[object, str]], path: Path) -> Path:
    """One kubeconfig with a context per simulator, named as given (``{name: (handle, server)}``):
    each simulator's cluster, operator user and context, renamed so that nothing collides, as
    ``kubectl config view --flatten`` of two files would leave them."""
    merged: dict = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}
    for name, (handle, server) in clusters.items():
        own = yaml.safe_load(Path(handle.kubeconfig_path).read_text())
        context = next(c for c in own["contexts"] if c["name"] == CONTEXT)["context"]
        cluster = next(c for c in own["clusters"] if c["name"] == context["cluster"])["cluster"]
        user = next(u for u in own["users"] if u["name"] == context["user"])["user"]
        merged["clusters"].append({"name": f"{name}-cluster", "cluster": {**cluster, "server": server}})
        merged["users"].append({"name": f"{name}-operator", "user": user})
        merged["contexts"].append({"name": name, "context": {"cluster": f"{name}-cluster", "user": f"{name}-operator",
                                                            "namespace": context["namespace"]}})
    merged["current-context"] = next(iter(clusters))
    path.write_text(yaml.safe_dump(merged, sort_keys=False))
    path.chmod(0o600)
    return path
