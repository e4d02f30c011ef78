"""Chains in the file: reading from any frame, while the writer goes on, keyframe cadence, versions, damage."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from itertools import islice

import pytest

from memtui.recording.model import FORMAT_VERSION, Frame, RecordingMeta
from memtui.recording.store import RecordingError, RecordingReader, RecordingWriter
from tests.recording import synthetic

META = RecordingMeta("ctx", "sap-llm", "https://sim", synthetic.EPOCH)


def _record(path, refreshes: int, **chains) -> tuple[RecordingWriter, list[Frame]]:
    writer = RecordingWriter(path, META, **chains)
    written: list[Frame] = []
    for seq in range(refreshes):
        batch = synthetic.frames(seq)
        last = writer.write(batch)
        written += [Frame(last - len(batch) + 1 + i, f.at, f.kind, f.source, f.payload) for i, f in enumerate(batch)]
    return writer, written


def _rows(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT seq, at, kind, source, chain, base FROM frames ORDER BY seq").fetchall()
    finally:
        db.close()


def test_reading_from_the_middle_of_a_chain(tmp_path):
    """``frames(after=N)`` for every N (mostly inside a chain: its keyframe is before N) gives the
    frames after N, equal to what was written, in a fresh reader and in one that read elsewhere."""
    path = tmp_path / "r.memtui"
    writer, written = _record(path, 60, keyframe_deltas=9)
    writer.close()
    assert any(base is not None for *_, base in _rows(path))
    reused = RecordingReader(path)
    for after in range(len(written) + 1):
        expected = written[after:after + 12]  # past the next keyframe of each chain the reader is on its own
        reader = RecordingReader(path) if after % 2 else reused
        assert list(islice(reader.frames(after=after), 12)) == expected, after
    for after in (0, 1, 50, 101, len(written) - 1):
        assert list(RecordingReader(path).frames(after=after)) == written[after:]
    partial = RecordingReader(path)
    iterator = partial.frames(after=37)
    first = [next(iterator) for _ in range(5)]
    iterator.close()
    assert first == written[37:42]
    assert list(partial.frames(after=42)) == written[42:]  # continues on the chains it decoded


def test_a_reader_started_before_the_writer_finished_sees_the_later_frames(tmp_path):
    """As ``replay --follow``: a reader opened early, and one opened after the last frame so far,
    read the frames the writer commits later (deltas of chains begun before they opened)."""
    path = tmp_path / "r.memtui"
    writer, written = _record(path, 10)
    early = RecordingReader(path)
    seen = list(early.frames())
    assert seen == written
    late = RecordingReader(path)
    late_after = late.last_seq()
    for seq in range(10, 30):
        batch = synthetic.frames(seq)
        last = writer.write(batch)
        written += [Frame(last - len(batch) + 1 + i, f.at, f.kind, f.source, f.payload) for i, f in enumerate(batch)]
        seen += list(early.frames(after=seen[-1].seq))
    assert seen == written
    assert early.last_seq() == written[-1].seq
    assert list(late.frames(after=late_after)) == written[late_after:]
    assert any(base is not None and base <= late_after for seq, *_, base in _rows(path) if seq > late_after)
    writer.close()


def test_keyframe_cadence(tmp_path):
    """Each chain (source and type; rankings) starts with a whole keyframe and holds at most
    ``keyframe_deltas`` deltas and ``keyframe_seconds`` of recorded time; a delta's base is the
    previous frame of its own chain; frames that are not in chains are whole."""
    path = tmp_path / "r.memtui"
    writer, _ = _record(path, 100, keyframe_deltas=10, keyframe_seconds=30.0)
    writer.close()
    rows = _rows(path)
    last_of: dict[tuple, int] = {}
    keyframes: dict[tuple, list[int]] = {}
    by_seq = {row[0]: row for row in rows}
    for seq, at, kind, source, chain, base in rows:
        key = (kind, source)
        if kind not in ("apply", "ranking"):
            assert chain is None and base is None
            continue
        if base is None:
            assert chain == seq
            keyframes.setdefault(key, []).append(seq)
        else:
            assert base == last_of[key] and chain == keyframes[key][-1]
            assert at - by_seq[chain][1] < 30.0
            assert sum(1 for s, *_r in rows if chain < s <= seq and (by_seq[s][2], by_seq[s][3]) == key) <= 10
        last_of[key] = seq
    kube_keyframes = keyframes[("apply", "kubernetes")]
    assert len(kube_keyframes) == 10  # 100 refreshes 2 s apart: every 10 deltas (20 s) first
    prometheus = keyframes[("apply", "prometheus")]  # every third refresh: 30 s of recorded time first
    assert all(by_seq[b][1] - by_seq[a][1] == 30.0 for a, b in zip(prometheus, prometheus[1:]))


def test_a_newer_format_is_one_clear_error(tmp_path):
    path = tmp_path / "r.memtui"
    writer, _ = _record(path, 2)
    writer.close()
    assert list(RecordingReader(path).frames())
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
    db.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(RecordingError, match=rf"{path}.*newer memtui \(recording format {FORMAT_VERSION + 1}"):
        RecordingReader(path)


def test_a_damaged_body_is_a_recording_error_naming_the_file(tmp_path):
    """A damaged row stops the read with one RecordingError that names the file; a reader that
    starts after its chain reads on."""
    path = tmp_path / "r.memtui"
    writer, written = _record(path, 40, keyframe_deltas=5)
    writer.close()
    rows = _rows(path)
    victim = next(seq for seq, _at, kind, source, chain, base in rows if base is not None and source == "kubernetes")
    db = sqlite3.connect(path)
    db.execute("UPDATE frames SET body = ? WHERE seq = ?", (b"\x78\x9cnot zlib at all", victim))
    db.commit()
    db.close()
    with pytest.raises(RecordingError, match=rf"^{path}: .*damaged") as caught:
        list(RecordingReader(path).frames())
    assert "\n" not in str(caught.value)
    next_keyframe = next(seq for seq, _at, _k, source, chain, base in rows
                         if seq > victim and source == "kubernetes" and base is None)
    later = [f for f in written if f.seq > next_keyframe]
    reader = RecordingReader(path)
    assert [f for f in reader.frames(after=next_keyframe) if f.seq > next_keyframe] == later


def test_files_are_0600_while_written(tmp_path):
    path = tmp_path / "r.memtui"
    writer, _ = _record(path, 3)
    reader = RecordingReader(path)
    assert list(reader.frames())
    names = sorted(os.listdir(tmp_path))
    assert names == ["r.memtui", "r.memtui-shm", "r.memtui-wal"]
    for name in names:
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o600, name
    writer.close()


def test_a_format_1_file_still_reads(tmp_path):
    """The first format (every body whole, no ``chain`` column) reads through the same reader."""
    from memtui.recording import codec

    path = tmp_path / "v1.memtui"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE frames (seq INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL,
                             type TEXT, base INTEGER, body BLOB);""")
    meta = codec.encode_meta(RecordingMeta("ctx", "sap-llm", "https://sim", synthetic.EPOCH, format_version=1))
    db.execute("INSERT INTO meta VALUES ('header', ?)", (meta,))
    snap = synthetic.kube(3)
    at = synthetic.EPOCH + timedelta(seconds=6)
    db.execute("INSERT INTO frames VALUES (1, ?, 'apply', 'kubernetes', 'KubeSnapshot', NULL, ?)",
               (at.timestamp(), codec.encode(snap)))
    db.commit()
    db.close()
    assert list(RecordingReader(path).frames()) == [Frame(1, at, "apply", "kubernetes", snap)]


def test_the_one_shot_backfill_is_stored_whole_and_not_kept_by_the_writer(tmp_path):
    """The hour's backfill is folded once a session: a chain for it would keep its last payload
    (45 MB at 5,000 pods) for a patch that never comes.  It reads back equal all the same."""
    from memtui.recording.codec import ChainEncoder
    from memtui.state.snapshots import BackfillSnapshot, Samples

    backfill = BackfillSnapshot({"sap-llm-0": Samples.of([(1.0, 2.0), (31.0, 3.5)])})
    frame = Frame(0, synthetic.EPOCH, "apply", "backfill", backfill)
    encoder = ChainEncoder()
    row = encoder.encode(1, frame)
    assert (row.chain, row.base) == (None, None) and encoder._chains == {}
    writer = RecordingWriter(tmp_path / "r.memtui", META)
    writer.write([frame])
    writer.close()
    [back] = list(RecordingReader(tmp_path / "r.memtui").frames())
    assert back.payload == backfill
