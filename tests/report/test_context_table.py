"""``memtui audit export`` reads Prometheus as the log's context's panes did: the config file's
``[contexts."NAME"]`` table for the context the log names, and ``{context}`` in its matchers.

The simulator's Prometheus labels its series ``job="memtui-sim"``, the context of the incident's
log: ``job="{context}"`` finds them only once ``{context}`` is the log's."""

from __future__ import annotations

import pytest

from tests.report.conftest import export

CHART = "Pod memory, working set (GiB)"


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("MEMTUI_CONFIG", str(path))
    return path


def test_the_logs_context_table_and_its_context_placeholder_choose_the_series(incident, config_file, capsys):
    config_file.write_text('prometheus_matchers = \'job="elsewhere"\'\n\n'
                           '[contexts."memtui-sim"]\nprometheus_matchers = \'job="{context}"\'\n')
    assert export(incident, "md", None) == 0
    assert CHART in capsys.readouterr().out


def test_another_contexts_table_leaves_the_top_level(incident, config_file, capsys):
    config_file.write_text('prometheus_matchers = \'job="elsewhere"\'\n\n'
                           '[contexts."prod-eu-1"]\nprometheus_matchers = \'job="memtui-sim"\'\n')
    assert export(incident, "md", None) == 0
    assert CHART not in capsys.readouterr().out
