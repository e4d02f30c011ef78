"""Prometheus: the one connection factory and the one set of PromQL memtui sends.

The pods pane, the diagnose steps and the audit export's chart all talk to Prometheus through
``connect`` and, where memtui picks the query itself, read the same ``Queries``: a figure in the
postmortem chart is then the figure the operator saw in the pane.  The runbook's own queries are
wrong in ways that matter during an incident, and these are the corrections:

* ``container_memory_usage_bytes`` includes page cache; kubelet eviction and ``kubectl top`` go
  by the working set, so that is the headline figure, split into RSS and cache.
* cAdvisor exports a pod-level series (``container=""``) and the pause container (``POD``) beside
  each container's: a plain sum counts every pod twice.  Filter both.
* cAdvisor's ``id``/``name`` labels change at every restart, so one pod becomes several series:
  aggregate ``max by (pod, container)`` then sum containers (a pod with a sidecar uses both).
* Memory is a gauge: growth is ``deriv()``, not ``rate()``.  It is computed per series and kept
  only for series present now (``and`` on the instant vector), i.e. over the current container's
  life: across an OOM sawtooth a regression predicts nonsense.
* ``query_range ... start=-1h`` is not valid: start and end are timestamps.
* The alert's start without Alertmanager: ``ALERTS_FOR_STATE`` holds each alert's active-since
  time as its value (``ALERTS`` only says pending or firing); kept for the firing ones only.

Every query is selected by namespace (another team's pods can run containers with the same names).
``prometheus_api_client`` (and ``urllib3`` under it) is imported only when a connection is made,
so importing the query set costs nothing.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests
    from prometheus_api_client import PrometheusConnect
    from urllib3.util.retry import Retry

GROWTH_WINDOW = "10m"
WORKING_SET, RSS, CACHE, USAGE = ("container_memory_working_set_bytes", "container_memory_rss",
                                  "container_memory_cache", "container_memory_usage_bytes")
MEMORY_FAMILIES = (WORKING_SET, RSS, CACHE, USAGE)
"""cAdvisor's memory gauges, read together by ``Queries.memory``."""
GPU_USED, GPU_FREE = "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"


def no_retry() -> Retry:
    """A refresh or a diagnose step must answer now: a failed request is reported, not repeated."""
    from urllib3.util.retry import Retry

    return Retry(total=0)


def quick_retry() -> Retry:
    """One quick retry on a gateway error, for one-shot reads (the export's chart).

    The client's default retries 3 times with 1-2-4 s back-off, so an unreachable Prometheus would
    keep the operator waiting ~7 s: one quick retry, then say what happened."""
    from urllib3.util.retry import Retry

    return Retry(total=1, backoff_factor=0.2, status_forcelist=(502, 503, 504), raise_on_status=False)


@dataclass(frozen=True)
class PrometheusAccess:
    """How to reach one Prometheus-compatible endpoint (Prometheus, Thanos Query, Mimir, Cortex).

    The credentials are *where to read them* (a file, an environment variable), never the
    secret itself on a command line that ``ps`` shows; ``connect`` reads them when it opens the
    session, and a bearer token file again whenever it changes (a projected service-account
    token is rotated under a running cockpit).
    """

    url: str
    verify_tls: bool = True
    ca_file: str | None = None
    """PEM bundle that signs the server's certificate (instead of the system store)."""
    cert_file: str | None = None
    """Client certificate (PEM) for mutual TLS; ``key_file`` its key when not in the same file."""
    key_file: str | None = None
    bearer_token_file: str | None = None
    bearer_token_env: str | None = None
    """Name of an environment variable holding the bearer token."""
    basic_auth_user: str | None = None
    basic_auth_password_file: str | None = None
    basic_auth_password_env: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """Sent with every request (``X-Scope-OrgID`` for Mimir/Cortex tenants); out of ``repr``, as a
    header can carry a credential."""
    matchers: str = ""
    """Label matchers (``cluster="eu-1"``) that pick this cluster's series out of a Prometheus
    several clusters share: ``Queries.matchers`` of every query sent through this access."""

    @property
    def shown_url(self) -> str:
        """The URL for messages and the audit log: a ``user:password@`` in it masked."""
        scheme, sep, rest = self.url.partition("://")
        host, at, path = rest.partition("/")
        if sep and "@" in host:
            return f"{scheme}://***@{host.rsplit('@', 1)[1]}{at}{path}"
        return self.url

    def queries(self, namespace: str) -> Queries:
        """The query set for ``namespace``, restricted by this endpoint's matchers."""
        return Queries(namespace, self.matchers)


class AccessError(Exception):
    """A credential could not be read; ``str()`` is one line naming the file or variable, never its content."""


def as_access(target: str | PrometheusAccess) -> PrometheusAccess:
    """A bare URL is an endpoint without auth or matchers (tests, the demo's own Prometheus)."""
    return target if isinstance(target, PrometheusAccess) else PrometheusAccess(target)


def read_secret(path: str | None, env: str | None, what: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The secret in file ``path`` or environment variable ``env`` (whitespace around it dropped,
    as Prometheus does with its own ``*_file`` settings); None when neither is given."""
    environ = os.environ if environ is None else environ
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise AccessError(f"{what} file {path}: {reason}") from None
    if env:
        value = environ.get(env, "").strip()
        if not value:
            raise AccessError(f"{what} variable ${env} is not set")
        return value
    return None


class _BearerFile:
    """``Authorization: Bearer`` from a file, read again whenever its mtime changes; a failed
    re-read keeps the last token (the server's 401 then says it is stale, in the pane)."""

    def __init__(self, path: str, token: str) -> None:
        self.path, self.token = path, token
        self._mtime = self._stat()

    def _stat(self) -> float | None:
        try:
            return os.stat(self.path).st_mtime
        except OSError:
            return None

    def __call__(self, request: Any) -> Any:
        mtime = self._stat()
        if mtime is not None and mtime != self._mtime:
            try:
                self.token = read_secret(self.path, None, "bearer token") or self.token
                self._mtime = mtime
            except AccessError:
                pass
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@functools.cache
def _session_class() -> type[requests.Session]:
    import requests

    class AccessSession(requests.Session):
        """A session whose chosen trust is kept: requests lets ``$REQUESTS_CA_BUNDLE`` override
        ``session.verify`` (a CA file, or verification off) on any call that passes no ``verify``
        of its own (psf/requests#3829), and such variables are common on managed machines."""

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if verify is None and self.verify is not True:
                merged["verify"] = self.verify
            return merged

    return AccessSession


def access_session(access: PrometheusAccess) -> requests.Session:
    """A ``requests`` session carrying everything about access: TLS trust, client certificate,
    auth and headers.  ``PrometheusConnect`` passes ``verify``/``cert`` from it and no headers
    or auth of its own, so requests merges the session's into every call.  Raises ``AccessError``."""
    session = _session_class()()
    if not access.verify_tls:
        import urllib3

        # asked for: its warning would be printed over the cockpit's screen at every request
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session.verify = (access.ca_file or True) if access.verify_tls else False
    if access.cert_file:
        session.cert = (access.cert_file, access.key_file) if access.key_file else access.cert_file
    session.headers.update(dict(access.headers))
    token = read_secret(access.bearer_token_file, access.bearer_token_env, "bearer token")
    if token is not None and access.bearer_token_file:
        session.auth = _BearerFile(access.bearer_token_file, token)
    elif token is not None:
        session.headers["Authorization"] = f"Bearer {token}"
    if access.basic_auth_user is not None:
        password = read_secret(access.basic_auth_password_file, access.basic_auth_password_env, "basic auth password")
        session.auth = (access.basic_auth_user, password or "")
    return session


def connect(target: str | PrometheusAccess, *, timeout: float, retry: Retry | None = None) -> PrometheusConnect:
    """The one way memtui opens Prometheus: ``target`` (a URL, or a ``PrometheusAccess``),
    ``timeout`` seconds per request, ``retry`` (default: none).  Everything about access (TLS, auth, headers) is set on the client's
    ``requests`` session, so a raw ``client._session.get`` carries it too.  Raises ``AccessError``
    when a credential cannot be read."""
    from prometheus_api_client import PrometheusConnect

    access = as_access(target)
    return PrometheusConnect(url=access.url.rstrip("/"), timeout=timeout, session=access_session(access),
                             retry=retry if retry is not None else no_retry())


MATCHER = re.compile(r"""\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\\n]|\\.)*"|[^,"'`\s{}]+)\s*""")


AUTH_REFUSED = {
    401: "credentials missing or refused (--prometheus-bearer-token-*, --prometheus-basic-auth-*)",
    403: "forbidden for these credentials (the tenant, X-Scope-OrgID?)",
}
"""What a gateway's 401 or 403 means for memtui's options (the body says no more than its status)."""


def tls_failure(exc: BaseException) -> str:
    """A TLS failure of a request as the option to look at: the innermost ``ssl`` error's reason."""
    import ssl

    seen: BaseException | None = exc
    found: ssl.SSLError | None = None
    while seen is not None and found is None:
        if isinstance(seen, ssl.SSLError):
            found = seen
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = getattr(seen, "reason", None) if isinstance(getattr(seen, "reason", None), BaseException) else inner
    if isinstance(found, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted ({found.verify_message}): --prometheus-ca-file?"
    reason = (found.reason or "") if found is not None else ""
    if "CERTIFICATE" in reason:  # the server's alert: bad, required, unknown CA of the client's
        return f"the server refused the client certificate or wants one ({reason.lower()}): --prometheus-cert-file?"
    return f"TLS failed ({reason.lower() or type(exc).__name__})"


def parse_matchers(text: str) -> str:
    """``cluster=eu-1`` or ``cluster="eu-1",region=~"eu-.*"`` as the PromQL matchers to add inside
    every selector's braces (a bare value quoted); raises ``ValueError`` saying what is wrong."""
    out: list[str] = []
    for part in _split_matchers(text):
        found = MATCHER.fullmatch(part)
        if found is None:
            raise ValueError(f"{part.strip()!r} is not a label matcher (name=value, name!=value, name=~regex, name!~regex)")
        name, op, value = found.groups()
        quoted = value if value.startswith('"') else f'"{_promql_string(value)}"'
        out.append(f"{name}{op}{quoted}")
    return ",".join(out)


def _split_matchers(text: str) -> list[str]:
    """``text`` cut at the commas outside double quotes."""
    parts, current, quoted, escaped = [], "", False, False
    for ch in text:
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
            continue
        current += ch
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
    parts.append(current)
    return parts if text.strip() else []


HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An HTTP field name (RFC 9110 token)."""


def parse_header(text: str) -> tuple[str, str]:
    """``X-Scope-OrgID: tenant-1`` as (name, value); raises ``ValueError`` without echoing the
    value (a header can carry a credential)."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep:
        raise ValueError("must be NAME: VALUE (no ':' in it)")
    if not HEADER_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a header name (letters, digits and -)")
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError(f"the value of {name} holds a line break")
    return name, value


def _promql_string(text: str) -> str:
    """``text`` as the inside of a double-quoted PromQL string: a JSON string's body, as the
    runbook's templates quote a namespace (so a catalogue query and ``Queries`` render alike)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


@dataclass(frozen=True)
class Queries:
    """The PromQL memtui sends, rendered for one namespace (shown verbatim in the UI and docs)."""

    namespace: str
    matchers: str = ""
    """Label matchers added to every selector (``cluster="eu-1"``) when several clusters share
    one Prometheus (Thanos, Mimir); empty for a Prometheus of one cluster."""

    @property
    def _ns(self) -> str:
        extra = f",{self.matchers}" if self.matchers else ""
        return f'namespace="{_promql_string(self.namespace)}"{extra}'

    @property
    def selector(self) -> str:
        return f'{self._ns},container!="",container!="POD"'

    def _per_pod(self, metric: str) -> str:
        return f"sum by (pod) (max by (pod, container) ({metric}{{{self.selector}}}))"

    @property
    def memory(self) -> str:
        """``working_set``, ``rss``, ``cache`` and ``usage`` in one query, each series named by its
        ``__name__``: the same aggregation with ``__name__`` added to its groupings, so each
        metric's figures are exactly its own query's, for one round trip and one index lookup."""
        names = "|".join(MEMORY_FAMILIES)
        return (f'sum by (__name__, pod) (max by (__name__, pod, container) '
                f'({{__name__=~"{names}",{self.selector}}}))')

    @property
    def working_set(self) -> str:
        return self._per_pod(WORKING_SET)

    @property
    def rss(self) -> str:
        return self._per_pod(RSS)

    @property
    def cache(self) -> str:
        return self._per_pod(CACHE)

    @property
    def usage(self) -> str:
        return self._per_pod(USAGE)

    @property
    def limit(self) -> str:
        return f'sum by (pod) (max by (pod, container) (kube_pod_container_resource_limits{{{self._ns},resource="memory"}}))'

    @property
    def growth(self) -> str:
        metric = f"container_memory_working_set_bytes{{{self.selector}}}"
        return f"max by (pod) (deriv({metric}[{GROWTH_WINDOW}]) and {metric})"

    @property
    def restarts(self) -> str:
        metric = f"kube_pod_container_status_restarts_total{{{self._ns}}}"
        return f"sum by (pod) (max_over_time({metric}[2h]) - min_over_time({metric}[2h]))"

    @property
    def oom_recent(self) -> str:
        return f'max by (pod) (max_over_time(kube_pod_container_status_last_terminated_reason{{{self._ns},reason="OOMKilled"}}[2h]))'

    def deployment_container(self, deployment: str, container: str) -> str:
        """One container of one Deployment's pods: cAdvisor has no deployment label, so the pods are
        matched by name, ``<deployment>-<pod-template-hash>-<suffix>`` (PromQL regexes are anchored,
        so ``sap-llm`` does not match ``sap-llm-api-…``)."""
        pods = deployment.replace(".", "\\.") + "-[a-z0-9]{1,10}-[a-z0-9]{5}"
        return f'{self._ns},container="{_promql_string(container)}",pod=~"{_promql_string(pods)}"'

    def peak_working_set(self, deployment: str, container: str, window: str) -> str:
        """The highest working set of the container over ``window`` (``7d``), across its pods and
        their restarts: ``max_over_time`` over the raw samples, then the max over series."""
        sel = self.deployment_container(deployment, container)
        return f"max(max_over_time(container_memory_working_set_bytes{{{sel}}}[{window}]))"

    def peak_by_container(self, deployment: str, window: str) -> str:
        """Per container of a Deployment's pods: the highest working set over ``window``."""
        sel = self._deployment_pods(deployment)
        return f"max by (container) (max_over_time(container_memory_working_set_bytes{{{sel}}}[{window}]))"

    def growth_by_container(self, deployment: str) -> str:
        """Per container of a Deployment's pods: the fastest ``deriv()`` growth of a series present now."""
        metric = f"container_memory_working_set_bytes{{{self._deployment_pods(deployment)}}}"
        return f"max by (container) (deriv({metric}[{GROWTH_WINDOW}]) and {metric})"

    def _deployment_pods(self, deployment: str) -> str:
        pods = deployment.replace(".", "\\.") + "-[a-z0-9]{1,10}-[a-z0-9]{5}"
        return f'{self.selector},pod=~"{_promql_string(pods)}"'

    def history_start(self, deployment: str, container: str, within: str = "7d", step: str = "5m") -> str:
        """The earliest sample time (Unix seconds) of the container's working set within ``within``:
        how far back Prometheus really holds it (its retention, or when scraping began)."""
        sel = self.deployment_container(deployment, container)
        return f"min(min_over_time(timestamp(container_memory_working_set_bytes{{{sel}}})[{within}:{step}]))"

    @property
    def gpu_memory(self) -> str:
        """``gpu_used`` and ``gpu_free`` in one query, each series named by its ``__name__``."""
        return f'sum by (__name__, pod) ({{__name__=~"{GPU_USED}|{GPU_FREE}",{self._ns}}})'

    @property
    def gpu_used(self) -> str:
        return f"sum by (pod) ({GPU_USED}{{{self._ns}}})"

    @property
    def gpu_free(self) -> str:
        return f"sum by (pod) ({GPU_FREE}{{{self._ns}}})"

    @property
    def gpu_total(self) -> str:
        """Framebuffer size per pod (MiB): DCGM has used and free, not the total."""
        sel = f"{{{self._ns}}}"
        return f"sum by (pod) (DCGM_FI_DEV_FB_USED{sel} + DCGM_FI_DEV_FB_FREE{sel})"

    @property
    def redis_used(self) -> str:
        """redis_exporter's ``used_memory`` of the namespace's Redis (summed: one Redis in the runbook)."""
        return f"sum(redis_memory_used_bytes{{{self._ns}}})"

    @property
    def redis_max(self) -> str:
        """redis_exporter's ``maxmemory`` (0: no bound)."""
        return f"sum(redis_memory_max_bytes{{{self._ns}}})"

    @property
    def gpu_count(self) -> str:
        return f"count by (pod) (DCGM_FI_DEV_FB_USED{{{self._ns}}})"

    @property
    def alerts_for_state(self) -> str:
        """Since when each firing ``MemoryUsageHigh`` alert of the namespace is active (unix time)."""
        alert = f'alertname="MemoryUsageHigh",{self._ns}'
        return f'ALERTS_FOR_STATE{{{alert}}} and ignoring(alertstate) ALERTS{{{alert},alertstate="firing"}}'
