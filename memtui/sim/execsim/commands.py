"""The executables in the simulated images, run on an argv exactly as exec delivers it.

No shell is involved here: a literal `*` stays a literal `*` (so `du -sh /models/*`
fails and `rm -rf /tmp/cache/*` removes nothing), which is the runbook's trap.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable

from ..quantity import GiB, KiB, MiB, human_iec
from . import vfs
from .context import ExecContext, ExecResult
from .nvidia_smi import nvidia_smi
from .redis_cli import redis_cli

NOT_FOUND = 127
Cmd = Callable[[ExecContext, list[str], bytes], ExecResult]


def _ok(out: str = "", code: int = 0, err: str = "") -> ExecResult:
    return ExecResult(out.encode(), err.encode(), code)


def _split_flags(args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    rest: list[str] = []
    for a in args:
        if a.startswith("--"):
            flags.add(a)
        elif a.startswith("-") and len(a) > 1:
            flags.update(a[1:])
        else:
            rest.append(a)
    return flags, rest


def cat(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    _, files = _split_flags(argv[1:])
    if not files:
        return ExecResult(stdin)
    out, err, code = b"", b"", 0
    for f in files:
        data = vfs.read_file(ctx, f)
        if data is None:
            msg = "Is a directory" if vfs.is_dir(ctx, f) else "No such file or directory"
            err += f"cat: {f}: {msg}\n".encode()
            code = 1
        else:
            out += data
    return ExecResult(out, err, code)


def du(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    human = "h" in flags
    paths = paths or ["."]
    out, err, code = [], [], 0
    total = 0
    for p in paths:
        size = vfs.size_of(ctx, p)
        if size is None:
            err.append(f"du: cannot access '{p}': No such file or directory\n")
            code = 1
            continue
        total += size
        kb = max(4, -(-size // KiB))
        out.append(f"{human_iec(size) if human else kb}\t{p}\n")
    if "c" in flags:
        out.append(f"{human_iec(total) if human else -(-total // KiB)}\ttotal\n")
    return _ok("".join(out), code, "".join(err))


def rm(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    force = "f" in flags or "--force" in flags
    recursive = bool({"r", "R", "--recursive"} & flags)
    err, code = [], 0
    if not paths and not force:
        return _ok(code=1, err="rm: missing operand\nTry 'rm --help' for more information.\n")
    removed: dict[str, list[str]] = {}
    for p in paths:
        norm = p.rstrip("/") or "/"
        if ctx.image_kind == "sap-llm" and (norm == "/models" or norm.startswith("/models/")):
            if vfs.size_of(ctx, norm) is None:
                if not force:
                    err.append(f"rm: cannot remove '{p}': No such file or directory\n")
                    code = 1
                continue
            err.append(f"rm: cannot remove '{p}': Read-only file system\n")
            code = 1
            continue
        hit = False
        for d in vfs.CACHE_DIRS:
            if norm == d:
                hit = True
                if not recursive:
                    err.append(f"rm: cannot remove '{p}': Is a directory\n")
                    code = 1
                    break
                removed.setdefault(d, []).extend(vfs.SHARDS)
                err.append(f"rm: cannot remove '{p}': Device or resource busy\n")  # the mount point stays
                code = 1
            elif norm.startswith(d + "/") and norm[len(d) + 1:] in vfs.SHARDS and vfs.size_of(ctx, norm):
                hit = True
                if not recursive:
                    err.append(f"rm: cannot remove '{p}': Is a directory\n")
                    code = 1
                    break
                removed.setdefault(d, []).append(norm[len(d) + 1:])
        if hit:
            continue
        if vfs.size_of(ctx, norm) is None and not vfs.is_dir(ctx, norm):
            if not force:
                err.append(f"rm: cannot remove '{p}': No such file or directory\n")
                code = 1
            continue
        err.append(f"rm: cannot remove '{p}': Permission denied\n")
        code = 1
    for d, shards in removed.items():
        n = len(set(shards))
        if n >= len(vfs.SHARDS):
            ctx.cluster.clear_dir(ctx.rec, ctx.t, d)
        elif n:
            ctx.cluster.trim_dir(ctx.rec, ctx.t, d, n / len(vfs.SHARDS))
    return _ok("", code, "".join(err))


def ls(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    paths = paths or ["/app"]
    out, err, code = [], [], 0
    for p in paths:
        entries = vfs.listing(ctx, p)
        if entries is None:
            if vfs.size_of(ctx, p) is not None:
                out.append(p + "\n")
                continue
            err.append(f"ls: cannot access '{p}': No such file or directory\n")
            code = 2
            continue
        if len(paths) > 1:
            out.append(f"{p}:\n")
        if "l" in flags:
            out.append(f"total {sum(e.size for e in entries) // KiB}\n")
            stamp = time.strftime("%b %d %H:%M", time.gmtime(ctx.cluster.clock.unix(ctx.life.start)))
            for e in entries:
                size = human_iec(e.size) if "h" in flags else str(e.size if not e.is_dir else 4096)
                mode = "drwxr-xr-x" if e.is_dir else "-rw-r--r--"
                out.append(f"{mode} 2 app app {size:>6} {stamp} {e.path.rpartition('/')[2]}\n")
        else:
            out.append("".join(e.path.rpartition("/")[2] + "\n" for e in entries))
    return _ok("".join(out), code, "".join(err))


def ps(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    s = ctx.sample()
    start = time.strftime("%H:%M", time.gmtime(ctx.cluster.clock.unix(ctx.life.start)))
    age = max(1.0, ctx.t - ctx.life.start)
    node = vfs.NODE_MEM
    procs: list[tuple[str, int, float, float, int, int, str, str, str]] = []
    if ctx.image_kind == "sap-llm":
        cpu = s.cpu_nanocores / 1e9
        procs.append(("app", 1, cpu * 100 / 1, s.rss / node * 100, (s.rss + 9 * GiB) // KiB, s.rss // KiB, "Ssl",
                      _cputime(cpu * age), "python3 -m sap_llm.serve --port=8080 --model-dir=/models"))
        procs.append(("app", 64, 0.3, 28 * MiB / node * 100, 174012, 28 * MiB // KiB, "S", _cputime(age * 0.003),
                      "python3 -c from multiprocessing.resource_tracker import main;main(8)"))
    elif ctx.image_kind == "redis":
        procs.append(("redis", 1, s.cpu_nanocores / 1e7, s.rss / node * 100, (s.rss + 64 * MiB) // KiB,
                      s.rss // KiB, "Ssl", _cputime(age * 0.2), "redis-server 0.0.0.0:6379"))
    else:
        procs.append(("app", 1, s.cpu_nanocores / 1e7, s.rss / node * 100, (s.rss + 64 * MiB) // KiB, s.rss // KiB,
                      "Ssl", _cputime(age * 0.3), " ".join(ctx.rec.spec["containers"][0].get("command", [])
                                                           or [ctx.rec.container])))
    now_hm = time.strftime("%H:%M", time.gmtime(ctx.cluster.clock.unix(ctx.t)))
    procs.append(("app" if ctx.image_kind != "redis" else "redis", 4242, 0.0, 0.0, 8648, 3200, "Rs", "0:00",
                  " ".join(argv)))
    if any(a.startswith("--sort=-%mem") or a == "--sort=-rss" for a in argv):
        procs.sort(key=lambda p: -p[5])
    lines = ["USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"]
    for user, pid, pcpu, pmem, vsz, rss, stat, t, cmd in procs:
        st = now_hm if pid == 4242 else start
        lines.append(f"{user:<8} {pid:>7} {pcpu:4.1f} {pmem:4.1f} {vsz:>6} {rss:>5} ?        {stat:<4} {st:>5} "
                     f"{t:>6} {cmd}")
    return _ok("\n".join(lines) + "\n")


def _cputime(sec: float) -> str:
    m = int(sec // 60)
    return f"{m}:{int(sec % 60):02d}" if m < 1000 else f"{m // 60}:{m % 60:02d}"


def python3(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    if len(argv) >= 3 and argv[1] == "-c":
        code = argv[2]
        if "getrusage" in code:
            # a brand-new interpreter: its own max RSS, not the server's (the runbook's trap)
            maxrss_kb = 9800 + int(300 * (ctx.t % 7) / 7)
            if "1024 / 1024" in code or "1024/1024" in code:
                return _ok(f"Memory: {maxrss_kb / 1024 / 1024:.2f} GB\n")
            return _ok(f"{maxrss_kb}\n")
        if "gc.collect" in code:
            return _ok("GC done\n" if "print" in code else "")
        if code.strip().startswith("print(") and code.strip().endswith(")"):
            inner = code.strip()[6:-1].strip()
            if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                return _ok(inner[1:-1] + "\n")
        return _ok()
    if len(argv) >= 2 and argv[1] in ("--version", "-V"):
        return _ok("Python 3.11.9\n")
    return _ok()


def curl(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    method = "GET"
    silent = False
    url = None
    out_file = None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("-X", "--request") and i + 1 < len(argv):
            method = argv[i + 1].upper()
            i += 2
            continue
        if a in ("-o", "--output") and i + 1 < len(argv):
            out_file = argv[i + 1]
            i += 2
            continue
        if a in ("-d", "--data", "-H", "--header", "-m", "--max-time", "-w") and i + 1 < len(argv):
            if a in ("-d", "--data") and method == "GET":
                method = "POST"
            i += 2
            continue
        if a.startswith("-") and not a.startswith("--"):
            if "s" in a:
                silent = True
        elif a == "--silent":
            silent = True
        elif not a.startswith("-"):
            url = a
        i += 1
    if url is None:
        return _ok(code=2, err="curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more "
                               "information\n")
    host_port = url.split("://", 1)[-1].split("/", 1)[0]
    path = "/" + url.split("://", 1)[-1].split("/", 1)[1] if "/" in url.split("://", 1)[-1] else "/"
    if host_port.split(":")[0] not in ("localhost", "127.0.0.1", "0.0.0.0"):
        return _ok(code=6, err="" if silent else f"curl: (6) Could not resolve host: {host_port.split(':')[0]}\n")
    if ctx.image_kind != "sap-llm" or not host_port.endswith(":8080"):
        return _ok(code=7, err="" if silent else f"curl: (7) Failed to connect to {host_port.split(':')[0]} port "
                                                 f"{host_port.split(':')[-1] if ':' in host_port else 80} after 0 ms: "
                                                 "Couldn't connect to server\n")
    body: bytes
    if path.startswith("/admin/gc"):
        if method != "POST":
            body = b'{"detail":"Method Not Allowed"}'
        else:
            freed, before, after = ctx.cluster.admin_gc(ctx.rec, ctx.t)
            doc = {"status": "ok", "collected": int(1500 + freed / 4096), "freed_bytes": freed,
                   "rss_before": before.rss if before else 0, "rss_after": after.rss if after else 0,
                   "uncollectable": 0}
            body = json.dumps(doc, separators=(",", ":")).encode()
    elif path.startswith("/debug/pprof/heap"):
        body = _heap_profile(ctx)
    elif path.startswith("/healthz") or path.startswith("/ready"):
        body = b'{"status":"ok"}'
    elif path.startswith("/metrics"):
        s = ctx.sample()
        body = (f"# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {s.rss}\n"
                f"# TYPE sap_llm_model_instances gauge\nsap_llm_model_instances "
                f"{s.extra.get('instances', 1)}\n").encode()
    else:
        body = b'{"detail":"Not Found"}'
    err = b""
    if not silent:
        n = len(body)
        err = (b"  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
               b"                                 Dload  Upload   Total   Spent    Left  Speed\n" +
               f"\r100 {n:>5}  100 {n:>5}    0     0  {n * 31:>6}      0 --:--:-- --:--:-- --:--:-- "
               f"{n * 32:>6}\n".encode())
    if out_file:
        return ExecResult(b"", err, 0)
    return ExecResult(body, err, 0)


def _heap_profile(ctx: ExecContext) -> bytes:
    s = ctx.sample()
    lines = [f"heap profile: {s.rss // 4096}: {s.rss} [{s.rss // 2048}: {s.rss * 2}] @ heap/1048576"]
    extra = s.extra.get("leaked", 0)
    if extra:
        lines.append(f"{int(extra // 49152)}: {int(extra)} [{int(extra // 49152)}: {int(extra)}] @ "
                     "sap_llm.tracing.RequestContext.__init__ sap_llm.tracing.start_span")
    lines.append(f"1: {3 * GiB} [1: {3 * GiB}] @ sap_llm.model.load_weights torch.load")
    # deterministic gzip (mtime 0), like `go tool pprof` would download
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def echo(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    args = argv[1:]
    nl = True
    if args and args[0] == "-n":
        nl, args = False, args[1:]
    return _ok(" ".join(args) + ("\n" if nl else ""))


def env(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    if len(argv) > 1 and argv[0] == "printenv":
        v = ctx.env.get(argv[1])
        return _ok(v + "\n") if v is not None else _ok(code=1)
    return _ok("".join(f"{k}={v}\n" for k, v in sorted(ctx.env.items())))


_CLASSES = {"[:digit:]": r"0-9", "[:alpha:]": r"A-Za-z", "[:alnum:]": r"A-Za-z0-9", "[:upper:]": r"A-Z",
            "[:lower:]": r"a-z", "[:space:]": r"\s", "[:blank:]": r" \t", "[:xdigit:]": r"0-9A-Fa-f",
            "[:punct:]": r"!-/:-@\[-`{-~"}


def posix_regex(pattern: str, extended: bool) -> str:
    """A POSIX BRE (grep, sed) or ERE (grep -E, sed -E) as a Python regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "[":  # a bracket expression, copied with its POSIX classes spelled out
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                if pattern.startswith("[:", j):
                    k = pattern.find(":]", j)
                    j = k + 2 if k >= 0 else j + 1
                else:
                    j += 1
            body, k = [], i + 1
            while k < j:  # a backslash is literal in a POSIX bracket, an escape in Python's
                cls = next((c for c in _CLASSES if pattern.startswith(c, k)), None)
                if cls:
                    body.append(_CLASSES[cls])
                    k += len(cls)
                    continue
                body.append("\\" + pattern[k] if pattern[k] in "\\[" else pattern[k])
                k += 1
            out.append("[" + "".join(body) + "]")
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            if not extended and d in "(){}+?|":
                out.append(d)
            else:
                out.append("\\" + d)
            i += 2
            continue
        if not extended and c in "(){}+?|":
            out.append("\\" + c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def grep(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    import re
    flags, rest = _split_flags(argv[1:])
    if not rest:
        return _ok(code=2, err="Usage: grep [OPTION]... PATTERNS [FILE]...\n")
    try:
        rx = re.compile(posix_regex(rest[0], "E" in flags), re.I if "i" in flags else 0)
    except re.error:
        return _ok(code=2, err="grep: Invalid regular expression\n")
    err, code = "", 0
    if len(rest) == 1:
        text = stdin.decode(errors="replace")
    else:
        chunks = []
        for f in rest[1:]:
            data = vfs.read_file(ctx, f)
            if data is None:
                err += f"grep: {f}: {'Is a directory' if vfs.is_dir(ctx, f) else 'No such file or directory'}\n"
                code = 2
                continue
            chunks.append(data.decode(errors="replace"))
        text = "".join(chunks)
    hits = [ln for ln in text.splitlines() if bool(rx.search(ln)) != ("v" in flags)]
    if "c" in flags:
        return _ok(f"{len(hits)}\n", code or (0 if hits else 1), err)
    return _ok("".join(h + "\n" for h in hits), code or (0 if hits else 1), err)


def _sed_script(script: str, extended: bool):
    """Parse sed commands `[ADDR]s/RE/REPL/[gpI]`, `[ADDR]p`, `[ADDR]d`, `[ADDR]q` separated by ; or newlines."""
    import re
    Address = tuple[str, int | re.Pattern[str]]  # ("line", N), ("last", 0) or ("re", compiled)
    cmds: list[tuple[Address | None, str, tuple[re.Pattern[str], str, bool, bool] | None]] = []
    i, n = 0, len(script)
    while i < n:
        while i < n and script[i] in " \t;\n":
            i += 1
        if i >= n:
            break
        addr: Address | None = None
        if script[i].isdigit():
            j = i
            while j < n and script[j].isdigit():
                j += 1
            addr, i = ("line", int(script[i:j])), j
        elif script[i] == "$":
            addr, i = ("last", 0), i + 1
        elif script[i] == "/":
            j = script.find("/", i + 1)
            if j < 0:
                raise ValueError("unterminated address regex")
            addr, i = ("re", re.compile(posix_regex(script[i + 1:j], extended))), j + 1
        if i >= n:
            raise ValueError("missing command")
        op = script[i]
        if op == "s":
            delim = script[i + 1]
            pieces: list[str] = []
            buf: list[str] = []
            j = i + 2
            while j < n and len(pieces) < 2:
                if script[j] == "\\" and j + 1 < n:
                    buf.append(script[j:j + 2] if script[j + 1] != delim else delim)
                    j += 2
                    continue
                if script[j] == delim:
                    pieces.append("".join(buf))
                    buf = []
                else:
                    buf.append(script[j])
                j += 1
            if len(pieces) < 2:
                raise ValueError("unterminated `s' command")
            k = j
            while k < n and script[k] not in ";\n":
                k += 1
            sflags = script[j:k].strip()
            if any(ch not in "gpI" for ch in sflags):
                raise ValueError("unknown option to `s'")
            rx = re.compile(posix_regex(pieces[0], extended), re.I if "I" in sflags else 0)
            cmds.append((addr, "s", (rx, pieces[1], "g" in sflags, "p" in sflags)))
            i = k
        elif op in "pdq":
            cmds.append((addr, op, None))
            i += 1
        else:
            raise ValueError(f"unknown command: `{op}'")
    return cmds


def _sed_replacement(template: str):
    def expand(m) -> str:
        out, i = [], 0
        while i < len(template):
            c = template[i]
            if c == "\\" and i + 1 < len(template):
                d = template[i + 1]
                out.append(m.group(int(d)) or "" if d.isdigit() else "\n" if d == "n" else d)
                i += 2
                continue
            out.append(m.group(0) if c == "&" else c)
            i += 1
        return "".join(out)
    return expand


def sed(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    """sed with -n, -E/-r, -e and the commands s///[gpI], p, d, q (with a line, $ or /re/ address)."""
    quiet = extended = False
    scripts: list[str] = []
    files: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-e" and i + 1 < len(args):
            scripts.append(args[i + 1])
            i += 2
            continue
        if a.startswith("-") and len(a) > 1 and not a.startswith("--"):
            quiet = quiet or "n" in a
            extended = extended or "E" in a or "r" in a
        elif a in ("--quiet", "--silent"):
            quiet = True
        elif a == "--regexp-extended":
            extended = True
        elif not scripts and not files and not any(x == "-e" for x in args):
            scripts.append(a)
        else:
            files.append(a)
        i += 1
    if not scripts:
        return _ok(code=1, err="Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n")
    try:
        cmds = _sed_script("\n".join(scripts), extended)
    except ValueError as exc:
        return _ok(code=1, err=f"sed: -e expression #1, char 0: {exc}\n")
    err, code = "", 0
    if files:
        chunks = []
        for f in files:
            data = vfs.read_file(ctx, f)
            if data is None:
                err += f"sed: can't read {f}: No such file or directory\n"
                code = 2
                continue
            chunks.append(data.decode(errors="replace"))
        text = "".join(chunks)
    else:
        text = stdin.decode(errors="replace")
    lines = text.splitlines()
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        deleted = stop = False
        for addr, op, arg in cmds:
            if addr is not None:
                kind, val = addr
                if (kind == "line" and number != val) or (kind == "last" and number != len(lines)) or (
                        kind == "re" and not val.search(line)):
                    continue
            if op == "s":
                rx, repl, every, show = arg
                new, count = rx.subn(_sed_replacement(repl), line, count=0 if every else 1)
                if count:
                    line = new
                    if show:
                        out.append(line)
            elif op == "p":
                out.append(line)
            elif op == "d":
                deleted = True
                break
            elif op == "q":
                stop = True
                break
        if not deleted and not quiet:
            out.append(line)
        if stop:
            break
    return _ok("".join(ln + "\n" for ln in out), code, err)


def test_command(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    """/usr/bin/test and /usr/bin/[ (coreutils) for a plain exec; the shell has its own builtin."""
    from .shell import _test
    args = argv[1:]
    name = argv[0].rsplit("/", 1)[-1]
    if name == "[":
        if not args or args[-1] != "]":
            return _ok(code=2, err="[: missing ‘]’\n")
        args = args[:-1]
    code, problem = _test(args, ctx)
    return _ok(code=code, err=f"{name}: {problem}\n" if problem else "")


def head_tail(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    n = 10
    args = argv[1:]
    i = 0
    files = []
    while i < len(args):
        if args[i] == "-n" and i + 1 < len(args):
            n = int(args[i + 1].lstrip("+-") or 10)
            i += 2
            continue
        if args[i].startswith("-") and args[i][1:].isdigit():
            n = int(args[i][1:])
        else:
            files.append(args[i])
        i += 1
    data = stdin if not files else b"".join(vfs.read_file(ctx, f) or b"" for f in files)
    lines = data.decode(errors="replace").splitlines(keepends=True)
    sel = lines[:n] if argv[0].endswith("head") else lines[-n:] if n else []
    return _ok("".join(sel))


def wc(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    flags, files = _split_flags(argv[1:])
    data = stdin if not files else b"".join(vfs.read_file(ctx, f) or b"" for f in files)
    text = data.decode(errors="replace")
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(data)}
    wanted = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
    if len(wanted) == 1:
        return _ok(f"{counts[wanted[0]]}\n")
    return _ok(" ".join(f"{counts[k]:>7}" for k in wanted) + "\n")


def free(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    total = vfs.NODE_MEM
    used, avail = int(total * 0.17), int(total * 0.83)
    f = (lambda b: human_iec(b) + "i") if "-h" in argv else (lambda b: str(b // MiB)) if "-m" in argv else \
        (lambda b: str(b // KiB))
    return _ok(f"               total        used        free      shared  buff/cache   available\n"
               f"Mem:    {f(total):>12}{f(used):>12}{f(int(total * 0.61)):>12}{f(0):>12}{f(int(total * 0.22)):>12}"
               f"{f(avail):>12}\nSwap:   {f(0):>12}{f(0):>12}{f(0):>12}\n")


def simple(text: str, code: int = 0) -> Cmd:
    return lambda ctx, argv, stdin: _ok(text, code)


def date(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    ts = ctx.cluster.clock.unix(ctx.t)
    if len(argv) > 1 and argv[1] == "+%s":
        return _ok(f"{int(ts)}\n")
    return _ok(time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(ts)) + "\n")


COMMON: dict[str, Cmd] = {
    "cat": cat, "du": du, "rm": rm, "ls": ls, "ps": ps, "echo": echo, "env": env, "printenv": env,
    "grep": grep, "sed": sed, "test": test_command, "[": test_command, "head": head_tail, "tail": head_tail, "wc": wc, "free": free, "date": date,
    "true": simple(""), "false": simple("", 1), "sleep": simple(""), "whoami": simple("app\n"),
    "id": simple("uid=1000(app) gid=1000(app) groups=1000(app)\n"),
    "uname": lambda ctx, argv, stdin: _ok("Linux\n" if len(argv) == 1 else
                                          f"Linux {ctx.rec.name} 5.15.0-105-generic #115-Ubuntu SMP x86_64 GNU/Linux\n"),
    "hostname": lambda ctx, argv, stdin: _ok(ctx.rec.name + "\n"),
}
IMAGES: dict[str, dict[str, Cmd]] = {
    "sap-llm": {**COMMON, "python3": python3, "python": python3, "curl": curl, "nvidia-smi": nvidia_smi},
    "redis": {**COMMON, "redis-cli": redis_cli, "whoami": simple("redis\n"),
              "id": simple("uid=999(redis) gid=999(redis) groups=999(redis)\n")},
    "generic": {**COMMON, "python3": python3, "curl": curl},
}
BIN_DIRS = ("/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/")


def lookup(ctx: ExecContext, prog: str) -> Cmd | None:
    table = IMAGES[ctx.image_kind]
    if "/" in prog:
        for d in BIN_DIRS:
            if prog.startswith(d) and prog[len(d):] in table:
                return table[prog[len(d):]]
        return None
    return table.get(prog)


def run_command(ctx: ExecContext, argv: list[str], stdin: bytes) -> ExecResult:
    if not argv:
        return ExecResult()
    fn = lookup(ctx, argv[0])
    if fn is None:
        return ExecResult(b"", f'exec: "{argv[0]}": executable file not found in $PATH'.encode(), NOT_FOUND)
    return fn(ctx, argv, stdin)
