"""``memtui audit ...``: export the postmortem timeline, verify the chain, show where the log is.

Which log: ``--file``; or ``--demo [SCENARIO]`` (the latest demo run); or the log of the context
and namespace the cockpit would use now (``--context``/``-n``/``--kubeconfig`` and their
``MEMTUI_*`` forms, else the kubeconfig's current context: see ``current``); with no current
context, the only log there is.  Several candidates and no way to choose: they are listed.

Bad input gets one clear line on stderr and a non-zero exit, never a traceback.  Exit codes:
0 fine, 1 ``verify`` found the chain broken (or the cluster's Events disagree with it), 2 the
command could not run (bad option, missing or unreadable file, several candidate logs, cluster
unreachable).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError, PrometheusUnavailable
from memtui.audit.export import FORMATS, charts_dir_for, export_report, write_export
from memtui.audit.report_data import IncidentFacts, ReportSeries, incident_from_crossing, last_change, window_of
from memtui.audit.paths import audit_dir, default_audit_path, list_audit_logs, list_demo_logs
from memtui.audit.reader import load_entries
from memtui.audit.timeline import build_timeline
from memtui.audit.times import parse_since, utc_now
from memtui.audit.verify import verify_log
from memtui.clients.prometheus import PrometheusAccess
from memtui.state.snapshots import TeamChange

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

    export = commands.add_parser("export", help="write the postmortem timeline (Markdown, HTML, JSON or CSV)")
    _add_location(export)
    export.add_argument(
        "--since", metavar="WHEN", help="only actions from then on: 2h, 30m, 1h30m, 1d or 2026-11-27T02:00:00Z"
    )
    export.add_argument("--format", choices=FORMATS, default="md",
                        help="output format (default md; html: one self-contained page with charts)")
    export.add_argument("--output", "-o", metavar="FILE",
                        help="write here (0600) instead of stdout; Markdown's charts go to FILE-charts/*.svg beside it")
    export.add_argument(
        "--prometheus-url", metavar="URL",
        help="add charts (pod working set vs limit, Redis, GPU around the actions) and the alert start (md, html)"
    )
    export.add_argument(
        "--recording", metavar="FILE", action="append", default=[],
        help="add the team's changes this recording saw (others' kubectl, HPA, GitOps, memtui changes) as "
             "timeline rows; repeatable (default: this context and namespace's recordings that overlap the period)",
    )

    verify = commands.add_parser(
        "verify", help="check the hash chain and the log's end (its head); name the first broken entry"
    )
    _add_location(verify)
    verify.add_argument(
        "--against-cluster", action="store_true",
        help="also compare the log with the MemtuiAction Events in the cluster (each names its entry's seq and hash)",
    )

    path = commands.add_parser(
        "path", help="print the path of the log export/verify would use, else the audit dir"
    )
    _add_location(path)
    return parser


def _add_location(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", "--audit-log", dest="file", metavar="PATH", help="the audit log file")
    parser.add_argument("--context", help="kube context whose log to use (default: the current context)")
    parser.add_argument("--namespace", "-n", help="namespace whose log to use (default: the context's)")
    parser.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig to read the current context from")
    parser.add_argument(
        "--demo", nargs="?", const="", metavar="SCENARIO", help="the latest demo run's log (of SCENARIO)"
    )


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
    """The log to read: see the module docstring for the order."""
    from memtui.audit.current import current_scope
    from memtui.config.settings import SettingsError, load_settings

    if args.file:
        naming_the_cluster = getattr(args, "against_cluster", False) and args.demo is None
        if (args.context or args.namespace or args.demo is not None) and not naming_the_cluster:
            raise _UsageError("give either --file or --context/--namespace/--demo, not several")
        return Path(args.file)
    if args.demo is not None:
        if args.context or args.namespace:
            raise _UsageError("--demo picks the demo's own log: leave out --context/--namespace")
        return _latest_demo_log(args.demo or None)
    given = {"context": args.context, "namespace": args.namespace, "kubeconfig": args.kubeconfig}
    try:
        settings = load_settings({k: v for k, v in given.items() if v})
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    if settings.audit_log and not (args.context or args.namespace):
        return Path(settings.audit_log)  # where the cockpit writes, whatever the context
    scope, no_scope = current_scope(kubeconfig=settings.kubeconfig, context=settings.context,
                                    namespace=settings.namespace)
    logs = list_audit_logs()
    if scope is not None:
        exact = default_audit_path(scope.context, scope.namespace)
        if exact.exists() or exact.with_name(exact.name + ".head").exists():
            return exact
        wanted = [log for log in logs if log.context == scope.context
                  and (not settings.namespace or log.namespace == scope.namespace)]
        if len(wanted) == 1:
            print(f"{PROG}: no log for namespace {scope.namespace} of context {scope.context}; "
                  f"using its only log, namespace {wanted[0].namespace}: {wanted[0].path}", file=sys.stderr)
            return wanted[0].path
        where = f"context {scope.context}, namespace {scope.namespace}"
        return _ask(wanted or logs, f"no audit log for {where} (the cockpit's now) in {audit_dir()}")
    candidates = [log for log in logs if not settings.namespace or log.namespace == settings.namespace]
    if len(candidates) == 1:
        return candidates[0].path
    reason = f"no current kube context ({no_scope})"
    return _ask(candidates, f"no audit log{' for namespace ' + settings.namespace if settings.namespace else ''} "
                            f"in {audit_dir()}" if not candidates else reason)


def _ask(candidates: list, reason: str) -> Path:
    """Nothing to pick from, or no way to choose: say which logs there are and how to name one."""
    if not candidates:
        raise _UsageError(f"{reason}; give --file PATH")
    listing = "; ".join(f"--context {c.context} --namespace {c.namespace}" for c in candidates)
    raise _UsageError(
        f"{reason}: {len(candidates)} audit log{'s' if len(candidates) != 1 else ''} in {audit_dir()}, "
        f"choose one with --file PATH or: {listing}"
    )


def _latest_demo_log(scenario: str | None) -> Path:
    runs = list_demo_logs(scenario)
    if not runs:
        what = f"demo run of scenario {scenario}" if scenario else "demo run"
        raise _UsageError(f"no audit log of a {what} in {audit_dir() / 'demo'}")
    return runs[-1].path


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
    series = incident = None
    team = _team_changes(args.recording) if args.recording else _team_changes_recorded(path, entries, since)
    if args.prometheus_url:
        series, incident = _report_series(args, entries, since, warnings, team)
    limits = _limits_after_fix(args, entries, warnings)
    export = export_report(
        entries, fmt=args.format, since=since, series=series, incident=incident, verify_report=report,
        warnings=warnings, limits_after_fix=limits, charts_dir=charts_dir_for(args.output) if args.output else None,
        team=team, until=utc_now(),
    )
    if args.output:
        written = write_export(args.output, export)
        charts = f" and {len(written) - 1} chart{'s' if len(written) != 2 else ''} in " \
                 f"{Path(args.output).parent / charts_dir_for(args.output)}" if len(written) > 1 else ""
        print(f"wrote the timeline of {path} to {args.output}{charts}", file=sys.stderr)
    else:
        sys.stdout.write(export.text)
    return EXIT_OK


def _team_changes(recordings: Sequence[str]) -> list[TeamChange]:
    """The team's changes the given recordings saw; a file that is not a readable recording is a
    usage error (one line, nothing written)."""
    from memtui.recording.extract import team_changes
    from memtui.recording.store import RecordingError, RecordingReader

    out: list[TeamChange] = []
    for name in recordings:
        try:
            reader = RecordingReader(name)
            try:
                out += team_changes(reader)
            finally:
                reader.close()
        except RecordingError as exc:
            raise _UsageError(str(exc)) from None
    return out


def _team_changes_recorded(path: Path, entries: Sequence[AuditEntry], since: datetime | None) -> list[TeamChange]:
    """The team's changes from the recordings of the log's context and namespace (the demo's for a
    demo log) whose span (first to last frame, on the cockpit's clock like the log's entries)
    overlaps the exported period; one that cannot be read is skipped with a warning."""
    from memtui.audit.paths import demo_audit_dir
    from memtui.recording.extract import team_changes
    from memtui.recording.paths import list_recordings
    from memtui.recording.store import RecordingError, RecordingReader

    context, namespace = next(((e.context, e.namespace) for e in entries if e.context and e.namespace), ("", ""))
    if not context or not namespace:
        return []
    start = since or min(e.timestamp for e in entries)
    end = max(e.timestamp for e in entries)
    demo = path.resolve().parent == demo_audit_dir().resolve()
    out: list[TeamChange] = []
    for found in list_recordings(context, namespace, demo=demo):
        try:
            reader = RecordingReader(found.path)
            try:
                last = reader.last_seq()
                tail = next(iter(reader.frames(after=max(0, last - 1))), None)
                if tail is None or reader.meta.started_at > end or tail.at < start:
                    continue
                out += team_changes(reader)
            finally:
                reader.close()
        except RecordingError as exc:
            print(f"{PROG}: warning: team changes of {found.path} left out: {exc}", file=sys.stderr)
    return out


def _report_series(
    args: argparse.Namespace, entries: Iterable[AuditEntry], since: datetime | None, warnings: list[str],
    team: Sequence[TeamChange] = (),
) -> tuple[ReportSeries | None, IncidentFacts | None]:
    """The charts' data and the alert start, or None and a warning: an unreachable Prometheus must
    not cost the timeline."""
    from memtui.audit.prometheus import alert_start_from_prometheus, report_series_from_prometheus
    from memtui.config.settings import SettingsError
    from memtui.state.incident import BASIS_PROMETHEUS

    timeline = build_timeline(entries, since=since, team=team)  # the charts' window and marks: the export's
    summary = timeline.summary
    namespace = args.namespace or (summary.namespaces[0] if summary.namespaces else None)
    window = window_of(timeline)
    if window is None or namespace is None:
        warnings.append("memory chart left out: no actions in this period")
        return None, None
    start, end = window[0], min(window[1], utc_now())
    step = timedelta(seconds=max(15, int((end - start).total_seconds() / 240)))
    try:
        access = _prometheus_access(args, summary.contexts)
        series = report_series_from_prometheus(access, namespace, start, end, step)
        last = last_change(timeline)
        first = next((r.time for r in timeline.rows if r.kind in ("action", "team")), summary.start)
        alert = alert_start_from_prometheus(access, namespace, first) if first else None
    except PrometheusUnavailable as exc:
        warnings.append(f"memory chart left out: {exc}")
        print(f"{PROG}: warning: memory chart left out: {exc}", file=sys.stderr)
        return None, None
    if alert is not None and last is not None:
        return series, IncidentFacts(alert, BASIS_PROMETHEUS, last[0], last[1])
    try:
        threshold = _log_settings({}, summary.contexts).threshold_bytes  # the cockpit's own (its context's table)
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    return series, incident_from_crossing(timeline, series.working_set, threshold)


def _log_settings(cli: dict, contexts: Sequence[str]):
    """The cockpit's settings for the log's context (its ``[contexts."NAME"]`` table applied when the
    log names one context), so the export reads what that context's panes read."""
    from memtui.config.settings import read_layers

    layers = read_layers(cli)
    return layers.settings(contexts[0]) if len(contexts) == 1 else layers.settings()


def _prometheus_access(args: argparse.Namespace, contexts: Sequence[str] = ()) -> PrometheusAccess:
    """``--prometheus-url`` with the cockpit's own access settings (auth, TLS, headers, cluster
    matchers: MEMTUI_PROMETHEUS_* and the config file, the log's context's table included), so the
    export reads what the pane read."""
    from memtui.config.prometheus_access import context_matchers, prometheus_access
    from memtui.config.settings import SettingsError

    try:
        settings = _log_settings({"prometheus_url": args.prometheus_url}, contexts)
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    if len(contexts) == 1 and "{context}" in settings.prometheus_matchers:
        settings = replace(settings, prometheus_matchers=context_matchers(settings.prometheus_matchers, contexts[0]))
    access = prometheus_access(settings)
    assert access is not None
    return access


def _limits_after_fix(args: argparse.Namespace, entries: Iterable[AuditEntry], warnings: list[str]
                      ) -> list[tuple[str, dict]]:
    """(line, figures) per affected deployment/container: from Prometheus when given, else from the
    effect entries; an unreachable Prometheus falls back and says so."""
    from memtui.audit.limits import advice_after_fix, affected_deployments, limit_lines

    end = utc_now()
    out: list[tuple[str, dict]] = []
    entries = list(entries)
    contexts = tuple(dict.fromkeys(e.context for e in entries if e.context))  # as the timeline's summary has them
    for affected in affected_deployments(entries):
        peaks = None
        if args.prometheus_url:
            from memtui.audit.prometheus import container_peaks
            try:
                peaks = container_peaks(_prometheus_access(args, contexts), affected.namespace, affected.deployment,
                                        affected.fixed_at, end)
            except PrometheusUnavailable as exc:
                warnings.append(f"limit after the fix from the audit's own figures: {exc}")
        advices = advice_after_fix(affected, end, peaks)
        for line, advice in zip(limit_lines(affected, advices), advices):
            out.append((line, {**advice.record(), "namespace": affected.namespace, "after": affected.action,
                               "fixed_at": affected.fixed_at.isoformat(), "limit_set": affected.limit_now}))
    return out


def _verify(args: argparse.Namespace) -> int:
    path = _locate(args)
    report = verify_log(path)
    print(f"{report.describe()} ({path})")
    _print_more(report.all_problems[1:])
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    if args.against_cluster:
        cluster = _check_cluster(args, path, report)
        print(cluster.describe())
        _print_more(cluster.problems[1:])
        for line in cluster.other_chains:
            print(f"  {line}")
        if cluster.unnamed:
            print(f"  {cluster.unnamed} Event{'s' if cluster.unnamed != 1 else ''} from a memtui that did not "
                  "record audit positions, not compared")
        if not cluster.ok:
            return EXIT_BROKEN
    return EXIT_OK if report.ok else EXIT_BROKEN


_MORE_SHOWN = 20


def _print_more(problems: Sequence[str]) -> None:
    """The problems after the first, one a line; a file edited everywhere does not flood the terminal."""
    for problem in problems[:_MORE_SHOWN]:
        print(f"  also: {problem}")
    if len(problems) > _MORE_SHOWN:
        print(f"  … and {len(problems) - _MORE_SHOWN} more")


def _check_cluster(args: argparse.Namespace, path: Path, report):
    """The Events of the log's own context and namespace (from its entries, else its name, else the options)."""
    from memtui.audit.cluster import ClusterUnavailable, check_against_events, fetch_action_events

    context, namespace = _log_scope(path)
    context = args.context or context  # with --file, --context/--namespace name the cluster's side
    namespace = args.namespace or namespace
    if namespace is None:
        raise _UsageError(f"{path} does not say which namespace it is for: give --namespace with --against-cluster")
    from memtui.config.settings import SettingsError, load_settings

    try:
        kubeconfig = load_settings({"kubeconfig": args.kubeconfig} if args.kubeconfig else {}).kubeconfig
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    try:
        events = fetch_action_events(kubeconfig=kubeconfig, context=context, namespace=namespace)
    except ClusterUnavailable as exc:
        raise _UsageError(f"cannot check against the cluster: {exc}") from None
    return check_against_events(report, events, namespace)


def _log_scope(path: Path) -> tuple[str | None, str | None]:
    for entry in load_entries(path) if path.exists() else ():
        if entry.context and entry.namespace:
            return entry.context, entry.namespace
    named = next((log for log in list_audit_logs(path.parent) if log.path.name == path.name), None)
    return (named.context, named.namespace) if named else (None, None)


def _path(args: argparse.Namespace) -> int:
    if args.context and args.namespace and not args.file and args.demo is None:
        print(default_audit_path(args.context, args.namespace))
        return EXIT_OK
    try:
        print(_locate(args))
    except _UsageError:
        print(audit_dir())
    return EXIT_OK


_COMMANDS = {"export": _export, "verify": _verify, "path": _path}
