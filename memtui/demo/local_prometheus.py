"""A real Prometheus for the simulated incident: backfilled history, then live scrapes.

Used by demo mode (when the ``prometheus`` and ``promtool`` binaries are installed: Debian
package ``prometheus``), by the tests and by the screenshot script, so all three exercise the
same PromQL path a real cluster's Prometheus would.  History comes from the simulator's own
model through ``promtool tsdb create-blocks-from openmetrics``, so range queries and
``predict_linear``/``deriv`` have data the moment memtui starts.  Both programs run as
``memtui.demo.children``: they die with the process that started them, even on SIGKILL.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from memtui.demo import children

JOB = "memtui-sim"


def with_target_labels(openmetrics: str, job: str, instance: str) -> str:
    """Give backfilled samples the ``job``/``instance`` labels a scrape adds, so history and live
    samples are one series each (otherwise every series is doubled for the 5-minute lookback).
    Labels the exposition already carries win, as they do for a scrape with ``honor_labels``."""
    wanted = {"job": job, "instance": instance}
    out = []
    for line in openmetrics.splitlines():
        if not line or line.startswith("#"):
            out.append(line)
            continue
        if "{" in line.split(" ", 1)[0]:
            name, rest = line.split("{", 1)
            labels, tail = rest.split("}", 1)
        else:
            name, tail = line.split(" ", 1)
            labels, tail = "", " " + tail
        present = {m.group(1) for m in re.finditer(r'(?:^|,)([a-zA-Z_][a-zA-Z0-9_]*)="', labels)}
        extra = ",".join(f'{k}="{v}"' for k, v in wanted.items() if k not in present)
        joined = ",".join(part for part in (extra, labels) if part)
        out.append(f"{name}{{{joined}}}{tail}")
    return "\n".join(out) + "\n"


class PrometheusUnavailable(RuntimeError):
    """The binaries are missing or Prometheus would not start; the message says which."""


@dataclass
class LocalPrometheus:
    url: str
    process: subprocess.Popen
    data_dir: Path

    def stop(self) -> None:
        children.stop(self.process)


def _names_family(line: str, families: tuple[str, ...]) -> bool:
    """An OpenMetrics line (sample, HELP or TYPE) of one of ``families``."""
    words = line.split()
    if line.startswith("#"):
        return len(words) > 2 and words[1] in ("HELP", "TYPE", "UNIT") and words[2] in families
    return bool(words) and words[0].split("{", 1)[0] in families


def _drop_config(families: tuple[str, ...]) -> str:
    if not families:
        return ""
    regex = "|".join(re.escape(f) for f in families)
    return f"""    metric_relabel_configs:
      - source_labels: [__name__]
        regex: "{regex}"
        action: drop
"""


MEMORY_USAGE_HIGH_RULE = """groups:
  - name: memtui
    rules:
      - alert: MemoryUsageHigh
        expr: max by (namespace, pod) (container_memory_working_set_bytes{container!="",container!="POD"}) > 1e10
        for: 0s
        labels:
          severity: warning
        annotations:
          summary: "pod {{ $labels.pod }} uses more than 10 GB"
"""
"""The runbook's alert as a Prometheus rule: a pod's working set over 10 GB (10**10 bytes)."""


def _alerting_config(workdir: Path, rules: str | None, alertmanagers: tuple[str, ...]) -> str:
    """The ``rule_files`` and ``alerting`` sections, written only when asked for."""
    text = ""
    if rules:
        rule_file = workdir / "rules.yml"
        rule_file.write_text(rules)
        text += f"rule_files:\n  - {rule_file}\n"
    if alertmanagers:
        targets = ", ".join(f'"{a}"' for a in alertmanagers)
        text += f"alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [{targets}]\n"
    return text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def binaries_available() -> bool:
    return bool(shutil.which("prometheus") and shutil.which("promtool"))


def start_prometheus_for_simulator(
    handle,
    workdir: Path,
    *,
    history: timedelta = timedelta(hours=2),
    step_seconds: float = 15.0,
    scrape_interval: str = "2s",
    timeout: float = 30.0,
    drop_families: tuple[str, ...] = (),
    rules: str | None = None,
    alertmanagers: tuple[str, ...] = (),
    evaluation_interval: str | None = None,
    alert_resend_delay: str | None = None,
) -> LocalPrometheus:
    """Backfill ``history`` from the simulator, start Prometheus scraping its ``/metrics``.

    ``drop_families``: metric names this Prometheus never has, in history or scrapes (a cluster
    whose cAdvisor or recording rules do not export them), for tests of what memtui shows then.
    ``rules``: a rule file's text (``MEMORY_USAGE_HIGH_RULE``) evaluated every
    ``evaluation_interval`` (default: the scrape interval); ``alertmanagers``: the
    ``host:port`` of Alertmanagers its alerts are sent to; ``alert_resend_delay``: how soon a firing
    alert is sent again (Prometheus's default is 1 min: alerts fired before the Alertmanager was
    discovered are dropped, and then wait that long)."""
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not (prometheus and promtool):
        raise PrometheusUnavailable("prometheus/promtool not installed (Debian package `prometheus`)")
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "prometheus-data"
    data_dir.mkdir(exist_ok=True)
    end = handle.now() - timedelta(seconds=step_seconds)
    target = handle.url.split("://", 1)[1]
    history_file = workdir / "history.om"
    history_text = handle.openmetrics_history(end - history, end, step_seconds)
    if drop_families:
        history_text = "\n".join(line for line in history_text.splitlines() if not _names_family(line, drop_families))
    history_file.write_text(with_target_labels(history_text, JOB, target))
    backfill = children.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(history_file), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    history_file.unlink(missing_ok=True)
    if backfill.returncode != 0:
        raise PrometheusUnavailable(f"promtool backfill failed: {backfill.stderr.strip()[-300:]}")
    config = workdir / "prometheus.yml"
    config.write_text(
        f"""global:
  scrape_interval: {scrape_interval}
  evaluation_interval: {evaluation_interval or scrape_interval}
"""
        + _alerting_config(workdir, rules, alertmanagers)
        + f"""scrape_configs:
  - job_name: {JOB}
    scheme: https
    honor_labels: true
    metrics_path: /metrics
    tls_config:
      ca_file: {handle.ca_path}
    static_configs:
      - targets: ["{target}"]
"""
        + _drop_config(drop_families)
    )
    port = _free_port()
    with open(workdir / "prometheus.log", "wb") as log:
        process = children.popen(
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={data_dir}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1d",
                "--log.level=warn",
                *([f"--rules.alert.resend-delay={alert_resend_delay}"] if alert_resend_delay else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    children.wait_ready(process, f"{url}/-/ready", log=workdir / "prometheus.log", what="prometheus",
                        timeout=timeout, error=PrometheusUnavailable)
    return LocalPrometheus(url, process, data_dir)
