"""Which log the cockpit would write now: its kube context and namespace, without connecting.

``memtui audit export|verify`` with no ``--file`` pick the log of the context and namespace a plain
``memtui`` would start with, read the way the cockpit reads them (``memtui.config.settings`` for
``--context``/``-n``/``--kubeconfig`` and their ``MEMTUI_*``/config-file forms, then
``memtui.clients.kube.connection``'s rules: ``$KUBECONFIG`` or ``~/.kube/config``, its
current-context, that context's namespace, else ``default``).  Only the kubeconfig's context list
is read: no credential plugin runs and no request is sent, so this works on a laptop off the VPN
while writing the postmortem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The cockpit's context and namespace."""

    context: str
    namespace: str
    namespace_known: bool
    """False when the namespace is only the ``default`` fallback (neither ``-n`` nor the context says)."""


def current_scope(
    *, kubeconfig: str | None, context: str | None, namespace: str | None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Scope | None, str | None]:
    """``(scope, None)``, or ``(None, why there is no current context)``."""
    from kubernetes import config

    from memtui.clients.errors import first_text_line
    from memtui.clients.kube.connection import chosen_context, in_cluster_namespace, kubeconfig_paths

    env = dict(os.environ if environ is None else environ)
    path = kubeconfig_paths(kubeconfig, env)
    context_namespace: str | None = None
    if path is None:
        if context is None and env.get("KUBERNETES_SERVICE_HOST"):
            context = "in-cluster"
            context_namespace = in_cluster_namespace()
        elif context is None:
            return None, "no kubeconfig (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config)"
    else:
        try:
            contexts, active = config.list_kube_config_contexts(config_file=path)
        except Exception as exc:  # noqa: BLE001 - any unreadable kubeconfig: say so, pick nothing
            first = first_text_line(str(exc)) or type(exc).__name__
            if context is None:
                if "current-context" in first:  # the client refuses a kubeconfig without one
                    return None, f"kubeconfig {path} has no current context"
                return None, f"kubeconfig {path} is not usable ({first})"
            contexts, active = [], None
        chosen, found = chosen_context(contexts, active, context)
        if not chosen:
            return None, f"kubeconfig {path} has no current context"
        context = chosen
        context_namespace = found.get("namespace")
    chosen_namespace = namespace or context_namespace
    return Scope(context, chosen_namespace or "default", chosen_namespace is not None), None
