"""Every screenshot is a snapshot test: the README's pictures are what the app draws today.

A mismatch writes snapshot_report.html (both pictures side by side). When the change is meant,
update the snapshots and the screenshots together:

    .venv/bin/python -m pytest tests/snapshots --snapshot-update && .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import pytest

from tests.snapshots.shots import SHOTS, Shot, shot_app


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_shot(shot: Shot, snap_compare, tmp_path) -> None:
    with shot_app(shot, tmp_path) as (app, run_before):
        assert snap_compare(app, terminal_size=shot.size, run_before=run_before)
