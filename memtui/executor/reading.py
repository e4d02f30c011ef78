"""What a diagnose step reads with and returns: the ``Reader`` context and ``ReadResult``.

The reads themselves live with their operation kind (``memtui.executor.kinds``); this module
holds what they share: the namespace's API, the exec client, Prometheus's URL, the artifacts
directory, and the rules for output (cut at ``MAX_OUTPUT_LINES``, figures with their unit,
artifacts written atomically, 0600, never overwritten).  Nothing here changes the cluster.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from memtui.clients.kube.stream import ExecApiClient
from memtui.clients.prometheus import PrometheusAccess
from memtui.executor.kubeapi import KubeApi
from memtui.executor.model import PlanError
from memtui.executor.planning import Planner
from memtui.state.units import QuantityError, format_bytes, parse_bytes

MAX_OUTPUT_LINES = 2000
"""The output pane is for reading; more than this is cut (and says so)."""


@dataclass(frozen=True)
class ReadResult:
    ok: bool
    text: str
    summary: str
    target: Mapping[str, Any] = field(default_factory=dict)
    artifact: Path | None = None
    error: str | None = None


def cut(lines: list[str]) -> str:
    """``lines`` joined, at most ``MAX_OUTPUT_LINES`` of them (and a line saying how many were left out)."""
    if len(lines) > MAX_OUTPUT_LINES:
        dropped = len(lines) - MAX_OUTPUT_LINES
        lines = lines[:MAX_OUTPUT_LINES] + [f"… {dropped} more lines not shown"]
    return "\n".join(lines)


def quantity_text(value: str | None) -> str:
    """``12Gi (12.0 GiB)``: a Kubernetes quantity as written and in binary units."""
    if not value:
        return "—"
    try:
        return f"{value} ({format_bytes(parse_bytes(value))})"
    except QuantityError:
        return value


class Reader:
    """What diagnose steps in one namespace read with (the steps: ``diagnose.run``)."""

    def __init__(self, api: KubeApi, planner: Planner, *, exec_client: ExecApiClient, prometheus: PrometheusAccess | None,
                 artifacts_dir: Path, clock: Callable[[], datetime]) -> None:
        self.api = api
        self.exec_client = exec_client
        self.planner = planner
        self.namespace = api.namespace
        self.prometheus = prometheus
        self.artifacts_dir = Path(artifacts_dir)
        self.clock = clock

    def namespace_target(self) -> dict[str, Any]:
        return {"kind": "Namespace", "name": self.namespace}

    def save(self, name: str, data: bytes) -> Path:
        """Write atomically, 0600 (a heap profile can hold request data), never overwrite."""
        if "/" in name or name.startswith("."):
            raise PlanError(f"refused to save to {name!r}: not a plain file name")
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        target = self.artifacts_dir / name
        stem, suffix = os.path.splitext(name)
        n = 1
        while target.exists():
            target = self.artifacts_dir / f"{stem}-{n}{suffix}"
            n += 1
        fd, tmp = tempfile.mkstemp(dir=self.artifacts_dir, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
