"""Runbook PromQL steps on a real Prometheus two clusters share, behind TLS, a client certificate
and basic auth: ``--prometheus-matchers`` reaches every selector of the step's query, the output
pane shows the query as sent, and a TLS or credential failure says what to check."""

from __future__ import annotations

import time

import pytest

from memtui.clients.prometheus import PrometheusAccess
from tests.prometheus.access_rig import GIB, USER, Secured, start_secured, two_clusters

CLUSTER_A = {"sap-llm-0": 3 * GIB}
CLUSTER_B = {"sap-llm-0": 5 * GIB, "sap-llm-1": 7 * GIB}


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> Secured:
    rig = start_secured(two_clusters(int(time.time()) - 1, {"a": CLUSTER_A, "b": CLUSTER_B}),
                        tmp_path_factory.mktemp("secured"))
    yield rig
    rig.server.stop()


def access(secured: Secured, **changes) -> PrometheusAccess:
    values = dict(url=secured.server.url, ca_file=str(secured.certs.ca), cert_file=str(secured.certs.client_cert),
                  key_file=str(secured.certs.client_key), basic_auth_user=USER,
                  basic_auth_password_file=str(secured.password_file))
    return PrometheusAccess(**{**values, **changes})


def run(sim, make_rig, catalogue, prometheus: PrometheusAccess, action_id: str = "diagnose.prom-memory-now"):
    rig = make_rig(sim, prometheus=prometheus)
    return rig.executor.run_read(catalogue.get(action_id), {}, rig.ctx())


@pytest.mark.parametrize("action_id", ["diagnose.prom-memory-now", "diagnose.prom-memory-1h"])
def test_the_working_set_step_answers_its_own_cluster_only_and_shows_the_matcher(secured, sim, make_rig, catalogue,
                                                                                  action_id):
    step = run(sim, make_rig, catalogue, access(secured, matchers='cluster="a"'), action_id)
    assert step.ok, step
    query = step.output.splitlines()[0]
    assert 'namespace="sap-llm",cluster="a",container!=""' in query
    assert "sap-llm-0" in step.output and "(3.0 GiB)" in step.output
    assert "sap-llm-1" not in step.output and "(5.0 GiB)" not in step.output and "(8.0 GiB)" not in step.output


def test_without_the_matcher_the_step_mixes_the_clusters(secured, sim, make_rig, catalogue):
    step = run(sim, make_rig, catalogue, access(secured))
    assert step.ok, step
    assert "cluster=" not in step.output.splitlines()[0]
    assert "sap-llm-1" in step.output and "(5.0 GiB)" in step.output  # cluster b's pods and figure leak in


def test_the_forecast_step_puts_the_matcher_in_both_of_its_selectors(secured, sim, make_rig, catalogue):
    step = run(sim, make_rig, catalogue, access(secured, matchers='cluster="b"'), "diagnose.oom-forecast")
    assert step.ok, step
    assert step.output.count('cluster="b"') == 2
    assert "sap-llm-1" in step.output


def test_a_wrong_password_says_which_options_to_check(secured, sim, make_rig, catalogue, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password")
    step = run(sim, make_rig, catalogue, access(secured, basic_auth_password_file=str(wrong)))
    assert not step.ok
    assert step.error == (f"{secured.server.url}: HTTP 401: credentials missing or refused "
                          "(--prometheus-bearer-token-*, --prometheus-basic-auth-*)")
    assert "not-the-password" not in step.output


@pytest.mark.parametrize("change, expected", [
    ({"ca_file": None}, "the server's certificate is not trusted"),
    ({"cert_file": None, "key_file": None}, "--prometheus-cert-file?"),
])
def test_a_tls_failure_says_which_option_to_check(secured, sim, make_rig, catalogue, change, expected):
    step = run(sim, make_rig, catalogue, access(secured, **change))
    assert not step.ok
    assert expected in step.error and "SSLError" not in step.error, step.error
