from datetime import datetime, timedelta, timezone

from memtui.state.incident import (
    BASIS_ALERTMANAGER,
    BASIS_CROSSING,
    BASIS_PROMETHEUS,
    IncidentClock,
    current_run_start,
    escalation_for,
    first_crossing,
)

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)


def minutes(n: float) -> datetime:
    return NOW - timedelta(minutes=n)


def test_escalation_levels_are_the_runbooks():
    assert escalation_for(timedelta(minutes=0)).level == 1
    assert escalation_for(timedelta(minutes=14, seconds=59)).level == 1
    assert escalation_for(timedelta(minutes=15)).level == 2
    assert escalation_for(timedelta(minutes=29)).level == 2
    assert escalation_for(timedelta(minutes=30)).level == 3
    assert escalation_for(timedelta(hours=5)).who == "architecture team"


def test_a_crossing_seen_now_starts_the_clock_now():
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3)
    assert status.started_at == NOW and status.basis == BASIS_CROSSING
    assert status.escalation(NOW).level == 1


def test_the_crossing_is_the_start_of_the_current_run_above_the_threshold():
    t0 = NOW.timestamp()
    # above 10, dipped (an OOM kill), above again since t0-600: the episode began at t0-600
    samples = [(t0 - 3000, 12.0), (t0 - 2400, 13.0), (t0 - 1200, 1.0), (t0 - 600, 11.0), (t0 - 300, 12.0), (t0, 14.0)]
    assert current_run_start(samples, 10.0) == t0 - 600
    assert current_run_start(samples[:3], 10.0) is None  # the newest sample is under: no run now
    other = [(t0 - 900, 10.5), (t0, 11.0)]
    assert first_crossing([samples, other], 10.0) == minutes(15)  # the earliest current run of any pod


def test_oom_kills_do_not_date_the_incident():
    """The clock no longer follows OOM kills back: an hour-old kill says nothing about this episode."""
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(4))
    assert status.started_at == minutes(4) and status.basis == BASIS_CROSSING
    assert status.escalation(NOW).level == 1
    assert "oom_times" not in IncidentClock.observe.__code__.co_varnames


def test_the_crossing_only_moves_earlier_within_an_episode():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(10))
    # the backfill brings older samples: earlier
    assert clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(25)).started_at == minutes(25)
    # the oldest samples age out of the ring: the start stays
    assert clock.observe(NOW, pods_over=2, pods_total=3, crossing=minutes(5)).started_at == minutes(25)


def test_an_episode_ends_when_no_pod_is_over_and_no_alert_fires():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(40))
    ended = clock.observe(NOW, pods_over=0, pods_total=3)
    assert ended.started_at is None and ended.escalation(NOW) is None
    again = clock.observe(NOW + timedelta(minutes=1), pods_over=1, pods_total=3, crossing=NOW)
    assert again.started_at == NOW  # a new episode: not the old one's start


def test_alertmanager_wins_over_prometheus_and_the_crossing():
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3, alertmanager=minutes(7), alerts_for_state=minutes(9),
                           crossing=minutes(12))
    assert (status.started_at, status.basis) == (minutes(7), BASIS_ALERTMANAGER)
    assert status.short_basis == "AM startsAt"


def test_prometheus_alerts_for_state_when_alertmanager_says_nothing():
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3, alerts_for_state=minutes(9), crossing=minutes(12))
    assert (status.started_at, status.basis) == (minutes(9), BASIS_PROMETHEUS)
    # Prometheus gone too: back to the crossing, which is its own episode's start
    status = clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(12))
    assert (status.started_at, status.basis) == (minutes(12), BASIS_CROSSING)


def test_an_alert_dates_the_incident_even_with_no_pod_over_now():
    """The alert fires (e.g. the rule uses another figure, or memtui's sample is a dip): it is the incident."""
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=0, pods_total=3, alertmanager=minutes(20))
    assert status.started_at == minutes(20) and status.escalation(NOW).level == 2


def test_a_refired_alert_restarts_the_clock():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, alertmanager=minutes(50))
    status = clock.observe(NOW, pods_over=1, pods_total=3, alertmanager=minutes(3))
    assert status.started_at == minutes(3) and status.escalation(NOW).level == 1
