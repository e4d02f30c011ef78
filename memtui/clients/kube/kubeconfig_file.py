"""A kubeconfig file checked before the kubernetes client reads it, to say what is wrong and where.

The client's loader indexes into whatever YAML gave it: a list or a string at the top ends in
``'str' object does not support item assignment``, a YAML slip in ``while parsing a flow node``
with no line.  This reads the file once with yaml's composer, whose nodes keep their line, and
checks the shape kubectl expects of the parts memtui relies on (clusters, contexts, users,
current-context, an exec credential plugin); anything finer is left to the client.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from memtui.clients.errors import first_text_line

TOP_FIELDS = "apiVersion, clusters, contexts, users, current-context"
ENTRY_FIELDS = {
    "clusters": ("cluster", "server, certificate-authority-data…"),
    "contexts": ("context", "cluster, user, namespace"),
    "users": ("user", "token, client-certificate-data, exec…"),
}
"""Per list: the key of each entry's body, and what that body holds (for messages)."""
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"


class KubeconfigFileError(ValueError):
    """``path:line: what is wrong``, one line."""


def _found(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    if node.tag == STR_TAG:
        return "a string"
    return f"{node.value!r}"


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def _items(node: MappingNode) -> dict[str, Node]:
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Node, problem: str) -> KubeconfigFileError:
        return KubeconfigFileError(f"kubeconfig {self.path}:{node.start_mark.line + 1}: {problem}")

    def mapping(self, node: Node, where: str, expected: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{where}: expected {expected}, found {_found(node)}")
        return _items(node)

    def string(self, node: Node, where: str) -> None:
        if not (isinstance(node, ScalarNode) and node.tag != NULL_TAG):
            raise self.fail(node, f"{where}: expected a string, found {_found(node)}")

    def document(self, root: Node) -> None:
        if not isinstance(root, MappingNode):
            raise self.fail(root, f"expected a mapping of kubeconfig fields ({TOP_FIELDS}), found {_found(root)}")
        top = _items(root)
        for list_name, (body_key, body_fields) in ENTRY_FIELDS.items():
            node = top.get(list_name)
            if node is None or _is_null(node):
                continue
            if not isinstance(node, SequenceNode):
                raise self.fail(node, f"{list_name}: expected a list of {{name, {body_key}}} entries, found {_found(node)}")
            for index, entry in enumerate(node.value):
                self.entry(entry, f"{list_name}[{index}]", body_key, body_fields)
        if "current-context" in top and not _is_null(top["current-context"]):
            self.string(top["current-context"], "current-context")

    def entry(self, entry: Node, where: str, body_key: str, body_fields: str) -> None:
        fields = self.mapping(entry, where, f"a mapping with name and {body_key}")
        if "name" not in fields:
            raise self.fail(entry, f"{where}: has no name")
        self.string(fields["name"], f"{where}.name")
        named = f"{where} ({fields['name'].value!r})"
        body = fields.get(body_key)
        if body is None or _is_null(body):
            if body_key == "context":
                raise self.fail(entry, f"{named}: has no {body_key}")
            return
        inner = self.mapping(body, f"{where}.{body_key}", f"a mapping ({body_fields})")
        if body_key == "context":
            for key in ("cluster", "user", "namespace"):
                if key in inner and not _is_null(inner[key]):
                    self.string(inner[key], f"{where}.context.{key}")
        elif body_key == "cluster" and "server" in inner:
            self.string(inner["server"], f"{where}.cluster.server")
        elif body_key == "user" and "exec" in inner:
            plugin = self.mapping(inner["exec"], f"{where}.user.exec", "a mapping (apiVersion, command, args, env)")
            if "command" not in plugin:
                raise self.fail(inner["exec"], f"{where}.user.exec: has no command")
            self.string(plugin["command"], f"{where}.user.exec.command")
            args = plugin.get("args")
            if args is not None and not _is_null(args) and not isinstance(args, SequenceNode):
                raise self.fail(args, f"{where}.user.exec.args: expected a list of strings, found {_found(args)}")
            env = plugin.get("env")
            if env is not None and not _is_null(env):
                if not isinstance(env, SequenceNode):
                    raise self.fail(env, f"{where}.user.exec.env: expected a list of {{name, value}}, found {_found(env)}")
                for index, item in enumerate(env.value):
                    pair = self.mapping(item, f"{where}.user.exec.env[{index}]", "a mapping with name and value")
                    for key in ("name", "value"):
                        if key not in pair:
                            raise self.fail(item, f"{where}.user.exec.env[{index}]: has no {key}")


def check_kubeconfig_file(path: Path) -> None:
    """Raise KubeconfigFileError when ``path`` is not YAML or not shaped like a kubeconfig.

    An empty file passes: kubectl merges it as nothing, and the client says so when it is the only one.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KubeconfigFileError(f"kubeconfig {path}: is not UTF-8 text (is it the right file?)") from None
    except OSError as exc:
        raise KubeconfigFileError(f"kubeconfig {path}: cannot be read: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "unreadable"
        raise KubeconfigFileError(f"kubeconfig {path}{line}: is not YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise KubeconfigFileError(f"kubeconfig {path}: is not YAML: {first_text_line(str(exc))}") from None
    if root is None:
        return
    _Checker(path).document(root)
