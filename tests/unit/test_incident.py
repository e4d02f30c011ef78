from datetime import datetime, timedelta, timezone

from memtui.state.incident import IncidentClock, escalation_for

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


def test_first_breach_starts_the_clock_when_there_is_no_oom_evidence():
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3, oom_times=[])
    assert status.started_at == NOW and status.basis == "first breach seen by memtui"
    later = clock.observe(NOW + timedelta(minutes=20), pods_over=0, pods_total=3, oom_times=[])
    assert later.started_at == NOW  # a pod dipping under the threshold does not end the incident
    assert later.escalation(NOW + timedelta(minutes=20)).level == 2


def test_a_chain_of_oom_kills_dates_the_incident_in_one_step():
    clock = IncidentClock()
    status = clock.observe(NOW, pods_over=1, pods_total=3, oom_times=[minutes(9), minutes(67), minutes(300)])
    # 9 min ago, then 58 min before that: one incident; 5 h ago is another one
    assert status.started_at == minutes(67) and status.basis == "earliest OOM kill"
    assert status.escalation(NOW).level == 3


def test_old_oom_kills_alone_are_not_an_incident():
    clock = IncidentClock()
    assert clock.observe(NOW, pods_over=0, pods_total=3, oom_times=[minutes(180)]).started_at is None
    assert clock.observe(NOW, pods_over=0, pods_total=3, oom_times=[minutes(20)]).started_at == minutes(20)


def test_the_clock_only_moves_earlier():
    clock = IncidentClock()
    clock.observe(NOW, pods_over=1, pods_total=3, oom_times=[minutes(30)])
    status = clock.observe(NOW + timedelta(minutes=5), pods_over=1, pods_total=3, oom_times=[minutes(2)])
    assert status.started_at == minutes(30)
