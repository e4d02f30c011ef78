"""``memtui replay FILE [--follow] [--speed X] [--at TIME]``: the command line of the replay cockpit.

Bad input (no such file, a file that is no recording, a time outside it, a speed it does not
offer) gets one line and exit 2 before any screen opens.  ``build_replay_parser`` is the one place
the options are declared: other modes over a recording (an export) add theirs there.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from memtui.config.cli_parser import OneLineParser
from memtui.config.settings import THEMES, Settings, SettingsError, load_settings
from memtui.recording.model import RecordingMeta
from memtui.recording.store import RecordingError, RecordingReader
from memtui.ui.command import fail as _fail
from memtui.ui.command import run_app
from memtui.ui.termination import ending_on_signals

EXIT_USAGE = 2


def build_replay_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="memtui replay",
        description=(
            "The cockpit, read-only, over a recording: step through the refreshes, jump from action to\n"
            "action, play it back.  Nothing is sent to any cluster: runbook keys say 'replay'."
        ),
        epilog=(
            "keys: ←/→ one refresh, [ / ] previous/next action, space play/pause, -/+ speed,\n"
            "Home/End start/end (the live end with --follow); the rest as in the live cockpit (? lists them)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="the recording (default: the latest one of the current context and namespace)")
    parser.add_argument("--follow", action="store_true",
                        help="a recording another memtui is still writing: stay at its live end (handover)")
    parser.add_argument("--speed", metavar="X", default="1",
                        help="playback speed in recorded seconds per second: 1, 2, 5, 10, 30 or 60 (default 1)")
    parser.add_argument("--at", metavar="TIME",
                        help="open at this recorded time: HH:MM[:SS] (UTC, the recording's day) or ISO 8601")
    parser.add_argument("--export", choices=("html", "md"), metavar="FORMAT",
                        help="write the postmortem of the recording instead (html: one self-contained page; md)")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="with --export: write here (0600; Markdown's charts in FILE-charts/) instead of stdout")
    parser.add_argument("-n", "--namespace", help="with no FILE: whose latest recording (default: the context's)")
    parser.add_argument("--context", help="with no FILE: whose latest recording (default: the current context)")
    parser.add_argument("--kubeconfig", help="with no FILE: the kubeconfig naming the current context")
    parser.add_argument("--demo", action="store_true", help="with no FILE: the latest demo drill's recording (memtui --demo)")
    parser.add_argument("--keymap", metavar="FILE", help="a keymap TOML overriding keymaps/default.toml")
    parser.add_argument("--theme", choices=THEMES, metavar="NAME", help=f"colour theme: {', '.join(THEMES)}")
    parser.add_argument("--runbook", metavar="FILE", help="a runbook TOML (the action titles the time bar names)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config dir's memtui/config.toml)")
    return parser


class ReplayUsageError(ValueError):
    """A replay option that cannot be used; the message is the one line shown."""


def parse_speed(text: str) -> float:
    from memtui.ui.replay import SPEEDS

    try:
        speed = float(text)
    except ValueError:
        speed = float("nan")
    if speed not in SPEEDS:
        raise ReplayUsageError(f"--speed {text!r}: use one of {', '.join(f'{s:g}' for s in SPEEDS)}")
    return speed


def parse_at(text: str, meta: RecordingMeta, first: datetime | None, last: datetime | None) -> datetime:
    """``HH:MM[:SS]`` on the recording's (UTC) day, or an ISO 8601 time (UTC when it names no zone),
    within the recording."""
    when: datetime | None = None
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            clock = datetime.strptime(text, pattern).time()
        except ValueError:
            continue
        when = datetime.combine(meta.started_at.astimezone(timezone.utc).date(), clock, tzinfo=timezone.utc)
        break
    if when is None:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ReplayUsageError(f"--at {text!r}: give HH:MM[:SS] (UTC) or an ISO 8601 time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    if first is None or last is None or not first <= when <= last:
        span = (f"{first.astimezone(timezone.utc):%H:%M:%S}–{last.astimezone(timezone.utc):%H:%M:%S} UTC"
                if first and last else "nothing recorded yet")
        raise ReplayUsageError(f"--at {text!r} is outside the recording ({span})")
    return when


def latest_recording(settings: Settings, *, demo: bool = False) -> Path:
    """With no FILE: the latest recording of the context and namespace a plain ``memtui`` would
    watch (read from the kubeconfig as ``memtui audit`` does: no credential plugin, no request),
    or with ``--demo`` the latest demo drill's."""
    from memtui.recording.paths import latest_recording as latest
    from memtui.recording.paths import recording_dir

    if demo:
        found = latest("", "", demo=True)
        if found is None:
            raise ReplayUsageError(f"no demo recording in {recording_dir('', '', demo=True)}: run memtui --demo first")
        return found
    from memtui.audit.current import current_scope

    scope, why = current_scope(kubeconfig=settings.kubeconfig, context=settings.context, namespace=settings.namespace)
    if scope is None:
        raise ReplayUsageError(f"no FILE, and no current context whose recordings to take: {why}")
    found = latest(scope.context, scope.namespace)
    if found is None:
        raise ReplayUsageError(f"no recording of {scope.context}/{scope.namespace} in "
                               f"{recording_dir(scope.context, scope.namespace)}: give FILE")
    return found


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """``--export html|md [-o FILE]``: the postmortem of the recording (``memtui.audit.recording_export``)."""
    from memtui.audit.errors import AuditError
    from memtui.audit.recording_export import export_recording

    try:
        path = Path(args.file) if args.file else latest_recording(settings, demo=args.demo)
        export = export_recording(path, args.export, args.output)
    except (ReplayUsageError, AuditError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.output is None:
        sys.stdout.write(export.text)
    else:
        charts = f" and {len(export.files)} charts" if export.files else ""
        print(f"wrote the report of {path} to {args.output}{charts}", file=sys.stderr)
    return 0


def main(argv: Sequence[str]) -> int:
    args = build_replay_parser().parse_args(list(argv))
    if args.output and not args.export:
        return _fail("--output goes with --export html|md", EXIT_USAGE)
    cli = {"keymap": args.keymap, "theme": args.theme, "runbook": args.runbook, "context": args.context,
           "namespace": args.namespace, "kubeconfig": args.kubeconfig}
    try:
        settings = load_settings({k: v for k, v in cli.items() if v is not None},
                                 config_path=Path(args.config) if args.config else None, config_origin="--config")
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.export:
        return _export(args, settings)
    try:
        speed = parse_speed(args.speed)
        path = Path(args.file) if args.file else latest_recording(settings, demo=args.demo)
    except ReplayUsageError as exc:
        return _fail(str(exc), EXIT_USAGE)

    from memtui.runbook import CatalogueError, load_catalogue
    from memtui.ui.bindings import binding_ids
    from memtui.ui.keymap import KeymapError, load_keymap

    try:
        catalogue = load_catalogue(Path(settings.runbook) if settings.runbook else None)
        keymap = load_keymap(settings.keymap, binding_ids(), {a.id for a in catalogue.actions})
    except (CatalogueError, KeymapError) as exc:
        return _fail(str(exc), EXIT_USAGE)

    from memtui.ui.crash import EXIT_CRASH, record_crash
    from memtui.ui.replay import ReplayApp

    try:
        reader = RecordingReader(path)
    except RecordingError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        app = ReplayApp(settings, reader, keymap=keymap, catalogue=catalogue, follow=args.follow, speed=speed)
        driver = app.driver
        if not driver.refreshes and not args.follow:
            raise ReplayUsageError(f"{path} holds no refresh yet (--follow waits for a recording still being written)")
        if args.at is not None:
            app.start_at(parse_at(args.at, reader.meta, driver.time_of(driver.start), driver.time_of(driver.end)))
        with ending_on_signals() as termination:
            return run_app(lambda: app, termination)
    except (RecordingError, ReplayUsageError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - reading the recording before the screen opens: one line and a report
        _, line = record_crash(exc)
        print(line, file=sys.stderr)
        return EXIT_CRASH
    finally:
        reader.close()
