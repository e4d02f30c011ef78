"""The simulator's small `sh -c` interpreter, through a real exec (official client, v5/v4 channels).

What a runbook or catalogue script uses must behave as dash does in the real image; what the
interpreter does not do must fail loudly, never run something else.
"""

from __future__ import annotations

import pytest

from .helpers import kexec, sap_llm_pods


@pytest.fixture
def sh(sim):
    pod = sap_llm_pods(sim)[0].metadata.name

    def run(script: str, *args: str) -> tuple[str, str, int]:
        return kexec(sim, pod, ["sh", "-c", script, *args])
    run.pod = pod  # type: ignore[attr-defined]
    return run


@pytest.mark.parametrize(("script", "out"), [
    ("x=$((3 + 4 * 2)); echo $x $((x / 2)) $(( (1+2)*3 )) $((-7 / 2)) $((-7 % 2)) $((2 > 1 && 0))", "11 5 9 -3 -1 0\n"),
    ('a="x  y"; echo $a; echo "$a"', "x y\nx  y\n"),
    ('echo "a  b" $(echo c   d) "$(echo e   f)"', "a  b c d e f\n"),
    ("echo `echo back`tick $(echo $(echo nested))", "backtick nested\n"),
    ("if false; then echo 1; elif [ -n \"\" ]; then echo 2; else echo 3; fi", "3\n"),
    ("if [ -r /sys/fs/cgroup/memory.current ]\nthen\n  echo v2\nfi", "v2\n"),
    ("v=$(false); echo $?; [ 3 -lt 4 ] && echo lt; [ a = b ] || echo ne; ! true; echo $?", "1\nlt\nne\n1\n"),
    ("[ -d /tmp/cache ] && [ ! -e /nope ] && test -f /proc/meminfo && echo files", "files\n"),
    ("echo out; echo err >&2; echo also 1>&2", "out\n"),
    ("ls /nope 2>&1 | head -1", "ls: cannot access '/nope': No such file or directory\n"),
    ("ls /nope 2>/dev/null || echo hidden", "hidden\n"),
    ("cat < /etc/hostname | wc -l", "1\n"),
    ('X=1 env | grep "^X="; echo "[$X]"; export Y=2; env | grep "^Y="', "X=1\n[]\nY=2\n"),
    ("echo $0 $1 $#", "name one 1\n"),
    ("sed -n 's/^anon //p' /sys/fs/cgroup/memory.stat | wc -l", "1\n"),
    ("printf_missing=1; echo ${printf_missing}", "1\n"),
    ("# a comment\necho one \\\n  two # trailing", "one two\n"),
])
def test_scripts_behave_as_dash(sh, script, out):
    args = ("name", "one") if "$0" in script else ()
    stdout, stderr, code = sh(script, *args)
    assert (stdout, code) == (out, 0), stderr


def test_stderr_redirected_and_exit_codes(sh):
    out, err, code = sh("echo err >&2; exit 3; echo never")
    assert (out, err, code) == ("", "err\n", 3)
    out, err, code = sh("if true; then exit 4; fi; echo never")
    assert code == 4 and out == ""
    assert sh("x=$(exit 5); echo $?")[0] == "5\n"  # exit in a substitution leaves only the subshell


def test_sed_substitutes_like_gnu_sed(sh, sim):
    truth = sim.truth()[sh.pod]
    out, _, code = sh('k=inactive_file; sed -n "s/^$k //p" /sys/fs/cgroup/memory.stat')
    assert code == 0 and int(out) == truth.usage_bytes - truth.working_set_bytes
    out, _, _ = sh(r"echo 'abc 123' | sed 's/\([a-z]*\) \([0-9]*\)/\2-\1/'")
    assert out == "123-abc\n"
    out, _, _ = sh("echo 'a.b.c' | sed -E 's/(\\.)/[\\1]/g; s/^/>/'")
    assert out == ">a[.]b[.]c\n"
    out, _, _ = sh("printf_free=1; grep -c '' /proc/meminfo | sed '1q'")
    assert out.strip().isdigit()


@pytest.mark.parametrize(("script", "code", "message"), [
    ("if true; then echo a", 2, 'sh: 1: Syntax error: end of file unexpected (expecting "fi")\n'),
    ("echo 'open", 2, "sh: 1: Syntax error: Unterminated quoted string\n"),
    ("echo a &&", 2, "sh: 1: Syntax error: end of file unexpected\n"),
    ("then echo", 2, 'sh: 1: Syntax error: "then" unexpected\n'),
    ("echo ok\nfi", 2, 'sh: 2: Syntax error: "fi" unexpected\n'),
    ("echo $((1/0)); echo after", 2, 'sh: 1: arithmetic expression: division by zero: "1/0"\n'),
    ("[ 1 -lt ]; echo $?", 0, "sh: 1: [: 1: unexpected operator\n"),
    ("[ 1 -lt 2", 2, "sh: 1: [: missing ]\n"),
    ("\n\nnosuchtool", 127, "sh: 3: nosuchtool: not found\n"),
])
def test_errors_read_like_dash(sh, script, code, message):
    out, err, rc = sh(script)
    assert (err, rc) == (message, code)


@pytest.mark.parametrize("script", [
    "for i in 1 2; do echo $i; done",
    "while true; do break; done",
    "case x in x) echo;; esac",
    "(echo sub)",
    "sleep 1 &",
    "set -e",
    "f() { echo; }",
])
def test_what_the_interpreter_does_not_do_fails_loudly(sh, script):
    out, err, code = sh(script)
    assert code == 2 and out == "" and "not supported by the simulator's shell" in err, err


def test_globs_expand_in_the_shell_only(sh):
    out, _, code = sh("echo /tmp/cache/0* | wc -w; echo '/tmp/cache/0*'; echo /nomatch/*")
    assert out.splitlines() == ["16", "/tmp/cache/0*", "/nomatch/*"]
