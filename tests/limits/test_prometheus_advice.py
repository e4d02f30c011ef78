"""The advice against a real Prometheus scraping the simulator (2 h backfilled): the window is what
Prometheus holds, the peak is its max, and the modal proposes the computed value, not 16Gi."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

from textual.widgets import Input

from memtui.reasoning.limit_advice import round_up
from tests.app.test_actions import open_modal

GiB = 2**30


def instant(url: str, query: str) -> float:
    """A query of our own, straight over HTTP (not memtui's code path)."""
    with urllib.request.urlopen(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': query})}", timeout=10) as r:
        return float(json.load(r)["data"]["result"][0]["value"][1])


def test_the_advice_takes_the_peak_over_what_prometheus_holds(sim, prometheus, make_rig, catalogue):
    rig = make_rig(sim, prometheus_url=prometheus.url)
    action = catalogue.get("fix.raise-memory-limit")
    ctx = rig.ctx()
    values = rig.executor.initial_values(action, ctx)
    plan = rig.executor.plan(action, values, ctx)
    record = plan.before["limit_advice"]
    assert record["source"] == "prometheus"
    assert 1.9 * 3600 <= record["held_s"] <= 2.1 * 3600  # the 2 h backfill is all it holds
    assert record["window_s"] == record["held_s"]
    peak = instant(prometheus.url, 'max(max_over_time(container_memory_working_set_bytes{namespace="sap-llm",'
                                   'container="sap-llm"}[3h]))')
    assert record["peak_bytes"] == int(peak)
    expected, _ = round_up(peak + round(peak * 0.15))  # no growth in the context: no growth term
    assert values == {"limit": f"{expected // GiB}Gi"} and values != {"limit": "16Gi"}
    assert re.match(r"from Prometheus: peak working set of sap-llm in deployment/sap-llm over (1 h 5\d min|2 h) ",
                    plan.advice[0]), plan.advice[0]
    assert plan.advice[0].endswith("(all Prometheus holds)")
    # the peak of an OOM-killed pod is its limit: the advice says the history is censored
    assert record["censored"] and any("the pods were stopped there" in line for line in plan.advice)


async def test_the_modal_proposes_the_advised_limit_and_shows_how(sim, prometheus, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), prometheus_url=prometheus.url)
    from tests.app.conftest import wait_for
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None, timeout=20)
        await wait_for(pilot, lambda: any(r.growth_source == "deriv" for r in app.state.rows), timeout=20)
        modal = await open_modal(pilot, app, "L")
        value = modal.query_one("#param-limit", Input).value
        assert value != "16Gi" and value == modal.plan.before["limit_advice"]["proposed"]
        text = str(modal.query_one("#plan").render())
        assert "Advice (from history)" in text and "from Prometheus: peak working set" in text
        assert "headroom 15%" in text and f"rounded up to the next 1Gi: {value}" in text
        assert "Checks before sending" in text and "✓ LimitRange sap-llm-limits" in text
        note = str(modal.query_one("#advice-note").render())
        assert note.startswith(f"ℹ advised {value} (peak")
        modal.query_one("#param-limit", Input).value = "40Gi"  # above the LimitRange's 32Gi
        await wait_for(pilot, lambda: modal.plan.values.get("limit") == "40Gi", timeout=15)
        assert modal.query_one("#apply").disabled
        assert "✗ LimitRange sap-llm-limits: max 32Gi per container" in str(modal.query_one("#advice-note").render())
        assert "1 check failed" in str(modal.query_one("#status").render())
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert not [e for e in sim.journal() if e.method == "PATCH" and not e.dry_run
                    and e.path.endswith("/deployments/sap-llm")]


def test_the_exports_container_peaks_are_prometheus_own(sim, prometheus):
    from datetime import timedelta

    from memtui.audit.limits import Affected, advice_after_fix, limit_lines
    from memtui.audit.prometheus import container_peaks
    from memtui.audit.times import utc_now

    end = utc_now()
    start = end - timedelta(hours=1)
    peaks = container_peaks(prometheus.url, "sap-llm", "sap-llm", start, end)
    assert [p.container for p in peaks] == ["sap-llm"]  # sap-llm-api's pods are another deployment
    direct = instant(prometheus.url, 'max(max_over_time(container_memory_working_set_bytes{namespace="sap-llm",'
                                     'container="sap-llm"}[3600s]))')
    assert abs(peaks[0].peak_bytes - direct) <= 1
    affected = Affected("sap-llm", "sap-llm", start, "fix.rollout-restart")
    (advice,) = advice_after_fix(affected, end, peaks)
    assert advice.history.source == "prometheus" and advice.peak_bytes == peaks[0].peak_bytes
    (line,) = limit_lines(affected, [advice])
    assert line.startswith(f"- deployment/sap-llm container sap-llm: **{advice.quantity}** (peak ")
    assert "Prometheus, 1 h after fix.rollout-restart" in line
