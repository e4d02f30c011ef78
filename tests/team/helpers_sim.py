"""Small helpers for the team tests (the simulator's namespace, its clients, managedFields via kubectl)."""

from __future__ import annotations

import json

from kubernetes import client

from tests.sim.helpers import NS, api, apps, core

__all__ = ["NS", "api", "apps", "core", "managed_entries"]


def managed_entries(kubectl, ref: str) -> list[dict]:
    out = kubectl("get", ref, "-n", NS, "-o", "json", "--show-managed-fields", check=True).stdout
    return json.loads(out)["metadata"].get("managedFields") or []


def autoscaling(handle) -> client.AutoscalingV2Api:
    return client.AutoscalingV2Api(api(handle))
