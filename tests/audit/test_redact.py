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
