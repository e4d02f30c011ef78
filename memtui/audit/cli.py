"""``memtui audit ...``: export the postmortem timeline, verify the chain, show where the log is.

Bad input gets one clear line on stderr and a non-zero exit, never a traceback.  Exit codes:
0 fine, 1 ``verify`` found the chain broken, 2 the command could not run (bad option, missing or
unreadable file, several candidate logs).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError, PrometheusUnavailable
from memtui.audit.export import CHART_MARGIN, FORMATS, export_timeline
from memtui.audit.paths import audit_dir, default_audit_path, list_audit_logs
from memtui.audit.reader import load_entries
from memtui.audit.timeline import build_timeline
from memtui.audit.times import parse_since, utc_now
from memtui.audit.verify import verify_log

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_USAGE = 2
PROG = "memtui audit"


class _UsageError(Exception):
    """A command line that cannot run; the message is the whole explanation."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "The audit log of memtui's runbook actions: export it as a postmortem timeline, verify its hash chain."
        ),
        epilog=f"Logs live in {audit_dir()}, one per kube context and namespace.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{export,verify,path}", parser_class=_Parser
    )

    export = commands.add_parser("export", help="write the postmortem timeline (Markdown, JSON or CSV)")
    _add_location(export)
    export.add_argument(
        "--since", metavar="WHEN", help="only actions from then on: 2h, 30m, 1h30m, 1d or 2026-11-27T02:00:00Z"
    )
    export.add_argument("--format", choices=FORMATS, default="md", help="output format (default md)")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    export.add_argument(
        "--prometheus-url", metavar="URL", help="add a chart of pod memory around the actions (Markdown only)"
    )

    verify = commands.add_parser("verify", help="check the hash chain; name the first broken entry")
    _add_location(verify)

    path = commands.add_parser(
        "path",
        help="print the log's path (with --context and --namespace, or when only one log exists), else the audit dir",
    )
    path.add_argument("--context", help="kube context")
    path.add_argument("--namespace", "-n", help="namespace")
    return parser


def _add_location(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", metavar="PATH", help="the audit log file")
    parser.add_argument("--context", help="kube context whose log to use")
    parser.add_argument("--namespace", "-n", help="namespace whose log to use")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
        return _COMMANDS[args.command](args)
    except _UsageError as exc:
        return _fail(str(exc))
    except AuditError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _locate(args: argparse.Namespace) -> Path:
    """--file, or the context/namespace's default path, or the only log there is."""
    if getattr(args, "file", None):
        if args.context or args.namespace:
            raise _UsageError("give either --file or --context/--namespace, not both")
        return Path(args.file)
    if args.context and args.namespace:
        return default_audit_path(args.context, args.namespace)
    candidates = [
        log
        for log in list_audit_logs()
        if (not args.context or log.context == args.context) and (not args.namespace or log.namespace == args.namespace)
    ]
    if len(candidates) == 1:
        return candidates[0].path
    wanted = " ".join(f"--{k} {v}" for k, v in (("context", args.context), ("namespace", args.namespace)) if v)
    if not candidates:
        raise _UsageError(f"no audit log{' for ' + wanted if wanted else ''} in {audit_dir()}; give --file PATH")
    listing = "; ".join(f"--context {c.context} --namespace {c.namespace}" for c in candidates)
    raise _UsageError(f"{len(candidates)} audit logs in {audit_dir()}, choose one with --file PATH or: {listing}")


def _export(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    path = _locate(args)
    entries = load_entries(path)
    report = verify_log(path)
    if not report.ok:
        print(f"{PROG}: warning: {path}: {report.describe()}; see `memtui audit verify`", file=sys.stderr)
    warnings: list[str] = []
    series = None
    if args.prometheus_url:
        series = _memory_series(args, entries, since, warnings)
    text = export_timeline(
        entries, fmt=args.format, since=since, memory_series=series, verify_report=report, warnings=warnings
    )
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote the timeline of {path} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _memory_series(
    args: argparse.Namespace, entries: Iterable[AuditEntry], since: datetime | None, warnings: list[str]
) -> dict[str, list[tuple[datetime, float]]] | None:
    """The chart's data, or None and a warning: an unreachable Prometheus must not cost the timeline."""
    from memtui.audit.prometheus import memory_series_from_prometheus

    summary = build_timeline(entries, since=since).summary
    namespace = args.namespace or (summary.namespaces[0] if summary.namespaces else None)
    if summary.start is None or summary.end is None or namespace is None:
        warnings.append("memory chart left out: no actions in this period")
        return None
    start = summary.start - CHART_MARGIN
    end = min(summary.end + CHART_MARGIN, utc_now())
    step = timedelta(seconds=max(15, int((end - start).total_seconds() / 240)))
    try:
        return memory_series_from_prometheus(args.prometheus_url, namespace, start, end, step)
    except PrometheusUnavailable as exc:
        warnings.append(f"memory chart left out: {exc}")
        print(f"{PROG}: warning: memory chart left out: {exc}", file=sys.stderr)
        return None


def _verify(args: argparse.Namespace) -> int:
    path = _locate(args)
    report = verify_log(path)
    print(f"{report.describe()} ({path})")
    for problem in report.all_problems[1:]:
        print(f"  also: {problem}")
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_BROKEN


def _path(args: argparse.Namespace) -> int:
    if args.context and args.namespace:
        print(default_audit_path(args.context, args.namespace))
        return EXIT_OK
    try:
        print(_locate(args))
    except _UsageError:
        print(audit_dir())
    return EXIT_OK


_COMMANDS = {"export": _export, "verify": _verify, "path": _path}
