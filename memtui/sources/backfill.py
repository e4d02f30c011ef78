"""The last hour from Prometheus, read once at start so sparklines are full the moment memtui starts."""

from __future__ import annotations

from datetime import timedelta

from memtui.clients.errors import SourceError
from memtui.sources.prometheus import PrometheusSource
from memtui.state.snapshots import BackfillSnapshot, Samples

WINDOW = timedelta(hours=1)


class PrometheusBackfill:
    """Range queries of the pane's own working-set (and DCGM) queries over ``WINDOW``."""

    def __init__(self, prometheus: PrometheusSource, *, with_gpu: bool) -> None:
        self.prometheus = prometheus
        self.with_gpu = with_gpu

    def fetch(self, points: int) -> BackfillSnapshot:
        """About ``points`` samples per series (what a history ring holds: given by the main thread)."""
        prometheus = self.prometheus
        memory = prometheus.history(prometheus.queries.working_set, duration=WINDOW, points=points)
        gpu: dict[str, Samples] = {}
        if self.with_gpu:
            try:
                gpu = prometheus.history(prometheus.queries.gpu_used, duration=WINDOW, points=points)
            except SourceError:
                gpu = {}  # no DCGM series: the GPU pane says so on its own
        return BackfillSnapshot(memory=memory, gpu=gpu)

