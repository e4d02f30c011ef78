"""Which ConfigMap keys a pod template reads only at start (the "restart pending" rule)."""

from memtui.executor.config_readers import start_read_keys
from memtui.sim.templates import sap_llm


def test_env_from_the_configmap_reads_every_patched_key_at_start():
    spec = sap_llm()["spec"]  # the simulator's deployment: envFrom configMapRef sap-llm-config
    assert start_read_keys(spec, "sap-llm-config", ["batch_size", "max_batch_size"]) == ("batch_size", "max_batch_size")
    assert start_read_keys(spec, "other-config", ["batch_size"]) == ()


def test_key_refs_and_subpath_files_count_a_whole_volume_mount_does_not():
    spec = {
        "volumes": [{"name": "conf", "configMap": {"name": "cm"}},
                    {"name": "one", "configMap": {"name": "cm", "items": [{"key": "limits.yaml", "path": "l.yaml"}]}}],
        "containers": [{
            "name": "app",
            "env": [{"name": "BATCH", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "batch_size"}}}],
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/app"},  # kubelet updates these files in place
                             {"name": "one", "mountPath": "/etc/l.yaml", "subPath": "l.yaml"}],
        }],
    }
    keys = ["batch_size", "cache_ttl_seconds", "limits.yaml"]
    assert start_read_keys(spec, "cm", keys) == ("batch_size", "limits.yaml")
