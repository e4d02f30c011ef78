"""The recorder: frames handed over from any thread land in the file, in order, in few
transactions; a file that cannot be written stops recording with one line and nothing raised."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.recorder import Recorder
from memtui.recording.store import RecordingReader
from memtui.state.snapshots import RedisStats

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)
META = RecordingMeta("ctx", "sap-llm", "https://sim", NOW)


def frame(i: int, kind: str = "fail", source: str = "redis") -> Frame:
    return Frame(0, NOW, kind, source, f"reason {i}")


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.01)


def read(path) -> list[Frame]:
    reader = RecordingReader(path)
    try:
        return list(reader.frames())
    finally:
        reader.close()


def test_frames_come_back_in_order_typed_and_close_flushes(tmp_path):
    path = tmp_path / "r.memtui"
    recorder = Recorder(path, META).start()
    redis = RedisStats(NOW, "redis://r:6379/0", 1, 2, 3, 1.1, 4, "noeviction", 0, 0, 0, 0, ())
    recorder.record(Frame(0, NOW, "expect", "redis"))
    recorder.record(Frame(0, NOW, "apply", "redis", redis))
    for i in range(50):
        recorder.record(frame(i))
    assert recorder.close() is True  # returns only once the queue is written and the thread is done
    frames = read(path)
    assert [f.seq for f in frames] == list(range(1, 53))
    assert frames[1].payload == redis and type(frames[1].payload) is RedisStats
    assert [f.payload for f in frames[2:]] == [f"reason {i}" for i in range(50)]
    assert recorder.error is None and recorder.stats().frames_written == 52
    assert (path.stat().st_mode & 0o777) == 0o600


def test_what_is_queued_is_written_in_one_transaction_up_to_max_batch(tmp_path):
    one = Recorder(tmp_path / "one.memtui", META)
    for i in range(300):  # queued before the writer thread runs: it finds them all waiting
        one.record(frame(i))
    one.start().close()
    assert one.stats().commits == 1 and one.stats().frames_written == 300

    capped = Recorder(tmp_path / "capped.memtui", META, max_batch=100)
    for i in range(250):
        capped.record(frame(i))
    capped.start().close()
    assert capped.stats().commits == 3
    assert [f.payload for f in read(tmp_path / "capped.memtui")] == [f"reason {i}" for i in range(250)]


def test_frames_from_many_threads_all_land_each_threads_in_its_order(tmp_path):
    path = tmp_path / "r.memtui"
    recorder = Recorder(path, META).start()

    def feed(name: str) -> None:
        for i in range(300):
            recorder.record(Frame(0, NOW, "audit", name, {"n": i}))

    threads = [threading.Thread(target=feed, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.close()
    frames = read(path)
    assert len(frames) == 1200
    for n in range(4):
        assert [f.payload["n"] for f in frames if f.source == f"t{n}"] == list(range(300))


def test_a_path_that_cannot_be_created_stops_recording_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    recorder = Recorder(blocker / "r.memtui", META).start()
    recorder.record(frame(1))  # never raises, never blocks
    assert recorder.close() is True
    assert recorder.error is not None and str(blocker) in recorder.error and "\n" not in recorder.error
    assert not recorder.recording
    recorder.record(frame(2))  # after the failure: ignored
    assert recorder.stats().frames_written == 0


def test_a_write_that_fails_keeps_what_was_committed_and_stops(tmp_path):
    path = tmp_path / "r.memtui"
    recorder = Recorder(path, META, max_delay=0)
    recorder.record(frame(1))
    recorder.start()
    wait_until(lambda: recorder.stats().frames_written == 1)  # committed on its own
    recorder.record(Frame(0, NOW, "ranking", "", {"x": object()}))  # the codec cannot encode this
    recorder.record(frame(3))
    recorder.close()
    assert recorder.error is not None and str(path) in recorder.error and "\n" not in recorder.error
    assert [f.payload for f in read(path)] == ["reason 1"]


def test_a_writer_that_falls_behind_stops_rather_than_record_a_hole(tmp_path):
    recorder = Recorder(tmp_path / "r.memtui", META, max_backlog=5)
    for i in range(8):  # the thread is not started: nothing drains the queue
        recorder.record(frame(i))
    assert recorder.error is not None and "fell 5 frames behind" in recorder.error
    recorder.start().close()
    # what came before the hole is a true prefix of the session; nothing after it is kept
    assert [f.payload for f in read(tmp_path / "r.memtui")] == [f"reason {i}" for i in range(5)]


def test_before_open_runs_on_the_writer_thread_and_its_failure_is_reported(tmp_path):
    seen: list[str] = []
    ok = Recorder(tmp_path / "ok.memtui", META, before_open=lambda: seen.append(threading.current_thread().name))
    ok.start().close()
    assert seen == ["memtui-recorder"]

    def broken() -> None:
        raise PermissionError("state dir not readable")

    failed = Recorder(tmp_path / "failed.memtui", META, before_open=broken)
    failed.start().close()
    assert failed.error is not None and "state dir not readable" in failed.error
    assert not (tmp_path / "failed.memtui").exists()


def test_secrets_in_reasons_and_evidence_never_reach_the_file(tmp_path):
    """As in the audit log: a reason quoting a URL with a password, a log line with a token, the
    app's boot config with an api_key; the figures stay as they were."""
    from memtui.state.snapshots import EvidenceSnapshot, LogEvidence, PodEvidence
    from memtui.ui.recording import RecordingMasks

    log = LogEvidence("llm", NOW, 120, True, models_loaded=2, leak_lines=3,
                      config=(("batch_size", "64"), ("api_key", "sk-live-abc123"), ("db", "postgres://u:hunter2@db/x")),
                      matches=("memory leak in handler, Authorization: Bearer eyJsecret.token.value",))
    evidence = EvidenceSnapshot(NOW, (PodEvidence("llm-0", "llm", (log,), logs_error=None,
                                                  disk=(("/models/a", 5 * 2**30),)),))
    path = tmp_path / "r.memtui"
    recorder = Recorder(path, META, prepare=RecordingMasks()).start()  # as the cockpit's: masked on the writer thread
    recorder.record(Frame(0, NOW, "apply", "evidence", evidence))
    recorder.record(Frame(0, NOW, "fail", "redis", "redis://:s3cr3t-pw@redis:6379/0: connection refused"))
    recorder.close()
    frames = read(path)
    kept = frames[0].payload.pods[0].logs[0]
    assert dict(kept.config)["batch_size"] == "64" and dict(kept.config)["api_key"] == "***"
    assert "hunter2" not in dict(kept.config)["db"] and "eyJsecret" not in kept.matches[0]
    assert (kept.models_loaded, kept.leak_lines, frames[0].payload.pods[0].disk) == (2, 3, (("/models/a", 5 * 2**30),))
    assert "s3cr3t-pw" not in frames[1].payload and "connection refused" in frames[1].payload
