"""The cause ranking in the running app: at the top of the side panel at 80x24 with its facts, fix
keys and the key of the step that would make it surer; the fix groups follow it; every action's
audit entry holds it, and the postmortem export shows it.

The ranking itself is rank-core's (memtui.reasoning.ranking); here it is set by hand, through the
app's ``rank`` (each applied snapshot recomputes it), so each test knows exactly what the panel
must say."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from memtui.audit import export_timeline, load_entries, verify_log
from memtui.reasoning.model import CauseRanking, CauseScore, Fact, Gap
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.output_screen import OutputScreen
from memtui.widgets.ranking_panel import RankingPanel
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal

AT = datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc)


def leak_and_cache(computed_at: datetime = AT) -> CauseRanking:
    """A leak, with a cache bloat beside it; a heap profile (``h``) would settle the leak."""
    return CauseRanking(
        causes=(
            CauseScore("leak", 0.30, 0.82, (
                Fact("leak", 2.0, "+103 MiB/min steady for 40 min", "prometheus", "sap-llm-a"),
                Fact("leak", 1.5, "resumes after each restart", "history"),
                Fact("leak", 0.8, "gc freed 12 MiB token=hunter2", "log"),
            )),
            CauseScore("cache", 0.15, 0.58, (Fact("cache", 1.2, "maxmemory 0, noeviction", "redis"),)),
            CauseScore("model-loading", 0.35, 0.12, (Fact("model-loading", -1.0, "1 model load per start", "log"),)),
            CauseScore("batch", 0.20, 0.04),
        ),
        computed_at=computed_at, uncertain=False, evidence_at=computed_at,
        gaps=(Gap("no heap profile yet", "diagnose.heap-profile", "leak"), Gap("logs: forbidden (RBAC)")),
    )


def batch_first(computed_at: datetime = AT) -> CauseRanking:
    return CauseRanking(
        causes=(
            CauseScore("batch", 0.20, 0.77, (Fact("batch", 1.8, "spikes follow request rate", "prometheus"),)),
            CauseScore("leak", 0.30, 0.20),
            CauseScore("model-loading", 0.35, 0.10),
            CauseScore("cache", 0.15, 0.05),
        ),
        computed_at=computed_at, uncertain=False,
        gaps=(Gap("batch_size not seen in logs", "diagnose.logs-batch-size", "batch"),),
    )


def thin() -> CauseRanking:
    """Uncertain, even though one cause scores a little higher than its share."""
    causes = (CauseScore("leak", 0.30, 0.41, (Fact("leak", 0.4, "+20 MiB/min over 3 min", "metrics"),)),
              CauseScore("model-loading", 0.35, 0.35), CauseScore("batch", 0.20, 0.20), CauseScore("cache", 0.15, 0.15))
    return CauseRanking(causes, computed_at=AT, uncertain=True,
                        gaps=(Gap("no Prometheus: growth from memtui's own samples only"),
                              Gap("model and cache sizes not read", "diagnose.disk-models-cache", "model-loading")))


@pytest.fixture
def ranked(monkeypatch):
    """``ranked(ranking)``: from now on every applied snapshot ranks to ``ranking``."""
    current: list[CauseRanking] = []

    def fake_rank(state, now):
        return current[-1]

    def use(ranking: CauseRanking) -> None:
        current.append(ranking)

    monkeypatch.setattr("memtui.ui.app.rank", fake_rank)
    return use


async def started(pilot, app) -> None:
    await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
    await pilot.pause()


def panel_text(app) -> str:
    return app.query_one(RankingPanel).render().plain


async def test_80x24_shows_the_ranking_with_facts_sources_and_the_top_causes_fix_keys(sim, make_app, ranked, tmp_path):
    ranked(leak_and_cache())
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        panel = app.query_one(RankingPanel)
        region = panel.region
        assert panel.display and region.right <= 80 and region.bottom <= 24 and region.height >= 8, region
        assert not app.query_one("#incident").display  # the selected pod's facts stepped aside
        lines = panel_text(app).splitlines()
        assert len(lines) <= region.height  # nothing cut off at the bottom
        top = lines[0]
        assert top.startswith("▶") and "82% Memory leak" in top
        keys = [app.keymap_actions[a] for a in ("fix.python-unbuffered", "fix.force-gc", "fix.rollout-restart")]
        assert all(f" {k}" in top for k in keys), top  # compact: the fix keys on the cause's line
        assert any(line.strip().startswith("prom") and "+103 MiB/min" in line for line in lines)
        assert any(line.strip().startswith("hist") for line in lines)
        second = next(line for line in lines if "58% Cache bloat" in line)
        assert app.keymap_actions["fix.redis-eviction-policy"] in second
        assert any(line.strip().startswith("redis") for line in lines)
        assert any("surer" in line and " h " in line and "Heap profile" in line for line in lines)
        assert any("missing" in line and "RBAC" in line for line in lines)
        assert all(len(line) <= region.width for line in lines)


async def test_160x48_shows_the_ranking_above_the_selected_pod_with_priors(sim, make_app, ranked, tmp_path):
    ranked(leak_and_cache())
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        assert app.query_one("#incident").display
        assert app.query_one(RankingPanel).region.bottom <= app.query_one("#incident").region.y
        text = panel_text(app)
        assert "Cause ranked" in text and "(prior 30%)" in text
        assert text.index("Memory leak") < text.index("Cache bloat") < text.index("Model loading")
        assert "fix U G R" in text


async def test_uncertain_ranking_says_so_in_the_runbooks_order_and_what_is_missing(sim, make_app, ranked, tmp_path):
    ranked(thin())
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        text = panel_text(app)
        assert "uncertain" in text and "▶" not in text and "fix " not in text  # no verdict, no fix keys
        # the runbook's fixed order, not by score (leak scores highest here)
        assert text.index("Model loading") < text.index("Memory leak") < text.index("Large batches")
        assert "missing no Prometheus" in text
        assert "surer  d Disk: models and caches" in text or "surer  d " in text
        panel = app.query_one(ActionsPanel)
        assert panel.group_order() == ("model-loading", "leak", "batch", "cache", None)  # the runbook's shares


async def test_pressing_the_suggested_diagnose_key_runs_that_step_and_audits_the_ranking(sim, make_app, ranked,
                                                                                        tmp_path):
    audit = tmp_path / "audit.jsonl"
    ranked(thin())
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        panel = app.query_one(RankingPanel)
        gap = next(g for g in app.ranking.gaps if g.action_id)
        key = panel.gap_key(gap)
        assert key and f"surer {key:>2} " in panel_text(app)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, OutputScreen), timeout=15)
        await pilot.press("escape")
    (read,) = [e for e in load_entries(audit) if e.kind == "read"]
    assert read.action == gap.action_id == "diagnose.disk-models-cache"
    assert read.ranking["uncertain"] is True
    assert [c["cause"] for c in read.ranking["causes"]] == ["leak", "model-loading", "batch", "cache"]


async def test_a_fix_audits_the_ranking_redacted_and_chained_and_the_export_shows_it(sim, make_app, ranked, tmp_path):
    audit = tmp_path / "audit.jsonl"
    ranked(leak_and_cache())
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await open_modal(pilot, app, "G")  # fix.force-gc, the top cause's fix
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
    entries = list(load_entries(audit))
    intent = next(e for e in entries if e.kind == "intent" and e.action == "fix.force-gc")
    ranking = intent.ranking
    assert [(c["cause"], c["confidence"], c["prior"]) for c in ranking["causes"]][:2] == [
        ("leak", 0.82, 0.30), ("cache", 0.58, 0.15)]
    facts = ranking["causes"][0]["facts"]
    assert [(f["source"], f["pod"]) for f in facts][:2] == [("prometheus", "sap-llm-a"), ("history", None)]
    assert "hunter2" not in audit.read_text() and "token=***" in facts[2]["text"]  # log text redacted
    assert [g["action_id"] for g in ranking["gaps"]] == ["diagnose.heap-profile", None]
    assert verify_log(audit).ok  # the chain covers it

    markdown = export_timeline(load_entries(audit), fmt="md")
    row = next(line for line in markdown.splitlines() if "`fix.force-gc`" in line and line.startswith("|"))
    assert row.rstrip(" |").endswith("Memory leak 82%, Cache bloat 58%, Model loading 12%, Large batches 4%")
    why = markdown[markdown.index("## Why each action was chosen"):]
    assert "Memory leak 82% (prior 30%): +103 MiB/min steady for 40 min [prometheus]" in why
    assert "missing: no heap profile yet (diagnose.heap-profile); logs: forbidden (RBAC)" in why
    document = json.loads(export_timeline(load_entries(audit), fmt="json"))
    action = next(r for r in document["rows"] if r["action"] == "fix.force-gc")
    assert action["causes"].startswith("Memory leak 82%")
    csv_text = export_timeline(load_entries(audit), fmt="csv")
    assert csv_text.splitlines()[0].endswith(",causes") and "Memory leak 82%" in csv_text


async def test_fix_groups_follow_the_ranking_and_the_cursor_stays_on_its_action(sim, make_app, ranked, tmp_path):
    ranked(leak_and_cache())
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        panel = app.query_one(ActionsPanel)
        options = panel.query_one("#action-list")
        assert panel.group_order() == ("leak", "cache", "model-loading", "batch", None)
        heading = options.get_option("group:leak").prompt.plain
        assert heading == "Fix · Memory leak 82% (30%)"
        await pilot.press("a")
        options.highlighted = options.get_option_index("fix.reduce-batch-size")
        rebuilds = panel.rebuilds
        # the same ranking computed again (a new refresh): nothing is rebuilt
        ranked(leak_and_cache(computed_at=datetime(2026, 3, 14, 9, 31, tzinfo=timezone.utc)))
        app.action_refresh_now()
        await wait_for(pilot, lambda: app.ranking.computed_at.minute == 31)
        await pilot.pause()
        assert panel.rebuilds == rebuilds
        # the evidence moves on: batches first; the cursor stays on the action it was on
        ranked(batch_first())
        app.action_refresh_now()
        await wait_for(pilot, lambda: panel.group_order()[0] == "batch")
        assert panel.rebuilds == rebuilds + 1
        assert options.get_option_at_index(options.highlighted).id == "fix.reduce-batch-size"
        assert options.get_option("group:batch").prompt.plain == "Fix · Large batches 77% (20%)"
        assert "Cause ranked" in panel_text(app) and "77% Large batches" in panel_text(app)


async def test_a_suggested_step_the_operator_cannot_run_yields_to_one_they_can(sim, make_app, ranked, tmp_path):
    # diagnose.memory-growth needs Prometheus, which this app does not have
    ranking = leak_and_cache()
    ranked(CauseRanking(ranking.causes, computed_at=AT, uncertain=False,
                        gaps=(Gap("growth not from deriv()", "diagnose.memory-growth", "leak"), *ranking.gaps)))
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: "diagnose.memory-growth" in app.query_one(RankingPanel).permissions)
        await pilot.pause()
        lines = panel_text(app).splitlines()
        first = next(line for line in lines if line.startswith("surer"))
        assert " h " in first and "Heap profile" in first  # the one they can run, first
        assert any(" f " in line and "Memory growth" in line for line in lines)  # still there, struck through


async def test_80x24_with_the_actions_list_focused_the_ranking_keeps_only_its_causes_lines(sim, make_app, ranked,
                                                                                         tmp_path):
    ranked(leak_and_cache())
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        full = panel_text(app).splitlines()
        await pilot.press("a")
        await wait_for(pilot, lambda: app.query_one(RankingPanel).minimal)
        await pilot.pause()
        lines = panel_text(app).splitlines()
        assert len(lines) == 2 < len(full)
        assert lines[0].startswith("▶ 82% Memory leak") and "fix U G R" in lines[0] and "58% Cache bloat" in lines[1]
        assert app.query_one("#action-list").region.height >= 10
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.query_one(RankingPanel).minimal)
        await pilot.pause()
        assert panel_text(app).splitlines() == full
