"""The catalogue against the real programs it drives: Redis, promtool, sh.

What the catalogue claims (Redis reads ``8gb`` as 8 GiB, the queries are valid PromQL, the
cgroup script reads v1 and v2, ``rm -rf DIR/*`` needs a shell) is checked with the real thing,
not with a fake that would agree with us.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import redis

from memtui.runbook import Catalogue
from tests.servers import start_redis


@pytest.fixture
def redis_client(tmp_path):
    server = start_redis(tmp_path)
    client = redis.Redis.from_url(server.url, decode_responses=True)
    yield client
    client.close()
    server.stop()


def _run(catalogue: Catalogue, client: redis.Redis, action_id: str, values: dict | None = None):
    command = catalogue.get(action_id).bind(values, namespace="sap-llm").command
    return client.execute_command(*command)


def test_redis_reads_the_catalogues_maxmemory_as_binary_gigabytes(catalogue: Catalogue, redis_client):
    for typed in ("8gb", "8Gi", "8GB"):
        assert _run(catalogue, redis_client, "fix.redis-maxmemory", {"maxmemory": typed})
        assert redis_client.config_get("maxmemory") == {"maxmemory": str(8 * 2**30)}, typed
    _run(catalogue, redis_client, "fix.redis-maxmemory", {"maxmemory": "8g"})
    assert redis_client.config_get("maxmemory") == {"maxmemory": str(8 * 10**9)}


def test_redis_commands_of_the_catalogue_are_real_redis_commands(catalogue: Catalogue, redis_client):
    info = redis_client.execute_command(*catalogue.get("diagnose.redis-info-memory").bind(namespace="x").command)
    assert "used_memory" in info and "maxmemory_policy" in info
    assert _run(catalogue, redis_client, "fix.redis-eviction-policy")
    assert redis_client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert _run(catalogue, redis_client, "fix.redis-memory-purge")
    # Without a config file, CONFIG REWRITE fails: what the entry's "why" warns about.
    with pytest.raises(redis.ResponseError, match="without a config file"):
        _run(catalogue, redis_client, "fix.redis-config-rewrite")
    assert "without a config file" in catalogue.get("fix.redis-config-rewrite").why
    redis_client.mset({"a": "1", "b": "2"})
    assert _run(catalogue, redis_client, "fix.redis-flushdb")
    assert redis_client.dbsize() == 0


def test_every_query_is_valid_promql(catalogue: Catalogue, tmp_path: Path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed: run scripts/test, which installs prometheus (apt)")
    rules = ["groups:", "  - name: memtui-catalogue", "    rules:"]
    for index, action in enumerate(a for a in catalogue.actions if a.operation.kind == "promql"):
        query = action.bind(namespace="sap-llm", pod="sap-llm-1").query
        rules.append(f"      - record: memtui:query_{index}")
        rules.append("        expr: |")
        rules.extend("          " + line for line in query.strip().splitlines())
    path = tmp_path / "rules.yml"
    path.write_text("\n".join(rules) + "\n")
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_check_catches_broken_promql(tmp_path: Path):
    """The check above can fail: a query missing a bracket is refused."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed: run scripts/test, which installs prometheus (apt)")
    path = tmp_path / "rules.yml"
    path.write_text("groups:\n  - name: x\n    rules:\n      - record: x:y\n        expr: deriv(up[1h)\n")
    assert subprocess.run([promtool, "check", "rules", str(path)], capture_output=True).returncode != 0


def _cgroup_script(catalogue: Catalogue, root: Path) -> str:
    script = catalogue.get("diagnose.cgroup-memory").operation.script
    assert script.startswith("d=/sys/fs/cgroup\n")
    return script.replace("d=/sys/fs/cgroup", f"d={root}", 1)


def test_cgroup_script_reads_cgroup_v2(catalogue: Catalogue, tmp_path: Path):
    (tmp_path / "memory.current").write_text("1000\n")
    (tmp_path / "memory.max").write_text("4000\n")
    (tmp_path / "memory.stat").write_text("anon 600\nfile 400\ninactive_file 300\nactive_file 100\nshmem 0\n")
    out = subprocess.run(["sh", "-c", _cgroup_script(catalogue, tmp_path)], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[:4] == ["cgroup v2", "usage_bytes 1000", "working_set_bytes 700", "limit_bytes 4000"]
    assert "inactive_file 300" in lines and "anon 600" in lines


def test_cgroup_script_reads_cgroup_v1(catalogue: Catalogue, tmp_path: Path):
    memory = tmp_path / "memory"
    memory.mkdir()
    (memory / "memory.usage_in_bytes").write_text("2000\n")
    (memory / "memory.limit_in_bytes").write_text("8000\n")
    (memory / "memory.stat").write_text("cache 500\nrss 1500\ntotal_cache 500\ntotal_rss 1500\ntotal_inactive_file 200\n")
    out = subprocess.run(["sh", "-c", _cgroup_script(catalogue, tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[:4] == ["cgroup v1", "usage_bytes 2000", "working_set_bytes 1800", "limit_bytes 8000"]


def test_cgroup_script_says_when_there_is_no_memory_cgroup(catalogue: Catalogue, tmp_path: Path):
    out = subprocess.run(["sh", "-c", _cgroup_script(catalogue, tmp_path)], capture_output=True, text=True)
    assert out.returncode == 1 and "no memory cgroup found" in out.stderr


@pytest.mark.parametrize("action_id", ["fix.clear-app-cache", "fix.clear-model-cache"])
def test_clear_cache_needs_the_shell_for_its_glob(catalogue: Catalogue, tmp_path: Path, action_id):
    script = catalogue.get(action_id).operation.script
    directory = script.removeprefix("rm -rf ").removesuffix("/*")
    cache = tmp_path / "cache"

    def fill() -> None:
        cache.mkdir(exist_ok=True)
        (cache / "a.bin").write_bytes(b"x" * 10)
        (cache / "sub").mkdir(exist_ok=True)
        (cache / "sub" / "b.bin").write_bytes(b"y")

    fill()
    # the runbook's form: argv without a shell, the * reaches rm literally and removes nothing
    subprocess.run(["rm", "-rf", f"{cache}/*"], check=True)
    assert sorted(p.name for p in cache.iterdir()) == ["a.bin", "sub"]
    # the catalogue's form: sh -c with the fixed script (pointed at the test directory)
    argv = catalogue.get(action_id).operation.argv
    subprocess.run([*argv[:2], argv[2].replace(directory, str(cache))], check=True)
    assert cache.is_dir() and list(cache.iterdir()) == []
