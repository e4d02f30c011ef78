from datetime import datetime, timedelta, timezone

from memtui.state.incident import (
    EPISODE_GAP,
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


def test_an_episode_ends_once_nothing_has_been_over_for_the_gap():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(40))
    quiet = NOW + EPISODE_GAP + timedelta(seconds=1)
    ended = clock.observe(quiet, pods_over=0, pods_total=3)
    assert ended.started_at is None and ended.escalation(quiet) is None
    again = clock.observe(quiet + timedelta(minutes=1), pods_over=1, pods_total=3, crossing=quiet)
    assert again.started_at == quiet  # a new episode: not the old one's start


def test_an_oom_sawtooth_is_one_episode():
    """The pod over the threshold is killed at its limit and restarts under it: the incident goes
    on (the runbook's L2 is for repeated OOM events), and the next crossing continues it."""
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(20))
    after_kill = NOW + timedelta(minutes=5)
    dip = clock.observe(after_kill, pods_over=0, pods_total=3)
    assert (dip.started_at, dip.basis) == (minutes(20), BASIS_CROSSING)
    assert dip.escalation(after_kill).level == 2
    back = NOW + timedelta(minutes=25)  # crossed again 25 min after the last pod was over
    status = clock.observe(back, pods_over=1, pods_total=3, crossing=back)
    assert status.started_at == minutes(20) and status.escalation(back).level == 3


def test_a_crossing_after_the_gap_is_a_new_episode_even_without_a_quiet_poll():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, crossing=minutes(20))
    later = NOW + EPISODE_GAP + timedelta(minutes=10)
    fresh = later - timedelta(minutes=2)  # memtui was not polling in between (suspended laptop)
    status = clock.observe(later, pods_over=1, pods_total=3, crossing=fresh)
    assert status.started_at == fresh


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
