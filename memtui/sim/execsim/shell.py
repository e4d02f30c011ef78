"""A tiny POSIX-ish shell, enough for `sh -c '...'` one-liners from a runbook.

Supports quoting, $VAR expansion, pathname globbing of unquoted words, `;`,
`&&`, `||`, pipes, and the redirections `>`/`>>` (to /dev/null or a discarded
file), `2>/dev/null`, `2>&1`. It is deliberately not a real shell: commands
run one after another in-process, through the same command table as a plain
exec, and expand globs against the simulated filesystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from . import vfs
from .context import ExecContext, ExecResult

OPS = ("&&", "||", ";", "|", "\n")


@dataclass
class Word:
    text: str
    globbable: bool  # contains a glob char outside quotes


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    stdout_to: str | None = None  # "/dev/null", a file, or None
    stderr_to: str | None = None  # "/dev/null", "&1" or None


class ShellSyntaxError(ValueError):
    pass


_VAR = re.compile(r"\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*|\?)")


def tokenize(src: str, env: dict[str, str]) -> list[Word | str]:
    out: list[Word | str] = []
    i, n = 0, len(src)
    cur: list[str] = []
    glob = False
    have = False

    def expand(s: str) -> str:
        return _VAR.sub(lambda m: env.get(m.group(1).strip("{}"), ""), s)

    def flush() -> None:
        nonlocal cur, glob, have
        if have:
            out.append(Word("".join(cur), glob))
        cur, glob, have = [], False, False

    while i < n:
        c = src[i]
        if c in " \t":
            flush()
            i += 1
            continue
        if c == "#" and not have:
            while i < n and src[i] != "\n":
                i += 1
            continue
        two = src[i:i + 2]
        if two in ("&&", "||", ">>", "2>"):
            if two == "2>" and have:
                cur.append(c)
                i += 1
                continue
            flush()
            if two == "2>":
                if src[i + 2:i + 4] == "&1":
                    out.append("2>&1")
                    i += 4
                else:
                    out.append("2>")
                    i += 2
            else:
                out.append(two)
                i += 2
            continue
        if c in ";|\n>&<":
            flush()
            if c == "&":
                raise ShellSyntaxError("background jobs are not supported")
            out.append(c)
            i += 1
            continue
        if c == "'":
            j = src.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("Syntax error: Unterminated quoted string")
            cur.append(src[i + 1:j])
            have = True
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            buf = []
            while j < n and src[j] != '"':
                if src[j] == "\\" and j + 1 < n and src[j + 1] in '"\\$`':
                    buf.append(src[j + 1])
                    j += 2
                    continue
                buf.append(src[j])
                j += 1
            if j >= n:
                raise ShellSyntaxError("Syntax error: Unterminated quoted string")
            cur.append(expand("".join(buf)))
            have = True
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            cur.append(src[i + 1])
            have = True
            i += 2
            continue
        if c == "$" and src[i:i + 2] == "$(":
            raise ShellSyntaxError("command substitution is not supported by the simulator")
        j = i
        while j < n and src[j] not in " \t;|&<>'\"\\\n" and src[j:j + 2] != "2>":
            j += 1
        if j == i:
            j = i + 1
        chunk = src[i:j]
        if any(ch in chunk for ch in "*?["):
            glob = True
        cur.append(expand(chunk))
        have = True
        i = j
    flush()
    return out


def parse(tokens: list[Word | str]) -> list[tuple[str, list[Command]]]:
    """[(connector, pipeline)] where connector is ';', '&&' or '||' (how it follows the previous)."""
    seq: list[tuple[str, list[Command]]] = []
    conn = ";"
    pipeline: list[Command] = [Command()]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if isinstance(tok, Word):
            pipeline[-1].words.append(tok)
        elif tok in (">", ">>", "2>"):
            if i + 1 >= len(tokens) or not isinstance(tokens[i + 1], Word):
                raise ShellSyntaxError(f"Syntax error: redirection unexpected")
            target = tokens[i + 1].text  # type: ignore[union-attr]
            if tok == "2>":
                pipeline[-1].stderr_to = target
            else:
                pipeline[-1].stdout_to = target
            i += 1
        elif tok == "2>&1":
            pipeline[-1].stderr_to = "&1"
        elif tok == "<":
            i += 1  # input redirection: ignored (no stdin files)
        elif tok == "|":
            if not pipeline[-1].words:
                raise ShellSyntaxError('Syntax error: "|" unexpected')
            pipeline.append(Command())
        elif tok in (";", "&&", "||", "\n"):
            if pipeline[-1].words:
                seq.append((conn, pipeline))
            elif tok != "\n" and tok != ";":
                raise ShellSyntaxError(f'Syntax error: "{tok}" unexpected')
            conn = ";" if tok == "\n" else tok
            pipeline = [Command()]
        i += 1
    if pipeline[-1].words:
        seq.append((conn, pipeline))
    return seq


Runner = Callable[[ExecContext, list[str], bytes], ExecResult]


def run_script(ctx: ExecContext, script: str, runner: Runner) -> ExecResult:
    env = dict(ctx.env)
    try:
        seq = parse(tokenize(script, env))
    except ShellSyntaxError as exc:
        return ExecResult(stderr=f"sh: 1: {exc}\n".encode(), code=2)
    out = bytearray()
    err = bytearray()
    code = 0
    for conn, pipeline in seq:
        if conn == "&&" and code != 0:
            continue
        if conn == "||" and code == 0:
            continue
        data = b""
        for cmd in pipeline:
            argv: list[str] = []
            for w in cmd.words:
                if w.globbable:
                    hits = vfs.glob(ctx, w.text)
                    argv.extend(hits if hits else [w.text])
                else:
                    argv.append(w.text)
            if argv and argv[0] == "exit":
                code = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else code
                return ExecResult(bytes(out), bytes(err), code)
            if argv and argv[0] == "export":
                for a in argv[1:]:
                    k, _, v = a.partition("=")
                    env[k] = v
                code = 0
                continue
            if argv and argv[0] == "cd":
                code = 0
                continue
            res = runner(ctx, argv, data)
            if res.code == 127 and b"executable file not found" in res.stderr:
                res = ExecResult(b"", f"sh: 1: {argv[0]}: not found\n".encode(), 127)
            r_out, r_err = res.stdout, res.stderr
            if cmd.stderr_to == "&1":
                r_out, r_err = r_out + r_err, b""
            elif cmd.stderr_to is not None:
                r_err = b""
            if cmd.stdout_to is not None:
                r_out = b""
            err += r_err
            data = r_out
            code = res.code
        out += data
    return ExecResult(bytes(out), bytes(err), code)
