"""A small POSIX-ish shell (dash-flavoured), enough for the `sh -c` scripts of a runbook and of
memtui's catalogue.  It never starts a host process: every command runs in-process through the
same command table as a plain exec, and globs expand against the simulated filesystem.

Supported: quoting ('…', "…", backslash), comments, parameter expansion ($VAR, ${VAR}, $?, $#,
$0-$9 from `sh -c SCRIPT ARG0 ARG1…`), command substitution $(…) and `…`, arithmetic $((…))
(integers; + - * / % and comparisons, && || !, parentheses), field splitting of unquoted
expansions, pathname expansion of unquoted words, assignments (alone, or before a command for
its environment), `;`, newlines, `&&`, `||`, `!`, pipes, if/then/elif/else/fi, the
redirections `>`, `>>` (to /dev/null, /dev/stderr or a discarded file), `2>`, `2>&1`, `>&2`
(`1>&2`), `<` (from a simulated file), and the builtins exit, export, unset, cd, :, [ / test.
Loops, case, functions, subshells and background jobs are refused with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from collections.abc import Callable

from . import vfs
from .context import ExecContext, ExecResult

Runner = Callable[[ExecContext, list[str], bytes], ExecResult]

KEYWORDS = {"if", "then", "elif", "else", "fi"}
UNSUPPORTED_KEYWORDS = {"for": "for loops are", "while": "while loops are", "until": "until loops are",
                        "case": "case statements are", "function": "functions are", "select": "select is",
                        "{": "brace groups are"}
UNSUPPORTED_BUILTINS = {"set", "trap", "read", "eval", "source", ".", "shift", "local", "return", "readonly",
                        "wait", "ulimit", "umask", "alias", "exec", "getopts"}
GLOB_CHARS = "*?["
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ShellSyntaxError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


class ShellError(Exception):
    """An expansion error: a non-interactive shell prints it and exits with status 2."""

    def __init__(self, message: str, line: int = 1, code: int = 2) -> None:
        super().__init__(message)
        self.line = line
        self.code = code


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# -- tokens -----------------------------------------------------------------------------------
# A word is a list of parts: ("lit", text) unquoted, ("sq", text) quoted literal, ("dq", parts)
# double-quoted, ("var", name), ("cmd", script), ("arith", expression).
Part = tuple


@dataclass
class Word:
    parts: list[Part]
    line: int

    def plain(self) -> str | None:
        """The text of a word that is one unquoted literal (how keywords and assignments are seen)."""
        if len(self.parts) == 1 and self.parts[0][0] == "lit":
            return self.parts[0][1]
        return None


@dataclass
class Op:
    op: str  # ; \n && || | ! ( ) or a redirection: > >> < >& with fd
    line: int
    fd: int | None = None


Token = Word | Op


def _find_close(src: str, i: int, line: int) -> int:
    """Index of the `)` closing a `$(` whose body starts at i (quotes and nested parens skipped)."""
    depth = 1
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = src.find("'", i + 1)
            if j < 0:
                break
            i = j + 1
            continue
        if c == '"':
            i += 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError('Syntax error: end of file unexpected (expecting ")")', line)


def _find_arith_close(src: str, i: int, line: int) -> int:
    depth = 0
    while i < len(src):
        c = src[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                if src[i + 1:i + 2] == ")":
                    return i
                break
            depth -= 1
        i += 1
    raise ShellSyntaxError('Syntax error: end of file unexpected (expecting "))")', line)


def _dollar(src: str, i: int, line: int) -> tuple[Part | None, int]:
    """Parse the expansion at src[i] == "$"; returns (part or None for a literal $, next index)."""
    nxt = src[i + 1:i + 2]
    if src.startswith("$((", i):
        j = _find_arith_close(src, i + 3, line)
        return ("arith", src[i + 3:j]), j + 2
    if nxt == "(":
        j = _find_close(src, i + 2, line)
        return ("cmd", src[i + 2:j]), j + 1
    if nxt == "{":
        j = src.find("}", i + 2)
        if j < 0:
            raise ShellSyntaxError("Syntax error: Missing '}'", line)
        name = src[i + 2:j]
        if not (_NAME.fullmatch(name) or name in ("?", "#") or name.isdigit()):
            raise ShellError(f"Bad substitution (${{{name}}} is beyond the simulator's shell)", line)
        return ("var", name), j + 1
    if nxt and (nxt in "?#$" or nxt.isdigit()):
        return ("var", nxt), i + 2
    m = _NAME.match(src, i + 1)
    if m:
        return ("var", m.group(0)), m.end()
    return None, i + 1


def tokenize(src: str) -> list[Token]:
    out: list[Token] = []
    parts: list[Part] = []
    lit: list[str] = []
    have = False
    line = 1
    word_line = 1
    i, n = 0, len(src)

    def push_lit() -> None:
        if lit:
            parts.append(("lit", "".join(lit)))
            lit.clear()

    def flush() -> None:
        nonlocal have, parts
        push_lit()
        if have:
            out.append(Word(parts, word_line))
        parts = []
        have = False

    def start() -> None:
        nonlocal have, word_line
        if not have:
            have = True
            word_line = line

    while i < n:
        c = src[i]
        if c == "\\" and src[i + 1:i + 2] == "\n":  # line continuation
            i += 2
            line += 1
            continue
        if c in " \t":
            flush()
            i += 1
            continue
        if c == "#" and not have:
            while i < n and src[i] != "\n":
                i += 1
            continue
        if c == "\n":
            flush()
            out.append(Op("\n", line))
            line += 1
            i += 1
            continue
        if c in "<>":
            fd: int | None = None
            if have and not parts and lit and "".join(lit).isdigit():  # an IO number: 2>, 1>&2
                fd = int("".join(lit))
                lit.clear()
                have = False
            flush()
            if c == "<":
                out.append(Op("<", line, 0 if fd is None else fd))
                i += 1
                continue
            fd = 1 if fd is None else fd
            if src.startswith(">>", i):
                out.append(Op(">>", line, fd))
                i += 2
            elif src.startswith(">&", i):
                out.append(Op(">&", line, fd))
                i += 2
            else:
                out.append(Op(">", line, fd))
                i += 1
            continue
        if c in ";|&()":
            flush()
            two = src[i:i + 2]
            if two in ("&&", "||", ";;"):  # ";;" only means something in a case, which the parser refuses
                out.append(Op(two, line))
                i += 2
                continue
            if c == "&":
                raise ShellSyntaxError("background jobs (&) are not supported by the simulator's shell", line)
            out.append(Op(c, line))
            i += 1
            continue
        start()
        if c == "'":
            j = src.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("Syntax error: Unterminated quoted string", line)
            push_lit()
            parts.append(("sq", src[i + 1:j]))
            line += src.count("\n", i, j)
            i = j + 1
            continue
        if c == '"':
            push_lit()
            inner: list[Part] = []
            buf: list[str] = []
            j = i + 1
            while True:
                if j >= n:
                    raise ShellSyntaxError("Syntax error: Unterminated quoted string", line)
                d = src[j]
                if d == '"':
                    break
                if d == "\\" and j + 1 < n and src[j + 1] in '"\\$`\n':
                    if src[j + 1] != "\n":
                        buf.append(src[j + 1])
                    j += 2
                    continue
                if d == "$":
                    part, j2 = _dollar(src, j, line)
                    if part is not None:
                        if buf:
                            inner.append(("lit", "".join(buf)))
                            buf = []
                        inner.append(part)
                        line += src.count("\n", j, j2)
                        j = j2
                        continue
                if d == "`":
                    k = src.find("`", j + 1)
                    if k < 0:
                        raise ShellSyntaxError('Syntax error: EOF in backquote substitution', line)
                    if buf:
                        inner.append(("lit", "".join(buf)))
                        buf = []
                    inner.append(("cmd", src[j + 1:k]))
                    j = k + 1
                    continue
                if d == "\n":
                    line += 1
                buf.append(d)
                j += 1
            if buf:
                inner.append(("lit", "".join(buf)))
            parts.append(("dq", inner))
            i = j + 1
            continue
        if c == "\\":
            push_lit()
            if i + 1 < n:
                parts.append(("sq", src[i + 1]))
            i += 2
            continue
        if c == "$":
            part, j = _dollar(src, i, line)
            if part is None:
                lit.append("$")
            else:
                push_lit()
                parts.append(part)
                line += src.count("\n", i, j)
            i = j
            continue
        if c == "`":
            k = src.find("`", i + 1)
            if k < 0:
                raise ShellSyntaxError("Syntax error: EOF in backquote substitution", line)
            push_lit()
            parts.append(("cmd", src[i + 1:k]))
            i = k + 1
            continue
        lit.append(c)
        i += 1
    flush()
    return out


# -- syntax tree --------------------------------------------------------------------------------
@dataclass
class Redir:
    fd: int
    op: str  # ">", ">>", "<", ">&"
    target: Word


@dataclass
class Simple:
    line: int
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class If:
    line: int
    branches: list[tuple[list, list]]  # (condition list, body list)
    orelse: list | None
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Pipeline:
    commands: list[Simple | If]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


class Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def line(self) -> int:
        tok = self.peek()
        if tok is not None:
            return tok.line
        return self.toks[-1].line if self.toks else 1

    def keyword(self, tok: Token | None) -> str | None:
        if isinstance(tok, Word):
            text = tok.plain()
            if text in KEYWORDS or text in UNSUPPORTED_KEYWORDS:
                return text
        return None

    def skip_newlines(self) -> None:
        while isinstance(self.peek(), Op) and self.peek().op == "\n":  # type: ignore[union-attr]
            self.i += 1

    def unexpected(self, tok: Token | None, expecting: str | None = None) -> ShellSyntaxError:
        if tok is None:
            tail = f" (expecting \"{expecting}\")" if expecting else ""
            return ShellSyntaxError(f"Syntax error: end of file unexpected{tail}", self.line())
        text = tok.op if isinstance(tok, Op) else (tok.plain() or "word")
        if text == "\n":
            text = "newline"
        return ShellSyntaxError(f'Syntax error: "{text}" unexpected', tok.line)

    def parse_program(self) -> list[AndOr]:
        items = self.parse_list(set())
        if self.peek() is not None:
            raise self.unexpected(self.peek())
        return items

    def parse_list(self, stop: set[str]) -> list[AndOr]:
        items: list[AndOr] = []
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok is None:
                return items
            kw = self.keyword(tok)
            if kw in stop:
                return items
            if kw in ("then", "elif", "else", "fi"):
                raise self.unexpected(tok)
            if isinstance(tok, Op) and tok.op in (";", ";;", "&&", "||", "|", ")"):
                raise self.unexpected(tok)
            items.append(self.parse_and_or())
            tok = self.peek()
            if isinstance(tok, Op) and tok.op in (";", "\n"):
                self.i += 1
            elif isinstance(tok, Op) and tok.op == "(":
                raise ShellSyntaxError("functions are not supported by the simulator's shell", tok.line)
            elif tok is not None and self.keyword(tok) not in stop:
                raise self.unexpected(tok)

    def parse_and_or(self) -> AndOr:
        first = self.parse_pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while isinstance(self.peek(), Op) and self.peek().op in ("&&", "||"):  # type: ignore[union-attr]
            op = self.peek().op  # type: ignore[union-attr]
            self.i += 1
            self.skip_newlines()
            rest.append((op, self.parse_pipeline()))
        return AndOr(first, rest)

    def parse_pipeline(self) -> Pipeline:
        negate = False
        tok = self.peek()
        if isinstance(tok, Word) and tok.plain() == "!":
            negate = True
            self.i += 1
        cmds = [self.parse_command()]
        while isinstance(self.peek(), Op) and self.peek().op == "|":  # type: ignore[union-attr]
            self.i += 1
            self.skip_newlines()
            cmds.append(self.parse_command())
        return Pipeline(cmds, negate)

    def parse_command(self) -> Simple | If:
        tok = self.peek()
        kw = self.keyword(tok)
        if kw == "if":
            node = self.parse_if()
            node.redirs = self.parse_redirs()
            return node
        if kw in UNSUPPORTED_KEYWORDS:
            raise ShellSyntaxError(f"{UNSUPPORTED_KEYWORDS[kw]} not supported by the simulator's shell",
                                   tok.line)  # type: ignore[union-attr]
        if isinstance(tok, Op) and tok.op == "(":
            raise ShellSyntaxError("subshells ( ... ) are not supported by the simulator's shell", tok.line)
        cmd = Simple(self.line())
        while True:
            tok = self.peek()
            if isinstance(tok, Word):
                text = tok.parts[0][1] if tok.parts and tok.parts[0][0] == "lit" else ""
                m = _NAME.match(text)
                if not cmd.words and m and text[m.end():m.end() + 1] == "=":
                    value = Word([("lit", text[m.end() + 1:])] + tok.parts[1:], tok.line)
                    cmd.assigns.append((m.group(0), value))
                else:
                    if not cmd.words and not cmd.assigns:
                        cmd.line = tok.line
                    cmd.words.append(tok)
                self.i += 1
                continue
            if isinstance(tok, Op) and tok.op in (">", ">>", "<", ">&"):
                cmd.redirs.append(self.parse_redir())
                continue
            break
        if not (cmd.words or cmd.assigns or cmd.redirs):
            raise self.unexpected(self.peek())
        return cmd

    def parse_redir(self) -> Redir:
        tok = self.peek()
        assert isinstance(tok, Op)
        self.i += 1
        target = self.peek()
        if not isinstance(target, Word):
            raise ShellSyntaxError("Syntax error: redirection unexpected", tok.line)
        self.i += 1
        return Redir(tok.fd if tok.fd is not None else 1, tok.op, target)

    def parse_redirs(self) -> list[Redir]:
        out = []
        while isinstance(self.peek(), Op) and self.peek().op in (">", ">>", "<", ">&"):  # type: ignore[union-attr]
            out.append(self.parse_redir())
        return out

    def expect(self, word: str) -> None:
        tok = self.peek()
        if self.keyword(tok) != word:
            raise self.unexpected(tok, word)
        self.i += 1

    def parse_if(self) -> If:
        line = self.line()
        self.i += 1  # "if"
        branches = []
        while True:
            cond = self.parse_list({"then"})
            if not cond:
                raise self.unexpected(self.peek(), "then")
            self.expect("then")
            body = self.parse_list({"elif", "else", "fi"})
            if not body:
                raise self.unexpected(self.peek(), "fi")
            branches.append((cond, body))
            if self.keyword(self.peek()) == "elif":
                self.i += 1
                continue
            break
        orelse = None
        if self.keyword(self.peek()) == "else":
            self.i += 1
            orelse = self.parse_list({"fi"})
            if not orelse:
                raise self.unexpected(self.peek(), "fi")
        self.expect("fi")
        return If(line, branches, orelse)


# -- arithmetic ---------------------------------------------------------------------------------
_ARITH_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||<<|>>|[-+*/%()<>!~]))")
_BINARY = [("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("<<", ">>"), ("+", "-"), ("*", "/", "%")]


def arith(expr: str, lookup: Callable[[str], str], line: int) -> int:
    toks: list[tuple[str, str]] = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        m = _ARITH_TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ShellError("arithmetic expression: expecting primary: \"" + expr.strip() + '"', line)
        num, name, op = m.groups()
        toks.append(("num", num) if num else ("name", name) if name else ("op", op))
        pos = m.end()
    k = 0

    def fail() -> ShellError:
        return ShellError(f'arithmetic expression: expecting primary: "{expr.strip()}"', line)

    def value_of(name: str) -> int:
        text = lookup(name).strip()
        if not text:
            return 0
        try:
            return int(text, 0) if not text.lstrip("-").isdigit() else int(text)
        except ValueError:
            raise ShellError(f"Illegal number: {text}", line) from None

    def primary() -> int:
        nonlocal k
        if k >= len(toks):
            raise fail()
        kind, text = toks[k]
        k += 1
        if kind == "num":
            return int(text, 0) if text.lower().startswith("0x") else int(text)
        if kind == "name":
            return value_of(text)
        if text == "(":
            v = binary(0)
            if k >= len(toks) or toks[k] != ("op", ")"):
                raise ShellError('arithmetic expression: expecting ")": "' + expr.strip() + '"', line)
            k += 1
            return v
        if text == "-":
            return -primary()
        if text == "+":
            return primary()
        if text == "!":
            return int(not primary())
        if text == "~":
            return ~primary()
        raise fail()

    def apply(op: str, a: int, b: int) -> int:
        if op in ("/", "%"):
            if b == 0:
                raise ShellError("arithmetic expression: division by zero: \"" + expr.strip() + '"', line)
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C: truncate toward zero
            return q if op == "/" else a - q * b
        return {"+": a + b, "-": a - b, "*": a * b, "<<": a << b, ">>": a >> b, "<": int(a < b),
                "<=": int(a <= b), ">": int(a > b), ">=": int(a >= b), "==": int(a == b), "!=": int(a != b),
                "&&": int(bool(a) and bool(b)), "||": int(bool(a) or bool(b))}[op]

    def binary(level: int) -> int:
        nonlocal k
        if level == len(_BINARY):
            return primary()
        left = binary(level + 1)
        while k < len(toks) and toks[k][0] == "op" and toks[k][1] in _BINARY[level]:
            op = toks[k][1]
            k += 1
            left = apply(op, left, binary(level + 1))
        return left

    if not toks:
        return 0
    result = binary(0)
    if k != len(toks):
        raise fail()
    if not -(1 << 63) <= result < (1 << 63):  # dash's intmax_t wraps
        result = (result + (1 << 63)) % (1 << 64) - (1 << 63)
    return result


# -- execution ------------------------------------------------------------------------------------
class Sink:
    """Where a command's stdout (1) and stderr (2) go: byte buffers, possibly shared or discarded."""

    def __init__(self, out: bytearray, err: bytearray) -> None:
        self.fds = {1: out, 2: err}


def _test(args: list[str], ctx: ExecContext) -> tuple[int, str | None]:
    """test / [ : (status, error) with dash's rules for 0-4 arguments."""
    def unary(op: str, arg: str) -> int | None:
        if op == "-n":
            return 0 if arg else 1
        if op == "-z":
            return 0 if not arg else 1
        if op in ("-e", "-r", "-f", "-d", "-s", "-w", "-x"):
            data = vfs.read_file(ctx, arg)
            is_dir = vfs.is_dir(ctx, arg)
            size = vfs.size_of(ctx, arg)
            exists = data is not None or is_dir or size is not None
            ok = {"-e": exists, "-r": exists, "-f": exists and not is_dir, "-d": is_dir,
                  "-s": bool(size) or bool(data), "-w": exists and arg.startswith(vfs.CACHE_DIRS),
                  "-x": is_dir}[op]
            return 0 if ok else 1
        return None

    def num(s: str) -> int:
        try:
            return int(s)
        except ValueError:
            raise ValueError(f"Illegal number: {s}") from None

    def binary(a: str, op: str, b: str) -> int | None:
        if op in ("=", "=="):
            return 0 if a == b else 1
        if op == "!=":
            return 0 if a != b else 1
        cmp = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-le": int.__le__, "-gt": int.__gt__,
               "-ge": int.__ge__}.get(op)
        if cmp is None:
            return None
        return 0 if cmp(num(a), num(b)) else 1

    def evaluate(a: list[str]) -> int:
        if not a:
            return 1
        if len(a) == 1:
            return 0 if a[0] else 1
        if a[0] == "!" and len(a) in (2, 3, 4):
            return 1 - evaluate(a[1:])
        if len(a) == 2:
            r = unary(a[0], a[1])
            if r is None:
                raise ValueError(f"{a[0]}: unexpected operator")
            return r
        if len(a) == 3:
            r = binary(a[0], a[1], a[2])
            if r is None:
                raise ValueError(f"{a[1]}: unexpected operator")
            return r
        raise ValueError("too many arguments (-a/-o are beyond the simulator's shell)")

    try:
        return evaluate(args), None
    except ValueError as exc:
        return 2, str(exc)


class Shell:
    def __init__(self, ctx: ExecContext, runner: Runner, variables: dict[str, str], exported: set[str],
                 positional: list[str]) -> None:
        self.ctx = ctx
        self.runner = runner
        self.vars = variables
        self.exported = exported
        self.positional = positional  # $0, $1, ...
        self.status = 0
        self.last_sub = 0  # status of the last command substitution (an assignment's status)

    # expansion ----------------------------------------------------------------------------
    def lookup(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name == "#":
            return str(max(0, len(self.positional) - 1))
        if name == "$":
            return "4242"
        if name.isdigit():
            k = int(name)
            return self.positional[k] if k < len(self.positional) else ""
        return self.vars.get(name, "")

    def substitute(self, script: str, sink: Sink, line: int) -> str:
        child = Shell(self.ctx, self.runner, dict(self.vars), set(self.exported), self.positional)
        out = bytearray()
        try:
            child.run_list(Parser(tokenize(script)).parse_program(), Sink(out, sink.fds[2]), b"")
        except _Exit as exc:
            child.status = exc.code
        except ShellSyntaxError as exc:
            raise ShellError(str(exc), line) from None
        self.last_sub = child.status
        return out.decode("utf-8", "replace").rstrip("\n")

    def value(self, part: Part, sink: Sink, line: int) -> str:
        kind = part[0]
        if kind == "var":
            return self.lookup(part[1])
        if kind == "cmd":
            return self.substitute(part[1], sink, line)
        if kind == "arith":
            text = self.quoted(_arith_parts(part[1], line), sink, line)
            return str(arith(text, self.lookup, line))
        raise AssertionError(kind)

    def quoted(self, parts: list[Part], sink: Sink, line: int) -> str:
        """Parts joined with no field splitting and no globbing (inside "…", an assignment)."""
        out = []
        for part in parts:
            kind = part[0]
            if kind in ("lit", "sq"):
                out.append(part[1])
            elif kind == "dq":
                out.append(self.quoted(part[1], sink, line))
            else:
                out.append(self.value(part, sink, line))
        return "".join(out)

    def fields(self, word: Word, sink: Sink) -> list[str]:
        """One word -> its fields after expansion, field splitting and pathname expansion."""
        done: list[tuple[str, bool]] = []
        cur: list[str] = []
        state = {"have": False, "glob": False}

        def finish() -> None:
            if state["have"]:
                done.append(("".join(cur), state["glob"]))
            cur.clear()
            state["have"] = state["glob"] = False

        for part in word.parts:
            kind = part[0]
            if kind == "lit":
                cur.append(part[1])
                state["have"] = True
                state["glob"] = state["glob"] or any(ch in part[1] for ch in GLOB_CHARS)
            elif kind == "sq":
                cur.append(part[1])
                state["have"] = True
            elif kind == "dq":
                cur.append(self.quoted(part[1], sink, word.line))
                state["have"] = True
            else:
                text = self.value(part, sink, word.line)
                pieces = text.split()
                if text[:1].isspace():
                    finish()
                for n, piece in enumerate(pieces):
                    if n:
                        finish()
                    cur.append(piece)
                    state["have"] = True
                    state["glob"] = state["glob"] or any(ch in piece for ch in GLOB_CHARS)
                if pieces and text[-1:].isspace():
                    finish()
        finish()
        out: list[str] = []
        for text, glob in done:
            if glob:
                hits = vfs.glob(self.ctx, text)
                out.extend(hits if hits else [text])
            else:
                out.append(text)
        return out

    # running ---------------------------------------------------------------------------------
    def run_list(self, items: list[AndOr], sink: Sink, stdin: bytes) -> int:
        for item in items:
            self.run_and_or(item, sink, stdin)
        return self.status

    def run_and_or(self, item: AndOr, sink: Sink, stdin: bytes) -> None:
        self.run_pipeline(item.first, sink, stdin)
        for op, pipeline in item.rest:
            if (op == "&&") == (self.status == 0):
                self.run_pipeline(pipeline, sink, stdin)

    def run_pipeline(self, pipeline: Pipeline, sink: Sink, stdin: bytes) -> None:
        data = stdin
        last = len(pipeline.commands) - 1
        for n, cmd in enumerate(pipeline.commands):
            stage = sink if n == last else Sink(bytearray(), sink.fds[2])
            if last:  # each stage of a real pipeline is a subshell: exit ends only that stage
                try:
                    self.run_command(cmd, stage, data)
                except _Exit as exc:
                    self.status = exc.code
            else:
                self.run_command(cmd, stage, data)
            if n != last:
                data = bytes(stage.fds[1])
        if pipeline.negate:
            self.status = 0 if self.status else 1

    def redirect(self, redirs: list[Redir], sink: Sink, stdin: bytes) -> tuple[Sink, bytes] | None:
        fds = dict(sink.fds)
        for r in redirs:
            target = self.quoted(r.target.parts, sink, r.target.line)
            if r.op == "<":
                data = vfs.read_file(self.ctx, target)
                if data is None:
                    sink.fds[2].extend(f"sh: {r.target.line}: cannot open {target}: No such file\n".encode())
                    self.status = 2
                    return None
                stdin = data
            elif r.op == ">&":
                if target not in ("1", "2"):
                    sink.fds[2].extend(f"sh: {r.target.line}: {target}: Bad fd number\n".encode())
                    self.status = 2
                    return None
                fds[r.fd] = fds[int(target)]
            elif target == "/dev/stderr":
                fds[r.fd] = fds[2]
            elif target == "/dev/stdout":
                fds[r.fd] = fds[1]
            else:  # /dev/null or a file: nothing in the simulated image keeps what is written
                fds[r.fd] = bytearray()
        return Sink(fds.get(1, sink.fds[1]), fds.get(2, sink.fds[2])), stdin

    def run_command(self, cmd: Simple | If, sink: Sink, stdin: bytes) -> None:
        routed = self.redirect(cmd.redirs, sink, stdin)
        if routed is None:
            return
        sink, stdin = routed
        if isinstance(cmd, If):
            for cond, body in cmd.branches:
                self.run_list(cond, sink, stdin)
                if self.status == 0:
                    self.run_list(body, sink, stdin)
                    return
            if cmd.orelse is not None:
                self.run_list(cmd.orelse, sink, stdin)
            else:
                self.status = 0
            return
        self.last_sub = 0
        argv: list[str] = []
        for word in cmd.words:
            argv.extend(self.fields(word, sink))
        values = [(name, self.quoted(word.parts, sink, word.line)) for name, word in cmd.assigns]
        if not argv:
            for name, value in values:
                self.vars[name] = value
            self.status = self.last_sub if cmd.assigns else 0
            return
        self.status = self.run_simple(argv, dict(values), sink, stdin, cmd.line)

    def run_simple(self, argv: list[str], assigns: dict[str, str], sink: Sink, stdin: bytes, line: int) -> int:
        out, err = sink.fds[1], sink.fds[2]
        name = argv[0]
        if name == "exit":
            code = self.status
            if len(argv) > 1:
                if not argv[1].isdigit():
                    err.extend(f"sh: {line}: exit: Illegal number: {argv[1]}\n".encode())
                    raise _Exit(2)
                code = int(argv[1]) & 0xFF
            raise _Exit(code)
        if name == "export":
            for a in argv[1:]:
                key, eq, value = a.partition("=")
                if eq:
                    self.vars[key] = value
                self.exported.add(key)
            return 0
        if name == "unset":
            for key in argv[1:]:
                self.vars.pop(key, None)
                self.exported.discard(key)
            return 0
        if name in (":", "cd"):
            return 0
        if name in ("[", "test"):
            args = argv[1:]
            if name == "[":
                if not args or args[-1] != "]":
                    err.extend(f"sh: {line}: [: missing ]\n".encode())
                    return 2
                args = args[:-1]
            code, problem = _test(args, self.ctx)
            if problem:
                err.extend(f"sh: {line}: {name}: {problem}\n".encode())
            return code
        if name in UNSUPPORTED_BUILTINS:
            err.extend(f"sh: {line}: {name}: not supported by the simulator's shell\n".encode())
            return 2
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(assigns)
        res = self.runner(replace(self.ctx, env=env), argv, stdin)
        if res.code == 127 and b"executable file not found" in res.stderr:
            err.extend(f"sh: {line}: {name}: not found\n".encode())
            return 127
        out.extend(res.stdout)
        err.extend(res.stderr)
        return res.code


def _arith_parts(expr: str, line: int) -> list[Part]:
    """$(( … )) may hold $VAR, ${VAR} and $(…) as well as bare names."""
    parts: list[Part] = []
    buf: list[str] = []
    i = 0
    while i < len(expr):
        if expr[i] == "$":
            part, j = _dollar(expr, i, line)
            if part is not None:
                if buf:
                    parts.append(("lit", "".join(buf)))
                    buf = []
                parts.append(part)
                i = j
                continue
        buf.append(expr[i])
        i += 1
    if buf:
        parts.append(("lit", "".join(buf)))
    return parts


def run_script(ctx: ExecContext, script: str, runner: Runner, args: list[str] | None = None) -> ExecResult:
    """``sh -c SCRIPT [ARG0 ARG1…]`` in the simulated container."""
    out, err = bytearray(), bytearray()
    shell = Shell(ctx, runner, dict(ctx.env), set(ctx.env), list(args) if args else ["sh"])
    try:
        program = Parser(tokenize(script)).parse_program()
    except ShellSyntaxError as exc:
        return ExecResult(b"", f"sh: {exc.line}: {exc}\n".encode(), 2)
    except ShellError as exc:
        return ExecResult(b"", f"sh: {exc.line}: {exc}\n".encode(), exc.code)
    try:
        shell.run_list(program, Sink(out, err), b"")
        code = shell.status
    except _Exit as exc:
        code = exc.code
    except ShellError as exc:
        err.extend(f"sh: {exc.line}: {exc}\n".encode())
        code = exc.code
    return ExecResult(bytes(out), bytes(err), code)
