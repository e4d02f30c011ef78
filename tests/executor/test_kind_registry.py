"""The kind registry covers the catalogue schema exactly: every operation kind has one handler,
every kind that can change something declares a permission, and no handler serves a kind the
schema does not have.  ``check`` is the same function the registry is built with at import, so
the tests that feed it a broken handler list show what an incomplete registry would do: fail
the import with the kind named, never read as "needs no permission"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from memtui.executor.access import Access
from memtui.executor.kinds import registry
from memtui.executor.kinds.base import Drafting, Reading, Restoring
from memtui.executor.kinds.configmap import ConfigMapPatchHandler
from memtui.executor.kinds.registry import (
    HANDLERS,
    RegistryError,
    check,
    could_mutate,
    could_undo,
    handler_for,
    handler_of_kind,
)
from memtui.executor.model import PlanError
from memtui.executor.rbac import requirements
from memtui.runbook import load_catalogue
from memtui.runbook.operations import (
    KINDS,
    ConfigMapPatch,
    DeploymentRestart,
    Operation,
)

ALL_HANDLERS = [handler for module in registry.MODULES for handler in module.HANDLERS]


def test_every_schema_kind_has_exactly_one_handler_and_no_handler_serves_an_unknown_kind():
    assert set(HANDLERS) == set(KINDS.values())
    assert len(ALL_HANDLERS) == len(KINDS)  # one handler per kind, none left over
    for name, cls in KINDS.items():
        assert HANDLERS[cls].operation is cls, name


def test_every_kind_that_can_change_something_declares_a_permission_and_can_be_drafted():
    mutating = [cls for cls in KINDS.values() if could_mutate(cls)]
    assert {cls.kind for cls in mutating} >= {"configmap-patch", "deployment-restart", "pod-delete", "exec", "redis",
                                             "pod-http"}
    for cls in mutating:
        handler = HANDLERS[cls]
        assert handler.PERMISSIONS, cls.kind
        assert isinstance(handler, Drafting), cls.kind
    for cls in KINDS.values():
        if could_undo(cls):
            assert isinstance(HANDLERS[cls], Restoring), cls.kind
        if cls.MUTATES is not True:
            assert isinstance(HANDLERS[cls], Reading), cls.kind


def test_how_each_kinds_effect_shows_is_its_handlers():
    def kinds(flag: str) -> set[str]:
        return {name for name, cls in KINDS.items() if getattr(HANDLERS[cls].EFFECT, flag)}

    assert kinds("replaces_pods") == {"deployment-restart", "deployment-set-env", "deployment-memory-limit"}
    assert kinds("expects_new_pods") == kinds("replaces_pods") | {"pod-delete"}
    assert kinds("on_redis") == {"redis"}
    assert handler_of_kind("deployment-restart") is HANDLERS[DeploymentRestart]
    with pytest.raises(RegistryError, match="'imaginary' has no handler"):
        handler_of_kind("imaginary")


def test_every_mutating_catalogue_entry_needs_a_permission_on_the_exec_path():
    catalogue = load_catalogue()
    kinds = {a.operation.kind for a in catalogue.actions}
    assert kinds <= set(KINDS)
    for action in catalogue.actions:
        needed = requirements(action.operation, redis_via_url=False)
        if action.is_mutating:
            assert needed, action.id
        assert all(isinstance(a, Access) for a in needed)
        assert handler_for(action.operation) is HANDLERS[type(action.operation)]
    # only Prometheus needs nothing of the API server
    free = {a.operation.kind for a in catalogue.actions if not requirements(a.operation, redis_via_url=False)}
    assert free == {"promql"}


def test_a_registry_missing_a_kind_is_refused_naming_it():
    without_restart = [h for h in ALL_HANDLERS if h.operation is not DeploymentRestart]
    with pytest.raises(RegistryError, match="kind 'deployment-restart' .DeploymentRestart. has no handler"):
        check(without_restart)


@dataclass(frozen=True)
class Imaginary(Operation):
    kind: ClassVar[str] = "imaginary"


class ImaginaryHandler(Reading[Imaginary]):
    operation = Imaginary
    PERMISSIONS = ()

    def read(self, reader, action, typed, op, ctx):  # pragma: no cover - never registered
        raise AssertionError


def test_a_handler_for_a_kind_the_schema_does_not_have_is_refused():
    with pytest.raises(RegistryError, match="kind 'imaginary'.*not a kind of"):
        check([*ALL_HANDLERS, ImaginaryHandler()])
    with pytest.raises(RegistryError, match="has no handler"):
        handler_for(Imaginary())


class SilentPatch(ConfigMapPatchHandler):
    PERMISSIONS = ()  # type: ignore[assignment]  # the defect under test


def test_a_mutating_kind_without_a_permission_is_refused_not_read_as_needs_nothing():
    handlers = [SilentPatch() if h.operation is ConfigMapPatch else h for h in ALL_HANDLERS]
    with pytest.raises(RegistryError, match="kind 'configmap-patch' .SilentPatch. can change something but declares "
                                            "no permission"):
        check(handlers)


def test_two_handlers_for_one_kind_are_refused():
    with pytest.raises(RegistryError, match="kind 'configmap-patch' has two handlers"):
        check([*ALL_HANDLERS, SilentPatch()])


OLD_LOG_PREVIOUS = [
    {"kind": "configmap", "name": "sap-llm-config", "data": {"batch_size": "128", "max_batch_size": None}},
    {"kind": "scale", "deployment": "sap-llm-api", "replicas": 4},
    {"kind": "memory-limit", "deployment": "sap-llm", "container": "sap-llm", "limit": "12Gi"},
    {"kind": "memory-limit", "deployment": "sap-llm", "container": "sap-llm", "limit": None},
    {"kind": "env", "deployment": "sap-llm", "container": "sap-llm", "env": {"MALLOC_ARENA_MAX": None, "X": "1"}},
    {"kind": "redis-config", "values": {"maxmemory-policy": "noeviction"}},
    {"kind": "alertmanager-silence", "url": "http://alertmanager:9093", "silence_id": "0e3b1c9e-5f1a-4c1e-9d2b-3a7c1f2e8d40"},
]


@pytest.mark.parametrize("recorded", OLD_LOG_PREVIOUS, ids=lambda r: r["kind"])
def test_typed_previous_values_read_and_write_the_audit_logs_json_unchanged(recorded):
    restoring = {h.previous_type.TAG: h for h in ALL_HANDLERS if isinstance(h, Restoring)}
    assert set(restoring) == {"configmap", "scale", "memory-limit", "env", "redis-config", "alertmanager-silence"}
    handler = restoring[recorded["kind"]]
    previous = handler.previous_type.from_json(recorded)
    assert previous.to_json() == recorded
    assert list(previous.to_json()) == list(recorded)  # same keys, same order: the log line reads the same


def test_previous_values_of_another_kind_do_not_fit():
    handler = HANDLERS[ConfigMapPatch]
    assert isinstance(handler, Restoring)
    op = KINDS["configmap-patch"].from_table({"data": {"batch_size": "8"}})
    with pytest.raises(PlanError, match="recorded previous values of kind 'scale' do not fit operation 'configmap-patch'"):
        handler.previous_from_json({"kind": "scale", "deployment": "x", "replicas": 1}, op)
