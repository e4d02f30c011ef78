"""Deltas: every snapshot type comes back ``==`` and of its type, whatever changed between frames."""

from __future__ import annotations

import random
import types
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from memtui.recording import codec, delta
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingReader, RecordingWriter
from memtui.state.records import field_names, is_record_type, replaced
from memtui.state.snapshots import ContainerUsage, KubeEvent, KubeSnapshot, PodUsage
from tests.recording import synthetic

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)
POOL = [f"n{i}" for i in range(8)]


def _example(kind: Any, rng: random.Random, depth: int = 0, field: str = "") -> Any:
    """A value of type ``kind`` drawn from small pools, so two draws share items, keys and fields."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        return _example(rng.choice(options), rng, depth, field)
    if kind is type(None):
        return None
    if isinstance(kind, type) and is_record_type(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{name: _example(hints[name], rng, depth + 1, name) for name in field_names(kind)})
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_example(args[0], rng, depth + 1) for _ in range(rng.randint(0, 6 if depth < 3 else 2)))
        return tuple(_example(a, rng, depth + 1) for a in args)
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        keys = rng.sample(POOL, rng.randint(0, len(POOL)))
        return {_example(key_type, rng, depth + 1, "key") if key_type is not str else k: _example(value_type, rng, depth + 1)
                for k in keys}
    if kind is str:
        if field in delta.IDENTITY_FIELDS or field == "key":
            return rng.choice(POOL)
        return rng.choice(["", "a", "Running", "OOMKilled", "x" * 40])
    if kind is bool:
        return rng.random() < 0.5
    if kind is int:
        return rng.choice([0, 1, 137, 2**33 + rng.randint(0, 3)])
    if kind is float:
        return rng.choice([0.0, 0.5, 1e10, 2.25])
    if kind is bytes:  # packed float64 (Samples)
        return rng.choice([b"", bytes(8), bytes(16), b"\x00" * 7 + b"\x40"])
    if kind is datetime:
        return NOW + timedelta(seconds=rng.randint(0, 3))
    raise AssertionError(f"no example for {kind!r}")


@pytest.mark.parametrize("type_name", sorted(codec.snapshot_types()))
def test_every_snapshot_type_round_trips_through_its_deltas(tmp_path, type_name):
    """Random frames of each type the cockpit folds (items added, removed, reordered, changed, the
    same): read back, each is ``==`` what was written and of the same type, whole or as a delta."""
    kind = codec.snapshot_types()[type_name]
    rng = random.Random(type_name)
    written = [_example(kind, rng) for _ in range(40)]
    written[5] = written[4]  # an unchanged frame: an empty patch
    writer = RecordingWriter(tmp_path / "r.memtui", RecordingMeta("c", "n", "s", NOW), keyframe_deltas=12)
    writer.write(Frame(0, NOW, "apply", "src", payload) for payload in written)
    writer.close()
    frames = list(RecordingReader(tmp_path / "r.memtui").frames())
    assert [f.payload for f in frames] == written
    assert all(type(f.payload) is kind for f in frames)


def _kube(pods: list[str], used: dict[str, int], events: list[str], metrics_error: str | None = None) -> KubeSnapshot:
    base = synthetic.kube(0, pods=1).pods[0]
    states = tuple(replaced(base, name=name, uid=f"uid-{name}") for name in pods)
    usage = {name: replaced(synthetic.kube(0, pods=1).usage[base.name], pod=name, working_set_bytes=used[name])
             for name in used}
    evs = tuple(KubeEvent(NOW, "Warning", "OOMKilling", "Pod", e, f"event {e}", 1, uid=f"ev-{e}") for e in events)
    return KubeSnapshot(NOW, states, usage, evs, metrics_error=metrics_error)


def test_kube_deltas_by_identity(tmp_path):
    """Pods added in the middle, removed, reordered; usage changed; a new event; metrics_error set and
    cleared: each frame comes back equal, and a delta costs what changed, not the whole namespace."""
    names = [f"pod-{i:03d}" for i in range(200)]
    used = {n: 2**30 + i for i, n in enumerate(names)}
    snaps = [_kube(names, used, ["a", "b"])]
    grown = names[:100] + ["pod-099x"] + names[100:]
    snaps.append(_kube(grown, {**used, "pod-099x": 5}, ["a", "b"]))                  # added in the middle
    snaps.append(_kube(grown[1:], {k: v for k, v in used.items() if k != names[0]}, ["a", "b", "c"]))  # removed, new event
    snaps.append(_kube(list(reversed(grown[1:])), {**used, names[7]: 99}, ["c", "a", "b"]))  # reordered, usage changed
    snaps.append(_kube(list(reversed(grown[1:])), {}, ["c", "a", "b"], metrics_error="metrics: 503"))
    snaps.append(_kube(grown, used, ["c"]))
    writer = RecordingWriter(tmp_path / "r.memtui", RecordingMeta("c", "n", "s", NOW))
    for snap in snaps:
        writer.write([Frame(0, NOW, "apply", "kubernetes", snap)])
    writer.close()
    assert [f.payload for f in RecordingReader(tmp_path / "r.memtui").frames()] == snaps
    assert [list(f.payload.usage) for f in RecordingReader(tmp_path / "r.memtui").frames()] == [list(s.usage) for s in snaps]
    one_usage = delta.diff(snaps[0], replaced(
        snaps[0], usage={**snaps[0].usage, names[3]: replaced(snaps[0].usage[names[3]], working_set_bytes=7)}))
    assert one_usage == {"p": {"usage": {"p": {names[3]: {"s": {"working_set_bytes": 7}}}}}}
    inserted = delta.diff(snaps[0], snaps[1])
    assert inserted["p"]["pods"]["i"] == [[100, "uid-pod-099x"]] and set(inserted["p"]["pods"]["s"]) == {"uid-pod-099x"}
    one_pod = len(codec.encode(snaps[1].pods[100])) + len(codec.encode(snaps[1].usage["pod-099x"]))
    assert len(codec.encode(inserted)) < one_pod + 64  # the new pod and its usage, not the 200 others


def test_patch_leaves_the_old_frame_alone_and_shares_what_did_not_change():
    old, new = synthetic.kube(10), synthetic.kube(11)
    patched = delta.patch(old, delta.diff(old, new))
    assert patched == new and type(patched) is KubeSnapshot
    assert old == synthetic.kube(10)
    unchanged = [i for i, pod in enumerate(new.pods) if pod == old.pods[i]]
    assert unchanged and all(patched.pods[i] is old.pods[i] for i in unchanged)
    ranking = {"causes": [{"cause": "leak", "confidence": 0.5}, {"cause": "cache", "confidence": 0.2}], "gaps": []}
    later = {"causes": [{"cause": "cache", "confidence": 0.6}, {"cause": "leak", "confidence": 0.5}], "gaps": ["logs"]}
    assert delta.patch(ranking, delta.diff(ranking, later)) == later
    assert ranking["causes"][0] == {"cause": "leak", "confidence": 0.5}


def test_realistic_chains_round_trip(tmp_path):
    """An hour-like run of the synthetic namespace (pods replaced, restarts, usage windows, events,
    metrics errors, Prometheus, Redis, rankings) with short chains: every frame equal."""
    writer = RecordingWriter(tmp_path / "r.memtui", RecordingMeta("c", "n", "s", NOW), keyframe_deltas=20)
    written = []
    for seq in range(120):
        batch = synthetic.frames(seq)
        writer.write(batch)
        written += batch
    writer.close()
    read = list(RecordingReader(tmp_path / "r.memtui").frames())
    assert [(f.kind, f.source, f.payload) for f in read] == [(f.kind, f.source, f.payload) for f in written]


def test_a_big_keyframe_is_bz2_and_its_deltas_zlib(tmp_path):
    """A namespace of 1,500 pods: its keyframe packs to more than ``codec.BIG`` and is stored bz2,
    the deltas after it zlib; all read back equal, and a damaged big body is a RecordingError."""
    import sqlite3

    from memtui.recording.store import RecordingError

    path = tmp_path / "r.memtui"
    snaps = [synthetic.kube(seq, pods=1500) for seq in range(3)]
    writer = RecordingWriter(path, RecordingMeta("c", "n", "s", NOW))
    writer.write(Frame(0, NOW, "apply", "kubernetes", snap) for snap in snaps)
    writer.close()
    assert [f.payload for f in RecordingReader(path).frames()] == snaps
    db = sqlite3.connect(path)
    bodies = [body for (body,) in db.execute("SELECT body FROM frames ORDER BY seq")]
    assert bodies[0][:3] == b"BZh" and all(body[:1] == b"x" for body in bodies[1:])
    db.execute("UPDATE frames SET body = ? WHERE seq = 1", (bodies[0][:-40],))
    db.commit()
    db.close()
    with pytest.raises(RecordingError, match="damaged frame"):
        list(RecordingReader(path).frames())


def test_a_recording_made_when_container_figures_were_pairs_reads_the_same():
    """``PodUsage.containers`` became records (``ContainerUsage``, ``array_like``): a keyframe and a
    delta written with (name, bytes) pairs decode into them, and a new one is written as before."""
    old_usage = {"pod": "p-1", "working_set_bytes": 7, "containers": [["llm", 5], ["side", 2]]}
    keyframe = {"taken_at": datetime(2026, 12, 5, tzinfo=timezone.utc), "pods": [], "usage": {"p-1": old_usage},
                "events": []}
    decoded = codec.decode(codec.encode(keyframe), "KubeSnapshot")
    assert decoded.usage["p-1"].containers == (ContainerUsage("llm", 5), ContainerUsage("side", 2))
    assert codec.decode(codec.encode(decoded.usage["p-1"]), None)["containers"] == old_usage["containers"]
    changed = delta.patch(decoded, {"p": {"usage": {"p": {"p-1": {"s": {"containers": [["llm", 9]]}}}}}})
    assert changed.usage["p-1"].containers == (ContainerUsage("llm", 9),)


def test_container_figures_are_replaced_whole_as_the_pairs_were():
    """Records written as pairs (``records.is_pair_like``) are a value, not a keyed sequence: one
    level of patch per pod and refresh, not four (the recorder's delta took 2.7 times as long
    at 20,000 pods, and 40,000 dicts of it reached the collector's middle generation)."""
    before = PodUsage("p-1", 5, (ContainerUsage("llm", 5), ContainerUsage("side", 0)))
    after = PodUsage("p-1", 7, (ContainerUsage("llm", 7), ContainerUsage("side", 0)))
    change = delta.diff(before, after)
    assert set(change) == {"s"} and change["s"]["working_set_bytes"] == 7
    assert [list(c) for c in change["s"]["containers"]] == [["llm", 7], ["side", 0]]
    assert delta.patch(before, change) == after
    # records that are not written as pairs are still patched by their name
    pod = synthetic.kube(1, pods=1).pods[0]
    restarted = replaced(pod, containers=(replaced(pod.containers[0], restarts=pod.containers[0].restarts + 1),))
    assert delta.diff(pod, restarted)["p"]["containers"]["k"] == "name"
