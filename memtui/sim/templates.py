"""Pod templates of the workloads in the simulated cluster (what `kubectl get deploy -o yaml` shows)."""

from __future__ import annotations

from typing import Any

REGISTRY = "registry.example.com"
SAP_LLM_IMAGE = f"{REGISTRY}/sap-llm:2.14.1"


def _probe(path: str, port: int, delay: int, period: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port, "scheme": "HTTP"}, "initialDelaySeconds": delay,
            "timeoutSeconds": 3, "periodSeconds": period, "successThreshold": 1, "failureThreshold": 3}


def sap_llm(image: str = SAP_LLM_IMAGE, model: str = "sap-llm-13b", extra_env: list[dict] | None = None,
            annotations: dict[str, str] | None = None) -> dict[str, Any]:
    env = [
        {"name": "MODEL_NAME", "value": model},
        {"name": "MODEL_DIR", "value": "/models"},
        {"name": "CACHE_DIR", "value": "/tmp/cache"},
        {"name": "MODEL_CACHE_DIR", "value": "/tmp/model_cache"},
        {"name": "REDIS_URL", "value": "redis://redis.sap-llm.svc:6379/0"},
        {"name": "LOG_LEVEL", "value": "INFO"},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
    ] + list(extra_env or [])
    ann = {"prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics"}
    ann.update(annotations or {})
    return {
        "metadata": {"labels": {"app": "sap-llm", "app.kubernetes.io/name": "sap-llm",
                                "app.kubernetes.io/component": "inference"},
                     "annotations": ann},
        "spec": {
            "volumes": [
                {"name": "models", "persistentVolumeClaim": {"claimName": "sap-llm-models", "readOnly": True}},
                {"name": "cache", "emptyDir": {"medium": "Memory"}},
                {"name": "model-cache", "emptyDir": {"medium": "Memory"}},
            ],
            "containers": [{
                "name": "sap-llm",
                "image": image,
                "command": ["python3", "-m", "sap_llm.serve"],
                "args": ["--port=8080", "--model-dir=/models"],
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "envFrom": [{"configMapRef": {"name": "sap-llm-config"}}],
                "env": env,
                "resources": {"limits": {"memory": "12Gi", "nvidia.com/gpu": "1"},
                              "requests": {"cpu": "4", "memory": "8Gi"}},
                "volumeMounts": [
                    {"name": "models", "readOnly": True, "mountPath": "/models"},
                    {"name": "cache", "mountPath": "/tmp/cache"},
                    {"name": "model-cache", "mountPath": "/tmp/model_cache"},
                ],
                "livenessProbe": _probe("/healthz", 8080, 60, 20),
                "readinessProbe": _probe("/ready", 8080, 20, 10),
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent",
            }],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "nodeSelector": {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"},
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        },
    }


def simple(app: str, container: str, image: str, limit: str, request: str, cpu: str, port: int,
           gpu: bool = False, command: list[str] | None = None, env: list[dict] | None = None) -> dict[str, Any]:
    limits: dict[str, str] = {"memory": limit}
    if gpu:
        limits["nvidia.com/gpu"] = "1"
    c: dict[str, Any] = {
        "name": container,
        "image": image,
        "ports": [{"containerPort": port, "protocol": "TCP"}],
        "resources": {"limits": limits, "requests": {"cpu": cpu, "memory": request}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    }
    if command:
        c["command"] = command
    if env:
        c["env"] = env
    return {
        "metadata": {"labels": {"app": app, "app.kubernetes.io/name": app}},
        "spec": {"containers": [c], "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                 "dnsPolicy": "ClusterFirst", "securityContext": {}, "schedulerName": "default-scheduler"},
    }


def sap_llm_api() -> dict[str, Any]:
    return simple("sap-llm-api", "sap-llm-api", f"{REGISTRY}/sap-llm-api:1.8.3", "2Gi", "1Gi", "500m", 8000,
                  env=[{"name": "UPSTREAM", "value": "http://sap-llm.sap-llm.svc:8080"}])


def redis() -> dict[str, Any]:
    return simple("redis", "redis", "redis:7.2.4", "16Gi", "4Gi", "500m", 6379,
                  command=["redis-server", "/etc/redis/redis.conf"])


def sap_llm_eval() -> dict[str, Any]:
    t = simple("sap-llm-eval", "sap-llm", f"{REGISTRY}/sap-llm:2.15.0-rc1", "16Gi", "8Gi", "2", 8080, gpu=True,
               command=["python3", "-m", "sap_llm.eval"])
    return t


def feature_etl() -> dict[str, Any]:
    return simple("feature-etl", "etl", f"{REGISTRY}/feature-etl:0.9.2", "4Gi", "2Gi", "1", 9000)
