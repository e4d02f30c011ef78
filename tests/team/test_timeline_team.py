"""build_timeline with the team's changes: rows of kind team in time order, within --since, once each."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from memtui.audit.timeline import build_timeline
from memtui.state.snapshots import FieldChange, TeamChange

T0 = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)


def _change(minutes, key, **kw) -> TeamChange:
    values = dict(kind="ConfigMap", name="llm-config", what="config", summary="batch_size 64→32",
                  changes=(FieldChange("data.batch_size", "64", "32"),), manager="kubectl-patch", operation="Update")
    values.update(kw)
    return TeamChange(at=T0 + timedelta(minutes=minutes), key=key, **values)


def test_team_rows_in_time_order_within_since_and_once_each():
    scale = _change(9, "d/2", kind="Deployment", name="llm-api", what="scale", summary="replicas 3→5",
                    manager="kube-controller-manager", subresource="scale")
    other = _change(6, "event/e1", kind="MemtuiAction", name="configmap/llm-config", what="memtui-action",
                    summary="Limit concurrency [fix.limit-concurrency]", manager="memtui", operation=None,
                    user="oncall-2 (bob@laptop2)")
    early = _change(-30, "c/1")
    timeline = build_timeline([], since=T0, team=[scale, _change(4, "c/7"), other, _change(4, "c/7"), early])
    rows = timeline.rows
    assert [r.number for r in rows] == [1, 2, 3] and all(r.kind == "team" for r in rows)
    assert [(f"{r.time:%H:%M}", r.who, r.action, r.target, r.effect) for r in rows] == [
        ("20:04", "kubectl-patch (Update)", "team: config", "ConfigMap/llm-config", "batch_size 64→32"),
        ("20:06", "oncall-2 (bob@laptop2) (memtui)", "team: memtui-action", "configmap/llm-config",
         "Limit concurrency [fix.limit-concurrency]"),
        ("20:09", "kube-controller-manager (Update scale)", "team: scale", "Deployment/llm-api", "replicas 3→5"),
    ]
    assert timeline.summary.team == 3 and timeline.summary.actions == 0
    assert [c.key for c in timeline.team] == ["c/7", "event/e1", "d/2"]
