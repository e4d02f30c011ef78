"""Operation kinds as handlers: one module per kind family, one protocol, one registry.

"Where is kind X planned, checked, undone?": in the module of its family here.

- ``base``: the protocol (``KindHandler``) and its capabilities (``Drafting``, ``Reading``,
  ``Restoring``), typed ``Previous`` values, ``EffectProfile``, ``MarkScope``, ``EffectInputs``;
- ``registry``: schema class → handler, checked at import;
- ``configmap``: configmap-patch, configmap-get;
- ``deployment``: deployment-restart, -set-env, -memory-limit, -resources, rollout-history;
- ``scale``: deployment-scale;
- ``pods``: pod-delete, pods-oom, pods-limits, metrics-top, logs-grep;
- ``exec``: exec, exec-script, pod-http (a process in a container);
- ``redis``: redis (``--redis-url`` or redis-cli in the Redis pod);
- ``promql``: promql (Prometheus).

One kind = its catalogue entries + its schema class (``memtui.runbook.operations``) + its handler
here.  This package's ``__init__`` imports nothing, so ``kinds.base`` can be imported by the
handler modules without loading the registry.
"""
