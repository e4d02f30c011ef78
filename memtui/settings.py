"""Settings: command line > environment > config file > defaults.

The config file is TOML in the platformdirs user config dir (``~/.config/memtui/config.toml`` on
Linux), or wherever ``$MEMTUI_CONFIG``/``--config`` points.  Every value is validated here, once,
with a message that names where the bad value came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from memtui.units import QuantityError, parse_bytes

DEFAULT_THRESHOLD = "10GB"
"""The runbook's alert threshold: 10**10 bytes (9.31 GiB)."""

SCENARIOS = ("leak", "model-duplication", "batch-spike", "cache-bloat")
GPU_SOURCES = ("auto", "dcgm", "exec", "nvml", "off")


class SettingsError(ValueError):
    """A setting could not be used; the message names its source."""


@dataclass(frozen=True)
class Settings:
    namespace: str | None = None
    """Namespace to watch; None means the context's namespace, as kubectl does."""
    context: str | None = None
    """kubeconfig context; None means the current context."""
    kubeconfig: str | None = None
    """kubeconfig path(s); None means $KUBECONFIG or ~/.kube/config."""
    refresh: float = 2.0
    """Seconds between refreshes."""
    threshold: str = DEFAULT_THRESHOLD
    """Alert threshold as the user wrote it (a Kubernetes quantity; "10GB" is accepted)."""
    read_only: bool = False
    """Refuse every mutating action, whatever RBAC allows."""
    demo: bool = False
    """Run against the built-in simulated incident."""
    scenario: str = "leak"
    """Which simulated root cause the demo plays."""
    seed: int = 42
    """Seed of the simulated incident, for a reproducible drill."""
    request_timeout: float = 5.0
    """Seconds before any single API request is abandoned."""
    keymap: str | None = None
    """A user keymap TOML that overrides keymaps/default.toml."""
    prometheus_url: str | None = None
    """Prometheus base URL (trends, forecast, DCGM GPU memory); None = metrics API only."""
    redis_url: str | None = None
    """Redis URL for INFO; None = ``redis-cli INFO`` via exec in the namespace's Redis pod."""
    redis_deployment: str = "redis"
    """Deployment whose pod runs redis-cli when no redis_url is given; "" turns Redis off."""
    gpu_source: str = "auto"
    """auto (DCGM if Prometheus has it, else nvidia-smi via exec), dcgm, exec, nvml, off."""
    runbook: str | None = None
    """A runbook TOML that adds catalogue entries or overrides them by id."""
    audit_log: str | None = None
    """Audit log path; None = the user state dir, one file per context/namespace."""

    @property
    def threshold_bytes(self) -> int:
        return parse_bytes(self.threshold, what="threshold")


ENV_PREFIX = "MEMTUI_"


def default_config_path() -> Path:
    return user_config_path("memtui") / "config.toml"


def _coerce(name: str, value: Any, origin: str) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    kind = kinds[name]
    try:
        if kind == "float":
            value = float(value)
        elif kind == "int":
            value = int(value)
        elif kind == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                value = lowered in ("1", "true", "yes", "on")
            else:
                value = bool(value)
        elif value is not None:
            value = str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{origin}: {name} = {value!r} is not a valid {kind}") from None
    return value


def _validate(settings: Settings, origins: dict[str, str]) -> Settings:
    def where(name: str) -> str:
        return origins.get(name, "default")

    if settings.refresh < 0.2:
        raise SettingsError(f"{where('refresh')}: refresh must be at least 0.2 seconds, got {settings.refresh}")
    if settings.request_timeout <= 0:
        raise SettingsError(f"{where('request_timeout')}: request_timeout must be positive")
    try:
        value = settings.threshold_bytes
    except QuantityError as exc:
        raise SettingsError(f"{where('threshold')}: {exc}") from None
    if value == 0:
        raise SettingsError(f"{where('threshold')}: threshold must be above zero")
    if settings.gpu_source not in GPU_SOURCES:
        raise SettingsError(
            f"{where('gpu_source')}: unknown GPU source {settings.gpu_source!r} (choose from {', '.join(GPU_SOURCES)})"
        )
    for name in ("prometheus_url", "redis_url"):
        url = getattr(settings, name)
        if url is not None and "://" not in url:
            raise SettingsError(f"{where(name)}: {name} {url!r} needs a scheme (http://, https://, redis://)")
    if settings.scenario not in SCENARIOS:
        raise SettingsError(
            f"{where('scenario')}: unknown scenario {settings.scenario!r} (choose from {', '.join(SCENARIOS)})"
        )
    return settings


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"config file {path}: {exc.strerror}") from None
    known = {f.name for f in fields(Settings)}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in known:
            raise SettingsError(f"config file {path}: unknown setting {key!r} (known: {', '.join(sorted(known))})")
        flat[name] = value
    return flat


def load_settings(
    cli: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the four layers; ``cli`` holds only options the user actually gave."""
    env = os.environ if environ is None else environ
    path = config_path or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else default_config_path())
    settings = Settings()
    origins: dict[str, str] = {}
    layers: list[tuple[str, dict[str, Any]]] = [(f"config file {path}", read_config_file(path))]
    env_layer = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env and env[key] != "":
            env_layer[f.name] = env[key]
    layers.append(("environment", env_layer))
    layers.append(("command line", {k: v for k, v in cli.items() if v is not None}))
    for origin, layer in layers:
        for name, value in layer.items():
            label = f"{origin} ({ENV_PREFIX}{name.upper()})" if origin == "environment" else origin
            settings = replace(settings, **{name: _coerce(name, value, label)})
            origins[name] = label
    return _validate(settings, origins)
