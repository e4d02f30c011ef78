"""Demo mode: the simulated incident, a local Prometheus, their working folder and child processes."""
