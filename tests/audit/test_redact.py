"""Secrets never reach the file: checked on the raw bytes, after a real write."""

from __future__ import annotations

import copy

import pytest

from memtui.audit import verify_log
from memtui.audit.redact import is_secret_key, redact, redact_text

SECRETS = ["hunter2", "s3cr@t-pw", "eyJhbGciOiJSUzI1NiJ9.payload.sig", "ghp_abcdef123456", "k-123-api", "xyzzy-pass"]


def test_no_secret_reaches_the_file_bytes(log, log_path):
    request = {
        "method": "POST",
        "path": "/api/v1/namespaces/sap-llm/pods/redis-0/exec",
        "headers": {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "X-Api-Key": "k-123-api"},
        "body": {
            "command": ["redis-cli", "-a", "hunter2", "CONFIG", "SET", "maxmemory", "8gb"],
            "env": [{"name": "REDIS_PASSWORD", "value": "xyzzy-pass"}, {"name": "PYTHONUNBUFFERED", "value": "1"}],
            "nested": [{"deeper": {"client_secret": {"value": "ghp_abcdef123456"}}}],
        },
    }
    intent = log.intent(
        action="fix.redis-maxmemory",
        target={"kind": "Pod", "name": "redis-0", "url": "redis://:hunter2@redis:6379/0"},
        parameters={"maxmemory": "8gb", "redis_url": "redis://default:s3cr@t-pw@redis.sap-llm:6379"},
        request=request,
        kubectl="kubectl exec redis-0 -n sap-llm -- redis-cli -a hunter2 CONFIG SET maxmemory 8gb",
        reason="see https://alice:hunter2@wiki.example.com/INC-1234",
    )
    log.result(intent, outcome="failure", error="connect to redis://user:xyzzy-pass@redis failed: token ghp_x",
               response={"password": "hunter2"})
    log.read(action="diagnose.redis-info", output_summary="used Authorization: Bearer ghp_abcdef123456")
    log.note("curl -H 'Authorization: Basic aHVudGVyMg==' with --token ghp_abcdef123456")

    raw = log_path.read_bytes()
    for secret in [*SECRETS, "aHVudGVyMg=="]:
        assert secret.encode() not in raw, secret
    assert raw.count(b"***") >= 10
    # what stays is what the postmortem needs
    text = raw.decode()
    for kept in ("redis://:***@redis:6379/0", "redis://default:***@redis.sap-llm:6379", "Bearer ***",
                 '"PYTHONUNBUFFERED","value":"1"', '"maxmemory":"8gb"', "redis-cli -a *** CONFIG"):
        assert kept in text, kept
    assert verify_log(log_path).ok  # hashes are over the redacted entry


def test_parameters_that_merely_mention_secrets_are_kept(log):
    log.intent(
        action="fix.limit-concurrency",
        target={"kind": "ConfigMap", "name": "sap-llm-config"},
        parameters={"max_tokens": 2048, "token_limit": 4096, "secret_name": "redis-auth",
                    "secretKeyRef": {"name": "redis", "key": "password"}, "batch_size": 32},
    )
    params = log.entries()[0].parameters
    assert params == {"max_tokens": 2048, "token_limit": 4096, "secret_name": "redis-auth",
                      "secretKeyRef": {"name": "redis", "key": "password"}, "batch_size": 32}


def test_the_callers_objects_are_not_modified(log):
    parameters = {"password": "hunter2", "nested": {"token": "abc"}}
    before = copy.deepcopy(parameters)
    log.intent(action="fix.x", target={}, parameters=parameters)
    assert parameters == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis://:secret@redis:6379", "redis://:***@redis:6379"),
        ("redis://user:secret@redis:6379/0", "redis://user:***@redis:6379/0"),
        ("https://user:p@ss@host/path", "https://user:***@host/path"),
        ("http://host:8080/a?b=c@d", "http://host:8080/a?b=c@d"),
        ("Bearer xyz.abc", "Bearer ***"),
        ("authorization: bearer abc", "authorization: bearer ***"),
        ("kubectl --token=abc get pods", "kubectl --token=*** get pods"),
        ("kubectl --token abc get pods", "kubectl --token *** get pods"),
        ("REDIS_PASSWORD=hunter2 python app.py", "REDIS_PASSWORD=*** python app.py"),
        ("/cb?access_token=abc&x=1", "/cb?access_token=***&x=1"),
        ('{"api_key": "abc"}', '{"api_key": "***"}'),
        ("CONFIG SET requirepass hunter2", "CONFIG SET requirepass ***"),
        ("AUTH default hunter2", "AUTH ***"),
        ("max_tokens=2048 batch_size=32", "max_tokens=2048 batch_size=32"),
        ("NOAUTH Authentication required.", "NOAUTH Authentication required."),
        ("the token expired", "the token expired"),
    ],
)
def test_text_rules(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True), ("REDIS_PASSWORD", True), ("passwd", True), ("apiKey", True), ("X-Api-Key", True),
        ("accessToken", True), ("Authorization", True), ("client_secret", True), ("password_hash", True),
        ("max_tokens", False), ("token_limit", False), ("secretName", False), ("secretKeyRef", False),
        ("api_key_file", False), ("batch_size", False), ("auth_enabled", False),
    ],
)
def test_key_rule(key, secret):
    assert is_secret_key(key) is secret


def test_secret_values_of_any_type_are_masked_and_none_kept():
    assert redact({"token": {"a": 1}, "password": 1234, "secret": None, "list": [{"api_key": ["x"]}]}) == {
        "token": "***", "password": "***", "secret": None, "list": [{"api_key": "***"}]
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a slash in the password used to end the userinfo early and leak "pw/with/slash"
        ("redis://:pw/with/slash@h", "redis://:***@h"),
        # a space in the password used to stop the match, leaking the whole password
        ("https://user:pa ss@h", "https://user:***@h"),
        ("connect https://user:pa ss@h:8443/x failed", "connect https://user:***@h:8443/x failed"),
        ("rediss://user:p@ss:w0rd@h:6380/0", "rediss://user:***@h:6380/0"),
        ("postgres://u:%40x@h/db", "postgres://u:***@h/db"),
        ("redis://:a/b?c#d@redis.sap-llm:6379/0 timed out", "redis://:***@redis.sap-llm:6379/0 timed out"),
        ("git clone https://ghp_abc123token@github.com/org/repo", "git clone https://***@github.com/org/repo"),
        ("'redis://:pa'ss@h'", "'redis://:***@h'"),
        # no userinfo: unchanged, whatever follows on the line
        ("redis://redis.sap-llm:6379/0", "redis://redis.sap-llm:6379/0"),
        ("https://registry.npmjs.org/@types/node", "https://registry.npmjs.org/@types/node"),
        ("http://h:8443/users/@alice?by=bob@example.com", "http://h:8443/users/@alice?by=bob@example.com"),
        ("redis://h:6379 is down, paged ops@example.com", "redis://h:6379 is down, paged ops@example.com"),
        ('{"url": "redis://h:6379", "owner": "a@b.org"}', '{"url": "redis://h:6379", "owner": "a@b.org"}'),
        ("paged alice@example.com about INC-1234", "paged alice@example.com about INC-1234"),
        ("see https://wiki.example.com/INC-1234 and mail sre@example.com",
         "see https://wiki.example.com/INC-1234 and mail sre@example.com"),
    ],
)
def test_any_userinfo_in_a_url_is_masked_and_the_rest_kept(text, expected):
    assert redact_text(text) == expected


def test_userinfo_with_slashes_and_spaces_never_reaches_the_file(log, log_path):
    log.intent(action="fix.redis-maxmemory", target={"kind": "Pod", "name": "redis-0"},
               parameters={"redis_url": "redis://:pw/with/slash@redis:6379/0"},
               reason="tried https://user:pa ss@wiki.example.com/INC-1234 first")
    raw = log_path.read_bytes().decode()
    assert "pw/with/slash" not in raw and "pa ss" not in raw and "with/slash" not in raw
    assert "redis://:***@redis:6379/0" in raw and "https://user:***@wiki.example.com/INC-1234" in raw
