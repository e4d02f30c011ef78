"""Kubernetes: connection as kubectl reads it, REST parsing, exec on its own ApiClient, informer."""
