"""Frames to bytes and back: msgspec MessagePack of the typed snapshots, compressed, in chains.

msgspec encodes the frozen snapshot records (dataclasses and Structs) as they are and decodes
them back into the same types (``==`` the original), an order of magnitude faster than json +
hand-written converters.
Which types an ``apply`` frame may hold is ``CockpitState``'s own table of what it folds, so a
new source's snapshot is recordable the day it is foldable.

A chain is the frames of one kind of state that follow each other: the ``apply`` frames of one
source and snapshot type, or the ``ranking`` frames.  Its first frame (the keyframe) is stored
whole; each next one as a patch against the one before (``delta``).  At 5,000 pods a refresh
changes a few hundred usage figures and the odd pod or event, so a delta is a small fraction of a
whole snapshot.  Other frames (``expect``, ``fail``, ``audit``...) are stored whole.
"""

from __future__ import annotations

import bz2
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from memtui.recording import delta
from memtui.recording.model import Frame, RecordingMeta
from memtui.state.cockpit import CockpitState
from memtui.state.records import is_record

LEVEL = 6
BIG = 256 * 1024
"""A body this big (packed, before compression) is compressed with bz2 instead of zlib: a keyframe
of hundreds of pods and thousands of events, written once per chain, comes out a quarter smaller
(5,000 pods: 1.0 instead of 1.3 MB) for about a second of the writer thread's time (bz2 lets go of
the GIL while it works).  Deltas and small frames stay zlib: fast, and as small."""
KEYFRAME_SECONDS = 600.0
KEYFRAME_DELTAS = 300
"""A chain ends after 10 minutes of recorded time or 300 deltas (10 minutes at a 2 s refresh),
whichever comes first.  That bounds what a damaged row costs (the rest of its chain: at most 10
minutes of one source) and what a reader starting at any frame decodes first (one keyframe and at
most 300 patches: about a second at 5,000 pods), while keyframes stay a modest share of the file:
at 5,000 pods a Kubernetes keyframe (every pod and event) weighs as much as some 150 deltas, so
5-minute chains would spend half of that source's bytes on keyframes and 10-minute ones a third
(``bench/recording.py`` prints both sizes)."""

_ENCODER = msgspec.msgpack.Encoder()


class CodecError(Exception):
    """A frame this version cannot decode (a newer writer's type, or a damaged body)."""


def snapshot_types() -> dict[str, type]:
    """Type name → snapshot type, for every type the cockpit folds."""
    return {t.__name__: t for t in CockpitState._APPLY}


WHOLE_TYPES = frozenset({"BackfillSnapshot"})
"""Snapshots folded once a session (the hour's backfill): no next frame will be a patch of one, so
it is stored whole and not kept as a chain's last payload (at 5,000 pods, 45 MB held by the
writer for the whole session)."""


def chain_key(kind: str, source: str, type_name: str | None) -> tuple[str, ...] | None:
    """Which chain a frame continues: apply frames per source and type, rankings; None: stored whole."""
    if kind == "apply":
        if type_name in WHOLE_TYPES:
            return None
        return ("apply", source, type_name or "")
    if kind == "ranking":
        return ("ranking",)
    return None


def _snapshot_type(type_name: str) -> type:
    kind = snapshot_types().get(type_name)
    if kind is None:
        raise CodecError(f"unknown snapshot type {type_name!r} (recorded by a newer memtui?)")
    return kind


def encode(payload: Any) -> bytes:
    raw = _ENCODER.encode(payload)
    if len(raw) >= BIG:
        return bz2.compress(raw, 9)
    return zlib.compress(raw, LEVEL)


def _decompress(body: bytes) -> bytes:
    return bz2.decompress(body) if body[:3] == b"BZh" else zlib.decompress(body)


def decode(body: bytes, type_name: str | None) -> Any:
    """``type_name`` None: plain data (str, mapping); else the snapshot type of that name."""
    try:
        raw = _decompress(body)
        if type_name is None:
            return msgspec.msgpack.decode(raw)
        return msgspec.msgpack.decode(raw, type=_snapshot_type(type_name))
    except (zlib.error, OSError, EOFError, ValueError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CodecError(f"damaged frame: {exc}") from None


def decode_patch(body: bytes) -> Any:
    try:
        return msgspec.msgpack.decode(_decompress(body))
    except (zlib.error, OSError, EOFError, ValueError, msgspec.DecodeError) as exc:
        raise CodecError(f"damaged frame: {exc}") from None


def encode_meta(meta: RecordingMeta) -> bytes:
    return _ENCODER.encode(meta)


def decode_meta(raw: bytes) -> RecordingMeta:
    try:
        return msgspec.msgpack.decode(raw, type=RecordingMeta)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CodecError(f"damaged recording header: {exc}") from None


@dataclass(frozen=True, slots=True)
class Row:
    """How one frame is stored: ``chain`` the seq of its chain's keyframe (None: not in a chain),
    ``base`` the seq of the frame it is a patch against (None: the body is whole)."""

    chain: int | None
    base: int | None
    body: bytes | None


@dataclass(slots=True)
class _Link:
    keyframe: int
    keyframe_at: float
    deltas: int
    seq: int
    payload: Any


class ChainEncoder:
    """The writer's side: remembers the last frame of each chain, to store the next as a patch."""

    def __init__(self, keyframe_seconds: float = KEYFRAME_SECONDS, keyframe_deltas: int = KEYFRAME_DELTAS) -> None:
        self.keyframe_seconds = keyframe_seconds
        self.keyframe_deltas = keyframe_deltas
        self._chains: dict[tuple[str, ...], _Link] = {}

    def reset(self) -> None:
        """Start every chain afresh (after a write that did not commit: its rows are not in the file)."""
        self._chains.clear()

    def encode(self, seq: int, frame: Frame) -> Row:
        payload = frame.payload
        if payload is None:
            return Row(None, None, None)
        key = chain_key(frame.kind, frame.source, frame.snapshot_type)
        if key is None or not (is_record(payload) or isinstance(payload, Mapping)):
            return Row(None, None, encode(payload))
        at = frame.at.timestamp()
        link = self._chains.get(key)
        if link is None or self._ends(link, at):
            self._chains[key] = _Link(seq, at, 0, seq, payload)
            return Row(seq, None, encode(payload))
        row = Row(link.keyframe, link.seq, zlib.compress(_ENCODER.encode(delta.diff(link.payload, payload)), LEVEL))
        link.deltas += 1
        link.seq = seq
        link.payload = payload
        return row

    def _ends(self, link: _Link, at: float) -> bool:
        return (link.deltas >= self.keyframe_deltas or at - link.keyframe_at >= self.keyframe_seconds
                or at < link.keyframe_at)


class ChainDecoder:
    """The reader's side: the last frame of each chain it has read, to apply the next patch to.

    One frame per chain key (source and type): a keyframe replaces the chain before it, so a reader
    holds as many as the recording has sources, however long it reads."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, ...], tuple[int, int, Any]] = {}
        """chain key → (the chain's keyframe seq, the seq of the last frame read in it, its payload)."""

    def reset(self) -> None:
        self._last.clear()

    def payload(self, seq: int, key: tuple[str, ...], chain: int, base: int | None, type_name: str | None,
                body: bytes) -> Any:
        """The payload of frame ``seq`` from its row (remembered for the chain's next patch).

        A snapshot is handed out as it is kept (frozen, shared with the next frames where they did
        not change); plain data (a ranking) as a copy, so a caller's change cannot reach them."""
        if base is None:
            payload = decode(body, type_name)
        else:
            last = self._last.get(key)
            if last is None or last[0] != chain or last[1] != base:
                raise CodecError(f"frame {seq} is a patch of frame {base}, which is missing or damaged")
            change = decode_patch(body)
            try:
                payload = delta.patch(last[2], change)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError, msgspec.ValidationError) as exc:
                raise CodecError(f"frame {seq}: damaged patch ({type(exc).__name__}: {exc})") from None
        self._last[key] = (chain, seq, payload)
        return payload if type_name is not None else msgspec.msgpack.decode(_ENCODER.encode(payload))
