"""Which sources a session reads, chosen once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from memtui.config.settings import Settings
from memtui.sources.gpu_exec import NvidiaSmiExecSource
from memtui.sources.gpu_nvml import NvmlSource
from memtui.clients.kube.connection import KubeConnection
from memtui.sources.kube import KubeSource
from memtui.sources.prometheus import PrometheusSource
from memtui.sources.redis_source import RedisExecSource, RedisSource


@dataclass
class SourceBundle:
    kube: KubeSource
    prometheus: PrometheusSource | None
    redis: RedisSource | RedisExecSource | None
    gpu_exec: NvidiaSmiExecSource | None
    gpu_nvml: NvmlSource | None
    gpu_mode: str
    """The ``--gpu-source`` setting: auto, dcgm, exec, nvml or off."""
    off_under_read_only: dict[str, str] = field(default_factory=dict)
    """Per source (``redis``, ``gpu``): why ``--read-only`` left it unread, for its pane."""


def build_sources(settings: Settings, connection: KubeConnection) -> SourceBundle:
    timeout = settings.request_timeout
    namespace = connection.namespace
    prometheus = PrometheusSource(settings.prometheus_url, namespace, timeout=timeout) if settings.prometheus_url else None
    # --read-only runs nothing in a container (executor/read_only.py): no redis-cli, no nvidia-smi
    off: dict[str, str] = {}
    redis: RedisSource | RedisExecSource | None = None
    if settings.redis_url:
        redis = RedisSource(settings.redis_url, timeout=min(timeout, 3.0))
    elif settings.redis_deployment and settings.read_only:
        off["redis"] = "off under --read-only: redis-cli would run in a container (give --redis-url)"
    elif settings.redis_deployment:
        redis = RedisExecSource(connection, deployment=settings.redis_deployment, timeout=timeout)
    mode = settings.gpu_source
    gpu_exec = None
    if mode in ("auto", "exec") and settings.read_only:
        if mode == "exec" or prometheus is None:  # auto with Prometheus still reads DCGM's figures
            off["gpu"] = "off under --read-only: nvidia-smi would run in a container (DCGM needs --prometheus-url)"
    elif mode in ("auto", "exec"):
        gpu_exec = NvidiaSmiExecSource(connection.exec_api_client, namespace, timeout=max(timeout, 10.0))
    gpu_nvml = NvmlSource() if mode == "nvml" else None
    return SourceBundle(KubeSource(connection, timeout=timeout), prometheus, redis, gpu_exec, gpu_nvml, mode, off)
