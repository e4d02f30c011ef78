"""default_audit_path: one file per context/namespace, in the state dir, whatever the context's name."""

from __future__ import annotations

from memtui.audit import AuditLog, default_audit_path
from memtui.audit.paths import list_audit_logs, sanitise

EKS = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"


def test_default_path_is_in_the_user_state_dir(private_state_dir):
    path = default_audit_path(context="memtui-sim", namespace="sap-llm")
    assert path == private_state_dir / "memtui" / "audit" / "memtui-sim__sap-llm.jsonl"


def test_cloud_context_names_become_one_safe_file_name(private_state_dir):
    for context in (EKS, "gke_my-proj_europe-west4-a_llm", "alice@prod", "..", ".hidden", "ünï/cödé"):
        path = default_audit_path(context, "sap-llm")
        assert path.parent == private_state_dir / "memtui" / "audit"
        assert "/" not in path.name and not path.name.startswith(".")
        assert len(path.name.encode()) < 255
    assert sanitise("a:b") != sanitise("a/b") != sanitise("a_b")


def test_very_long_names_stay_short_and_distinct():
    a, b = "x" * 300 + "a", "x" * 300 + "b"
    assert len(sanitise(a)) <= 100 and sanitise(a) != sanitise(b)


def test_listing_recovers_context_and_namespace(private_state_dir):
    for context in (EKS, "gke_my-proj_europe-west4-a_llm"):
        AuditLog(default_audit_path(context, "sap-llm"), context=context, namespace="sap-llm")
    found = {(f.context, f.namespace) for f in list_audit_logs()}
    assert found == {(EKS, "sap-llm"), ("gke_my-proj_europe-west4-a_llm", "sap-llm")}


def test_listing_an_absent_dir_is_empty(tmp_path):
    assert list_audit_logs(tmp_path / "nothing-here") == []
