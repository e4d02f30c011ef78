"""``memtui``: the command line.  Bad input gets one clear line and a non-zero exit, never a traceback.

    memtui -n sap-llm                 watch a namespace of the current kubectl context
    memtui --demo                     the built-in simulated incident
    memtui sim                        run the simulator alone (for kubectl, drills, tests)
    memtui replay FILE [--follow]     the cockpit over a recording, read-only
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from memtui import __version__
from memtui.process_memory import limit_malloc_arenas
from memtui.config.cli_parser import OneLineParser
from memtui.config.settings import SCENARIOS, THEMES, SettingsError, read_layers
from memtui.ui.termination import Termination, ending_on_signals

EXIT_USAGE = 2
EXIT_CONNECT = 1


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="memtui",
        description=(
            "Terminal incident cockpit for the MemoryUsageHigh alert: live pod memory against\n"
            "limits, OOM kills, events and the runbook, for one namespace."
        ),
        epilog=(
            "commands:\n"
            "  memtui audit {export,verify,path}  the audit log of runbook actions: postmortem timeline,\n"
            "                                     hash-chain check (memtui audit --help)\n"
            "  memtui sim                         the simulated cluster on its own, for kubectl and drills\n"
            "                                     (memtui sim --help)\n"
            "  memtui replay FILE [--follow]      the cockpit, read-only, over a recording; --follow for one\n"
            "                                     another memtui is still writing (memtui replay --help)\n"
            "\n"
            "Settings also come from MEMTUI_* environment variables and the config file\n"
            "(command line > environment > config file > defaults)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-n", "--namespace", help="namespace to watch (default: the context's, as kubectl)")
    parser.add_argument("--context", metavar="NAME[,NAME…]",
                        help="kubeconfig context to use (default: current context); several, comma-separated, "
                             "watch several clusters at once, one tab each")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    parser.add_argument("--refresh", metavar="SECONDS", help="seconds between refreshes (default 2)")
    parser.add_argument(
        "--threshold",
        metavar="QUANTITY",
        help="alert threshold per pod, a Kubernetes quantity (default 10GB = 9.31 GiB, the runbook's)",
    )
    parser.add_argument("--read-only", action="store_const", const=True, help="never change anything and run nothing in a container (no exec)")
    parser.add_argument("--demo", action="store_const", const=True, help="run against the built-in simulated incident")
    parser.add_argument("--scenario", choices=SCENARIOS, help="root cause the demo plays (default leak)")
    parser.add_argument("--seed", help="seed of the simulated incident (default 42)")
    parser.add_argument("--prometheus-url", metavar="URL", help="Prometheus for trends, forecast and DCGM GPU memory")
    _add_prometheus_access(parser)
    parser.add_argument("--alertmanager-url", metavar="URL",
                        help="Alertmanager: the firing MemoryUsageHigh alerts start the incident clock; silence action")
    parser.add_argument(
        "--redis-url", metavar="URL", help="Redis to read INFO from (default: redis-cli INFO via exec in deployment/redis)"
    )
    parser.add_argument("--redis-deployment", metavar="NAME", help="deployment running Redis for the exec fallback")
    parser.add_argument(
        "--gpu-source", choices=("auto", "dcgm", "exec", "nvml", "off"), help="where GPU memory comes from (default auto)"
    )
    parser.add_argument("--runbook", metavar="FILE", help="a runbook TOML adding or overriding catalogue entries")
    parser.add_argument("--audit-log", metavar="FILE", help="audit log path (default: user state dir, per context/namespace)")
    parser.add_argument("--keymap", metavar="FILE", help="a keymap TOML overriding keymaps/default.toml")
    parser.add_argument("--theme", choices=THEMES, metavar="NAME",
                        help=f"colour theme: {', '.join(THEMES)} (default textual-dark; NO_COLOR=1 for none)")
    parser.add_argument("--request-timeout", metavar="SECONDS", help="timeout of each API request (default 5)")
    parser.add_argument("--limit-horizon", metavar="MINUTES",
                        help="minutes to the next planned action: the memory-limit advice adds the growth over it (default 60)")
    recording = parser.add_mutually_exclusive_group()
    recording.add_argument("--record", metavar="FILE", dest="record_path",
                           help="record the session to FILE (default: a new file per run in the user state dir)")
    recording.add_argument("--no-record", dest="record", action="store_const", const=False,
                           help="do not record this session (recording is on by default)")
    parser.add_argument("--record-retention", metavar="DAYS", dest="record_retention_days",
                        help="delete recordings in the state dir last written more than DAYS ago, at start "
                             "(default 7; 0 keeps all)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config dir's memtui/config.toml)")
    parser.add_argument("--version", action="version", version=f"memtui {__version__}")
    return parser


def _add_prometheus_access(parser: argparse.ArgumentParser) -> None:
    """How to reach a Prometheus behind Thanos Query, Mimir or Cortex (secrets by file or variable name)."""
    group = parser.add_argument_group("Prometheus access (Thanos Query, Mimir, Cortex)")
    group.add_argument("--prometheus-ca-file", metavar="FILE", help="PEM bundle that signs Prometheus's certificate")
    group.add_argument("--prometheus-cert-file", metavar="FILE", help="client certificate (PEM) for mutual TLS")
    group.add_argument("--prometheus-key-file", metavar="FILE", help="its private key, if not in the certificate file")
    group.add_argument("--prometheus-insecure-skip-tls-verify", action="store_const", const=True,
                       help="do not check Prometheus's certificate")
    group.add_argument("--prometheus-bearer-token-file", metavar="FILE",
                       help="bearer token from FILE (read again when it changes)")
    group.add_argument("--prometheus-bearer-token-env", metavar="VAR", help="bearer token from environment variable VAR")
    group.add_argument("--prometheus-basic-auth-user", metavar="USER", help="basic auth user")
    group.add_argument("--prometheus-basic-auth-password-file", metavar="FILE", help="basic auth password from FILE")
    group.add_argument("--prometheus-basic-auth-password-env", metavar="VAR",
                       help="basic auth password from environment variable VAR")
    group.add_argument("--prometheus-header", metavar="'NAME: VALUE'", dest="prometheus_headers", action="append",
                       help="header sent with every Prometheus request, e.g. 'X-Scope-OrgID: tenant-1'; repeatable")
    group.add_argument("--prometheus-matchers", metavar="MATCHERS",
                       help="label matchers added to every query when clusters share one Prometheus, "
                            "e.g. cluster=eu-1 or 'cluster=\"eu-1\",region=~\"eu-.*\"'")


def _fail(message: str, code: int) -> int:
    from memtui.ui.command import fail

    return fail(message, code)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "sim":
        from memtui.sim.runner import main as sim_main

        return sim_main(args_list[1:])
    if args_list and args_list[0] == "audit":
        from memtui.audit.cli import main as audit_main

        return audit_main(args_list[1:])
    if args_list and args_list[0] == "replay":
        from memtui.ui.replay_cli import main as replay_main

        return replay_main(args_list[1:])
    limit_malloc_arenas()  # the cockpit's, before any of its threads exist
    try:
        with ending_on_signals() as termination:
            return _run(build_parser().parse_args(args_list), termination)
    except KeyboardInterrupt:
        return 130


def cli_values(args: argparse.Namespace) -> dict:
    """The settings the command line gave (``load_settings``'s top layer)."""
    cli = {k: v for k, v in vars(args).items() if k != "config"}
    if cli.get("record_path") is not None:
        cli["record"] = True  # --record FILE records, whatever the environment or config file say
    return cli


def _run(args: argparse.Namespace, termination: Termination) -> int:
    from pathlib import Path

    cli = cli_values(args)
    try:
        layers = read_layers(cli, config_path=Path(args.config) if args.config else None, config_origin="--config")
        settings = layers.settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)

    from memtui.ui.bindings import binding_ids
    from memtui.ui.keymap import KeymapError, load_keymap
    from memtui.runbook import CatalogueError, load_catalogue

    try:
        catalogue = load_catalogue(Path(settings.runbook) if settings.runbook else None)
    except CatalogueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        keymap = load_keymap(settings.keymap, binding_ids(), {a.id for a in catalogue.actions})
    except KeymapError as exc:
        return _fail(str(exc), EXIT_USAGE)

    kubeconfig, context, namespace = settings.kubeconfig, settings.context, settings.namespace
    try:
        contexts = context_names(settings)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if settings.demo:
        from memtui.sim.extra import missing_extra_message

        if (missing := missing_extra_message()) is not None:
            return _fail(missing, EXIT_CONNECT)  # as any other reason the simulated cluster cannot start
        from memtui.demo.session import DEMO_CONTEXT, DEMO_NAMESPACE, start_demo

        try:
            session = start_demo(
                scenario=settings.scenario, seed=settings.seed, with_prometheus=settings.prometheus_url is None
            )
        except OSError as exc:
            return _fail(f"could not start the simulated cluster: {exc}", EXIT_CONNECT)
        kubeconfig, context = session.kubeconfig, DEMO_CONTEXT
        namespace = namespace or DEMO_NAMESPACE
        if settings.prometheus_url is None and session.prometheus_url:
            from dataclasses import replace

            settings = replace(settings, prometheus_url=session.prometheus_url)

    from memtui.clients.kube.connection import KubeConnectError, connect

    connections = []
    per_context = {}
    for name in contexts:
        try:
            mine = layers.settings(name) if name is not None and not settings.demo else settings
        except SettingsError as exc:
            return _fail(str(exc), EXIT_USAGE)
        try:
            connection = connect(
                kubeconfig=kubeconfig, context=name if len(contexts) > 1 else context,
                namespace=mine.namespace if not settings.demo else namespace, timeout=settings.request_timeout,
                always_name_context=len(contexts) > 1,
            )
            if name is None and not settings.demo and layers.has_table(connection.context):
                mine = layers.settings(connection.context)  # the current context's table: known once connected
                if mine.namespace != settings.namespace:
                    connection = connect(kubeconfig=kubeconfig, context=connection.context, namespace=mine.namespace,
                                         timeout=settings.request_timeout, always_name_context=len(contexts) > 1)
        except SettingsError as exc:
            return _fail(str(exc), EXIT_USAGE)
        except KubeConnectError as exc:
            if len(contexts) == 1:
                return _fail(str(exc), EXIT_CONNECT)
            hint = f" ({exc.hint})" if exc.hint else ""  # one line, naming the context of the list that failed
            return _fail(f"--context {settings.context}: {exc.message}{hint}", EXIT_CONNECT)
        connections.append(connection)
        per_context[connection.context] = mine

    return _run_app(per_context[connections[0].context], connections, keymap, catalogue, termination, per_context)


def context_names(settings) -> list[str | None]:
    """The contexts ``--context a,b`` names (``[None]``: the current one); ValueError names what is
    wrong with the list.  (``--audit-log``/``--record FILE`` become one file per context: the app's
    ``per_context_path``.)"""
    if settings.context is None or "," not in settings.context:
        return [settings.context]
    names = [name.strip() for name in settings.context.split(",")]
    if any(not name for name in names):
        raise ValueError(f"--context {settings.context!r}: an empty context name (write NAME,NAME)")
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:
        raise ValueError(f"--context {settings.context}: {twice!r} is named twice")
    if settings.demo:
        raise ValueError(f"--demo runs one simulated cluster: it takes no list of contexts (--context {settings.context})")
    return list(names)


def _run_app(settings, connections, keymap, catalogue, termination: Termination, per_context) -> int:
    from memtui.ui.app import MemtuiApp
    from memtui.ui.command import run_app

    first, *more = connections
    return run_app(lambda: MemtuiApp(settings, first, keymap=keymap, catalogue=catalogue, more=more,
                                               per_context=per_context), termination)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
