"""The Alertmanager client against a real Alertmanager: what it reads, and how it fails."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from memtui.clients.alertmanager import AlertmanagerClient, Matcher, matcher_text, parse_time, silence_body
from memtui.clients.errors import SourceError
from memtui.config.settings import SettingsError, load_settings
from memtui.sources.alerts import AlertSource
from tests.servers import free_port

NOW = datetime.now(timezone.utc)


def _alert(namespace: str, pod: str, starts: datetime) -> dict:
    return {"labels": {"alertname": "MemoryUsageHigh", "namespace": namespace, "pod": pod},
            "startsAt": starts.isoformat(), "endsAt": (NOW + timedelta(hours=1)).isoformat()}


def test_reads_only_the_namespaces_firing_memory_usage_high(alertmanager):
    alertmanager.post_alerts([
        _alert("sap-llm", "sap-llm-a", NOW - timedelta(minutes=9)),
        _alert("sap-llm", "sap-llm-b", NOW - timedelta(minutes=4)),
        _alert("sap-llm-staging", "sap-llm-c", NOW - timedelta(minutes=30)),  # a prefix is not a match
        {"labels": {"alertname": "KubePodCrashLooping", "namespace": "sap-llm", "pod": "sap-llm-a"},
         "startsAt": (NOW - timedelta(hours=2)).isoformat()},
    ])
    snapshot = AlertSource(alertmanager.url, "sap-llm", timeout=2.0).fetch()
    assert sorted(a.pod for a in snapshot.alerts) == ["sap-llm-a", "sap-llm-b"]
    starts = {a.pod: a.starts_at for a in snapshot.alerts}
    assert abs(starts["sap-llm-a"] - (NOW - timedelta(minutes=9))) < timedelta(milliseconds=1)
    assert all(not a.silenced and a.state == "active" for a in snapshot.alerts)


def test_a_namespace_with_quotes_is_a_literal_match(alertmanager):
    """The filter is a matcher expression: the value is quoted, so it cannot widen the match."""
    alertmanager.post_alerts([_alert("sap-llm", "sap-llm-a", NOW)])
    assert AlertmanagerClient(alertmanager.url, timeout=2.0).firing('sap-llm", namespace=~".*') == ()
    assert matcher_text("namespace", 'a"b') == 'namespace="a\\"b"'


def test_connection_refused_is_one_typed_line():
    client = AlertmanagerClient(f"http://127.0.0.1:{free_port()}", timeout=1.0)
    with pytest.raises(SourceError) as caught:
        client.firing("sap-llm")
    assert caught.value.source == "alertmanager"
    assert caught.value.reason.endswith("connection refused")


def test_an_http_error_carries_alertmanagers_message(alertmanager):
    body = silence_body([Matcher("alertname", "MemoryUsageHigh")], starts_at=NOW, ends_at=NOW - timedelta(hours=1),
                        created_by="test", comment="ends before it starts")
    with pytest.raises(SourceError) as caught:
        AlertmanagerClient(alertmanager.url, timeout=2.0).create_silence(body)
    assert "HTTP 400" in caught.value.reason and "\n" not in caught.value.reason


def test_api_times_with_nanoseconds_parse():
    assert parse_time("2026-12-02T02:41:07.123456789Z") == datetime(2026, 12, 2, 2, 41, 7, 123456, tzinfo=timezone.utc)
    assert parse_time("0001-01-01T00:00:00Z") is not None
    assert parse_time("not a time") is None and parse_time(None) is None


@pytest.mark.parametrize("url, problem", [
    ("ftp://am:9093", "must start with http:// or https://"),
    ("http://", "names no host"),
    ("http://am:99999", "port must be 1-65535"),
])
def test_a_bad_alertmanager_url_is_refused_with_where_it_came_from(url, problem):
    with pytest.raises(SettingsError) as caught:
        load_settings({"alertmanager_url": url}, environ={}, config_path=None)
    assert str(caught.value).startswith("--alertmanager-url ") and problem in str(caught.value)
    with pytest.raises(SettingsError) as caught:
        load_settings({}, environ={"MEMTUI_ALERTMANAGER_URL": url})
    assert str(caught.value).startswith("MEMTUI_ALERTMANAGER_URL ")


def test_the_alertmanager_url_comes_from_the_environment_and_the_config_file(tmp_path):
    assert load_settings({}, environ={"MEMTUI_ALERTMANAGER_URL": "http://am:9093"}).alertmanager_url == "http://am:9093"
    config = tmp_path / "config.toml"
    config.write_text('alertmanager-url = "https://am.example:9093/"\n')
    assert load_settings({}, environ={}, config_path=config).alertmanager_url == "https://am.example:9093/"
