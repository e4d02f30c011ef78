"""Frames to bytes and back: msgspec MessagePack of the typed snapshots, zlib-compressed.

msgspec encodes the frozen snapshot dataclasses as they are and decodes them back into the same
types (``==`` the original), an order of magnitude faster than json + hand-written converters.
Which types an ``apply`` frame may hold is ``CockpitState``'s own table of what it folds, so a
new source's snapshot is recordable the day it is foldable.
"""

from __future__ import annotations

import zlib
from typing import Any

import msgspec

from memtui.recording.model import RecordingMeta
from memtui.state.cockpit import CockpitState

LEVEL = 6
_ENCODER = msgspec.msgpack.Encoder()


class CodecError(Exception):
    """A frame this version cannot decode (a newer writer's type, or a damaged body)."""


def snapshot_types() -> dict[str, type]:
    """Type name → snapshot type, for every type the cockpit folds."""
    return {t.__name__: t for t in CockpitState._APPLY}


def encode(payload: Any) -> bytes:
    return zlib.compress(_ENCODER.encode(payload), LEVEL)


def decode(body: bytes, type_name: str | None) -> Any:
    """``type_name`` None: plain data (str, mapping); else the snapshot type of that name."""
    try:
        raw = zlib.decompress(body)
        if type_name is None:
            return msgspec.msgpack.decode(raw)
        kind = snapshot_types().get(type_name)
        if kind is None:
            raise CodecError(f"unknown snapshot type {type_name!r} (recorded by a newer memtui?)")
        return msgspec.msgpack.decode(raw, type=kind)
    except (zlib.error, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CodecError(f"damaged frame: {exc}") from None


def encode_meta(meta: RecordingMeta) -> bytes:
    return _ENCODER.encode(meta)


def decode_meta(raw: bytes) -> RecordingMeta:
    try:
        return msgspec.msgpack.decode(raw, type=RecordingMeta)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CodecError(f"damaged recording header: {exc}") from None
