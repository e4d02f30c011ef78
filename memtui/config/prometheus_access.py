"""The settings' ``prometheus_*`` values as the one ``PrometheusAccess`` every Prometheus caller gets.

The pods pane, the backfill, the runbook's PromQL reads, the limit advice and the audit export's
charts all reach Prometheus through the object made here, so a tenant header, a client
certificate or a cluster matcher given once applies to every query memtui sends.
"""

from __future__ import annotations

from memtui.clients.prometheus import PrometheusAccess
from memtui.config.settings import Settings


def context_matchers(matchers: str, context: str) -> str:
    """``--prometheus-matchers 'cluster="{context}"'`` for clusters that share one Prometheus (a
    Thanos Query over every region) and whose ``cluster`` label is their kube context's name: each
    session's queries (and an audit log's export) carry its own context, quoted as PromQL wants it."""
    from memtui.clients.prometheus import _promql_string  # the one spelling of a PromQL string

    return matchers.replace("{context}", _promql_string(context))


def prometheus_access(settings: Settings) -> PrometheusAccess | None:
    """None without a Prometheus URL (the cockpit then runs on the metrics API alone)."""
    if not settings.prometheus_url:
        return None
    return PrometheusAccess(
        url=settings.prometheus_url,
        verify_tls=not settings.prometheus_insecure_skip_tls_verify,
        ca_file=settings.prometheus_ca_file,
        cert_file=settings.prometheus_cert_file,
        key_file=settings.prometheus_key_file,
        bearer_token_file=settings.prometheus_bearer_token_file,
        bearer_token_env=settings.prometheus_bearer_token_env,
        basic_auth_user=settings.prometheus_basic_auth_user,
        basic_auth_password_file=settings.prometheus_basic_auth_password_file,
        basic_auth_password_env=settings.prometheus_basic_auth_password_env,
        headers=settings.prometheus_headers,
        matchers=settings.prometheus_matchers,
    )
