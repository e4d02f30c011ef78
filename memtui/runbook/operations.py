"""The closed set of operation kinds: one frozen dataclass per kind, read from ``[action.operation]``.

An operation says *what* an action does in terms the executor can turn into API calls, never
how to build them by hand in the UI.  Each kind declares its fields (with the runbook's defaults),
whether it changes anything (``mutates``), the least risk an action using it may declare
(``minimum_risk``: nobody can label a rollout restart "reversible"), whether "undo" can restore
a previous value, and which built-in placeholders its equivalent command may use.

Templates inside operations: argv words, Redis command words, ``replicas``, ``limit``, ``pattern``,
``range`` and ``step`` take a placeholder only as the *whole* value (``"{replicas}"``) and only
of a parameter type that needs no quoting; ConfigMap and env values may mix text and
placeholders (they are data, never parsed); a PromQL ``query`` is quoted as PromQL; an
``exec-script`` ``script`` takes no placeholders at all and may not even contain ``{``, because
no text anyone types is ever pasted into a shell script.

``bind`` returns the same operation with every template filled in with validated values: what the
executor sends.  This module is schema only: how each kind's requests are built, checked, undone
and summarised is its handler in ``memtui.executor.kinds``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any, ClassVar

from memtui.runbook.errors import FieldError
from memtui.runbook.fields import (
    CONFIGMAP_KEY_RE,
    ENV_NAME_RE,
    Table,
    as_bool,
    as_choice,
    as_int,
    as_name,
    as_str,
    as_str_list,
    check_keys,
)
from memtui.runbook.params import Param, ParamError, parse_duration, parse_quantity_text
from memtui.runbook.templates import Slot, check_template, placeholders, render, substitute, whole_placeholder

RISKS = ("read-only", "reversible", "disruptive", "destructive")
"""Least to most dangerous.  read-only: reads only.  reversible: changes state that memtui's
undo restores (the entry has ``undo = "restore-previous"``), nothing is lost.  disruptive: replaces pods, drops caches or sheds load; nothing
permanent is lost but it cannot be taken back.  destructive: deletes data or a pod; the modal
asks for the target's name."""

BUILTINS = ("namespace", "pod", "deployment", "container", "configmap", "argv", "script", "command", "query", "timestamp",
            "matchers")
"""Placeholder names memtui fills itself; parameters may not use them."""

TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
"""``{timestamp}`` in ``save_output_to``: UTC, sortable, no characters a file system dislikes."""

_MISSING = object()
_ACTION_LEVEL = ("params", "equivalent", "undo", "confirm_name", "gentler_first", "persistence_note", "why", "summary",
                 "title", "risk", "phase", "root_cause", "runbook_ref")
"""Action fields a user may put under [action.operation] by mistake (TOML tables run on)."""
_SAFE_TYPES_TEXT = "int, quantity, bool, duration or enum of plain words"


@dataclass(frozen=True)
class BindContext:
    """What ``Operation.bind`` fills templates with."""

    values: Mapping[str, Any]
    """Typed, validated parameter values (``Action.validate``)."""
    texts: Mapping[str, str]
    """The same values as template text (``true``, ``16Gi``, ``8gb``)."""
    namespace: str
    pod: str | None = None
    now: datetime | None = None
    matchers: str = ""
    """Label matchers of the Prometheus access (``cluster="eu-1"``), for a PromQL ``{matchers}``;
    empty for a Prometheus of one cluster."""


def _reader(kind: str, **opts: Any) -> Callable[[Any, str], Any]:
    def read(value: Any, name: str) -> Any:
        if kind == "str":
            return as_str(value, name, allow_empty=opts.get("allow_empty", False))
        if kind == "name":
            return as_name(value, name)
        if kind == "int":
            return as_int(value, name, low=opts.get("low"), high=opts.get("high"))
        if kind == "bool":
            return as_bool(value, name)
        if kind == "choice":
            return as_choice(value, name, opts["choices"])
        if kind == "list":
            items = as_str_list(value, name)
            if "choices" in opts:
                for index, item in enumerate(items):
                    as_choice(item, f"{name}[{index}]", opts["choices"])
            return items
        if kind == "table":
            if not isinstance(value, Mapping) or not value:
                raise FieldError(name, "must be a non-empty table of key = \"value\"")
            key_re = opts["key_re"]
            for key, item in value.items():
                if not key_re.fullmatch(key):
                    raise FieldError(f"{name}.{key}", f"is not a valid {opts['what']}")
                as_str(item, f"{name}.{key}", allow_empty=True)
            return Table(value)
        if kind == "int-or-placeholder":
            if isinstance(value, str) and whole_placeholder(value):
                return value
            return as_int(value, name, low=opts.get("low"), high=opts.get("high"))
        raise AssertionError(kind)

    return read


def spec(kind: str, default: Any = _MISSING, **opts: Any) -> Any:
    """A dataclass field that knows how to read itself from TOML."""
    metadata = {"read": _reader(kind, **opts)}
    if default is _MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Operation:
    """Base of every kind.  Subclasses set ``kind`` and the class-level policy below."""

    kind: ClassVar[str] = ""
    MUTATES: ClassVar[bool | None] = False
    """True/False, or None when it depends on the command (exec: trust the declared risk)."""
    MIN_RISK: ClassVar[str] = "read-only"
    UNDOABLE: ClassVar[bool] = False
    TARGETS_PODS: ClassVar[bool] = False
    """Whether ``{pod}`` means something for this kind (and the UI should pass pods)."""

    # -- reading ------------------------------------------------------------------------------

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Operation:
        names = [f.name for f in fields(cls)]
        for key in table:
            if key in _ACTION_LEVEL and key not in names:
                raise FieldError(key, f"is not a field of kind {cls.kind!r} ({key} go in [action.{key}.NAME] tables, "
                                      "after [action.operation] ends)" if key == "params" else
                                 f"is not a field of kind {cls.kind!r} (it belongs to the action, above [action.operation])")
        check_keys({k: v for k, v in table.items() if k != "kind"}, names, f"kind {cls.kind!r}")
        kwargs = {}
        for f in fields(cls):
            if f.name in table:
                kwargs[f.name] = f.metadata["read"](table[f.name], f.name)
            elif f.default is MISSING:
                raise FieldError(f.name, f"is missing (kind {cls.kind!r} needs it)")
        return cls(**kwargs)

    # -- policy -------------------------------------------------------------------------------

    def mutates(self) -> bool | None:
        return self.MUTATES

    def minimum_risk(self) -> str:
        return self.MIN_RISK

    def can_undo(self) -> bool:
        return self.UNDOABLE

    # -- placeholders -------------------------------------------------------------------------

    def builtin_slots(self) -> dict[str, Slot]:
        """Built-in placeholders this kind offers to its ``equivalent`` template."""
        slots = {"namespace": Slot(bare_safe=False)}
        if self.TARGETS_PODS:
            slots["pod"] = Slot(bare_safe=False)
        for name in ("deployment", "container"):
            if hasattr(self, name):
                slots[name] = Slot(bare_safe=True)
        return slots

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        """Values of ``builtin_slots`` for a bound operation."""
        values = {"namespace": namespace}
        if self.TARGETS_PODS:
            values["pod"] = pod if pod is not None else "<pod>"
        for name in ("deployment", "container"):
            if hasattr(self, name):
                values[name] = getattr(self, name)
        return values

    def fragments(self) -> frozenset[str]:
        return frozenset()

    def check(self, params: Mapping[str, Param]) -> None:
        """Cross-check templates against the declared parameters; raise ``FieldError``."""

    def bind(self, ctx: BindContext) -> Operation:
        """The operation with every template filled in (what the executor sends)."""
        return self


def _declared(params: Mapping[str, Param], extra: tuple[str, ...] = ()) -> str:
    names = list(params) + list(extra)
    return "declared: " + (", ".join(names) if names else "none")


def _check_whole(value: str, name: str, params: Mapping[str, Param], *, types: tuple[str, ...] | None = None,
                 need_safe: bool = True) -> str | None:
    """A field that is a literal, or exactly ``{param}`` of an allowed type; returns the param name."""
    refs = placeholders(value)
    if not refs:
        return None
    param_name = whole_placeholder(value)
    if param_name is None:
        raise FieldError(name, f"{value!r}: a placeholder must be the whole value, as in \"{{{refs[0]}}}\"")
    if param_name not in params:
        raise FieldError(name, f"refers to {{{param_name}}}, which is not a declared parameter ({_declared(params)})")
    param = params[param_name]
    if types is not None and param.type not in types:
        raise FieldError(name, f"{{{param_name}}} is a {param.type} parameter; {name} needs {' or '.join(types)}")
    if need_safe and not param.is_bare_safe:
        raise FieldError(name, f"{{{param_name}}} is a {param.type} parameter; only {_SAFE_TYPES_TEXT} may stand here")
    return param_name


def _fill_whole(value: str, ctx: BindContext) -> Any:
    """The typed value when ``value`` is ``{param}``, else ``value`` itself."""
    name = whole_placeholder(value)
    return ctx.values[name] if name else value


_POD_CHOICES = ("selected", "all", "one")


@dataclass(frozen=True)
class MetricsTop(Operation):
    """Top pods from the metrics API (``metrics.k8s.io``: memory there *is* the working set).

    ``columns`` adds facts from the pod list memtui already holds (age, restarts, limit), so
    "pod age vs memory" is the same table sorted by age.
    """

    kind: ClassVar[str] = "metrics-top"
    sort_by: str = spec("choice", "memory", choices=("memory", "cpu", "age", "restarts"))
    columns: tuple[str, ...] = spec("list", ("memory", "cpu"), choices=("memory", "cpu", "limit", "age", "restarts"))


@dataclass(frozen=True)
class Exec(Operation):
    """Run a fixed argument list in a container; no shell anywhere.

    ``pods``: ``selected`` is the pod under the cursor (it must belong to ``deployment``),
    ``all`` every pod of ``deployment``, ``one`` one arbitrary pod of it (what the runbook's
    ``kubectl exec deployment/X`` does).  ``save_output_to`` names a local file for output that
    is a download (a heap profile), with ``{pod}`` and ``{timestamp}`` available; the executor
    must keep that output as bytes.
    """

    kind: ClassVar[str] = "exec"
    MUTATES: ClassVar[bool | None] = None
    MIN_RISK: ClassVar[str] = "read-only"
    TARGETS_PODS: ClassVar[bool] = True
    argv: tuple[str, ...] = spec("list")
    container: str = spec("name")
    pods: str = spec("choice", "selected", choices=_POD_CHOICES)
    deployment: str = spec("name", "sap-llm")
    save_output_to: str = spec("str", "", allow_empty=True)
    timeout_s: int = spec("int", 30, low=1, high=600)

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "argv": Slot(bare_safe=False, fragment=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "argv": shlex.join(self.argv)}

    def fragments(self) -> frozenset[str]:
        return frozenset({"argv"})

    def check(self, params: Mapping[str, Param]) -> None:
        if placeholders(self.argv[0]):
            raise FieldError("argv[0]", "the program must be fixed, not a placeholder")
        for index, word in enumerate(self.argv):
            _check_whole(word, f"argv[{index}]", params)
        if self.save_output_to:
            name = self.save_output_to
            if "/" in name or "\\" in name or name.startswith("."):
                raise FieldError("save_output_to", f"{name!r} must be a plain file name (no directories, not hidden)")
            for ref in placeholders(name):
                if ref in ("pod", "timestamp"):
                    continue
                if ref not in params or not params[ref].is_bare_safe:
                    raise FieldError("save_output_to", f"refers to {{{ref}}}; only {{pod}}, {{timestamp}} and "
                                                       f"parameters of type {_SAFE_TYPES_TEXT} may be used")

    def bind(self, ctx: BindContext) -> Exec:
        argv = tuple(substitute(word, ctx.texts) for word in self.argv)
        saved = self.save_output_to
        if saved:
            stamp = (ctx.now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)
            saved = substitute(saved, {**ctx.texts, "pod": ctx.pod or "pod", "timestamp": stamp})
        return replace(self, argv=argv, save_output_to=saved)


@dataclass(frozen=True)
class ExecScript(Operation):
    """Run a *fixed* shell script in a container as ``["sh", "-c", script]``.

    For what needs the container's shell: a glob (``rm -rf /tmp/cache/*`` as a plain argv passes
    the literal ``*`` to ``rm``, which removes nothing), or a fallback between cgroup v1 and v2
    paths.  The script may not contain ``{`` at all: no placeholder, no ``${VAR}``; no text
    anyone types ever reaches a shell.
    """

    kind: ClassVar[str] = "exec-script"
    MUTATES: ClassVar[bool | None] = None
    TARGETS_PODS: ClassVar[bool] = True
    script: str = spec("str")
    container: str = spec("name")
    pods: str = spec("choice", "selected", choices=_POD_CHOICES)
    deployment: str = spec("name", "sap-llm")
    timeout_s: int = spec("int", 30, low=1, high=600)

    @property
    def argv(self) -> tuple[str, ...]:
        return ("sh", "-c", self.script)

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "script": Slot(bare_safe=False)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "script": self.script}

    def check(self, params: Mapping[str, Param]) -> None:
        if "{" in self.script:
            raise FieldError("script", "contains '{': an exec-script is fixed text with no placeholders (and no ${VAR}); "
                                       "use kind 'exec' with an argv for anything that takes parameters")
        if "\x00" in self.script:
            raise FieldError("script", "contains a NUL character")


@dataclass(frozen=True)
class LogsGrep(Operation):
    """Search container logs with a regex (Python ``re``), memtui-side; optionally only count.

    ``pods`` as for exec; default ``all``, since the runbook's ``kubectl logs deployment/X``
    reads one arbitrary pod.  ``tail_lines`` bounds what is read per pod (the runbook reads whole
    logs; a memory tool must not balloon reading them).  ``previous`` reads the container that
    died (after an OOMKill, the interesting one).
    """

    kind: ClassVar[str] = "logs-grep"
    TARGETS_PODS: ClassVar[bool] = True
    pattern: str = spec("str")
    deployment: str = spec("name", "sap-llm")
    container: str = spec("name", "sap-llm")
    pods: str = spec("choice", "all", choices=_POD_CHOICES)
    ignore_case: bool = spec("bool", True)
    tail_lines: int = spec("int", 10000, low=1, high=1_000_000)
    count_only: bool = spec("bool", False)
    previous: bool = spec("bool", False)

    def check(self, params: Mapping[str, Param]) -> None:
        if _check_whole(self.pattern, "pattern", params, types=("regex",), need_safe=False) is None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise FieldError("pattern", f"{self.pattern!r} is not a valid regular expression: {exc}") from None

    def bind(self, ctx: BindContext) -> LogsGrep:
        return replace(self, pattern=str(_fill_whole(self.pattern, ctx)))


@dataclass(frozen=True)
class PromQL(Operation):
    """A PromQL query; an instant query, or a range query when ``range`` is set.

    ``range`` and ``step`` are durations; the executor sends ``start``/``end`` as timestamps
    (``end`` = now, ``start`` = now − range), since the HTTP API has no relative ``start=-1h``.
    """

    kind: ClassVar[str] = "promql"
    TARGETS_PODS: ClassVar[bool] = True
    query: str = spec("str")
    range: str = spec("str", "", allow_empty=True)
    step: str = spec("str", "60s")

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "query": Slot(bare_safe=False, fragment=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "query": self.query}

    def fragments(self) -> frozenset[str]:
        return frozenset({"query"})

    def check(self, params: Mapping[str, Param]) -> None:
        slots = {"namespace": Slot(False), "pod": Slot(False), "matchers": Slot(False, fragment=True)}
        slots.update({name: Slot(p.is_bare_safe) for name, p in params.items()})
        check_template(self.query, "promql", slots, field="query",
                       declared=_declared(params, ("namespace", "pod", "matchers")))
        _check_matchers_slot(self.query)
        for name in ("range", "step"):
            value = getattr(self, name)
            if not value:
                continue
            if _check_whole(value, name, params, types=("duration",)) is None:
                try:
                    parse_duration(value, what=name)
                except ParamError as exc:
                    raise FieldError(name, exc.message.removeprefix(f"{name} ")) from None

    def bind(self, ctx: BindContext) -> PromQL:
        values = {**ctx.texts, "namespace": ctx.namespace, "pod": ctx.pod if ctx.pod is not None else "<pod>",
                  "matchers": f",{ctx.matchers}" if ctx.matchers else ""}
        return replace(
            self,
            query=render(with_matchers_slot(self.query), "promql", values, fragments=frozenset({"matchers"})),
            range=str(_fill_whole(self.range, ctx)) if self.range else "",
            step=str(_fill_whole(self.step, ctx)) if self.step else "",
        )


NAMESPACE_SELECTOR_RE = re.compile(r'namespace\s*=\s*"\{namespace\}"')
MATCHERS_SLOT = "{matchers}"


def with_matchers_slot(query: str) -> str:
    """The query with ``{matchers}`` right after every ``namespace="{namespace}"`` that lacks it.

    On a Prometheus several clusters share (Thanos, Mimir), ``--prometheus-matchers`` must reach
    every selector of the namespace, or a diagnose step mixes clusters.  A runbook written for one
    cluster (before ``{matchers}`` existed) names the namespace and nothing else; the place the
    matchers go is then known without parsing PromQL (Python has no well-kept parser that can edit
    and re-print a query; prom-label-proxy's injection is Go), so it keeps working unchanged and
    what is sent is still exactly what the output pane shows (the bound query).
    """
    return NAMESPACE_SELECTOR_RE.sub(
        lambda m: m.group(0) if query.startswith(MATCHERS_SLOT, m.end()) else m.group(0) + MATCHERS_SLOT, query)


def _check_matchers_slot(query: str) -> None:
    """Refuse ``{matchers}`` anywhere but right after ``namespace="{namespace}"``: it renders to
    ``,cluster="eu-1"`` and only fits after a matcher inside a selector's braces.  Where it is
    missing after one, ``with_matchers_slot`` puts it in at bind time."""
    ends = {m.end() for m in NAMESPACE_SELECTOR_RE.finditer(query)}
    for found in re.finditer(re.escape(MATCHERS_SLOT), query):
        if found.start() not in ends:
            raise FieldError("query", '{matchers} may only stand right after namespace="{namespace}"')


_REDIS_READ_ONLY = {
    ("INFO",), ("DBSIZE",), ("PING",), ("MEMORY", "STATS"), ("MEMORY", "USAGE"), ("MEMORY", "DOCTOR"),
    ("MEMORY", "MALLOC-STATS"), ("CONFIG", "GET"), ("SLOWLOG", "GET"), ("CLIENT", "LIST"), ("LATENCY", "LATEST"),
}
_REDIS_DESTRUCTIVE = {"FLUSHDB", "FLUSHALL", "DEL", "UNLINK", "SHUTDOWN", "SWAPDB"}


@dataclass(frozen=True)
class Redis(Operation):
    """A Redis command as a word list, sent through the Redis client (``--redis-url``), or else
    through ``redis-cli`` exec'd in one pod of ``deployment`` (an argv, no shell).

    Read-only commands (INFO, MEMORY STATS, CONFIG GET…) are recognised by name; anything else
    mutates, and FLUSHDB/FLUSHALL/DEL… are destructive.  Only ``CONFIG SET`` can be undone
    (memtui reads the old value with ``CONFIG GET`` first).
    """

    kind: ClassVar[str] = "redis"
    TARGETS_PODS: ClassVar[bool] = True
    command: tuple[str, ...] = spec("list")
    deployment: str = spec("name", "redis")

    def _words(self) -> tuple[str, ...]:
        return tuple(word.upper() for word in self.command[:2])

    def mutates(self) -> bool:
        words = self._words()
        return words[:1] not in _REDIS_READ_ONLY and words[:2] not in _REDIS_READ_ONLY

    def minimum_risk(self) -> str:
        if self._words()[0] in _REDIS_DESTRUCTIVE:
            return "destructive"
        return "reversible" if self.mutates() else "read-only"

    def can_undo(self) -> bool:
        return self._words() == ("CONFIG", "SET")

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "command": Slot(bare_safe=False, fragment=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "command": shlex.join(self.command)}

    def fragments(self) -> frozenset[str]:
        return frozenset({"command"})

    def check(self, params: Mapping[str, Param]) -> None:
        if placeholders(self.command[0]) or not re.fullmatch(r"[A-Za-z][A-Za-z-]*", self.command[0]):
            raise FieldError("command[0]", f"{self.command[0]!r} must be a fixed Redis command name")
        for index, word in enumerate(self.command):
            _check_whole(word, f"command[{index}]", params)

    def bind(self, ctx: BindContext) -> Redis:
        return replace(self, command=tuple(substitute(word, ctx.texts) for word in self.command))


@dataclass(frozen=True)
class RolloutHistory(Operation):
    """Revisions of a Deployment (its ReplicaSets), newest last."""

    kind: ClassVar[str] = "rollout-history"
    deployment: str = spec("name", "sap-llm")


@dataclass(frozen=True)
class ConfigMapGet(Operation):
    """The keys of a ConfigMap whose *names* match ``key_pattern``, with their values."""

    kind: ClassVar[str] = "configmap-get"
    name: str = spec("name", "sap-llm-config")
    key_pattern: str = spec("str", ".*")

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "configmap": Slot(bare_safe=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "configmap": self.name}

    def check(self, params: Mapping[str, Param]) -> None:
        try:
            re.compile(self.key_pattern)
        except re.error as exc:
            raise FieldError("key_pattern", f"{self.key_pattern!r} is not a valid regular expression: {exc}") from None


@dataclass(frozen=True)
class DeploymentResources(Operation):
    """Requests and limits of every container of a Deployment's pod template."""

    kind: ClassVar[str] = "deployment-resources"
    deployment: str = spec("name", "sap-llm")


@dataclass(frozen=True)
class PodsOom(Operation):
    """Pods whose containers were OOMKilled: from pod status (every container, not ``[0]``) and
    from memtui's OOM ledger, which still knows after a rollout restart wiped ``lastState``."""

    kind: ClassVar[str] = "pods-oom"


@dataclass(frozen=True)
class PodsLimits(Operation):
    """Memory request and limit of every container of every pod in the namespace."""

    kind: ClassVar[str] = "pods-limits"


@dataclass(frozen=True)
class ConfigMapPatch(Operation):
    """Set keys of a ConfigMap's ``data``, sent as a JSON merge patch
    (``application/merge-patch+json``), as the runbook's ``kubectl patch --type merge`` does
    (the request and its undo: ``memtui.executor.kinds.configmap``).

    Values are templates (``"{batch_size}"``); a ConfigMap holds strings, so every value is sent
    as a string.  Undo restores the previous values (a key that did not exist is removed, with
    ``null`` in the merge patch).
    """

    kind: ClassVar[str] = "configmap-patch"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "reversible"
    UNDOABLE: ClassVar[bool] = True
    data: Table = spec("table", key_re=CONFIGMAP_KEY_RE, what="ConfigMap key")
    name: str = spec("name", "sap-llm-config")

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "configmap": Slot(bare_safe=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "configmap": self.name}

    def check(self, params: Mapping[str, Param]) -> None:
        _check_plain_table(self.data, "data", params)

    def bind(self, ctx: BindContext) -> ConfigMapPatch:
        return replace(self, data=Table({k: substitute(v, ctx.texts) for k, v in self.data.items()}))


@dataclass(frozen=True)
class DeploymentSetEnv(Operation):
    """Set environment variables on a container of a Deployment's pod template.

    Changing the template starts a rollout: every pod is replaced.
    """

    kind: ClassVar[str] = "deployment-set-env"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "disruptive"
    UNDOABLE: ClassVar[bool] = True
    env: Table = spec("table", key_re=ENV_NAME_RE, what="environment variable name")
    deployment: str = spec("name", "sap-llm")
    container: str = spec("name", "sap-llm")

    def check(self, params: Mapping[str, Param]) -> None:
        _check_plain_table(self.env, "env", params)

    def bind(self, ctx: BindContext) -> DeploymentSetEnv:
        return replace(self, env=Table({k: substitute(v, ctx.texts) for k, v in self.env.items()}))


@dataclass(frozen=True)
class DeploymentRestart(Operation):
    """``kubectl rollout restart``: set ``kubectl.kubernetes.io/restartedAt`` on the pod
    template, so the Deployment replaces its pods under its own rollout strategy."""

    kind: ClassVar[str] = "deployment-restart"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "disruptive"
    deployment: str = spec("name", "sap-llm")


@dataclass(frozen=True)
class DeploymentScale(Operation):
    """Set a Deployment's replicas (through its ``scale`` subresource); undo restores the count."""

    kind: ClassVar[str] = "deployment-scale"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "reversible"
    UNDOABLE: ClassVar[bool] = True
    deployment: str = spec("name")
    replicas: int | str = spec("int-or-placeholder", low=0, high=1000)

    def check(self, params: Mapping[str, Param]) -> None:
        if isinstance(self.replicas, str):
            _check_whole(self.replicas, "replicas", params, types=("int",))

    def bind(self, ctx: BindContext) -> DeploymentScale:
        return replace(self, replicas=int(_fill_whole(self.replicas, ctx)) if isinstance(self.replicas, str) else self.replicas)


@dataclass(frozen=True)
class DeploymentMemoryLimit(Operation):
    """Set ``resources.limits.memory`` of one container (by *name*) in a Deployment's template.

    A JSON patch (``memtui.executor.kinds.deployment.limit_patch``): ``test`` that
    ``/spec/template/spec/containers/<i>/name`` is ``container``, then ``add`` (which also
    replaces) ``.../resources/limits/memory``; the runbook's ``containers/0`` assumes the first
    container is the right one.  A template change starts a
    rollout.  Undo restores the previous limit.
    """

    kind: ClassVar[str] = "deployment-memory-limit"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "disruptive"
    UNDOABLE: ClassVar[bool] = True
    limit: str = spec("str")
    deployment: str = spec("name", "sap-llm")
    container: str = spec("name", "sap-llm")

    def check(self, params: Mapping[str, Param]) -> None:
        name = _check_whole(self.limit, "limit", params, types=("quantity",))
        if name is not None and params[name].format != "kubernetes":
            raise FieldError("limit", f"{{{name}}} has format {params[name].format!r}; a Kubernetes limit needs 'kubernetes'")
        if name is None:
            try:
                parse_quantity_text(self.limit, "kubernetes", what="limit")
            except ParamError as exc:
                raise FieldError("limit", exc.message.removeprefix("limit ")) from None

    def bind(self, ctx: BindContext) -> DeploymentMemoryLimit:
        value = _fill_whole(self.limit, ctx)
        text = value.text if hasattr(value, "text") else parse_quantity_text(str(value), "kubernetes").text
        return replace(self, limit=text)


@dataclass(frozen=True)
class PodDelete(Operation):
    """Delete one pod of ``deployment``; its ReplicaSet starts a fresh one.

    ``pod``: ``selected`` (the pod under the cursor) or ``worst``: the pod whose working set is
    highest against its memory limit, ties broken by more restarts (see
    ``memtui.runbook.targets.worst_pod``).  The UI shows which pod and why before asking.
    """

    kind: ClassVar[str] = "pod-delete"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "destructive"
    TARGETS_PODS: ClassVar[bool] = True
    pod: str = spec("choice", choices=("selected", "worst"))
    deployment: str = spec("name", "sap-llm")


_PATH_RE = re.compile(r"/[A-Za-z0-9/_.~%?=&-]*")


@dataclass(frozen=True)
class PodHttp(Operation):
    """Call the app's own HTTP endpoint inside the pod (``POST :8080/admin/gc``), by exec of
    ``curl`` with a fixed argv (``argv`` property): the endpoint is usually not exposed by the
    Service, and reaching the *serving process* is the point."""

    kind: ClassVar[str] = "pod-http"
    TARGETS_PODS: ClassVar[bool] = True
    port: int = spec("int", low=1, high=65535)
    path: str = spec("str")
    method: str = spec("choice", "GET", choices=("GET", "POST", "PUT", "DELETE"))
    pods: str = spec("choice", "selected", choices=("selected", "all"))
    container: str = spec("name", "sap-llm")
    deployment: str = spec("name", "sap-llm")
    timeout_s: int = spec("int", 30, low=1, high=600)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}{self.path}"

    @property
    def argv(self) -> tuple[str, ...]:
        return ("curl", "-sS", "--fail", "--max-time", str(self.timeout_s), "-X", self.method, self.url)

    def mutates(self) -> bool:
        return self.method != "GET"

    def minimum_risk(self) -> str:
        return "reversible" if self.mutates() else "read-only"

    def builtin_slots(self) -> dict[str, Slot]:
        return {**super().builtin_slots(), "argv": Slot(bare_safe=False, fragment=True)}

    def builtin_values(self, namespace: str, pod: str | None) -> dict[str, str]:
        return {**super().builtin_values(namespace, pod), "argv": shlex.join(self.argv)}

    def fragments(self) -> frozenset[str]:
        return frozenset({"argv"})

    def check(self, params: Mapping[str, Param]) -> None:
        if not _PATH_RE.fullmatch(self.path):
            raise FieldError("path", f"{self.path!r} must start with / and use only URL-safe characters")


def _check_plain_table(table: Table, name: str, params: Mapping[str, Param]) -> None:
    for key, value in table.items():
        for ref in placeholders(value):
            if ref not in params:
                raise FieldError(f"{name}.{key}", f"refers to {{{ref}}}, which is not a declared parameter ({_declared(params)})")


@dataclass(frozen=True)
class AlertmanagerSilence(Operation):
    """Silence the alert ``alertname`` for this namespace in Alertmanager for ``duration``.

    The matchers are equality matchers on the labels every firing alert of the namespace shares
    (``alertname`` and ``namespace`` at least): never a regex, never without the namespace, so the
    silence is never broader than the alert.  Undo expires it.  Needs ``--alertmanager-url``.
    """

    kind: ClassVar[str] = "alertmanager-silence"
    MUTATES: ClassVar[bool | None] = True
    MIN_RISK: ClassVar[str] = "reversible"
    UNDOABLE: ClassVar[bool] = True
    alertname: str = spec("str")
    duration: str = spec("str")

    def check(self, params: Mapping[str, Param]) -> None:
        if not _check_whole(self.duration, "duration", params, types=("duration",)):
            try:
                parse_duration(self.duration, what="duration")
            except ParamError as exc:
                raise FieldError("duration", exc.message) from None

    def bind(self, ctx: BindContext) -> AlertmanagerSilence:
        name = whole_placeholder(self.duration)
        return replace(self, duration=ctx.texts[name]) if name else self


KINDS: dict[str, type[Operation]] = {
    cls.kind: cls
    for cls in (
        MetricsTop, Exec, ExecScript, LogsGrep, PromQL, Redis, RolloutHistory, ConfigMapGet, DeploymentResources,
        PodsOom, PodsLimits, ConfigMapPatch, DeploymentSetEnv, DeploymentRestart, DeploymentScale,
        DeploymentMemoryLimit, PodDelete, PodHttp, AlertmanagerSilence,
    )
}
"""Every operation kind; a catalogue using any other is refused."""


def operation_from_table(table: Any) -> Operation:
    """Read ``[action.operation]``; ``FieldError`` fields are relative to ``operation``."""
    if not isinstance(table, Mapping):
        raise FieldError("", "must be a table with a kind")
    kind = table.get("kind")
    if kind is None:
        raise FieldError("kind", f"is missing (one of {', '.join(KINDS)})")
    if kind not in KINDS:
        raise FieldError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    return KINDS[kind].from_table(table)
