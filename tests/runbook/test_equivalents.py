"""Equivalent commands: exact text, placeholders next to JSON braces, quoting of awkward values."""

from __future__ import annotations

import json
import shlex

import pytest

from memtui.executor.kinds.configmap import merge_patch
from memtui.runbook import Catalogue, ParamError, load_catalogue
from memtui.runbook.errors import FieldError
from memtui.runbook.templates import Slot, check_template, placeholders, render


@pytest.mark.parametrize(
    ("action_id", "values", "pods", "expected"),
    [
        ("fix.reduce-batch-size", {"batch_size": "16"}, (),
         """kubectl patch configmap sap-llm-config -n sap-llm --type merge -p '{"data":{"batch_size":"16","max_batch_size":"64"}}'"""),
        ("fix.enable-quantization", {}, (),
         """kubectl patch configmap sap-llm-config -n sap-llm --type merge -p '{"data":{"model_precision":"fp16","use_quantization":"true"}}'"""),
        ("fix.scale-api", {"replicas": "3"}, (), "kubectl scale deployment sap-llm-api -n sap-llm --replicas=3"),
        ("fix.raise-memory-limit", {"limit": "16GB"}, (),
         "kubectl set resources deployment/sap-llm -n sap-llm -c sap-llm --limits=memory=16G"),
        ("fix.redis-maxmemory", {"maxmemory": "8Gi"}, (),
         "kubectl exec -n sap-llm deploy/redis -- redis-cli CONFIG SET maxmemory 8gb"),
        ("fix.redis-flushdb", {}, (), "kubectl exec -n sap-llm deploy/redis -- redis-cli FLUSHDB ASYNC"),
        ("fix.delete-worst-pod", {}, ("sap-llm-6c9f-zz2",), "kubectl delete pod -n sap-llm sap-llm-6c9f-zz2"),
        ("fix.force-gc", {}, ("sap-llm-6c9f-zz2",),
         "kubectl exec -n sap-llm sap-llm-6c9f-zz2 -c sap-llm -- curl -sS --fail --max-time 60 -X POST http://localhost:8080/admin/gc"),
        ("fix.clear-app-cache", {}, ("sap-llm-6c9f-zz2",),
         "kubectl exec -n sap-llm sap-llm-6c9f-zz2 -c sap-llm -- sh -c 'rm -rf /tmp/cache/*'"),
        ("diagnose.logs-memory", {"pattern": "OOM|out of memory"}, ("sap-llm-a",),
         "kubectl logs -n sap-llm sap-llm-a -c sap-llm --tail=10000 | grep -iE 'OOM|out of memory'"),
        ("diagnose.python-max-rss", {}, ("sap-llm-a",),
         "kubectl exec -n sap-llm sap-llm-a -c sap-llm -- grep -E '^(Name|Pid|VmHWM|VmRSS):' /proc/1/status"),
        ("diagnose.memory-growth", {"window": "30m"}, (),
         'max by (pod) (deriv(container_memory_working_set_bytes{namespace="sap-llm", container!="", container!="POD"}[30m]))'),
    ],
)
def test_equivalents_render_exactly(catalogue: Catalogue, action_id, values, pods, expected):
    assert catalogue.get(action_id).render_equivalent(values, namespace="sap-llm", pods=pods) == expected


def test_a_pod_not_yet_known_is_shown_as_a_harmless_marker(catalogue: Catalogue):
    rendered = catalogue.get("fix.delete-worst-pod").render_equivalent(namespace="sap-llm")
    assert rendered == "kubectl delete pod -n sap-llm '<pod>'"


def test_namespace_and_pod_are_quoted_for_the_shell_and_for_promql(catalogue: Catalogue):
    rendered = catalogue.get("fix.delete-worst-pod").render_equivalent(namespace="team a", pods=["x;rm -rf ~"])
    assert rendered == "kubectl delete pod -n 'team a' 'x;rm -rf ~'"
    assert shlex.split(rendered)[-1] == "x;rm -rf ~"
    query = catalogue.get("diagnose.prom-memory-now").render_equivalent(namespace='a"b\\c')
    assert 'namespace="a\\"b\\\\c"' in query


def test_invalid_values_never_render(catalogue: Catalogue):
    with pytest.raises(ParamError) as excinfo:
        catalogue.get("fix.scale-api").render_equivalent({"replicas": "2; kubectl delete ns sap-llm"}, namespace="sap-llm")
    assert excinfo.value.param == "replicas"


AWKWARD_ENTRY = """
[[action]]
id = "fix.set-model-name"
title = "Set model name"
phase = "fix"
risk = "reversible"
summary = "Set model_name in sap-llm-config."
undo = "restore-previous"
equivalent = '''kubectl patch configmap {configmap} -n {namespace} --type merge -p '{"data":{"model_name":"{model_name}"}}' # {model_name}'''

[action.operation]
kind = "configmap-patch"
name = "sap-llm-config"
data = { model_name = "{model_name}" }

[action.params.model_name]
type = "string"
default = "llama 3"
label = "model name"
max_length = 80
"""


@pytest.mark.parametrize("value", ["llama 3", 'it\'s "big" now', "a'b", "$(reboot)", "back\\slash", "{json}"])
def test_values_with_spaces_and_quotes_round_trip_through_the_shell_and_json(user_file, value):
    catalogue = load_catalogue(user_file(AWKWARD_ENTRY))
    action = catalogue.get("fix.set-model-name")
    rendered = action.render_equivalent({"model_name": value}, namespace="sap-llm")
    words = shlex.split(rendered, comments=True)
    assert json.loads(words[words.index("-p") + 1]) == {"data": {"model_name": value}}
    assert shlex.split(rendered.split(" # ", 1)[1]) == [value]  # unquoted position: shlex.quote
    assert merge_patch(action.bind({"model_name": value}, namespace="sap-llm")) == {"data": {"model_name": value}}


def test_space_and_quote_render_literally(user_file):
    action = load_catalogue(user_file(AWKWARD_ENTRY)).get("fix.set-model-name")
    rendered = action.render_equivalent({"model_name": 'it\'s "big"'}, namespace="sap-llm")
    assert rendered == (
        """kubectl patch configmap sap-llm-config -n sap-llm --type merge -p '{"data":{"model_name":"it'\\''s \\"big\\""}}' """
        """# 'it'"'"'s "big"'"""
    )


def test_json_braces_are_literal_and_double_braces_escape_a_placeholder():
    assert placeholders('-p \'{"data":{"k":"{v}"}}\' {{end}} {.items[*]} {namespace}') == ["v", "namespace"]
    rendered = render('{"a":"{v}"} {{v}} {x}', "shell", {"v": "1", "x": "y z"})
    assert rendered == '{"a":"1"} {v} \'y z\''


def test_free_text_cannot_stand_where_it_cannot_be_quoted():
    slots = {"text": Slot(bare_safe=False), "n": Slot(bare_safe=True)}
    check_template("grep {text}", "shell", slots, field="equivalent")
    check_template("echo '{n}'", "shell", slots, field="equivalent")
    for template, syntax in (("echo '{text}'", "shell"), ('echo "{text}"', "shell"), ("up{x={text}}", "promql"),
                             ("rate(x[{text}])", "promql")):
        with pytest.raises(FieldError) as excinfo:
            check_template(template, syntax, slots, field="equivalent")
        assert "{text}" in str(excinfo.value)
    with pytest.raises(FieldError, match="neither a declared parameter nor a built-in"):
        check_template("kubectl get {thing}", "shell", slots, field="equivalent")
