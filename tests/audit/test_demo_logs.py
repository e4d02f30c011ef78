"""Each demo run writes its own audit log, so drills never mix, and ``--demo`` finds the latest.

Before, ``memtui --demo --scenario leak`` and ``--scenario cache-bloat`` both wrote
``memtui-sim__sap-llm.jsonl``: a drill's postmortem timeline held the previous drills too.
"""

from __future__ import annotations

from memtui.audit import load_entries, verify_log
from memtui.audit.cli import main
from memtui.widgets.output_screen import OutputScreen

from tests.app.conftest import wait_for


async def drill(make_app, handle, scenario):
    """One demo run: the app in demo mode on the simulator, one audited diagnose step."""
    app = make_app(handle=handle, demo=True, scenario=scenario)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("l")  # diagnose.logs-memory, audited as a read
        await wait_for(pilot, lambda: isinstance(app.screen, OutputScreen), timeout=15)
        await pilot.press("escape")
    return app.audit_path


async def test_every_demo_run_has_its_own_log(sim_factory, make_app, capsys, private_state_dir):
    leak = await drill(make_app, sim_factory(scenario="leak"), "leak")
    bloat = await drill(make_app, sim_factory(scenario="cache-bloat"), "cache-bloat")
    leak_again = await drill(make_app, sim_factory(scenario="leak"), "leak")

    assert len({leak, bloat, leak_again}) == 3
    assert {p.parent for p in (leak, bloat, leak_again)} == {private_state_dir / "memtui" / "audit" / "demo"}
    assert leak.name.endswith("-leak.jsonl") and bloat.name.endswith("-cache-bloat.jsonl")
    for path in (leak, bloat, leak_again):  # one drill each, chains intact
        assert [e.action for e in load_entries(path)] == ["diagnose.logs-memory"]
        assert verify_log(path).ok

    code, out, err = main(["export", "--demo", "--format", "csv"]), *capsys.readouterr()
    assert code == 0 and out.count("diagnose.logs-memory") == 1, err
    assert main(["path", "--demo"]) == 0 and capsys.readouterr()[0] == f"{leak_again}\n"
    assert main(["path", "--demo", "cache-bloat"]) == 0 and capsys.readouterr()[0] == f"{bloat}\n"
    assert main(["verify", "--demo", "leak"]) == 0 and f"({leak_again})" in capsys.readouterr()[0]


def test_no_demo_run_yet_is_one_line(capsys):
    assert main(["export", "--demo"]) == 2
    err = capsys.readouterr()[1]
    assert err.count("\n") == 1 and "no audit log of a demo run" in err
