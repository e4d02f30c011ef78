"""The runbook catalogue: every step of the MemoryUsageHigh runbook as a declarative entry.

The UI never builds API calls by hand: the side panel lists these entries, the confirmation
modal shows their parameters, change and equivalent command, and the executor turns an entry
plus validated values (``Action.bind``) into API calls.  No UI and no network here: data, its
schema and its validation.

File format (``catalogue.toml`` here; a user's ``--runbook FILE`` uses the same)::

    [[action]]
    id = "fix.reduce-batch-size"        # stable, "<phase>.<words>"; keymaps refer to it
    title = "Reduce batch size"         # at most 34 characters (side panel)
    phase = "fix"                       # diagnose | fix
    risk = "reversible"                 # read-only | reversible | disruptive | destructive
    root_cause = "batch"                # optional: model-loading | leak | batch | cache
    # also_for = ["leak"]               # fix only: other causes whose runbook resolution ends in it
    summary = "One sentence for the modal."
    why = "Where the runbook is wrong or subtle."
    runbook_ref = "Common Root Causes › 3. Large Batch Processing"
    undo = "restore-previous"           # optional, only where a previous value can be restored
    # confirm_name = true               # required for destructive actions (type the target's name)
    # gentler_first = ["fix.x", ...]    # fixes the modal offers before this one
    # persistence_note = "..."          # Redis CONFIG SET only
    equivalent = '''kubectl patch configmap {configmap} -n {namespace} --type merge -p '{"data":{"batch_size":"{batch_size}"}}' '''

    [action.operation]                  # one of the kinds in ``operations.KINDS``
    kind = "configmap-patch"
    name = "sap-llm-config"
    data = { batch_size = "{batch_size}" }

    [action.params.batch_size]          # ordered; type int|quantity|bool|enum|duration|regex|string
    type = "int"
    default = "32"                      # the runbook's value, as the operator would type it
    label = "batch_size"
    help = "..."
    min = 1
    max = 1024

Placeholders are ``{name}``; ``{{name}}`` is a literal ``{name}``; every other brace is literal
(JSON, PromQL matchers).  Values are quoted for where they stand: see ``templates``.
User files add entries or override them by id, field by field: see ``catalogue``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memtui import lazy_names

if TYPE_CHECKING:  # what type checkers and editors see; at run time, _HOMES and __getattr__
    from memtui.runbook.action import PHASES, ROOT_CAUSES, Action
    from memtui.runbook.catalogue import Catalogue, load_catalogue
    from memtui.runbook.errors import CatalogueError, ParamError
    from memtui.runbook.operations import KINDS, RISKS, Operation
    from memtui.runbook.params import PARAM_TYPES, Duration, Param, Quantity
    from memtui.runbook.targets import WorstPod, worst_pod

# Where each public name lives. Imported lazily: the executor's model needs one schema class,
# not the catalogue loader and its TOML file.
_HOMES = {
    "Action": "memtui.runbook.action",
    "Catalogue": "memtui.runbook.catalogue",
    "CatalogueError": "memtui.runbook.errors",
    "Duration": "memtui.runbook.params",
    "KINDS": "memtui.runbook.operations",
    "Operation": "memtui.runbook.operations",
    "PARAM_TYPES": "memtui.runbook.params",
    "PHASES": "memtui.runbook.action",
    "Param": "memtui.runbook.params",
    "ParamError": "memtui.runbook.errors",
    "Quantity": "memtui.runbook.params",
    "RISKS": "memtui.runbook.operations",
    "ROOT_CAUSES": "memtui.runbook.action",
    "WorstPod": "memtui.runbook.targets",
    "load_catalogue": "memtui.runbook.catalogue",
    "worst_pod": "memtui.runbook.targets",
}

__all__ = [
    "Action",
    "Catalogue",
    "CatalogueError",
    "Duration",
    "KINDS",
    "Operation",
    "PARAM_TYPES",
    "PHASES",
    "Param",
    "ParamError",
    "Quantity",
    "RISKS",
    "ROOT_CAUSES",
    "WorstPod",
    "load_catalogue",
    "worst_pod",
]
__getattr__, __dir__ = lazy_names(__name__, _HOMES)
