"""The alert is the incident's start: Alertmanager's ``startsAt``, else Prometheus's
``ALERTS_FOR_STATE``, else the first crossing of the current episode; the header says which.

A real Prometheus scrapes the simulator and evaluates the runbook's rule (working set > 10 GB per
pod); it sends what fires to a real Alertmanager, which memtui reads with ``--alertmanager-url``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from memtui.clients.alertmanager import parse_time
from memtui.clients.prometheus import Queries
from memtui.state.incident import BASIS_ALERTMANAGER, BASIS_CROSSING, BASIS_PROMETHEUS, current_run_start
from memtui.widgets.incident_header import IncidentHeader
from tests.alerts.conftest import NAMESPACE, am_alerts, pods_over_10gb, poll, prometheus_query
from tests.app.conftest import wait_for


def _sap_llm_alerts(alertmanager) -> list[dict]:
    return [a for a in am_alerts(alertmanager) if a["labels"].get("namespace") == NAMESPACE]


def _header(app) -> str:
    return app.query_one(IncidentHeader).render().plain


def _since(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


async def test_the_header_shows_the_alerts_starts_at_and_basis(sim, make_app, alertmanager, alerting_prometheus):
    alerts = poll(lambda: _sap_llm_alerts(alertmanager))
    over = pods_over_10gb(sim)
    assert over and {a["labels"]["pod"] for a in alerts} == over  # the rule fired for exactly those pods
    # another team's namespace fires too (ml-batch runs pods named sap-llm-eval-…): not ours
    assert any(a["labels"]["namespace"] != NAMESPACE for a in am_alerts(alertmanager))
    expected = min(parse_time(a["startsAt"]) for a in alerts)

    app = make_app(alertmanager_url=alertmanager.url, prometheus_url=alerting_prometheus.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_ALERTMANAGER, timeout=20)
        incident = app.state.incident
        assert incident.started_at == expected
        assert {a.pod for a in incident.alerts} == over
        assert all(a.labels["namespace"] == NAMESPACE for a in incident.alerts)
        await pilot.pause(0.1)
        header = _header(app)
        assert f"since {_since(expected)} (Alertmanager startsAt)" in header
        assert f"{len(over)} alert{'' if len(over) == 1 else 's'} firing: " in header
        for pod in over:
            assert pod in header
        assert "silenced" not in header
        assert "sap-llm-eval" not in header


async def test_the_clock_falls_back_to_alerts_for_state_when_alertmanager_goes_down(
        sim, make_app, alertmanager, alerting_prometheus):
    poll(lambda: _sap_llm_alerts(alertmanager))
    app = make_app(alertmanager_url=alertmanager.url, prometheus_url=alerting_prometheus.url, request_timeout=1.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_ALERTMANAGER, timeout=20)
        alertmanager.stop()
        await wait_for(pilot, lambda: app.state.health["alertmanager"].stale, timeout=20)
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_PROMETHEUS, timeout=20)
        series = prometheus_query(alerting_prometheus.url, Queries(NAMESPACE).alerts_for_state)
        expected = datetime.fromtimestamp(min(float(s["value"][1]) for s in series), timezone.utc)
        assert app.state.incident.started_at == expected
        assert {a.pod for a in app.state.incident.alerts} == {s["metric"]["pod"] for s in series} == pods_over_10gb(sim)
        await pilot.pause(0.1)
        header = _header(app)
        assert f"since {_since(expected)} (Prometheus ALERTS_FOR_STATE)" in header
        assert "alertmanager stale since" in header


async def test_without_alertmanager_prometheus_alerts_for_state_dates_the_incident(sim, make_app, rule_prometheus):
    series = poll(lambda: prometheus_query(rule_prometheus.url, Queries(NAMESPACE).alerts_for_state))
    app = make_app(prometheus_url=rule_prometheus.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_PROMETHEUS, timeout=20)
        expected = datetime.fromtimestamp(min(float(s["value"][1]) for s in series), timezone.utc)
        assert app.state.incident.started_at == expected
        assert app.state.health["alertmanager"].enabled is False
        assert "no --alertmanager-url" in app.state.health["alertmanager"].detail


async def test_without_either_the_start_is_the_first_crossing_not_the_earliest_oom_kill(sim, make_app, prometheus):
    """Prometheus without the rule, no Alertmanager: the history dates the episode."""
    over = pods_over_10gb(sim)
    app = make_app(prometheus_url=prometheus.url)
    async with app.run_test(size=(160, 48)) as pilot:
        backfilled = (sim.now() - timedelta(minutes=30)).timestamp()

        def history_backfilled() -> bool:
            series = [app.state.history.get(pod) for pod in over]
            return all(s is not None and len(s) and s.samples()[0][0] < backfilled for s in series)

        await wait_for(pilot, history_backfilled, timeout=30)
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_CROSSING, timeout=20)
        incident = app.state.incident
        # independently: the current run above 10**10 bytes of each pod over it, in Prometheus's own samples
        query = Queries(NAMESPACE).working_set
        end = sim.now()
        runs = []
        for pod in over:
            samples = _range(prometheus.url, query, pod, end - timedelta(hours=1), end)
            runs.append(current_run_start(samples, 10**10))
        assert None not in runs
        crossing = datetime.fromtimestamp(min(runs), timezone.utc)
        assert abs((incident.started_at - crossing).total_seconds()) <= 60  # the history's step is 20 s
        kills = [t for t in app.state.ledger.times() if t is not None]
        # the simulated incident has OOM kills older than this episode: they are evidence, not its start
        assert kills and min(kills) < incident.started_at - timedelta(minutes=15)
        await pilot.pause(0.1)
        assert f"since {_since(incident.started_at)} (first crossing seen)" in _header(app)


def _range(url: str, promql: str, pod: str, start: datetime, end: datetime) -> list[tuple[float, float]]:
    import json
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"query": promql, "start": start.timestamp(), "end": end.timestamp(), "step": "15"})
    with urllib.request.urlopen(f"{url}/api/v1/query_range?{query}", timeout=10) as response:
        result = json.loads(response.read().decode())["data"]["result"]
    series = next(r for r in result if r["metric"].get("pod") == pod)
    return [(float(t), float(v)) for t, v in series["values"]]


async def test_the_header_says_which_alerts_a_silence_covers(sim, make_app, alertmanager, alerting_prometheus):
    """A silence made elsewhere (amtool, the Alertmanager UI): the alerts still fire and still date
    the incident, and the header says they are silenced."""
    from memtui.clients.alertmanager import AlertmanagerClient, Matcher, silence_body

    alerts = poll(lambda: _sap_llm_alerts(alertmanager))
    now = datetime.now(timezone.utc)
    body = silence_body([Matcher("alertname", "MemoryUsageHigh"), Matcher("namespace", NAMESPACE)], starts_at=now,
                        ends_at=now + timedelta(hours=1), created_by="test", comment="fixing")
    silence_id = AlertmanagerClient(alertmanager.url, timeout=2.0).create_silence(body)
    poll(lambda: all(a["status"]["silencedBy"] == [silence_id] for a in _sap_llm_alerts(alertmanager)))
    app = make_app(alertmanager_url=alertmanager.url, prometheus_url=alerting_prometheus.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.incident.basis == BASIS_ALERTMANAGER, timeout=20)
        assert all(a.silenced_by == (silence_id,) for a in app.state.incident.alerts)
        assert app.state.incident.started_at == min(parse_time(a["startsAt"]) for a in alerts)
        await pilot.pause(0.1)
        assert "(all silenced)" in _header(app)
    # the other namespace's alerts are not covered: the matchers named ours
    assert all(not a["status"]["silencedBy"] for a in am_alerts(alertmanager) if a["labels"]["namespace"] != NAMESPACE)
