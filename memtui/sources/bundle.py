"""Which sources a session reads, chosen once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from memtui.settings import Settings
from memtui.sources.gpu_exec import NvidiaSmiExecSource
from memtui.sources.gpu_nvml import NvmlSource
from memtui.sources.kube_connection import KubeConnection
from memtui.sources.kubernetes import KubeSource
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


def build_sources(settings: Settings, connection: KubeConnection) -> SourceBundle:
    timeout = settings.request_timeout
    namespace = connection.namespace
    prometheus = PrometheusSource(settings.prometheus_url, namespace, timeout=timeout) if settings.prometheus_url else None
    if settings.redis_url:
        redis = RedisSource(settings.redis_url, timeout=min(timeout, 3.0))
    elif settings.redis_deployment and not settings.read_only:
        # --read-only runs nothing in a container (executor/read_only.py): no redis-cli, no nvidia-smi
        redis = RedisExecSource(connection, deployment=settings.redis_deployment, timeout=timeout)
    else:
        redis = None
    mode = settings.gpu_source
    gpu_exec = (
        NvidiaSmiExecSource(connection.exec_api_client, namespace, timeout=max(timeout, 10.0)) if mode in ("auto", "exec") and not settings.read_only else None
    )
    gpu_nvml = NvmlSource() if mode == "nvml" else None
    return SourceBundle(KubeSource(connection, timeout=timeout), prometheus, redis, gpu_exec, gpu_nvml, mode)
