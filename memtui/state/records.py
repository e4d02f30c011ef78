"""The state's frozen records are of two kinds, and what walks them generically asks here.

Most boundary types are frozen dataclasses.  The ones there are one of per pod, per container or
per kill (``PodState``, ``ContainerState``, ``PodUsage``, ``KubeEvent``, ``PodRow``,
``OomSummary``, ``OomKill``, and Prometheus's ``PodTrend`` and ``GpuUsage``) are msgspec Structs
declared ``gc=False``: at 20,000 pods they were
about 200,000 objects that Python's cyclic collector walked again in every middle-generation
collection (0.5-0.9 s on the main thread, a key's whole answer), though none of them can be part
of a cycle.  A Struct that the collector does not track costs it nothing, and builds about four
times faster than a slotted dataclass.

The recording's delta, its codec and the audit's canonical JSON walk records field by field; they
ask these functions, so a record of either kind is one thing to them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec


class UntrackedRecord(msgspec.Struct, frozen=True, gc=False):
    """A frozen record the cyclic collector never tracks: its fields hold only immutable values,
    tuples and other records, never anything that can point back at it."""


_RECORD_TYPES: dict[type, bool] = {}


def is_record_type(kind: type) -> bool:
    """A dataclass or a msgspec Struct (the class itself).  Asked of every item the recording's
    delta compares (20,000 pods per listing), so answered once per type."""
    known = _RECORD_TYPES.get(kind)
    if known is None:
        known = _RECORD_TYPES[kind] = issubclass(kind, msgspec.Struct) or dataclasses.is_dataclass(kind)
    return known


def is_pair_like(kind: type) -> bool:
    """A record written as an array (an ``array_like`` Struct such as ``ContainerUsage``): a small
    value that stands for a tuple, so a sequence of them is compared and replaced whole, as the
    tuple was.  Diffed by name instead, 20,000 pods' container figures cost the recording's delta
    2.7 times as long per refresh (179 ms against 66), a dict per level per pod."""
    config = getattr(kind, "__struct_config__", None)
    return bool(config is not None and config.array_like)


def is_record(value: Any) -> bool:
    """An instance of a dataclass or of a msgspec Struct (not the class)."""
    return isinstance(value, msgspec.Struct) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def field_names(kind: type) -> tuple[str, ...]:
    """The record type's fields, in declaration order (constructor order)."""
    if issubclass(kind, msgspec.Struct):
        return kind.__struct_fields__
    return _dataclass_fields(kind)[0]


def takes_every_field(kind: type) -> bool:
    """Whether the constructor takes every field positionally (a dataclass may exclude some)."""
    return issubclass(kind, msgspec.Struct) or _dataclass_fields(kind)[1]


_DATACLASS_FIELDS: dict[type, tuple[tuple[str, ...], bool]] = {}


def _dataclass_fields(kind: type) -> tuple[tuple[str, ...], bool]:
    """A dataclass's field names and whether its constructor takes them all (asked per field
    of every frame the recording diffs, so looked up once per type)."""
    known = _DATACLASS_FIELDS.get(kind)
    if known is None:
        fields = dataclasses.fields(kind)
        known = _DATACLASS_FIELDS[kind] = (tuple(f.name for f in fields), all(f.init for f in fields))
    return known


def replaced(record: Any, **changes: Any) -> Any:
    """A copy of ``record`` with ``changes``: ``dataclasses.replace`` for either kind."""
    if isinstance(record, msgspec.Struct):
        return msgspec.structs.replace(record, **changes)
    return dataclasses.replace(record, **changes)


def as_dict(record: Any) -> dict[str, Any]:
    """The record's fields by name, one level deep (nested records stay records)."""
    return {name: getattr(record, name) for name in field_names(type(record))}
