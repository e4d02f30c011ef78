"""Prometheus exposition (placeholder until the metrics module lands)."""


def exposition(cluster, now):
    return ""
