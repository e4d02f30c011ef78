"""One client layer for every backend: Kubernetes, Prometheus, Redis, NVML. Used by sources, executor and audit."""
