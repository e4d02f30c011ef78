"""One registry from operation type (schema class) to its handler, checked when it is built.

As k9s's ``internal/dao/accessor.go`` maps each resource to its one implementation, every
schema class of ``memtui.runbook.operations.KINDS`` maps here to one ``KindHandler``; RBAC,
planning, diagnose steps, undo, the response summary and the effect check ask this registry,
never a chain of kind names.  ``check`` refuses, at import, a schema kind without a handler
(which would otherwise read as "needs no permission"), a handler for a kind the schema does
not have, a kind that can change something but declares no permission, and a handler whose
capabilities do not fit the schema's policy.

To add a kind: its schema class in ``runbook/operations.py`` (and ``KINDS``), its handler in a
module of this package, and that module's ``HANDLERS`` in ``MODULES`` below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from memtui.executor.kinds import alertmanager, configmap, deployment, pods, promql, redis, scale
from memtui.executor.kinds import exec as in_container
from memtui.executor.kinds.base import Drafting, KindHandler, Reading, Restoring
from memtui.runbook.operations import KINDS, Operation

MODULES = (configmap, deployment, scale, pods, in_container, redis, promql, alertmanager)
"""The handler modules, one per kind family."""


class RegistryError(RuntimeError):
    """The handlers do not cover the schema's kinds exactly, or one does not fit its kind."""


def could_mutate(cls: type[Operation]) -> bool:
    """Whether some entry of the kind may change something: ``MUTATES`` True, or None (exec:
    trust the declared risk), or a kind deciding per entry (``mutates`` overridden: Redis, pod-http)."""
    return cls.MUTATES is not False or cls.mutates is not Operation.mutates


def could_undo(cls: type[Operation]) -> bool:
    return cls.UNDOABLE or cls.can_undo is not Operation.can_undo


def check(handlers: Iterable[KindHandler[Any]], kinds: Mapping[str, type[Operation]] = KINDS) -> dict[type[Operation], KindHandler[Any]]:
    """The registry built from ``handlers``; ``RegistryError`` naming every problem found."""
    problems: list[str] = []
    registry: dict[type[Operation], KindHandler[Any]] = {}
    for given in handlers:
        cls = given.operation
        if cls in registry:
            problems.append(f"kind {cls.kind!r} has two handlers: {type(registry[cls]).__name__} and "
                            f"{type(given).__name__}")
        registry[cls] = given
    known = set(kinds.values())
    for cls in registry:
        if cls not in known or kinds.get(cls.kind) is not cls:
            problems.append(f"{type(registry[cls]).__name__} handles {cls.__name__} (kind {cls.kind!r}), "
                            "which is not a kind of memtui.runbook.operations.KINDS")
    for name, cls in kinds.items():
        handler = registry.get(cls)
        if handler is None:
            problems.append(f"kind {name!r} ({cls.__name__}) has no handler in memtui.executor.kinds")
            continue
        label = f"kind {name!r} ({type(handler).__name__})"
        if not hasattr(handler, "PERMISSIONS"):
            problems.append(f"{label} declares no PERMISSIONS")
        elif could_mutate(cls) and not handler.PERMISSIONS:
            problems.append(f"{label} can change something but declares no permission")
        if could_mutate(cls) and not isinstance(handler, Drafting):
            problems.append(f"{label} can change something but cannot be drafted (not Drafting)")
        if cls.MUTATES is not True and not isinstance(handler, Reading):
            problems.append(f"{label} can be a diagnose step but cannot be read (not Reading)")
        if could_undo(cls) and not isinstance(handler, Restoring):
            problems.append(f"{label} can be undone but records no previous values (not Restoring)")
    if problems:
        raise RegistryError("operation kind handlers do not fit the schema:\n  " + "\n  ".join(problems))
    return registry


HANDLERS: Mapping[type[Operation], KindHandler[Any]] = MappingProxyType(
    check(handler for module in MODULES for handler in module.HANDLERS))
"""Schema class → its handler; complete and checked (an import error otherwise)."""


def handler_for(op: Operation) -> KindHandler[Any]:
    """The handler of ``op``'s kind (``RegistryError`` for an operation outside the schema)."""
    try:
        return HANDLERS[type(op)]
    except KeyError:
        raise RegistryError(f"operation kind {op.kind!r} ({type(op).__name__}) has no handler") from None


def handler_of_kind(kind: str) -> KindHandler[Any]:
    """The handler of the kind named ``kind`` (an action mark, an audit entry know the name only)."""
    cls = KINDS.get(kind)
    if cls is None or cls not in HANDLERS:
        raise RegistryError(f"operation kind {kind!r} has no handler")
    return HANDLERS[cls]
