"""Settings: command line > environment > config file > defaults.

The config file's ``[contexts."NAME"]`` tables refine its top level for one kube context each
(``SettingsLayers.settings(context)``); the command line and the environment apply to every context.

The config file is TOML in the platformdirs user config dir (``~/.config/memtui/config.toml`` on
Linux), or wherever ``$MEMTUI_CONFIG``/``--config`` points.  Every value is validated here, once,
with a message that names where the bad value came from.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_path

from memtui.config.toml_lines import line_of, table_line
from memtui.state.units import QuantityError, parse_bytes

DEFAULT_THRESHOLD = "10GB"
"""The runbook's alert threshold: 10**10 bytes (9.31 GiB)."""

SCENARIOS = ("leak", "model-duplication", "batch-spike", "cache-bloat", "leak-cache", "leak-batch-spike", "stable-model-cache")
"""The simulator's scenarios (memtui.sim.config.SCENARIOS: config never imports the simulator)."""
GPU_SOURCES = ("auto", "dcgm", "exec", "nvml", "off")
THEMES = (
    "textual-dark", "memtui-high-contrast", "textual-light", "catppuccin-mocha", "dracula", "gruvbox",
    "monokai", "nord", "solarized-light", "tokyo-night",
)
"""Themes ``--theme`` accepts: memtui's high-contrast one and Textual's long-standing built-ins
(kept here as names, so settings need not import Textual; a test checks the app has each)."""


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
    """Seconds between refreshes (0.5 to 3600)."""
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
    """Seconds before any single API request is abandoned (0.5 to 300)."""
    keymap: str | None = None
    """A user keymap TOML that overrides keymaps/default.toml."""
    prometheus_url: str | None = None
    """Prometheus base URL (trends, forecast, DCGM GPU memory); None = metrics API only.
    Thanos Query, Mimir and Cortex too: the ``prometheus_*`` settings below say how to reach them
    (``memtui.config.prometheus_access`` turns them into the one ``PrometheusAccess``)."""
    prometheus_ca_file: str | None = None
    """PEM bundle that signs Prometheus's certificate, instead of the system's."""
    prometheus_cert_file: str | None = None
    """Client certificate (PEM) for mutual TLS."""
    prometheus_key_file: str | None = None
    """Its private key, when not in the certificate file."""
    prometheus_insecure_skip_tls_verify: bool = False
    prometheus_bearer_token_file: str | None = None
    """A file holding the bearer token (read again when it changes: a rotated token is picked up)."""
    prometheus_bearer_token_env: str | None = None
    """The name of an environment variable holding the bearer token."""
    prometheus_basic_auth_user: str | None = None
    prometheus_basic_auth_password_file: str | None = None
    prometheus_basic_auth_password_env: str | None = None
    """The name of an environment variable holding the basic auth password."""
    prometheus_headers: tuple[tuple[str, str], ...] = ()
    """Sent with every Prometheus request (``X-Scope-OrgID: tenant-1`` for a Mimir/Cortex tenant)."""
    prometheus_matchers: str = ""
    """Label matchers added to every query (``cluster="eu-1"``) when several clusters share one
    Prometheus; normalised PromQL (a bare value quoted)."""
    alertmanager_url: str | None = None
    """Alertmanager base URL: the firing ``MemoryUsageHigh`` alerts start the incident clock, and
    the silence action talks to it; None = Prometheus ``ALERTS_FOR_STATE``, else the first crossing."""
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
    limit_horizon: float = 60.0
    """Minutes until the next planned action (the root-cause fix rolled out): the memory-limit
    advice adds what the current growth puts on over this time (0 to 10080, a week)."""
    theme: str = "textual-dark"
    """Colour theme: one of ``THEMES`` (``memtui-high-contrast`` for bright rooms and projectors)."""
    record: bool = True
    """Record the session (every snapshot folded, the ranking, the audit entries) for replay."""
    record_path: str | None = None
    """Where to record; None = a new file per run in the user state dir (memtui.recording.paths)."""
    record_retention_days: int = 7
    """Recordings in the state dir last written longer ago than this are deleted at start (0 keeps all)."""

    @property
    def threshold_bytes(self) -> int:
        return parse_bytes(self.threshold, what="threshold")


ENV_PREFIX = "MEMTUI_"


@dataclass(frozen=True)
class Bounds:
    """The range a numeric setting must fall in (inclusive); NaN and infinities never do."""

    low: float
    high: float
    unit: str = ""

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"between {_number(self.low)} and {_number(self.high)}{unit}"


NUMBER_BOUNDS = {
    "refresh": Bounds(0.5, 3600, "seconds"),
    "request_timeout": Bounds(0.5, 300, "seconds"),
    "limit_horizon": Bounds(0, 10080, "minutes"),
    "seed": Bounds(0, 2**32 - 1),
    "record_retention_days": Bounds(0, 3650, "days"),
}
"""Bounds of every numeric setting: a refresh of ``nan`` polls as fast as the loop spins."""
THRESHOLD_BOUNDS = (2**20, 2**50)
"""1 MiB .. 1 PiB: below, every pod alerts; above, no node that exists has that much memory."""

URL_SCHEMES = {
    "prometheus_url": ("http", "https"),
    "alertmanager_url": ("http", "https"),
    "redis_url": ("redis", "rediss", "unix"),
}
"""The schemes each URL option accepts (redis-py's for Redis)."""


@dataclass(frozen=True)
class Origin:
    """Where one value came from, and the name the user gave it there (``--refresh``,
    ``MEMTUI_REFRESH``, ``refresh`` in a config file), so a message points at what to fix."""

    spelled: str
    prefix: str = ""
    """``config file PATH:LINE: `` for the config file; empty on the command line and in the environment."""

    def error(self, problem: str) -> SettingsError:
        return SettingsError(f"{self.prefix}{self.spelled} {problem}")

    def wrap(self, message: str) -> SettingsError:
        return SettingsError(f"{self.prefix}{message}")


CLI_SPELLING = {
    "record_path": "--record",
    "record": "--no-record",
    "record_retention_days": "--record-retention",
    "prometheus_headers": "--prometheus-header",
}
"""Options spelled otherwise than ``--`` + the setting's name (the rest are): messages name what was typed."""


def default_config_path() -> Path:
    return user_config_path("memtui") / "config.toml"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _shown(value: Any) -> str:
    """A value as the user wrote it: the text given, or TOML's spelling of a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return repr(value)


def _as_float(value: Any, origin: Origin, bounds: Bounds) -> float:
    problem = f"must be a number {bounds.text()} (got {_shown(value)})"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise origin.error(problem)
    try:
        number = float(value)
    except ValueError:
        raise origin.error(problem) from None
    if not math.isfinite(number) or not bounds.low <= number <= bounds.high:
        raise origin.error(problem)
    return number


def _as_int(value: Any, origin: Origin, bounds: Bounds) -> int:
    problem = f"must be a whole number {bounds.text()} (got {_shown(value)})"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise origin.error(problem)
    try:
        number = int(value)
    except ValueError:
        raise origin.error(problem) from None
    if not bounds.low <= number <= bounds.high:
        raise origin.error(problem)
    return number


def _as_bool(value: Any, origin: Origin) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    raise origin.error(f"must be true or false (got {_shown(value)!r})")


def _as_text(value: Any, origin: Origin) -> str:
    if not isinstance(value, str):
        raise origin.error(f"must be a string (got {_shown(value)})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # argv and environ arrive decoded with surrogateescape: show the bytes the user gave
        raw = value.encode("utf-8", "surrogateescape") if _escaped_only(value) else value.encode("utf-8", "backslashreplace")
        raise origin.error(f"{raw!r} is not valid UTF-8") from None
    return value


def _escaped_only(value: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def _coerce(name: str, value: Any, origin: Origin) -> Any:
    """One value, typed and checked on its own; raises SettingsError naming ``origin``."""
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if name == "prometheus_headers":
        return _as_headers(value, origin)
    if kind == "float":
        return _as_float(value, origin, NUMBER_BOUNDS[name])
    if kind == "int":
        return _as_int(value, origin, NUMBER_BOUNDS[name])
    if kind == "bool":
        return _as_bool(value, origin)
    text = _as_text(value, origin)
    if name == "threshold":
        _check_threshold(text, origin)
    elif name in URL_SCHEMES:
        _check_url(name, text, origin)
    elif name == "namespace":
        _check_name(text, origin, label=True)
    elif name == "redis_deployment" and text:
        _check_name(text, origin, label=False)
    elif name == "record_path":
        _check_record_path(text, origin)
    elif name in PROMETHEUS_FILES:
        _check_readable_file(text, origin)
    elif name in PROMETHEUS_ENV_NAMES:
        _check_env_name(text, origin)
    elif name == "prometheus_basic_auth_user" and ":" in text:
        raise origin.error("must not contain ':' (basic auth splits user and password there)")
    elif name == "prometheus_matchers":
        return _check_matchers(text, origin)
    return text


PROMETHEUS_FILES = ("prometheus_ca_file", "prometheus_cert_file", "prometheus_key_file",
                    "prometheus_bearer_token_file", "prometheus_basic_auth_password_file")
PROMETHEUS_ENV_NAMES = ("prometheus_bearer_token_env", "prometheus_basic_auth_password_env")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_readable_file(text: str, origin: Origin) -> None:
    """Checked, not read: the secret files are read by ``clients.prometheus`` when it connects."""
    path = Path(text)
    if not path.exists():
        raise origin.error(f"{text}: no such file")
    if not path.is_file():
        raise origin.error(f"{text}: is not a file")
    if not os.access(path, os.R_OK):
        raise origin.error(f"{text}: cannot be read (permission denied)")


def _check_env_name(text: str, origin: Origin) -> None:
    if not ENV_NAME.fullmatch(text):
        raise origin.error(f"{text!r} is not an environment variable name (it names the variable holding the secret, "
                           "not the secret)")


def _check_matchers(text: str, origin: Origin) -> str:
    from memtui.clients.prometheus import parse_matchers

    try:
        return parse_matchers(text)
    except ValueError as exc:
        raise origin.error(str(exc)) from None


def _as_headers(value: Any, origin: Origin) -> tuple[tuple[str, str], ...]:
    """``NAME: VALUE`` texts (repeated on the command line, a TOML array, lines of an environment
    variable) or a TOML table of name = value; a value is never echoed (it may be a credential)."""
    from memtui.clients.prometheus import parse_header

    if isinstance(value, dict):
        items = [f"{k}: {_as_text(v, origin)}" for k, v in value.items()]
    elif isinstance(value, str):
        items = [line for line in value.splitlines() if line.strip()]
    elif isinstance(value, (list, tuple)):
        items = [_as_text(v, origin) for v in value]
    else:
        raise origin.error(f"must be NAME: VALUE texts or a table of them (got {_shown(value)})")
    try:
        return tuple(parse_header(_as_text(item, origin)) for item in items)
    except ValueError as exc:
        raise origin.error(str(exc)) from None


def _check_record_path(text: str, origin: Origin) -> None:
    """Only what is wrong whatever happens next: a path that cannot be written is found when the
    recorder opens it (the cockpit then runs unrecorded and says why)."""
    if not text.strip():
        raise origin.error("must name a file (or use --no-record / record = false to turn recording off)")
    if Path(text).is_dir():
        raise origin.error(f"{text!r} is a directory; name a file, e.g. {str(Path(text) / 'incident.memtui')!r}")


def _check_threshold(text: str, origin: Origin) -> None:
    try:
        value = parse_bytes(text, what=origin.spelled)
    except QuantityError as exc:
        raise origin.wrap(str(exc)) from None
    low, high = THRESHOLD_BOUNDS
    if not low <= value <= high:
        raise origin.error(f"must be between 1 MiB and 1 PiB (got {text})")


def _check_name(text: str, origin: Origin, *, label: bool) -> None:
    """Namespaces and deployment names go into API paths: Kubernetes' own name rules, checked here."""
    from memtui.clients.kube import names

    try:
        (names.check_label if label else names.check_subdomain)(text, origin.spelled)
    except names.InvalidName as exc:
        raise origin.wrap(str(exc)) from None


def _echo_url(url: str) -> str:
    """A bad URL as shown back in a message: everything before its last ``@`` is userinfo, and
    masked whatever it contains (a password with ``/`` or spaces included)."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


REDIS_DB_PATH = re.compile(r"/?(\d+)?")


def _check_url(name: str, url: str, origin: Origin) -> None:
    shown = _echo_url(url)
    schemes = URL_SCHEMES[name]
    offered = " or ".join(", ".join(f"{s}://" for s in schemes).rsplit(", ", 1))
    parts = urlsplit(url)
    if "://" not in url or parts.scheme.lower() not in schemes:
        raise origin.error(f"{shown!r} must start with {offered}")
    if "@" in url.partition("://")[2] and "@" not in parts.netloc:
        raise origin.error(f"{shown!r}: its user or password holds '/', '?' or '#'; percent-encode them "
                           "(%2F, %3F, %23)")
    if parts.scheme.lower() == "unix":
        if not parts.path:
            raise origin.error(f"{shown!r} names no socket path (unix:///path/to/redis.sock)")
        return
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise origin.error(f"{shown!r}: port must be 1-65535")
    if not parts.hostname:
        raise origin.error(f"{shown!r} names no host")
    if name == "redis_url" and not REDIS_DB_PATH.fullmatch(parts.path):
        raise origin.error(f"{shown!r}: the path must be a database number (redis://host:6379/0)")


def _validate(settings: Settings, origins: dict[str, Origin], env: Mapping[str, str]) -> Settings:
    """Checks that look at a value against a fixed set of choices (argparse checks them on the
    command line; the environment and config file need the same), and at settings together."""
    for name, choices in (("gpu_source", GPU_SOURCES), ("scenario", SCENARIOS), ("theme", THEMES)):
        value = getattr(settings, name)
        if value not in choices:
            origin = origins.get(name, Origin(name))
            raise origin.error(f"{value!r} is not one of {', '.join(choices)}")
    _validate_prometheus_auth(settings, origins, env)
    return settings


def _validate_prometheus_auth(settings: Settings, origins: dict[str, Origin], env: Mapping[str, str]) -> None:
    """One credential per kind, each complete; a variable named for a secret must hold one (its
    value is never shown)."""
    def given(name: str) -> bool:
        return bool(getattr(settings, name))

    def spelled(name: str) -> str:
        return origins.get(name, Origin(name)).spelled

    def both(a: str, b: str, why: str) -> None:
        if given(a) and given(b):
            raise origins[b].wrap(f"{spelled(a)} and {spelled(b)} are both set: {why}")

    both("prometheus_bearer_token_file", "prometheus_bearer_token_env", "give one")
    both("prometheus_basic_auth_password_file", "prometheus_basic_auth_password_env", "give one")
    for token in ("prometheus_bearer_token_file", "prometheus_bearer_token_env"):
        both(token, "prometheus_basic_auth_user", "a request carries a bearer token or basic auth, not both")
    password = given("prometheus_basic_auth_password_file") or given("prometheus_basic_auth_password_env")
    if given("prometheus_basic_auth_user") and not password:
        raise origins["prometheus_basic_auth_user"].error(
            "needs a password: --prometheus-basic-auth-password-file or --prometheus-basic-auth-password-env")
    for name in ("prometheus_basic_auth_password_file", "prometheus_basic_auth_password_env"):
        if given(name) and not given("prometheus_basic_auth_user"):
            raise origins[name].error("needs --prometheus-basic-auth-user")
    if given("prometheus_key_file") and not given("prometheus_cert_file"):
        raise origins["prometheus_key_file"].error("needs --prometheus-cert-file (the client certificate it is the key of)")
    for name in PROMETHEUS_ENV_NAMES:
        variable = getattr(settings, name)
        if variable and not env.get(variable, "").strip():
            raise origins[name].error(f"names ${variable}, which is not set or empty")


Layer = dict[str, tuple[Any, Origin]]
"""One source's values, each coerced already, with where it came from."""

CONTEXT_KEYS = frozenset({
    "namespace", "threshold", "alertmanager_url", "redis_url", "redis_deployment", "gpu_source",
    *(f.name for f in fields(Settings) if f.name.startswith("prometheus_")),
})
"""What a ``[contexts."NAME"]`` table may set: what differs from one cluster to the next (its
Prometheus and how to reach it, its Redis and Alertmanager, namespace, threshold).  How memtui
itself runs (refresh, theme, recording, the kubeconfig and context list) stays run-wide."""


@dataclass(frozen=True)
class ConfigFile:
    """The config file's top level, and its per-context tables (context name → layer)."""

    top: Layer
    contexts: Mapping[str, Layer]


def _config_file(path: Path, named_by: str | None = None) -> ConfigFile:
    """The config file's settings; a missing file is none, unless the user named it (``named_by``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if named_by:
            raise SettingsError(f"{named_by} {path} does not exist") from None
        return ConfigFile({}, {})
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path}: is not UTF-8 text") from None
    except OSError as exc:
        raise SettingsError(f"config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: {exc}") from None
    known = {f.name for f in fields(Settings)}
    layer: Layer = {}
    contexts: dict[str, Layer] = {}
    for key, value in data.items():
        prefix = f"config file {path}:{line_of(text, key)}: "
        if key == "contexts":
            contexts = _context_tables(value, path, text, prefix)
            continue
        name = key.replace("-", "_")
        if name not in known:
            raise SettingsError(f"{prefix}unknown setting {key!r} (known: {', '.join(sorted(known | {'contexts'}))})")
        layer[name] = (_coerce(name, value, Origin(key, prefix)), Origin(key, prefix))
    return ConfigFile(layer, contexts)


def _quoted(name: str) -> str:
    """A context name as a TOML quoted key (``"prod-eu-1"``), as the README writes the tables."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _context_tables(value: Any, path: Path, text: str, prefix: str) -> dict[str, Layer]:
    """``[contexts."prod-eu-1"]`` tables, each value checked as the top level's are; a table may
    name a context this run does not watch (one config file serves every run)."""
    if not isinstance(value, dict) or not all(isinstance(table, dict) for table in value.values()):
        raise SettingsError(f'{prefix}contexts must hold one table per kube context ([contexts."prod-eu-1"])')
    known = {f.name for f in fields(Settings)}
    tables: dict[str, Layer] = {}
    for context, table in value.items():
        header = table_line(text, "contexts", context)
        layer: Layer = {}
        for key, item in table.items():
            spelled = f"contexts.{_quoted(context)}.{key}"
            origin = Origin(spelled, f"config file {path}:{line_of(text, key, after=header)}: ")
            name = key.replace("-", "_")
            if name not in known:
                raise origin.wrap(f"unknown setting {spelled!r} (per context: {', '.join(sorted(CONTEXT_KEYS))})")
            if name not in CONTEXT_KEYS:
                raise origin.error(f"cannot differ per context; set {key} at the top level "
                                   f"(per context: {', '.join(sorted(CONTEXT_KEYS))})")
            layer[name] = (_coerce(name, item, origin), origin)
        tables[context] = layer
    return tables


@dataclass(frozen=True)
class SettingsLayers:
    """Every source's values, kept so that each watched context gets its own ``Settings``:
    command line > environment > the config file's ``[contexts."NAME"]`` table > its top level >
    defaults.  An option given on the command line or in the environment applies to every context,
    as a kubectl flag does; the context table only refines the file's top level."""

    config: ConfigFile
    environment: Layer
    command_line: Layer
    environ: Mapping[str, str]

    def settings(self, context: str | None = None) -> Settings:
        """The settings for ``context`` (None: the run-wide ones, no context table applied)."""
        layers = [self.config.top, self.config.contexts.get(context, {}) if context is not None else {},
                  self.environment, self.command_line]
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for layer in layers:
            for name, (value, origin) in layer.items():
                values[name] = value
                origins[name] = origin
        return _validate(replace(Settings(), **values), origins, self.environ)

    def has_table(self, context: str) -> bool:
        return bool(self.config.contexts.get(context))


def read_layers(
    cli: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    config_origin: str | None = None,
) -> SettingsLayers:
    """Read and check every layer; ``cli`` holds only options the user actually gave.

    ``config_origin`` names where ``config_path`` came from (``--config``): a file the user named
    must exist, while the default location may well be absent.
    """
    env = os.environ if environ is None else environ
    named_by = config_origin if config_path is not None else None  # the default location may be absent
    if config_path is not None:
        path = config_path
    elif env.get(ENV_PREFIX + "CONFIG"):
        path, named_by = Path(env[ENV_PREFIX + "CONFIG"]), ENV_PREFIX + "CONFIG"
    else:
        path = default_config_path()
    config = _config_file(path, named_by)
    env_layer: Layer = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env and env[key] != "":
            env_layer[f.name] = (_coerce(f.name, env[key], Origin(key)), Origin(key))
    cli_layer: Layer = {}
    for k, v in cli.items():
        if v is not None:
            origin = Origin(CLI_SPELLING.get(k, "--" + k.replace("_", "-")))
            cli_layer[k] = (_coerce(k, v, origin), origin)
    return SettingsLayers(config, env_layer, cli_layer, env)


def load_settings(
    cli: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    config_origin: str | None = None,
) -> Settings:
    """The run-wide settings (``read_layers(...).settings()``)."""
    return read_layers(cli, environ, config_path, config_origin).settings()
