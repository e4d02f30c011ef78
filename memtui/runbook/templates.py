"""Placeholders in catalogue templates, and quoting that follows the text around them.

Syntax: ``{name}`` (a lowercase identifier between single braces) is a placeholder; ``{{name}}``
is the literal text ``{name}``; every other brace is literal.  That is unambiguous for what
catalogue templates contain: a JSON object never opens with ``{`` plus a bare word (its keys are
quoted), PromQL matchers contain ``=``, and jsonpath's ``{.items[*]}`` starts with a dot.  So
the runbook's ``-p '{"data":{"batch_size":"{batch_size}"}}'`` is written exactly like that.

Values are escaped according to where the placeholder stands, found by scanning the template's
quotes (``Syntax``):

- ``shell`` (equivalent commands the operator may copy): unquoted → ``shlex.quote``; inside a
  double-quoted JSON string inside single quotes (``'{"k":"{v}"}'``) → JSON-escaped, then every
  ``'`` becomes ``'\\''``; elsewhere inside quotes only values that need no quoting are allowed
  (checked at load time, so it cannot go wrong at 3 a.m.).
- ``promql``: inside a string literal → escaped as a PromQL (Go) string; outside → only values
  that need no quoting (numbers, durations).
- ``plain`` (argv words, ConfigMap values, env values, file names): substituted as is; these
  never meet a shell or a parser.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from memtui.runbook.errors import FieldError, ParamError
from memtui.runbook.params import is_bare_safe_text

Syntax = Literal["shell", "promql", "plain"]

PLACEHOLDER_RE = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}|\{([a-z][a-z0-9_]*)\}")

# contexts a placeholder can stand in
BARE = "bare"
SINGLE = "single-quoted"
DOUBLE = "double-quoted"
JSON_IN_SINGLE = "JSON string in single quotes"
BACKTICK = "raw string"


@dataclass(frozen=True)
class Slot:
    """What a placeholder may be filled with, as far as quoting is concerned.

    ``bare_safe``: every value matches the no-quoting-needed alphabet (numbers, units, DNS
    names).  ``fragment``: the value is already text in the template's own syntax (``{argv}``,
    quoted for the shell; ``{query}``, rendered PromQL), inserted as is and allowed only where
    it stands unquoted.
    """

    bare_safe: bool
    fragment: bool = False


def placeholders(template: str) -> list[str]:
    """Names referenced by ``template``, in order, without the ``{{escapes}}``."""
    return [m.group(2) for m in PLACEHOLDER_RE.finditer(template) if m.group(2)]


def whole_placeholder(text: str) -> str | None:
    """``name`` when ``text`` is exactly ``{name}`` (a whole-argument placeholder), else None."""
    match = PLACEHOLDER_RE.fullmatch(text)
    return match.group(2) if match and match.group(2) else None


def substitute(template: str, values: Mapping[str, str]) -> str:
    """Plain substitution (``plain`` syntax): no quoting; ``{{x}}`` becomes ``{x}``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "{" + match.group(1) + "}"
        return values[match.group(2)]

    return PLACEHOLDER_RE.sub(replace, template)


def _scan(template: str, syntax: Syntax) -> Iterator[tuple[str, str | None, str]]:
    """Yield ``(text, placeholder name or None, context)`` pieces of ``template`` in order."""
    state = BARE
    i = 0
    literal_start = 0
    n = len(template)
    while i < n:
        ch = template[i]
        if ch == "{":
            match = PLACEHOLDER_RE.match(template, i)
            if match:
                if i > literal_start:
                    yield template[literal_start:i], None, state
                if match.group(1):
                    yield "{" + match.group(1) + "}", None, state
                else:
                    yield "", match.group(2), state
                i = literal_start = match.end()
                continue
        if syntax == "shell":
            if state == BARE:
                if ch == "\\":
                    i += 1
                elif ch == "'":
                    state = SINGLE
                elif ch == '"':
                    state = DOUBLE
            elif state == SINGLE:
                if ch == "'":
                    state = BARE
                elif ch == '"':
                    state = JSON_IN_SINGLE
            elif state == JSON_IN_SINGLE:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    state = SINGLE
                elif ch == "'":
                    state = BARE
            elif state == DOUBLE:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    state = BARE
        elif syntax == "promql":
            if state == BARE:
                if ch == '"':
                    state = DOUBLE
                elif ch == "'":
                    state = SINGLE
                elif ch == "`":
                    state = BACKTICK
            elif state in (DOUBLE, SINGLE):
                if ch == "\\":
                    i += 1
                elif ch == ('"' if state == DOUBLE else "'"):
                    state = BARE
            elif state == BACKTICK and ch == "`":
                state = BARE
        i += 1
    if literal_start < n:
        yield template[literal_start:], None, state


def check_template(template: str, syntax: Syntax, slots: Mapping[str, Slot], *, field: str,
                   declared: str = "") -> None:
    """Refuse, at load time, a placeholder that is unknown or stands where it cannot be quoted.

    ``declared`` lists the names on offer, for the message.
    """
    for _, name, context in _scan(template, syntax):
        if name is None:
            continue
        if name not in slots:
            raise FieldError(field, f"refers to {{{name}}}, which is neither a declared parameter nor a built-in ({declared})")
        slot = slots[name]
        if syntax == "plain":
            continue
        if slot.fragment:
            if context != BARE:
                raise FieldError(field, f"{{{name}}} is ready-made {syntax} text; it may only stand outside quotes")
            continue
        needs_bare_safe = context in (BACKTICK,) or (syntax == "shell" and context in (SINGLE, DOUBLE)) or (
            syntax == "promql" and context == BARE)
        if needs_bare_safe and not slot.bare_safe:
            where = "outside a string literal" if context == BARE else f"in a {context} text"
            raise FieldError(
                field,
                f"{{{name}}} stands {where}, where free text cannot be quoted safely; "
                "put it inside a JSON/PromQL string (\"...\"), or unquoted in a shell command",
            )


def render(template: str, syntax: Syntax, values: Mapping[str, str], *, fragments: frozenset[str] = frozenset()) -> str:
    """Fill ``template`` with ``values`` (texts), quoting each one for where it stands.

    ``fragments`` names the values that are already text in this syntax (``argv``), inserted as is.
    A value that would need quoting where quoting is impossible raises ``ParamError``: the load
    time check makes that unreachable for catalogue values, this is the last guard.
    """
    if syntax == "plain":
        return substitute(template, values)
    out: list[str] = []
    for text, name, context in _scan(template, syntax):
        if name is None:
            out.append(text)
            continue
        value = values[name]
        if name in fragments:
            out.append(value)
        elif syntax == "shell" and context == BARE:
            out.append(shlex.quote(value))
        elif syntax == "shell" and context == JSON_IN_SINGLE:
            out.append(_json_string_body(value).replace("'", "'\\''"))
        elif syntax == "promql" and context in (DOUBLE, SINGLE):
            body = _json_string_body(value)
            if context == SINGLE:
                body = body.replace('\\"', '"').replace("'", "\\'")
            out.append(body)
        else:
            if not is_bare_safe_text(value):
                raise ParamError(name, f"{name} {value!r} cannot be placed {context} in this command")
            out.append(value.replace("'", "'\\''") if context == SINGLE else value)
    return "".join(out)


def _json_string_body(value: str) -> str:
    """The inside of a JSON string literal; also a valid PromQL double-quoted string body."""
    return json.dumps(value, ensure_ascii=False)[1:-1]
