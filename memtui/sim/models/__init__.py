"""Container memory models, one per scenario plus the supporting cast."""

from __future__ import annotations

from .base import (GPU_TOTAL_MIB, AppConfig, ContainerModel, Intervention, Life, LoadTimeline, MemSample,
                   ModelContext)
from .batch import BatchModel
from .cache import CacheModel
from .duplication import DuplicationModel
from .flat import FlatModel, FlatProfile
from .leak import LeakModel
from .mixed import LeakCacheModel, LeakyBatchModel, StableModelCacheModel
from .redis import RedisModel, RedisStats

_SAP_LLM = {
    "leak": LeakModel,
    "model-duplication": DuplicationModel,
    "batch-spike": BatchModel,
    "cache-bloat": CacheModel,
    "leak-cache": LeakCacheModel,
    "leak-batch-spike": LeakyBatchModel,
    "stable-model-cache": StableModelCacheModel,
}


def sap_llm_model(scenario: str, ctx: ModelContext) -> ContainerModel:
    return _SAP_LLM[scenario](ctx)


__all__ = [
    "AppConfig", "BatchModel", "CacheModel", "ContainerModel", "DuplicationModel", "FlatModel", "FlatProfile",
    "GPU_TOTAL_MIB", "Intervention", "LeakCacheModel", "LeakModel", "LeakyBatchModel", "Life", "LoadTimeline", "MemSample", "ModelContext",
    "RedisModel", "RedisStats", "StableModelCacheModel", "sap_llm_model",
]
