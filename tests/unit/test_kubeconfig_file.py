"""A kubeconfig that is not YAML, or YAML of the wrong shape: which file, which line, what was expected."""

from __future__ import annotations

import pytest

from memtui.clients.kube.connection import KubeConnectError, load_api_client

GOOD_CONTEXT = "- name: a\n  context: {cluster: c, user: u}\n"


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("apiVersion: v1\nclusters: [\n  - name: x\n", 3, "is not YAML: expected the node content"),
        ("apiVersion: v1\n\tkind: Config\n", 2, "is not YAML"),
        ("- a\n- b\n", 1, "expected a mapping of kubeconfig fields (apiVersion, clusters, contexts, users, "
                          "current-context), found a list"),
        ("hello world\n", 1, "expected a mapping of kubeconfig fields"),
        ("apiVersion: v1\ncontexts: oops\ncurrent-context: a\n", 2,
         "contexts: expected a list of {name, context} entries, found a string"),
        ("apiVersion: v1\ncontexts: [a, b]\ncurrent-context: a\n", 2,
         "contexts[0]: expected a mapping with name and context, found a string"),
        ("apiVersion: v1\ncontexts:\n- name: a\ncurrent-context: a\n", 3, "contexts[0] ('a'): has no context"),
        ("apiVersion: v1\ncontexts:\n- name: a\n  context: [x]\n", 4,
         "contexts[0].context: expected a mapping (cluster, user, namespace), found a list"),
        ("apiVersion: v1\nclusters: x\ncontexts:\n" + GOOD_CONTEXT + "current-context: a\nusers: []\n", 2,
         "clusters: expected a list of {name, cluster} entries, found a string"),
        ("contexts:\n" + GOOD_CONTEXT + "users:\n- user: {token: t}\n", 5, "users[0]: has no name"),
        ("contexts:\n" + GOOD_CONTEXT + "current-context: [a]\n", 4, "current-context: expected a string, found a list"),
        ("contexts:\n" + GOOD_CONTEXT + "users:\n- name: u\n  user:\n    exec: run-me\n", 7,
         "users[0].user.exec: expected a mapping (apiVersion, command, args, env), found a string"),
        ("contexts:\n" + GOOD_CONTEXT + "users:\n- name: u\n  user:\n    exec:\n      command: x\n"
         "      env: [A=1]\n", 9, "users[0].user.exec.env[0]: expected a mapping with name and value, found a string"),
    ],
)
def test_malformed_kubeconfig_names_file_line_and_what_was_expected(tmp_path, text, where, expected):
    path = tmp_path / "config"
    path.write_text(text)
    with pytest.raises(KubeConnectError) as excinfo:
        load_api_client(str(path), None, {})
    message = excinfo.value.message
    assert message.startswith(f"kubeconfig {path}:{where}: "), message
    assert expected in message, message
    assert "object" not in message and "item assignment" not in message


def test_the_file_at_fault_is_named_among_several(tmp_path):
    good = tmp_path / "good"
    good.write_text("apiVersion: v1\ncontexts:\n" + GOOD_CONTEXT + "current-context: a\n")
    bad = tmp_path / "bad"
    bad.write_text("apiVersion: v1\nusers: {u: 1}\n")
    with pytest.raises(KubeConnectError) as excinfo:
        load_api_client(None, None, {"KUBECONFIG": f"{good}:{bad}", "HOME": str(tmp_path)})
    assert excinfo.value.message.startswith(f"kubeconfig {bad}:2: users: expected a list")


def test_binary_file_is_not_yaml(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KubeConnectError) as excinfo:
        load_api_client(str(path), None, {})
    assert excinfo.value.message.startswith(f"kubeconfig {path}: is not UTF-8 text")
