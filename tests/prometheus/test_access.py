"""Prometheus behind TLS, client certificates, basic auth, a bearer-token gateway and a tenant
header (Thanos Query, Mimir, Cortex), and a cluster matcher when clusters share one Prometheus.

The server is a real Prometheus with its own ``--web.config.file`` (TLS requiring a client
certificate, bcrypt basic auth); the gateway is a recording reverse proxy in front of a second,
plain one (Prometheus has no bearer-token auth of its own).  Both hold the same two clusters'
series: the same pod name in each, with other figures, so a missing matcher shows."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from memtui.audit.errors import PrometheusUnavailable
from memtui.audit.prometheus import report_series_from_prometheus
from memtui.cli import build_parser, cli_values
from memtui.clients.errors import SourceError
from memtui.clients.kube.connection import connect as kube_connect
from memtui.clients.prometheus import PrometheusAccess, connect
from memtui.config.prometheus_access import prometheus_access
from memtui.config.settings import Settings, SettingsError, load_settings
from memtui.sources.bundle import build_sources
from memtui.sources.prometheus import PrometheusSource
from tests.prometheus.access_rig import (
    CLUSTERS, GIB, LIMIT, NS, PASSWORD, USER, RecordingGateway, Secured, start_secured, two_clusters,
)
from tests.servers import HistoryPrometheus, start_prometheus_with_history


def full_access(secured: Secured, **changes) -> PrometheusAccess:
    """Everything the secured server asks for; ``changes`` take one thing away or get it wrong."""
    values = dict(url=secured.server.url, ca_file=str(secured.certs.ca), cert_file=str(secured.certs.client_cert),
                  key_file=str(secured.certs.client_key), basic_auth_user=USER,
                  basic_auth_password_file=str(secured.password_file))
    return PrometheusAccess(**{**values, **changes})


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> Secured:
    rig = start_secured(two_clusters(int(time.time()) - 1), tmp_path_factory.mktemp("secured"))
    yield rig
    rig.server.stop()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> HistoryPrometheus:
    server = start_prometheus_with_history(two_clusters(int(time.time()) - 1), tmp_path_factory.mktemp("plain"))
    yield server
    server.stop()


@pytest.fixture
def gateway(plain) -> RecordingGateway:
    proxy = RecordingGateway(plain.url, token="tok-1").start()
    yield proxy
    proxy.stop()


def working_sets(access: PrometheusAccess | str) -> dict[str, float | None]:
    snapshot = PrometheusSource(access, NS, timeout=5).fetch()
    return {pod: trend.working_set for pod, trend in snapshot.pods.items()}


# -- TLS, client certificate, basic auth: a real Prometheus's web config --------------------------


def test_the_pane_reads_real_figures_through_tls_a_client_certificate_and_basic_auth(secured):
    snapshot = PrometheusSource(full_access(secured, matchers='cluster="a"'), NS, timeout=5).fetch()
    assert {pod: t.working_set for pod, t in snapshot.pods.items()} == {"sap-llm-0": 3 * GIB}
    assert snapshot.pods["sap-llm-0"].limit == LIMIT


@pytest.mark.parametrize(("change", "expected"), [
    ({"basic_auth_password_file": None, "basic_auth_password_env": "MEMTUI_TEST_WRONG_PW"},
     "HTTP 401 (credentials missing or refused (--prometheus-bearer-token-*, --prometheus-basic-auth-*))"),
    ({"basic_auth_user": None}, "HTTP 401 (credentials missing or refused"),
])
def test_a_wrong_or_missing_password_is_a_pane_error_that_does_not_show_the_password(secured, monkeypatch, change,
                                                                                     expected):
    monkeypatch.setenv("MEMTUI_TEST_WRONG_PW", "wrong-pw-42")
    with pytest.raises(SourceError) as raised:
        PrometheusSource(full_access(secured, **change), NS, timeout=5).fetch()
    message = str(raised.value)
    assert expected in message and "\n" not in message.strip()
    assert "wrong-pw-42" not in message and PASSWORD not in message


@pytest.mark.parametrize(("change", "expected"), [
    # the server requires a client certificate
    ({"cert_file": None, "key_file": None}, "the server refused the client certificate or wants one ("),
    # the server's certificate is not signed by the CA given, nor by the system's
    ({"ca_file": "other-ca"}, "the server's certificate is not trusted (unable to get local issuer certificate): "
                              "--prometheus-ca-file?"),
    ({"ca_file": None}, "the server's certificate is not trusted ("),
])
def test_tls_failures_are_pane_errors_that_name_the_option_to_check(secured, change, expected):
    if change.get("ca_file") == "other-ca":
        change = {"ca_file": str(secured.certs.other_ca)}
    with pytest.raises(SourceError) as raised:
        PrometheusSource(full_access(secured, **change), NS, timeout=5).fetch()
    assert f"{secured.server.url}: {expected}" in str(raised.value)


def test_the_chosen_ca_holds_against_requests_ca_bundle_on_a_raw_session_call(secured, monkeypatch):
    # requests lets $REQUESTS_CA_BUNDLE override session.verify on a call without verify=: the
    # session connect makes must keep the CA file it was given (and verification off when asked)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(secured.certs.other_ca))
    for access in (full_access(secured), full_access(secured, ca_file=None, verify_tls=False)):
        client = connect(access, timeout=5)
        answer = client._session.get(f"{client.url}/api/v1/query", params={"query": "vector(1)"}, timeout=5)
        assert answer.json()["status"] == "success"


def test_without_the_access_settings_the_secured_prometheus_answers_nothing(secured):
    # the test's own control: the figures above came through the access settings, not around them
    with pytest.raises(SourceError):
        PrometheusSource(secured.server.url, NS, timeout=5).fetch()


# -- the cluster matcher ----------------------------------------------------------------------------


@pytest.mark.parametrize("cluster", sorted(CLUSTERS))
def test_each_cluster_sees_only_its_own_pods_and_figures(secured, cluster):
    assert working_sets(full_access(secured, matchers=f'cluster="{cluster}"')) == CLUSTERS[cluster]


def test_without_a_matcher_the_other_clusters_pods_and_figures_leak_in(secured):
    # what --prometheus-matchers is for: cluster a's pane would show b's pod and, for the pod name
    # both run, the larger figure (max by (pod, container) folds the two clusters' series)
    assert working_sets(full_access(secured)) == {"sap-llm-0": 5 * GIB, "sap-llm-1": 7 * GIB}


def test_the_audit_exports_charts_read_through_the_same_access_and_matcher(secured):
    end = datetime.now(UTC)
    series = report_series_from_prometheus(full_access(secured, matchers='cluster="b"'), NS, end - timedelta(minutes=5), end,
                                           "60s")
    assert set(series.working_set) == {"sap-llm-0", "sap-llm-1"}
    assert series.working_set["sap-llm-0"][-1][1] == 5 * GIB
    with pytest.raises(PrometheusUnavailable, match="401"):
        report_series_from_prometheus(full_access(secured, basic_auth_user=None), NS, end - timedelta(minutes=5), end, "60s")


# -- a bearer-token gateway and a tenant header (Mimir, Cortex, Thanos behind a proxy) ------------


def test_bearer_token_and_tenant_header_reach_every_request_with_the_matcher(gateway, tmp_path):
    token = tmp_path / "token"
    token.write_text("tok-1\n")
    access = PrometheusAccess(gateway.url, bearer_token_file=str(token), headers=(("X-Scope-OrgID", "tenant-1"),),
                              matchers='cluster="a"')
    assert working_sets(access) == CLUSTERS["a"]
    queries = [r for r in gateway.seen if r["path"].startswith("/api/v1/query")]
    assert len(queries) >= 8
    for request in queries:
        assert request["Authorization"] == "Bearer tok-1"
        assert request["X-Scope-OrgID"] == "tenant-1"
        promql = parse_qs(urlsplit(request["path"]).query)["query"][0]
        assert 'cluster="a"' in promql, promql


def test_a_rotated_token_file_is_read_again(gateway, tmp_path):
    token = tmp_path / "token"
    token.write_text("tok-1")
    source = PrometheusSource(PrometheusAccess(gateway.url, bearer_token_file=str(token)), NS, timeout=5)
    assert source.fetch().pods
    gateway.token = "tok-2"  # the gateway now wants the new token: the old one is refused
    with pytest.raises(SourceError, match="401"):
        source.fetch()
    token.write_text("tok-2")
    later = time.time() + 5
    import os

    os.utime(token, (later, later))  # a new mtime, however coarse the file system's clock
    assert source.fetch().pods


def test_a_bearer_token_from_an_environment_variable(gateway, monkeypatch):
    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "tok-1")
    assert working_sets(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN")) == {"sap-llm-0": 5 * GIB,
                                                                                                 "sap-llm-1": 7 * GIB}
    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "not-it")
    with pytest.raises(SourceError, match="401") as raised:
        working_sets(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN"))
    assert "not-it" not in str(raised.value)


# -- from the command line, the environment and the config file to the access object -------------


def test_the_command_line_options_land_in_the_access_object(tmp_path, monkeypatch):
    for name in ("ca", "cert", "key", "token", "pw"):
        (tmp_path / name).write_text("x")
    monkeypatch.setenv("PROM_PW", "hunter2")
    args = build_parser().parse_args([
        "--prometheus-url", "https://thanos.example:10902", "--prometheus-ca-file", str(tmp_path / "ca"),
        "--prometheus-cert-file", str(tmp_path / "cert"), "--prometheus-key-file", str(tmp_path / "key"),
        "--prometheus-basic-auth-user", "sre", "--prometheus-basic-auth-password-env", "PROM_PW",
        "--prometheus-header", "X-Scope-OrgID: tenant-1", "--prometheus-header", "X-Extra:  two words ",
        "--prometheus-matchers", "cluster=eu-1", "--prometheus-insecure-skip-tls-verify",
    ])
    settings = load_settings(cli_values(args), environ={"PROM_PW": "hunter2"}, config_path=tmp_path / "absent.toml")
    assert prometheus_access(settings) == PrometheusAccess(
        url="https://thanos.example:10902", verify_tls=False, ca_file=str(tmp_path / "ca"),
        cert_file=str(tmp_path / "cert"), key_file=str(tmp_path / "key"), basic_auth_user="sre",
        basic_auth_password_env="PROM_PW", headers=(("X-Scope-OrgID", "tenant-1"), ("X-Extra", "two words")),
        matchers='cluster="eu-1"')


def test_the_config_file_and_the_environment_give_the_same_keys(tmp_path):
    (tmp_path / "token").write_text("x")
    config = tmp_path / "config.toml"
    config.write_text(f'prometheus_url = "https://mimir.example/prometheus"\n'
                      f'prometheus_bearer_token_file = "{tmp_path / "token"}"\n'
                      f'prometheus_matchers = \'cluster="eu-1",region=~"eu-.*"\'\n'
                      f'prometheus_headers = ["X-Scope-OrgID: tenant-1"]\n')
    access = prometheus_access(load_settings({}, environ={}, config_path=config))
    assert access == PrometheusAccess("https://mimir.example/prometheus", bearer_token_file=str(tmp_path / "token"),
                                      headers=(("X-Scope-OrgID", "tenant-1"),),
                                      matchers='cluster="eu-1",region=~"eu-.*"')
    table = tmp_path / "table.toml"
    table.write_text('prometheus_url = "https://mimir.example"\n[prometheus_headers]\nX-Scope-OrgID = "tenant-2"\n')
    assert prometheus_access(load_settings({}, environ={}, config_path=table)).headers == (("X-Scope-OrgID", "tenant-2"),)
    environ = {"MEMTUI_PROMETHEUS_URL": "https://mimir.example", "MEMTUI_PROMETHEUS_HEADERS": "X-Scope-OrgID: t3\nX-B: 1",
               "MEMTUI_PROMETHEUS_MATCHERS": "cluster=b", "MEMTUI_PROMETHEUS_BEARER_TOKEN_ENV": "TOK", "TOK": "t"}
    access = prometheus_access(load_settings({}, environ=environ, config_path=tmp_path / "absent.toml"))
    assert access == PrometheusAccess("https://mimir.example", bearer_token_env="TOK",
                                      headers=(("X-Scope-OrgID", "t3"), ("X-B", "1")), matchers='cluster="b"')


@pytest.mark.parametrize(("cli", "expected"), [
    ({"prometheus_ca_file": "/nonexistent/ca.pem"}, "--prometheus-ca-file /nonexistent/ca.pem: no such file"),
    ({"prometheus_headers": ["X-Scope-OrgID tenant-1"]}, "--prometheus-header must be NAME: VALUE (no ':' in it)"),
    ({"prometheus_headers": ["X Scope: t"]}, "--prometheus-header 'X Scope' is not a header name"),
    ({"prometheus_matchers": "cluster"}, "--prometheus-matchers 'cluster' is not a label matcher"),
    ({"prometheus_matchers": 'cluster="eu'}, "--prometheus-matchers 'cluster=\"eu' is not a label matcher"),
    ({"prometheus_bearer_token_env": "UNSET_VAR_X"}, "--prometheus-bearer-token-env names $UNSET_VAR_X, which is not set"),
    ({"prometheus_bearer_token_env": "abc-def"}, "--prometheus-bearer-token-env 'abc-def' is not an environment variable"),
    ({"prometheus_basic_auth_user": "sre"}, "--prometheus-basic-auth-user needs a password"),
    ({"prometheus_basic_auth_password_env": "PW"}, "--prometheus-basic-auth-password-env needs --prometheus-basic-auth-user"),
    ({"prometheus_basic_auth_user": "sre", "prometheus_basic_auth_password_env": "PW", "prometheus_bearer_token_env": "PW"},
     "--prometheus-bearer-token-env and --prometheus-basic-auth-user are both set"),
    ({"prometheus_key_file": "KEY"}, "--prometheus-key-file needs --prometheus-cert-file"),
])
def test_bad_access_settings_are_one_line_naming_the_option(tmp_path, cli, expected):
    (tmp_path / "KEY").write_text("x")
    cli = {k: (str(tmp_path / v) if v == "KEY" else v) for k, v in cli.items()}
    with pytest.raises(SettingsError) as raised:
        load_settings({"prometheus_url": "https://p:9090", **cli}, environ={"PW": "pw"},
                      config_path=tmp_path / "absent.toml")
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_a_secret_in_a_header_is_never_echoed(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load_settings({"prometheus_headers": ["Authorization Bearer sekrit-123"]}, environ={},
                      config_path=tmp_path / "absent.toml")
    assert "sekrit-123" not in str(raised.value)
    access = PrometheusAccess("https://p", headers=(("Authorization", "Bearer sekrit-123"),))
    assert "sekrit-123" not in repr(access)


def test_the_session_sources_reach_prometheus_with_the_settings_access(sim, secured):
    settings = Settings(namespace=NS, redis_deployment="", prometheus_url=secured.server.url,
                        prometheus_ca_file=str(secured.certs.ca), prometheus_cert_file=str(secured.certs.client_cert),
                        prometheus_key_file=str(secured.certs.client_key), prometheus_basic_auth_user=USER,
                        prometheus_basic_auth_password_file=str(secured.password_file),
                        prometheus_matchers='cluster="b"')
    bundle = build_sources(settings, kube_connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim",
                                                  namespace=NS))
    try:
        spec = next(s for s in bundle.specs if s.name == "prometheus")
        snapshot = spec.fetch()
    finally:
        bundle.stop()
    assert {pod: t.working_set for pod, t in snapshot.pods.items()} == CLUSTERS["b"]


def test_a_credential_file_gone_since_the_settings_checked_it_turns_the_pane_off_with_why(sim, tmp_path):
    token = tmp_path / "token"
    token.write_text("t")
    settings = load_settings({"prometheus_url": "https://p:9090", "prometheus_bearer_token_file": str(token)},
                             environ={}, config_path=tmp_path / "absent.toml")
    token.unlink()
    bundle = build_sources(settings, kube_connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim",
                                                  namespace=NS))
    bundle.stop()
    spec = next(s for s in bundle.specs if s.name == "prometheus")
    assert spec.fetch is None and spec.off == f"off: bearer token file {token}: No such file or directory"


def test_the_runbooks_promql_read_goes_through_the_access_and_the_audit_log_holds_no_secret(gateway, tmp_path, sim,
                                                                                              make_rig, catalogue):
    token = tmp_path / "token"
    token.write_text("tok-1")
    access = PrometheusAccess(gateway.url, bearer_token_file=str(token), headers=(("X-Scope-OrgID", "tenant-1"),))
    rig = make_rig(sim, prometheus=access)
    step = rig.executor.run_read(catalogue.get("diagnose.prom-memory-now"), {}, rig.ctx())
    assert step.ok, step
    assert "sap-llm-1" in step.output
    assert gateway.seen and all(r["Authorization"] == "Bearer tok-1" and r["X-Scope-OrgID"] == "tenant-1"
                                for r in gateway.seen)
    log = rig.audit_path.read_text()
    assert gateway.url in log and "tok-1" not in log


def test_the_audit_export_command_takes_the_access_from_the_environment(gateway, tmp_path, monkeypatch, capsys):
    from memtui.audit.cli import main as audit_main
    from tests.report.incident import write_incident

    log = tmp_path / "audit.jsonl"
    write_incident(log, datetime.now(UTC) - timedelta(minutes=25), ["sap-llm-0"])
    for key in [k for k in os.environ if k.startswith("MEMTUI_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setenv("GATEWAY_TOKEN", "tok-1")
    monkeypatch.setenv("MEMTUI_PROMETHEUS_BEARER_TOKEN_ENV", "GATEWAY_TOKEN")
    monkeypatch.setenv("MEMTUI_PROMETHEUS_HEADERS", "X-Scope-OrgID: tenant-1")
    monkeypatch.setenv("MEMTUI_PROMETHEUS_MATCHERS", "cluster=a")
    code = audit_main(["export", "--file", str(log), "--format", "md", "--prometheus-url", gateway.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "memory chart left out" not in err and "tok-1" not in out + err
    queries = [parse_qs(urlsplit(r["path"]).query).get("query", [""])[0] for r in gateway.seen]
    assert queries and all(r["Authorization"] == "Bearer tok-1" and r["X-Scope-OrgID"] == "tenant-1"
                           for r in gateway.seen)
    charted = [q for q in queries if "container_memory_working_set_bytes" in q]
    assert charted and all('cluster="a"' in q for q in charted), queries


def test_the_limit_advice_reads_its_clusters_peak_through_the_access(tmp_path, sim, make_rig):
    from memtui.executor.limit_history import _from_prometheus

    pod = "sap-llm-7d9f8c6b5-abcde"  # <deployment>-<pod-template-hash>-<suffix>: what the advice matches
    secured = start_secured(two_clusters(int(time.time()) - 1, {"a": {pod: 3 * GIB}, "b": {pod: 9 * GIB}}), tmp_path)
    try:
        rig = make_rig(sim, prometheus=full_access(secured, matchers='cluster="a"'))
        peak, _, held = _from_prometheus(rig.executor.planner, "sap-llm", "app")
    finally:
        secured.server.stop()
    assert peak == 3 * GIB  # not cluster b's 9 GiB
    assert held is not None


def test_a_refresh_sends_its_queries_side_by_side(gateway, monkeypatch):
    """Behind a distant gateway (each answer held 0.3 s) a refresh is as slow as its slowest query,
    not the sum of its eight: they are in flight together.  One after another, the first refresh
    at 5,000 pods took 3.4 s, and the first full screen waited for it."""
    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "tok-1")
    gateway.delay = 0.3
    snapshot = PrometheusSource(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN"), NS, timeout=5).fetch()
    assert snapshot.query_count == len(gateway.seen) == 8 and snapshot.pods
    assert gateway.most_in_flight >= 4


def test_after_a_timeout_the_next_refresh_waits_twice_as_long_and_quick_answers_bring_the_wait_back(gateway, monkeypatch):
    """At 20,000 pods a loaded Prometheus answered in 6-8 s: a fixed 5 s timed out at every try,
    and the pane stayed empty for 35 s.  The wait doubles after a timeout (up to 30 s), and comes
    back to the configured timeout once answers are quick."""
    from memtui.clients.errors import SourceError

    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "tok-1")
    source = PrometheusSource(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN"), NS, timeout=1)
    gateway.delay = 1.4
    with pytest.raises(SourceError) as slow:
        source.fetch()
    assert slow.value.reason.endswith("timed out after 1 s (next wait 2 s)")
    assert source.fetch().pods  # waited 2 s for answers that take 1.4
    assert source.patience == 2
    gateway.delay = 0.0
    source.fetch()
    assert source.patience == 1  # quick again: back to the configured timeout


def test_a_slow_family_that_fails_keeps_its_last_figures_for_five_minutes_then_shows_none(gateway, monkeypatch):
    """A gateway whose querier for the limits is down: the limits read a minute ago stay on the
    rows, with their age and the reason, for ``SLOW_MAX_AGE``; after that they are dropped rather
    than shown as if current."""
    from memtui.sources.prometheus import SLOW_INTERVAL, SLOW_MAX_AGE

    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "tok-1")
    source = PrometheusSource(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN"), NS, timeout=5)
    now = [1000.0]
    source.clock = lambda: now[0]
    first = source.fetch()
    limits = {pod: trend.limit for pod, trend in first.pods.items()}
    assert limits and all(limits.values()) and "limit" in first.read_at
    gateway.refuse = "kube_pod_container_resource_limits"
    now[0] += SLOW_INTERVAL
    kept = source.fetch()
    assert "limit" in kept.errors and "503" in kept.errors["limit"]
    assert {pod: trend.limit for pod, trend in kept.pods.items()} == limits
    assert kept.read_at["limit"] == first.read_at["limit"]  # the age the pane shows is the first read's
    now[0] = 1000.0 + SLOW_MAX_AGE - 1  # still failing, still inside the bound
    assert {pod: t.limit for pod, t in source.fetch().pods.items()} == limits
    now[0] = 1000.0 + SLOW_MAX_AGE + SLOW_INTERVAL  # past it: dropped
    dropped = source.fetch()
    assert "limit" in dropped.errors and "limit" not in dropped.read_at
    assert dropped.pods and all(trend.limit is None for trend in dropped.pods.values())
    gateway.refuse = None
    now[0] += SLOW_INTERVAL
    assert {pod: t.limit for pod, t in source.fetch().pods.items()} == limits  # read again once it answers


def test_the_backfill_waits_for_a_slow_range_query_and_leaves_the_refreshes_wait_alone(gateway, monkeypatch):
    """A range query is about a ring's worth of instant queries' samples (3.6 million at 20,000
    pods): at the refreshes' 5 s it timed out, and its retry made Prometheus evaluate it again.
    It is waited for up to ``PATIENCE_MAX``, and neither its time nor a timeout of it changes
    how long the refreshes' queries are waited for."""
    from datetime import timedelta

    from memtui.sources.prometheus import PATIENCE_MAX

    monkeypatch.setenv("MEMTUI_TEST_TOKEN", "tok-1")
    source = PrometheusSource(PrometheusAccess(gateway.url, bearer_token_env="MEMTUI_TEST_TOKEN"), NS, timeout=1)
    gateway.delay = 1.4
    history = source.history(source.queries.working_set, duration=timedelta(minutes=10), points=20)
    assert history and all(len(samples.columns()[0]) for samples in history.values())
    assert any("query_range" in request["path"] for request in gateway.seen)
    assert source.patience == 1 < PATIENCE_MAX
