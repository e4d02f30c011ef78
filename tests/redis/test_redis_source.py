"""The Redis source against a real redis-server: the figures must be what INFO really says."""

import redis

from memtui.clients.errors import SourceError
from memtui.clients.redis_info import parse_info_text, stats_from_info
from memtui.clients.redis import redact_url
from memtui.sources.redis_source import RedisSource
from memtui.executor.redis_calls import RedisRunner
from tests.servers import free_port, start_redis


def fill(url: str, keys: int = 2000, with_ttl: int = 500) -> redis.Redis:
    client = redis.Redis.from_url(url)
    pipe = client.pipeline()
    for i in range(keys):
        if i < with_ttl:
            pipe.set(f"cache:{i}", "x" * 512, ex=3600)
        else:
            pipe.set(f"cache:{i}", "x" * 512)
    pipe.execute()
    client.get("cache:1")
    client.get("missing")
    return client


def test_stats_match_info_from_the_same_server(redis_server):
    client = fill(redis_server.url)
    stats = RedisSource(redis_server.url).fetch()
    info = client.info()
    assert stats.keyspace[0].db == "db0"
    assert stats.keyspace[0].keys == 2000 == client.dbsize()
    assert stats.keyspace[0].expires == 500
    assert stats.maxmemory == info["maxmemory"] == 0
    assert stats.maxmemory_policy == info["maxmemory_policy"] == "noeviction"
    # memory moves between two INFO calls by a few bytes; it must be the same order
    assert abs(stats.used_memory - info["used_memory"]) < 64 * 1024
    assert stats.used_memory > 2000 * 512
    assert stats.keyspace_hits >= 1 and stats.keyspace_misses >= 1
    assert 0 < stats.hit_rate < 1


def test_unbounded_and_noeviction_are_called_out_and_vanish_once_fixed(redis_server):
    client = fill(redis_server.url, keys=10, with_ttl=0)
    stats = RedisSource(redis_server.url).fetch()
    assert any("maxmemory 0" in w for w in stats.warnings)
    assert any("noeviction" in w for w in stats.warnings)
    client.config_set("maxmemory", "8gb")
    client.config_set("maxmemory-policy", "allkeys-lru")
    stats = RedisSource(redis_server.url).fetch()
    assert stats.maxmemory == 8 * 1024**3
    assert stats.maxmemory_policy == "allkeys-lru"
    assert stats.warnings == ()


def test_password_never_appears_in_what_is_shown(redis_server):
    source = RedisSource(redis_server.url)
    assert "s3cret-pw" not in source.display
    assert "s3cret-pw" not in source.fetch().source
    wrong = redis_server.url.replace("s3cret-pw", "wrong-pw")
    try:
        RedisSource(wrong).fetch()
    except SourceError as exc:
        assert "wrong-pw" not in str(exc)
        assert "authentication" in exc.reason.lower() or "auth" in exc.reason.lower()
    else:
        raise AssertionError("a wrong password must fail")


def test_unreachable_redis_is_a_reason_not_a_crash():
    source = RedisSource(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    try:
        source.fetch()
    except SourceError as exc:
        assert "refused" in exc.reason.lower() or "connect" in exc.reason.lower()
    else:
        raise AssertionError("nothing listens there")


def test_redis_cli_text_parses_like_redis_py(redis_server):
    fill(redis_server.url, keys=100, with_ttl=10)
    import subprocess

    text = subprocess.run(
        ["redis-cli", "-p", str(redis_server.port), "-a", redis_server.password, "--no-auth-warning", "INFO"],
        capture_output=True, text=True, check=True,
    ).stdout
    parsed = parse_info_text(text)
    from_cli = stats_from_info(parsed, source="cli", taken_at=__import__("datetime").datetime.now())
    assert from_cli.keyspace[0].keys == 100
    assert from_cli.keyspace[0].expires == 10
    assert parsed["maxmemory_policy"] == "noeviction"


def test_redact_url_variants():
    assert redact_url("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("redis://user:pw@h:6379/0") == "redis://user:***@h:6379/0"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_redact_url_keeps_an_ipv6_hosts_brackets():
    # urlsplit's hostname drops the brackets: the shown URL read redis://:***@::1:6379/0, which
    # names no host one can connect to (and, pasted back, is not a URL redis-py accepts)
    assert redact_url("redis://:pw@[::1]:6379/0") == "redis://:***@[::1]:6379/0"
    assert redact_url("rediss://user:pw@[fd00::a:1]/2") == "rediss://user:***@[fd00::a:1]/2"
    assert redact_url("redis://:pw@[fe80::1%25eth0]:6380") == "redis://:***@[fe80::1%25eth0]:6380"
    assert redact_url("redis://:p@ss@Cache.Example:6379") == "redis://:***@Cache.Example:6379"


def test_an_ipv6_redis_is_shown_by_a_url_that_still_names_it(tmp_path):
    server = start_redis(tmp_path / "v6", password="s3cret-pw", host="::1")
    try:
        shown = f"redis://:***@[::1]:{server.port}/0"
        source = RedisSource(server.url)
        assert source.display == shown and source.fetch().source == shown
        runner = RedisRunner(url=server.url, exec_client=None, namespace="sap-llm")
        assert runner.display == shown and runner.dbsize() == 0
        wrong = RedisSource(server.url.replace("s3cret-pw", "wrong-pw"))
        try:
            wrong.fetch()
        except SourceError as exc:
            assert exc.reason.startswith(f"redis://:***@[::1]:{server.port}/0: ") and "wrong-pw" not in exc.reason
        else:
            raise AssertionError("a wrong password must fail")
        runner.close()
        source.close()
    finally:
        server.stop()
