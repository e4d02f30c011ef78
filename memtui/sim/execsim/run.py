"""One exec: `sh -c` (or bash) goes through the tiny shell, anything else runs as a plain argv."""

from __future__ import annotations

from .commands import NOT_FOUND, run_command
from .context import ExecContext, ExecResult
from .shell import run_script

SHELLS = {"sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash", "dash", "/bin/dash"}


def execute(ctx: ExecContext, argv: list[str]) -> ExecResult:
    prog = argv[0]
    if prog in SHELLS:
        if "-c" in argv[1:]:
            i = argv.index("-c")
            if i + 1 >= len(argv):
                res = ExecResult(b"", f"{prog.rsplit('/', 1)[-1]}: 0: -c requires an argument\n".encode(), 2)
            else:
                res = run_script(ctx, argv[i + 1], run_command, argv[i + 2:] or [prog])
        else:
            res = ExecResult()  # a shell with no script and no terminal input exits at once
    else:
        res = run_command(ctx, argv, b"")
        if res.code == NOT_FOUND and b"executable file not found" in res.stderr:
            res = ExecResult(b"", (f'OCI runtime exec failed: exec failed: unable to start container process: '
                                   f'exec: "{prog}": executable file not found in $PATH: unknown\r\n').encode(), 126)
    if ctx.tty:
        merged = (res.stdout + res.stderr).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        res = ExecResult(merged, b"", res.code)
    return res
