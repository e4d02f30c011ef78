"""Fidelity: the real kubectl on PodDisruptionBudgets, evictions and HorizontalPodAutoscalers."""

from __future__ import annotations

import json

import pytest

from .helpers import NS, sap_llm_pods

pytestmark = pytest.mark.kubectl


def _rows(out: str) -> list[list[str]]:
    return [ln.split() for ln in out.splitlines()]


def _eviction(pod: str) -> str:
    return json.dumps({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod, "namespace": NS}})


def test_get_and_describe_pdb(kubectl, sim):
    r = kubectl("get", "pdb", "-n", NS, check=True)
    header, *rows = r.stdout.splitlines()
    assert header.split() == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS", "AGE"]
    assert [row.split()[:4] for row in rows] == [["sap-llm", "2", "N/A", "1"]]
    r = kubectl("get", "poddisruptionbudgets.policy", "sap-llm", "-n", NS, "-o",
                "jsonpath={.status.currentHealthy}/{.status.desiredHealthy}/{.status.expectedPods}", check=True)
    assert r.stdout == "3/2/3"
    r = kubectl("describe", "pdb", "sap-llm", "-n", NS, check=True)
    assert "Min available:  2" in r.stdout and "Selector:       app=sap-llm" in r.stdout
    assert "Allowed disruptions:  1" in r.stdout
    r = kubectl("api-resources", "--api-group=policy", check=True)
    assert _rows(r.stdout)[1] == ["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"]


def test_create_and_delete_pdb(kubectl, sim):
    r = kubectl("create", "pdb", "api", "-n", NS, "--selector=app=sap-llm-api", "--max-unavailable=25%", check=True)
    assert r.stdout.strip() == "poddisruptionbudget.policy/api created"
    e = sim.journal()[-1]
    assert (e.method, e.status, e.query.get("fieldManager")) == ("POST", 201, "kubectl-create")
    assert e.body["spec"] == {"maxUnavailable": "25%", "selector": {"matchLabels": {"app": "sap-llm-api"}}}
    r = kubectl("get", "pdb", "api", "-n", NS, "--no-headers", check=True)
    assert r.stdout.split()[:4] == ["api", "N/A", "25%", "1"]  # 4 replicas, 25% of them
    r = kubectl("create", "pdb", "bad", "-n", NS, "--selector=app=x", "--min-available=150%")
    assert r.returncode == 1
    assert ('PodDisruptionBudget.policy "bad" is invalid: spec.minAvailable: Invalid value: "150%": must not be '
            "greater than 100%") in r.stderr
    r = kubectl("delete", "pdb", "api", "-n", NS, check=True)
    assert r.stdout.strip() == 'poddisruptionbudget.policy "api" deleted'


def test_eviction_refused_by_the_budget(kubectl, sim):
    first, second, _ = (p.metadata.name for p in sap_llm_pods(sim))
    path = f"/api/v1/namespaces/{NS}/pods/{{}}/eviction"
    r = kubectl("create", "--raw", path.format(first), "-f", "-", input=_eviction(first), check=True)
    assert json.loads(r.stdout)["status"] == "Success"
    r = kubectl("create", "--raw", path.format(second), "-f", "-", input=_eviction(second))
    assert r.returncode == 1
    assert r.stderr.strip() == ("Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's "
                                "disruption budget.")
    r = kubectl("get", "pdb", "sap-llm", "-n", NS, "--no-headers", check=True)
    assert r.stdout.split()[3] == "0"
    r = kubectl("auth", "can-i", "create", "pods/eviction", "-n", NS, check=True)
    assert r.stdout.strip() == "yes"


def test_get_and_describe_hpa(kubectl, sim_factory):
    h = sim_factory(hpa=True, seed=7)
    k = kubectl.using(h)
    r = k("get", "hpa", "-n", NS, check=True)
    header, row = r.stdout.splitlines()
    assert header.split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    cells = row.split()
    util = json.loads(k("get", "hpa", "sap-llm-api", "-n", NS, "-o", "json", check=True).stdout)[
        "status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"]
    assert cells[:7] == ["sap-llm-api", "Deployment/sap-llm-api", "cpu:", f"{util}%/90%", "3", "8", "4"]
    r = k("describe", "hpa", "sap-llm-api", "-n", NS, check=True)
    assert "Min replicas:" in r.stdout and "Deployment pods:       4 current / 4 desired" in r.stdout
    assert "ValidMetricFound" in r.stdout
    k("scale", "deployment", "sap-llm-api", "-n", NS, "--replicas=2", check=True)
    h.advance(16)
    r = k("get", "deploy", "sap-llm-api", "-n", NS, "-o", "jsonpath={.spec.replicas}", check=True)
    assert r.stdout == "3"
    r = k("get", "events", "-n", NS, "--field-selector", "reason=SuccessfulRescale", check=True)
    assert "horizontalpodautoscaler/sap-llm-api" in r.stdout
    assert "New size: 3; reason: Current number of replicas below Spec.MinReplicas" in r.stdout
    r = k("get", "all", "-n", NS, check=True)
    assert "horizontalpodautoscaler.autoscaling/sap-llm-api" in r.stdout


def test_an_rbac_gap_reads_as_kubectl_shows_it(kubectl, sim_factory):
    k = kubectl.using(sim_factory(operator_denied=("poddisruptionbudgets.policy",)))
    r = k("get", "pdb", "-n", NS)
    assert r.returncode == 1 and r.stderr.strip() == (
        'Error from server (Forbidden): poddisruptionbudgets.policy is forbidden: User "oncall-operator" cannot '
        'list resource "poddisruptionbudgets" in API group "policy" in the namespace "sap-llm"')
    assert k("auth", "can-i", "list", "pdb", "-n", NS).stdout.strip() == "no"
    assert k("auth", "can-i", "delete", "pods", "-n", NS).stdout.strip() == "yes"
    listed = k("auth", "can-i", "--list", "-n", NS, check=True).stdout
    assert "poddisruptionbudgets" not in listed and "pods/eviction" in listed
