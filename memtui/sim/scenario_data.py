"""Per-scenario facts: the ConfigMap values in force and the rollout that started it all."""

from __future__ import annotations

from dataclasses import dataclass, field

# Values that are fine (and differ from the runbook's, so a runbook patch always changes something).
BASE_CONFIG: dict[str, str] = {
    "max_model_instances": "2",
    "model_cache_size": "4",
    "model_precision": "bf16",
    "use_quantization": "false",
    "batch_size": "64",
    "max_batch_size": "128",
    "use_streaming": "false",
    "stream_batch_size": "32",
    "max_concurrent_requests": "200",
    "cache_ttl_seconds": "86400",
    "max_cache_size_mb": "8192",
    "log_level": "INFO",
    "model_name": "sap-llm-13b",
}


@dataclass(frozen=True)
class ScenarioData:
    config: dict[str, str]
    image: str
    change_cause: str
    extra_env: list[dict] = field(default_factory=list)
    model: str = "sap-llm-13b"
    redis_bloating: bool = False
    """The Redis beside it caches responses without TTL and grows (cache-bloat)."""
    causes: tuple[str, ...] = ()
    """The root causes at work (the catalogue's ids), the truth the cause ranking is scored against."""


SCENARIO_DATA: dict[str, ScenarioData] = {
    "leak": ScenarioData(
        causes=("leak",),
        config={},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="upgrade sap-llm to 2.14.1: request tracing middleware (PR #4812)",
        extra_env=[{"name": "TRACING_ENABLED", "value": "true"}],
    ),
    "model-duplication": ScenarioData(
        causes=("model-loading",),
        config={"max_model_instances": "4", "model_cache_size": "8", "model_precision": "fp32",
                "use_quantization": "false", "model_name": "sap-llm-13b-v2"},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="switch to sap-llm-13b-v2 with warm model pool (max_model_instances=4, model_cache_size=8)",
        extra_env=[{"name": "MODEL_WARM_POOL", "value": "true"}],
        model="sap-llm-13b-v2",
    ),
    "batch-spike": ScenarioData(
        causes=("batch",),
        config={"batch_size": "256", "max_batch_size": "512", "max_concurrent_requests": "400"},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="throughput tuning: batch_size 64 -> 256, max_batch_size 512, max_concurrent_requests 400",
    ),
    "cache-bloat": ScenarioData(
        causes=("cache",),
        config={"cache_ttl_seconds": "604800", "max_cache_size_mb": "0"},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="enable response cache in /tmp/cache (ttl 7d, no size cap)",
        extra_env=[{"name": "RESPONSE_CACHE", "value": "files"}],
        redis_bloating=True,
    ),
    "leak-cache": ScenarioData(
        causes=("leak", "cache"),
        config={"cache_ttl_seconds": "604800", "max_cache_size_mb": "0"},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="upgrade sap-llm to 2.14.1 (request tracing, PR #4812) with the response cache in /tmp/cache "
                     "(ttl 7d, no size cap)",
        extra_env=[{"name": "TRACING_ENABLED", "value": "true"}, {"name": "RESPONSE_CACHE", "value": "files"}],
        redis_bloating=True,
    ),
    "leak-batch-spike": ScenarioData(
        causes=("leak",),
        config={"batch_size": "256", "max_batch_size": "512"},
        image="registry.example.com/sap-llm:2.14.2",
        change_cause="upgrade sap-llm to 2.14.2 (prompt cache) with batch_size 256, max_batch_size 512",
        extra_env=[{"name": "PROMPT_CACHE", "value": "memory"}],
    ),
    "stable-model-cache": ScenarioData(
        causes=("batch",),
        config={"batch_size": "256", "max_batch_size": "512", "max_concurrent_requests": "400"},
        image="registry.example.com/sap-llm:2.14.1",
        change_cause="restore model shards to /tmp/model_cache at start; throughput tuning batch_size 256, "
                     "max_concurrent_requests 400",
        extra_env=[{"name": "MODEL_CACHE_RESTORE", "value": "true"}],
    ),
}


def redis_bloating(scenario: str) -> bool:
    """Whether the namespace's Redis only grows (keys without TTL, maxmemory 0) in this scenario."""
    return SCENARIO_DATA[scenario].redis_bloating


def config_for(scenario: str) -> dict[str, str]:
    data = dict(BASE_CONFIG)
    data.update(SCENARIO_DATA[scenario].config)
    return data
