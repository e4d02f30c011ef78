"""A user's --runbook file: additions, field-by-field overrides, and every kind of mistake
rejected with the file, the entry and the field named."""

from __future__ import annotations

import pytest

from memtui.executor.kinds.configmap import merge_patch
from memtui.runbook import CatalogueError, load_catalogue

RESTART = """
[[action]]
id = "fix.my-restart"
title = "Restart the gateway"
phase = "fix"
risk = "disruptive"
summary = "Restart sap-llm-gateway."
equivalent = "kubectl rollout restart deployment/{deployment} -n {namespace}"

[action.operation]
kind = "deployment-restart"
deployment = "sap-llm-gateway"
"""


def test_user_file_adds_entries_at_the_end_of_their_phase(user_file):
    extra_diagnose = """
    [[action]]
    id = "diagnose.gateway-history"
    title = "Gateway rollout history"
    phase = "diagnose"
    risk = "read-only"
    summary = "Revisions of sap-llm-gateway."
    equivalent = "kubectl rollout history deployment/{deployment} -n {namespace}"

    [action.operation]
    kind = "rollout-history"
    deployment = "sap-llm-gateway"
    """
    path = user_file(RESTART + extra_diagnose)
    packaged = load_catalogue()
    catalogue = load_catalogue(path)
    assert catalogue.ids[: len(packaged.by_phase("diagnose"))] == tuple(a.id for a in packaged.by_phase("diagnose"))
    assert catalogue.by_phase("diagnose")[-1].id == "diagnose.gateway-history"
    assert catalogue.actions[-1].id == "fix.my-restart"
    assert len(catalogue) == len(packaged) + 2
    added = catalogue.get("fix.my-restart")
    assert added.source == str(path)
    assert added.render_equivalent(namespace="sap-llm") == "kubectl rollout restart deployment/sap-llm-gateway -n sap-llm"


def test_override_changes_only_the_fields_given(user_file):
    path = user_file("""
    [[action]]
    id = "fix.reduce-batch-size"
    title = "Batch size 16"
    params.batch_size.default = "16"
    """)
    packaged = load_catalogue().get("fix.reduce-batch-size")
    action = load_catalogue(path).get("fix.reduce-batch-size")
    assert action.title == "Batch size 16"
    assert action.validate({}) == {"batch_size": 16, "max_batch_size": 64}
    assert action.param("batch_size").max == packaged.param("batch_size").max  # the rest of the param is kept
    assert (action.operation, action.equivalent, action.why, action.risk) == (
        packaged.operation, packaged.equivalent, packaged.why, packaged.risk)
    assert action.source == str(path)
    assert load_catalogue(path).ids == load_catalogue().ids  # same place in the list


def test_override_of_operation_fields_keeps_the_rest_of_the_operation(user_file):
    path = user_file("""
    [[action]]
    id = "fix.scale-api"
    operation.deployment = "sap-llm-gateway"
    params.replicas.default = "3"
    """)
    action = load_catalogue(path).get("fix.scale-api")
    bound = action.bind(namespace="sap-llm")
    assert (bound.deployment, bound.replicas) == ("sap-llm-gateway", 3)
    assert action.render_equivalent(namespace="sap-llm") == "kubectl scale deployment sap-llm-gateway -n sap-llm --replicas=3"


def test_override_with_another_kind_replaces_the_operation(user_file):
    path = user_file("""
    [[action]]
    id = "diagnose.top-pods"
    equivalent = "{query}"

    [action.operation]
    kind = "promql"
    query = 'topk(5, max by (pod) (container_memory_working_set_bytes{namespace="{namespace}"{matchers}, container!=""}))'
    """)
    action = load_catalogue(path).get("diagnose.top-pods")
    assert action.operation.kind == "promql" and not hasattr(action.operation, "sort_by")
    assert action.render_equivalent(namespace="sap-llm").startswith('topk(5, max by (pod) (container_memory_working_set_bytes{namespace="sap-llm"')


def test_override_may_add_a_parameter(user_file):
    path = user_file("""
    [[action]]
    id = "fix.limit-concurrency"
    equivalent = "kubectl patch configmap {configmap} -n {namespace} --type merge -p '{\\"data\\":{\\"max_concurrent_requests\\":\\"{max_concurrent_requests}\\",\\"max_queue\\":\\"{max_queue}\\"}}'"
    operation.data = { max_concurrent_requests = "{max_concurrent_requests}", max_queue = "{max_queue}" }
    params.max_queue = { type = "int", default = "100", label = "max_queue", min = 0, max = 10000 }
    """)  # noqa: E501 (the equivalent command is one TOML string)
    action = load_catalogue(path).get("fix.limit-concurrency")
    assert [p.name for p in action.params] == ["max_concurrent_requests", "max_queue"]
    assert merge_patch(action.bind(namespace="sap-llm")) == {"data": {"max_concurrent_requests": "50", "max_queue": "100"}}


def _rejected(user_file, text: str) -> str:
    path = user_file(text)
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


BAD_FILES = {
    "unknown kind": (
        RESTART.replace('kind = "deployment-restart"', 'kind = "reboot-node"'),
        "action 'fix.my-restart'", "operation.kind 'reboot-node' is not one of metrics-top, exec,",
    ),
    "bad default": (
        RESTART + '[action.params]\nreplicas = { type = "int", default = "2x", label = "replicas" }\n',
        "action 'fix.my-restart'", "params.replicas.default '2x' is not a valid int",
    ),
    "typo in a field": (
        RESTART.replace('title = "Restart the gateway"', 'titel = "Restart the gateway"'),
        "action 'fix.my-restart'", "titel is not a field of an action (did you mean 'title'?)",
    ),
    "field of another kind": (
        RESTART + 'replicas = 2\n',
        "action 'fix.my-restart'", "operation.replicas is not a field of kind 'deployment-restart'",
    ),
    "typo in a param field": (
        RESTART + '[action.params]\nn = { type = "int", default = "2", label = "n", maxx = 3 }\n',
        "action 'fix.my-restart'", "params.n.maxx is not a field of a int parameter (did you mean 'max'?)",
    ),
    "param field of another type": (
        RESTART + '[action.params]\nn = { type = "int", default = "2", label = "n", choices = ["2"] }\n',
        "action 'fix.my-restart'", "params.n.choices is not a field of a int parameter (it belongs to type enum)",
    ),
    "undeclared placeholder in the equivalent": (
        RESTART.replace("-n {namespace}", "-n {namespace} --replicas={replicas}"),
        "action 'fix.my-restart'", "equivalent refers to {replicas}, which is neither a declared parameter nor a built-in",
    ),
    "built-in the kind does not offer": (
        RESTART.replace("-n {namespace}", "-n {namespace} {pod}"),
        "action 'fix.my-restart'", "equivalent refers to {pod}",
    ),
    "mutating kind declared read-only": (
        RESTART.replace('risk = "disruptive"', 'risk = "read-only"'),
        "action 'fix.my-restart'", "risk 'read-only' does not fit operation kind 'deployment-restart', which changes things",
    ),
    "understated risk": (
        RESTART.replace('risk = "disruptive"', 'risk = "reversible"'),
        "action 'fix.my-restart'", "risk 'reversible' understates operation kind 'deployment-restart': it is at least 'disruptive'",
    ),
    "duplicate id": (
        RESTART + RESTART,
        "action 'fix.my-restart'", "id is used twice in this file",
    ),
    "missing id": (
        RESTART.replace('id = "fix.my-restart"\n', ""),
        "action #1 (no id)", "id is missing",
    ),
    "id outside its phase": (
        RESTART.replace('id = "fix.my-restart"', 'id = "diagnose.my-restart"'),
        "action 'diagnose.my-restart'", "id 'diagnose.my-restart' must start with its phase, 'fix.'",
    ),
    "title too long for the side panel": (
        RESTART.replace('title = "Restart the gateway"', 'title = "Restart the gateway deployment right now"'),
        "action 'fix.my-restart'", "title 'Restart the gateway deployment right now' is 40 characters; the side panel fits 34",
    ),
    "undo where nothing can be restored": (
        RESTART.replace('summary =', 'undo = "restore-previous"\nsummary ='),
        "action 'fix.my-restart'", "undo 'restore-previous' is not possible for operation kind 'deployment-restart'",
    ),
    "param named like a built-in": (
        RESTART + '[action.params]\nnamespace = { type = "string", default = "x", label = "ns" }\n',
        "action 'fix.my-restart'", "params.namespace is a built-in placeholder name",
    ),
    "a parameter under [action.operation]": (
        RESTART + 'params.n = { type = "int", default = "2", label = "n" }\n',
        "action 'fix.my-restart'", "operation.params is not a field of kind 'deployment-restart' "
        "(params go in [action.params.NAME] tables, after [action.operation] ends)",
    ),
    "unknown top-level table": (
        "[actions]\nid = 'x'\n",
        "unknown top-level key 'actions'", "entries go in [[action]] tables",
    ),
    "not TOML": (
        "[[action]\nid = \n",
        "not valid TOML", "",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_user_files_are_rejected_naming_entry_and_field(user_file, case):
    text, entry, problem = BAD_FILES[case]
    message = _rejected(user_file, text)
    assert message.startswith(entry), message
    assert problem in message, message


EXEC = """
[[action]]
id = "diagnose.my-exec"
title = "My exec"
phase = "diagnose"
risk = "read-only"
summary = "Run something."
equivalent = "kubectl exec -n {namespace} {pod} -c {container} -- {argv}"

[action.operation]
kind = "exec"
container = "sap-llm"
argv = ARGV
"""


@pytest.mark.parametrize(
    ("argv", "params", "field", "problem"),
    [
        ('["ls", "{dir}"]', "", "operation.argv[1]", "refers to {dir}, which is not a declared parameter"),
        ('["head", "-n{n}", "/proc/1/status"]', 'params.n = { type = "int", default = "5", label = "n" }',
         "operation.argv[1]", "a placeholder must be the whole value"),
        ('["grep", "{text}", "/proc/1/status"]', 'params.text = { type = "string", default = "Vm", label = "t" }',
         "operation.argv[1]", "{text} is a string parameter; only int, quantity, bool, duration or enum"),
        ('["{prog}"]', 'params.prog = { type = "enum", default = "ps", label = "p", choices = ["ps"] }',
         "operation.argv[0]", "the program must be fixed"),
    ],
)
def test_exec_argv_takes_only_whole_declared_safe_placeholders(user_file, argv, params, field, problem):
    message = _rejected(user_file, EXEC.replace("ARGV", argv) + "[action.params]\n" + params.removeprefix("params.") + "\n")
    assert message.startswith("action 'diagnose.my-exec': " + field), message
    assert problem in message, message


SCRIPT = """
[[action]]
id = "fix.my-cleanup"
title = "My cleanup"
phase = "fix"
risk = "disruptive"
summary = "Clean up."
equivalent = "kubectl exec -n {namespace} {pod} -c {container} -- sh -c {script}"

[action.operation]
kind = "exec-script"
container = "sap-llm"
script = 'SCRIPT'
"""


@pytest.mark.parametrize("script", ["rm -rf /tmp/{dir}/*", "rm -rf ${HOME}/cache/*", "echo {{dir}}"])
def test_exec_script_refuses_any_brace(user_file, script):
    message = _rejected(user_file, SCRIPT.replace("SCRIPT", script))
    assert message.startswith("action 'fix.my-cleanup': operation.script contains '{'"), message


def test_exec_script_without_braces_is_accepted(user_file):
    action = load_catalogue(user_file(SCRIPT.replace("SCRIPT", "rm -rf /var/tmp/cache/*"))).get("fix.my-cleanup")
    assert action.operation.argv == ("sh", "-c", "rm -rf /var/tmp/cache/*")


def test_read_only_kind_declared_mutating_is_rejected(user_file):
    text = """
    [[action]]
    id = "fix.my-query"
    title = "My query"
    phase = "fix"
    risk = "reversible"
    summary = "Query."
    equivalent = "{query}"
    operation = { kind = "promql", query = 'up{namespace="{namespace}"{matchers}}' }
    """
    message = _rejected(user_file, text)
    assert message == ("action 'fix.my-query': risk 'reversible' does not fit operation kind 'promql', "
                       "which only reads: use 'read-only'")


def test_destructive_action_needs_confirm_name(user_file):
    text = """
    [[action]]
    id = "fix.my-flushall"
    title = "FLUSHALL"
    phase = "fix"
    risk = "destructive"
    summary = "Empty every Redis database."
    equivalent = "kubectl exec -n {namespace} deploy/{deployment} -- redis-cli {command}"
    operation = { kind = "redis", command = ["FLUSHALL"] }
    """
    message = _rejected(user_file, text)
    assert message.startswith("action 'fix.my-flushall': confirm_name must be true for a destructive action"), message
    message = _rejected(user_file, text.replace('risk = "destructive"', 'risk = "reversible"'))
    assert "risk 'reversible' understates operation kind 'redis': it is at least 'destructive'" in message


def test_diagnose_step_that_changes_something_is_rejected(user_file):
    message = _rejected(user_file, SCRIPT.replace("SCRIPT", "rm -rf /var/tmp/x/*").replace(
        'id = "fix.my-cleanup"', 'id = "diagnose.my-cleanup"').replace('phase = "fix"', 'phase = "diagnose"'))
    assert message.startswith("action 'diagnose.my-cleanup': risk 'disruptive': a diagnose step must be read-only"), message


def test_promql_free_text_outside_a_string_is_rejected(user_file):
    text = MY_QUERY.replace("QUERY", 'sum by ({label}) (up{namespace="{namespace}"{matchers}})') + (
        '    params.label = { type = "string", default = "pod", label = "label" }\n')
    message = _rejected(user_file, text)
    assert message.startswith("action 'diagnose.my-query': operation.query {label} stands outside a string literal"), message


def test_configmap_data_placeholder_must_be_declared(user_file):
    text = """
    [[action]]
    id = "fix.reduce-batch-size"
    operation.data = { batch_size = "{batch}" }
    """
    message = _rejected(user_file, text)
    assert message.startswith("action 'fix.reduce-batch-size': operation.data.batch_size refers to {batch}"), message


def test_bad_override_is_reported_against_the_user_file(user_file):
    message = _rejected(user_file, """
    [[action]]
    id = "fix.scale-api"
    params.replicas.default = "2x"
    """)
    assert message == ("action 'fix.scale-api': params.replicas.default '2x' is not a valid int: "
                       "replicas '2x' is not a whole number")


def test_gentler_first_must_name_existing_gentler_fixes(user_file):
    message = _rejected(user_file, """
    [[action]]
    id = "fix.redis-flushdb"
    gentler_first = ["fix.redis-evict"]
    """)
    assert message == "action 'fix.redis-flushdb': gentler_first[0] 'fix.redis-evict' is not an action id"
    message = _rejected(user_file, """
    [[action]]
    id = "fix.redis-flushdb"
    gentler_first = ["diagnose.redis-info-memory"]
    """)
    assert "gentler_first[0] 'diagnose.redis-info-memory' is read-only" in message


def test_missing_user_file_is_named(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue(path)
    assert str(excinfo.value) == f"{path}: cannot read the runbook file: No such file or directory"


def test_catalogue_error_carries_entry_and_field(user_file):
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue(user_file(RESTART.replace('kind = "deployment-restart"', 'kind = "reboot-node"')))
    assert (excinfo.value.entry, excinfo.value.field) == ("fix.my-restart", "operation.kind")


def test_the_documented_example_is_a_valid_entry(user_file):
    import textwrap

    import memtui.runbook

    doc = memtui.runbook.__doc__
    example = doc.split("uses the same)::\n", 1)[1].split("\nPlaceholders are", 1)[0]
    example = textwrap.dedent(example).replace('id = "fix.reduce-batch-size"', 'id = "fix.documented-example"')
    action = load_catalogue(user_file(example)).get("fix.documented-example")
    assert action.render_equivalent(namespace="sap-llm") == (
        """kubectl patch configmap sap-llm-config -n sap-llm --type merge -p '{"data":{"batch_size":"32"}}' """)


def test_also_for_offers_a_fix_under_other_causes_and_is_checked(user_file):
    """The packaged rollout restart ends the leak's, the model's and the batches' resolutions; a user
    file may name other causes, only real ones, and only on a fix."""
    packaged = load_catalogue().get("fix.rollout-restart")
    assert packaged.root_cause is None and packaged.also_for == ("leak", "model-loading", "batch")
    path = user_file("""
    [[action]]
    id = "fix.delete-worst-pod"
    also_for = ["leak"]
    """)
    assert load_catalogue(path).get("fix.delete-worst-pod").also_for == ("leak",)
    message = _rejected(user_file, """
    [[action]]
    id = "fix.delete-worst-pod"
    also_for = ["memory"]
    """)
    assert message.startswith("action 'fix.delete-worst-pod': also_for 'memory' is not one of")
    message = _rejected(user_file, """
    [[action]]
    id = "diagnose.top-pods"
    also_for = ["leak"]
    """)
    assert message == "action 'diagnose.top-pods': also_for is for fixes: the causes whose resolution ends in this fix"
    message = _rejected(user_file, """
    [[action]]
    id = "fix.force-gc"
    also_for = ["leak"]
    """)
    assert message == "action 'fix.force-gc': also_for 'leak' is already this fix's root_cause"


MY_QUERY = """
    [[action]]
    id = "diagnose.my-query"
    title = "My query"
    phase = "diagnose"
    risk = "read-only"
    summary = "Query."
    equivalent = "{query}"
    operation = { kind = "promql", query = 'QUERY' }
    """


@pytest.mark.parametrize("query", [
    'sum(rss{namespace="{namespace}"{matchers}}) / sum(limit{namespace="{namespace}"{matchers}, x="y"})',
    # a runbook written before {matchers} existed keeps loading, and on a shared Prometheus its
    # namespace selectors carry the matchers all the same (the bound query is what is sent and shown)
    'sum(rss{namespace="{namespace}"{matchers}}) / sum(limit{namespace="{namespace}", x="y"})',
])
def test_a_users_promql_query_carries_the_prometheus_matchers_after_its_namespace_selectors(user_file, query):
    action = load_catalogue(user_file(MY_QUERY.replace("QUERY", query))).get("diagnose.my-query")
    assert action.bind(namespace="sap-llm", matchers='cluster="eu-1"').query == (
        'sum(rss{namespace="sap-llm",cluster="eu-1"}) / sum(limit{namespace="sap-llm",cluster="eu-1", x="y"})')
    assert action.render_equivalent(namespace="sap-llm", matchers='cluster="eu-1"') == (
        'sum(rss{namespace="sap-llm",cluster="eu-1"}) / sum(limit{namespace="sap-llm",cluster="eu-1", x="y"})')
    assert action.bind(namespace="sap-llm").query == 'sum(rss{namespace="sap-llm"}) / sum(limit{namespace="sap-llm", x="y"})'


@pytest.mark.parametrize("query, expected", [
    ('up{job="x"{matchers}, namespace="{namespace}"{matchers}}', '{matchers} may only stand right after'),
    ('up{namespace="{namespace}", job="{matchers}"}', "{matchers} is ready-made promql text"),
])
def test_a_misplaced_matchers_slot_is_refused_at_load_time(user_file, query, expected):
    message = _rejected(user_file, MY_QUERY.replace("QUERY", query))
    assert message.startswith("action 'diagnose.my-query': operation.query ") and expected in message, message
