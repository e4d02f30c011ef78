"""After a rollout restart the OOM evidence vanishes from the cluster (new pods have no
lastState; the runbook's jsonpath | grep OOM finds nothing).  memtui keeps it."""

from __future__ import annotations

from memtui.widgets.side_panel import SidePanel
from tests.app.conftest import wait_for

OOM_JSONPATH = (
    "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}"
    "{.status.containerStatuses[0].lastState.terminated.reason}{\"\\n\"}{end}"
)


async def test_oom_kills_survive_a_rollout_restart(sim, make_app, kubectl, prometheus):
    oom_pods = {p for p, t in sim.truth().items() if t.last_terminated_reason == "OOMKilled"}
    app = make_app(prometheus_url=prometheus.url)
    async with app.run_test(size=(160, 48)) as pilot:
        # the kills, and the incident's clock: it needs the pods' memory too (the metrics API or
        # Prometheus), which may come a refresh after the listing on a loaded machine
        await wait_for(pilot, lambda: oom_pods <= {s.pod for s in app.state.oom_summary()}
                       and app.state.incident.started_at is not None)
        assert not any(s.gone for s in app.state.oom_summary())  # all still listed

        restart = kubectl("rollout", "restart", "deployment/sap-llm", "-n", "sap-llm")
        assert restart.returncode == 0, restart.stderr
        sim.advance(60)
        await wait_for(pilot, lambda: not oom_pods & {p.name for p in app.state.snapshot.pods}, timeout=20)

        # the cluster forgot: the runbook's own check finds no OOMKilled pod any more
        listing = kubectl("get", "pods", "-n", "sap-llm", "-o", OOM_JSONPATH)
        assert "OOMKilled" not in listing.stdout

        # memtui did not
        summaries = {s.pod: s for s in app.state.oom_summary()}
        for pod in oom_pods:
            assert summaries[pod].gone and summaries[pod].kills >= 1
        side = app.query_one(SidePanel).render().plain
        assert "OOM kills (this incident)" in side
        # each line ends the pod's name and says why it died: at its own limit here
        assert any(f"{pod[-13:]} ×{summaries[pod].kills}" in side for pod in oom_pods)
        assert all(summaries[pod].latest.kind.short == "limit" for pod in oom_pods)
        assert " limit gone" in side
        # the clock follows the alert (here: the first crossing), never the kills
        # (memtui.state.incident): a kill is evidence, not the incident's start
        assert app.state.incident.basis in ("", "first crossing seen")
        kill_times = {k.finished_at for k in app.state.ledger.kills()}
        assert app.state.incident.started_at not in kill_times
