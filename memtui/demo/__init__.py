"""Demo mode: the simulated incident, a local Prometheus, their working folder and child processes; and
the cause ranking run against the simulator (ranking_run) that tests/reasoning and bench/ranking.py score."""
