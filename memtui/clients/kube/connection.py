"""Connect to a cluster exactly as kubectl would, and explain in one line when that fails.

Order of precedence follows client-go's loading rules: ``--kubeconfig``, then ``$KUBECONFIG``
(a ``:``-separated list, merged), then ``~/.kube/config``; when none of these exists and the
process runs in a pod, the in-cluster service account.  ``--context`` overrides the current
context, and the namespace comes from ``-n``, then the context, then ``default``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import urllib3
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from kubernetes.config.config_exception import ConfigException

from memtui import __version__
from memtui.clients.errors import describe_failure, first_text_line
from memtui.clients.kube import rest
from memtui.clients.kube.stream import ExecApiClient
from memtui.clients.kube.kubeconfig_file import KubeconfigFileError, check_kubeconfig_file

USER_AGENT = f"memtui/{__version__}"
IN_CLUSTER_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


class KubeConnectError(Exception):
    """Connecting failed; ``str()`` is the one line shown to the user, ``hint`` what to try."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}" + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class KubeConnection:
    """A ready API client and where it points."""

    api_client: client.ApiClient
    """For REST calls: the pollers, informers and the executor's reads and writes share it."""
    context: str
    server: str
    namespace: str
    user: str
    kubeconfig: str | None
    """The kubeconfig path(s) used, or None for in-cluster config."""
    kubectl_context: str | None = None
    """The ``--context`` a kubectl command memtui shows (the modal's Equivalent, Copy command, the
    audit log) must carry to reach this cluster: None where kubectl's current-context is this one
    and only one cluster is watched; otherwise a pasted command would go to another cluster."""
    exec_api_client: ExecApiClient = field(init=False, repr=False, compare=False)
    """For exec, and only exec: the same Configuration (server, credentials, User-Agent) with a
    WebSocket transport of its own, so a stream can never hijack a poll (see ``kube_stream``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "exec_api_client", ExecApiClient.sharing_credentials_of(self.api_client))


def kubeconfig_paths(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The kubeconfig location kubectl would use, or None when there is none."""
    env = os.environ if environ is None else environ
    if explicit:
        return explicit
    if env.get("KUBECONFIG"):
        return env["KUBECONFIG"]
    default = Path(env.get("HOME", str(Path.home()))) / ".kube" / "config"
    return str(default) if default.exists() else None


def in_cluster_namespace() -> str | None:
    """The service account's namespace in a pod (the file kubectl reads there), or None."""
    try:
        return IN_CLUSTER_NAMESPACE_FILE.read_text().strip() or None
    except OSError:
        return None


def chosen_context(contexts: list[dict] | None, active: dict | None, context: str | None) -> tuple[str | None, dict]:
    """The context kubectl would use (``--context``, else current-context) and its ``context``
    mapping ({} when the kubeconfig has no such entry): the cockpit and ``memtui audit`` agree."""
    chosen = context or (active or {}).get("name")
    found = next((c for c in contexts or [] if c.get("name") == chosen), None) if chosen else None
    return chosen, (found or {}).get("context") or {}


def load_api_client(
    kubeconfig: str | None, context: str | None, environ: Mapping[str, str] | None = None
) -> tuple[client.ApiClient, str, str, str | None, bool]:
    """Build an ApiClient from kubeconfig or in-cluster config; returns (client, context, user, ns,
    whether that context is the kubeconfig's current-context, as a plain kubectl would use)."""
    env = os.environ if environ is None else environ
    configuration = client.Configuration()
    path = kubeconfig_paths(kubeconfig, env)
    if path is None:
        if env.get("KUBERNETES_SERVICE_HOST"):
            try:
                config.load_incluster_config(client_configuration=configuration)
            except ConfigException as exc:
                raise KubeConnectError(f"in-cluster configuration failed: {exc}") from None
            namespace = in_cluster_namespace()
            configuration.retries = 0
            api = client.ApiClient(configuration)
            api.user_agent = USER_AGENT
            return api, "in-cluster", "serviceaccount", namespace, True
        raise KubeConnectError(
            "no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config)",
            "point --kubeconfig at one, or run `memtui --demo` for the simulated incident",
        )
    listed = [p for p in path.split(os.pathsep) if p]
    missing = [p for p in listed if not Path(p).expanduser().exists()]
    origin = "--kubeconfig" if kubeconfig else "$KUBECONFIG" if env.get("KUBECONFIG") else "default"
    if missing and (kubeconfig or len(missing) == len(listed)):
        raise KubeConnectError(
            f"kubeconfig {missing[0]} (from {origin}) does not exist",
            "point --kubeconfig at your kubeconfig, or run `memtui --demo` for the simulated incident",
        )
    for listed_path in listed:
        if Path(listed_path).expanduser().exists():
            try:
                check_kubeconfig_file(Path(listed_path).expanduser())
            except KubeconfigFileError as exc:
                raise KubeConnectError(str(exc), "check it with `kubectl config view`, or run `memtui --demo`") from None
    try:
        contexts, active = config.list_kube_config_contexts(config_file=path)
    except ConfigException as exc:
        raise KubeConnectError(
            f"kubeconfig {path} is not usable: {exc}",
            "check it with `kubectl config view`, or run `memtui --demo`",
        ) from None
    except Exception as exc:  # noqa: BLE001 - yaml errors and the like: a malformed file
        first_line = first_text_line(str(exc)) or type(exc).__name__
        raise KubeConnectError(
            f"kubeconfig {path} is malformed: {first_line}",
            "check it with `kubectl config view`, or run `memtui --demo`",
        ) from None
    names = [c.get("name") for c in contexts or []]
    chosen, ctx = chosen_context(contexts, active, context)
    if not chosen:
        raise KubeConnectError(f"kubeconfig {path} has no current context", "pass --context NAME")
    if chosen not in names:
        raise KubeConnectError(
            f"context {chosen!r} is not in kubeconfig {path}",
            f"contexts there: {', '.join(n for n in names if n) or 'none'}",
        )
    try:
        with _client_log_captured() as logged:
            config.load_kube_config(
                config_file=path, context=chosen, client_configuration=configuration, persist_config=False
            )
    except Exception as exc:  # noqa: BLE001 - whatever the loader raises (auth plugin, certs): one message
        raise KubeConnectError(
            f"kubeconfig {path}, context {chosen!r} is not usable: {exc}",
            "check it with `kubectl config view --minify`",
        ) from None
    if logged:
        raise _plugin_failure(ctx.get("user") or "", logged[0])
    configuration.retries = 0  # fail fast; the refresh loop is the retry
    api = client.ApiClient(configuration)
    api.user_agent = USER_AGENT
    return api, chosen, ctx.get("user") or "", ctx.get("namespace"), chosen == (active or {}).get("name")


class _Captured(logging.Handler):
    """Collects what the client logs instead of letting ``logging`` print it (``ERROR:root:…``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _client_log_captured() -> Iterator[list[str]]:
    """The kubernetes client reports a failing exec credential plugin only with ``logging.error``
    on the root logger (kube_config ``_load_from_exec_plugin`` catches the plugin's exception),
    then goes on without a credential, so the first request gets a 401.  Holding a handler on the
    root logger while the config loads keeps ``logging`` from printing that line on the terminal
    and hands the message to memtui, which says what failed."""
    root = logging.getLogger()
    handler = _Captured()
    root.addHandler(handler)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)


def _plugin_failure(user: str, message: str) -> KubeConnectError:
    """``exec: process returned 1. <stderr>`` → the plugin failed with exit status 1: <stderr's first line>."""
    text = message.strip()
    if text.startswith("exec: "):
        text = text[len("exec: "):]
    head, _, stderr = text.partition(". ")
    if head.startswith("process returned "):
        status = head[len("process returned "):]
        first = first_text_line(stderr)
        detail = f" with exit status {status}: {first}" if first else f" with exit status {status} (its own output, if any, is above)"
    else:
        detail = ": " + (first_text_line(text) or "it gave no credential")
    who = f"user {user!r}" if user else "the context's user"
    return KubeConnectError(
        f"the credential plugin of {who} failed{detail}",
        "run the users[].user.exec command of your kubeconfig yourself, or log in again",
    )


def connect(
    *,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    timeout: float = 5.0,
    environ: dict[str, str] | None = None,
    always_name_context: bool = False,
) -> KubeConnection:
    """Load config, check the API server answers and the namespace exists; raise KubeConnectError.
    ``always_name_context``: several clusters are watched, so every kubectl command memtui shows
    names its context (``KubeConnection.kubectl_context``), the current one included."""
    api, context_name, user, context_namespace, current = load_api_client(kubeconfig, context, environ)
    server = api.configuration.host
    ns = namespace or context_namespace or "default"
    try:
        rest.get(api, "/version", timeout=timeout).release_conn()
    except ApiException as exc:
        if exc.status == 401:
            raise KubeConnectError(
                f"the API server at {server} rejected the credentials of context {context_name!r} (401)",
                "log in again (token expired?), or run `memtui --demo`",
            ) from None
        # /version is open on most clusters; anything else still proves it is reachable.
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise KubeConnectError(
            f"cannot reach the Kubernetes API at {server} (context {context_name!r}): {describe_failure(exc)}",
            "check the context with `kubectl cluster-info`, or run `memtui --demo` for the simulated incident",
        ) from None
    _check_namespace(api, ns, context_name, timeout)
    return KubeConnection(
        api_client=api, context=context_name, server=server, namespace=ns, user=user,
        kubeconfig=kubeconfig_paths(kubeconfig, environ),
        kubectl_context=context_name if always_name_context or not current else None,
    )


def _check_namespace(api: client.ApiClient, namespace: str, context: str, timeout: float) -> None:
    try:
        rest.get(api, f"/api/v1/namespaces/{quote(namespace, safe='')}", timeout=timeout).release_conn()
        return
    except ApiException as exc:
        if exc.status == 404:
            raise KubeConnectError(
                f"namespace {namespace!r} does not exist in context {context!r}",
                _namespace_hint(api, timeout),
            ) from None
        if exc.status == 401:
            raise KubeConnectError(
                f"the API server rejected the credentials of context {context!r} (401)",
                "log in again (token expired?)",
            ) from None
        if exc.status != 403:
            raise KubeConnectError(f"reading namespace {namespace!r} failed: {describe_failure(exc)}") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise KubeConnectError(f"reading namespace {namespace!r} failed: {describe_failure(exc)}") from None
    # Namespaced RBAC often forbids reading the Namespace object itself: listing pods is what
    # memtui needs, so that is the real test.
    try:
        rest.Lister(api, "/api/v1/namespaces/{namespace}/pods")(namespace, limit=1, _request_timeout=timeout).release_conn()
    except ApiException as exc:
        raise KubeConnectError(
            f"cannot list pods in namespace {namespace!r}: {describe_failure(exc)}",
            "check your RBAC with `kubectl auth can-i list pods -n " + namespace + "`",
        ) from None


def _namespace_hint(api: client.ApiClient, timeout: float) -> str:
    try:
        import json

        response = rest.get(api, "/api/v1/namespaces", timeout=timeout)
        names = sorted(item["metadata"]["name"] for item in json.loads(response.data)["items"])
    except Exception:  # noqa: BLE001 - only a hint: any failure falls back to the kubectl command
        return "list them with `kubectl get namespaces`"
    return "namespaces there: " + ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
