"""``[contexts."NAME"]`` tables in the config file: each watched context's own Prometheus, Redis,
Alertmanager, namespace and threshold, layered over the file's top level and under the
environment and command line (which apply to every context, as a kubectl flag does)."""

from pathlib import Path

import pytest

from memtui.config.prometheus_access import prometheus_access
from memtui.config.settings import SettingsError, read_layers

FILE = '''\
prometheus_url = "http://thanos.example:9090"
namespace = "sap-llm"
threshold = "10GB"

[contexts."prod-eu-1"]
prometheus_url = "https://prom-eu.example:9090"
prometheus_headers = ["X-Scope-OrgID: eu"]
threshold = "12Gi"
redis_url = "redis://redis-eu:6379/0"

[contexts.prod-us-1]
namespace = "llm-us"
alertmanager_url = "http://am-us:9093"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_a_context_table_is_layered_over_the_top_level_for_that_context_only(tmp_path):
    layers = read_layers({}, environ={}, config_path=write(tmp_path, FILE))
    eu, us, other = layers.settings("prod-eu-1"), layers.settings("prod-us-1"), layers.settings("staging")
    assert (eu.prometheus_url, eu.threshold_bytes, eu.redis_url, eu.namespace) == (
        "https://prom-eu.example:9090", 12 * 2**30, "redis://redis-eu:6379/0", "sap-llm")
    assert prometheus_access(eu).headers == (("X-Scope-OrgID", "eu"),)
    assert (us.prometheus_url, us.namespace, us.alertmanager_url, us.threshold_bytes) == (
        "http://thanos.example:9090", "llm-us", "http://am-us:9093", 10**10)
    assert prometheus_access(us).headers == ()
    # a context without a table, and the run-wide settings, are the top level's
    assert other == layers.settings() and other.prometheus_url == "http://thanos.example:9090"


def test_the_environment_and_the_command_line_apply_to_every_context(tmp_path):
    layers = read_layers({"prometheus_url": "http://from-cli:9090"}, environ={"MEMTUI_THRESHOLD": "20Gi"},
                         config_path=write(tmp_path, FILE))
    for context in ("prod-eu-1", "prod-us-1"):
        settings = layers.settings(context)
        assert settings.prometheus_url == "http://from-cli:9090"
        assert settings.threshold_bytes == 20 * 2**30
    assert layers.settings("prod-us-1").namespace == "llm-us"  # what the command line left alone stays the table's


def test_a_table_for_a_context_not_watched_is_fine_and_its_values_are_still_checked(tmp_path):
    layers = read_layers({"context": "prod-eu-1"}, environ={}, config_path=write(tmp_path, FILE))
    assert layers.settings("prod-eu-1").context == "prod-eu-1"
    bad = FILE + '\n[contexts."dr-site"]\nprometheus_url = "thanos:9090"\n'
    with pytest.raises(SettingsError) as excinfo:
        read_layers({}, environ={}, config_path=write(tmp_path, bad))
    path = tmp_path / "config.toml"
    assert str(excinfo.value) == (f"config file {path}:16: contexts.\"dr-site\".prometheus_url 'thanos:9090' must "
                                  "start with http:// or https://")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('colour = 1\n', "config file {path}:3: unknown setting 'contexts.\"prod-eu-1\".colour' (per context: "),
        ('refresh = 1\n', "config file {path}:3: contexts.\"prod-eu-1\".refresh cannot differ per context; "
                          "set refresh at the top level"),
        ('threshold = "16Gx"\n', "config file {path}:3: contexts.\"prod-eu-1\".threshold '16Gx' is not a "
                                 "Kubernetes quantity"),
        ('namespace = "Prod_EU"\n', "config file {path}:3: contexts.\"prod-eu-1\".namespace"),
        ('prometheus_ca_file = "/nonexistent/ca.pem"\n',
         "config file {path}:3: contexts.\"prod-eu-1\".prometheus_ca_file /nonexistent/ca.pem: no such file"),
        ('gpu_source = "cuda"\n', "config file {path}:3: contexts.\"prod-eu-1\".gpu_source 'cuda' is not one of"),
    ],
)
def test_a_bad_key_or_value_in_a_table_is_one_line_naming_it_as_typed(tmp_path, table, message):
    path = write(tmp_path, 'refresh = 2\n[contexts."prod-eu-1"]\n' + table)
    with pytest.raises(SettingsError) as excinfo:
        read_layers({}, environ={}, config_path=path).settings("prod-eu-1")
    assert str(excinfo.value).startswith(message.format(path=path)), str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_an_incomplete_credential_in_a_table_is_named_when_its_context_is_watched(tmp_path):
    path = write(tmp_path, '[contexts."prod-eu-1"]\nprometheus_basic_auth_user = "memtui"\n')
    layers = read_layers({}, environ={}, config_path=path)
    assert layers.settings("prod-us-1").prometheus_basic_auth_user is None  # another run's context: fine
    with pytest.raises(SettingsError) as excinfo:
        layers.settings("prod-eu-1")
    assert str(excinfo.value).startswith(f"config file {path}:2: contexts.\"prod-eu-1\".prometheus_basic_auth_user "
                                         "needs a password")


def test_contexts_must_hold_tables(tmp_path):
    path = write(tmp_path, 'contexts = "prod-eu-1"\n')
    with pytest.raises(SettingsError) as excinfo:
        read_layers({}, environ={}, config_path=path)
    assert str(excinfo.value) == (f'config file {path}:1: contexts must hold one table per kube context '
                                  '([contexts."prod-eu-1"])')
