"""The kubeconfig a user (or memtui, or kubectl) points at the simulator."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

CONTEXT = "memtui-sim"
READONLY_CONTEXT = "memtui-sim-readonly"
CLUSTER = "memtui-sim"
NAMESPACE = "sap-llm"


def render(url: str, ca_pem: bytes, operator_token: str, readonly_token: str) -> str:
    ca_b64 = base64.b64encode(ca_pem).decode()
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": CLUSTER, "cluster": {"server": url, "certificate-authority-data": ca_b64}}],
        "users": [
            {"name": "oncall-operator", "user": {"token": operator_token}},
            {"name": "oncall-readonly", "user": {"token": readonly_token}},
        ],
        "contexts": [
            {"name": CONTEXT, "context": {"cluster": CLUSTER, "user": "oncall-operator", "namespace": NAMESPACE}},
            {"name": READONLY_CONTEXT,
             "context": {"cluster": CLUSTER, "user": "oncall-readonly", "namespace": NAMESPACE}},
        ],
        "current-context": CONTEXT,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write(path: Path, url: str, ca_pem: bytes, operator_token: str, readonly_token: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(url, ca_pem, operator_token, readonly_token))
    path.chmod(0o600)  # it holds bearer tokens
    return path
