"""The Kubernetes REST API surface of the simulator (one module per concern)."""
