"""Secrets never reach the audit file.

Redaction runs before hashing and writing, so the file, its hash chain and every export are clean;
there is no "raw" copy anywhere.  The rules aim at what an SRE's commands and API payloads really
carry (Redis URLs with passwords, bearer tokens, ``REDIS_PASSWORD`` env entries) without blanking
the parameters the postmortem needs: an LLM server's ``max_tokens`` or a Secret's ``secretName``
are configuration, not secrets.

Key rule: a key is secret when its words (split on ``_ - .`` and camelCase) contain one of
``SECRET_WORDS`` or the pairs api+key / private+key / access+key, unless its *last* word says it
names or sizes something (``secret_name``, ``token_limit``, ``password_file``, ``secretKeyRef``).
Plural ``tokens`` is not secret (``max_tokens``).  The value of a secret key is replaced by
``***`` whatever its type (a nested object included); None stays None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***"

SECRET_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "passphrase", "secret", "token", "authorization", "auth",
        "apikey", "credential", "credentials", "cookie", "requirepass", "masterauth",
    }
)
SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key")})
BENIGN_LAST_WORDS = frozenset(
    {
        "name", "names", "ref", "file", "path", "dir", "limit", "limits", "count", "ttl", "length",
        "len", "type", "kind", "id", "hint", "expiry", "expires", "expiration", "enabled",
        "required", "mode", "policy", "size", "seconds", "url", "source", "method",
    }
)

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# scheme://user:password@host -> scheme://user:***@host ; the greedy userinfo runs to the *last*
# "@" before the path, so a password containing "@" does not leak its tail.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/?#\s@]*):(?P<pw>[^/?#\s]*)@")
# an Authorization header in text: everything after it on the line is the credential
_AUTH_HEADER = re.compile(r"(?i)(?P<head>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\r\n\"']+)")
_AUTH_SCHEME = re.compile(r"(?i)\b(?P<scheme>bearer|basic)(?P<sp>\s+)(?P<cred>[A-Za-z0-9\-._~+/]+=*)")
# name=value, name: value, "name": "value" where the name is secret by the key rule
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)(?P<sep>[\"']?[ \t]*[=:][ \t]*[\"']?)(?P<value>[^\s&,;\"'}]+)"
)
# --password VALUE, --token VALUE (the "=" form is an assignment)
_FLAG = re.compile(r"(?<![\w-])(?P<flag>--?(?P<name>[A-Za-z][A-Za-z0-9_\-]*))(?P<sp>[ \t]+)(?P<value>[^\s\-]\S*)")
# redis: AUTH pw, AUTH user pw, CONFIG SET requirepass pw, redis-cli -a pw
_REDIS_AUTH = re.compile(r"\b(?P<cmd>AUTH|(?i:requirepass|masterauth))\b(?P<sp>[ \t]+)(?P<rest>\S+(?:[ \t]+\S+)?)")
_REDIS_CLI_A = re.compile(r"(?P<head>\bredis-cli\b[^\n]*?[ \t](?:-a|--pass)[ \t]+)(?P<value>\S+)")
# in an argument list, the element after one of these is the secret (after AUTH: all of them)
_ARGV_SECRET_NEXT = frozenset({"-a", "--pass", "requirepass", "masterauth"})


def key_words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def is_secret_key(name: str) -> bool:
    words = key_words(name)
    if not words or words[-1] in BENIGN_LAST_WORDS:
        return False
    if any(w in SECRET_WORDS for w in words):
        return True
    return any(pair in SECRET_PAIRS for pair in zip(words, words[1:]))


def redact_text(text: str) -> str:
    """Mask credentials inside free text: URLs, auth headers, assignments, CLI flags, Redis AUTH."""
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m['head']}{_mask_header(m['value'])}", text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m['scheme']}{m['sp']}{MASK}", text)
    text = _ASSIGNMENT.sub(_mask_assignment, text)
    text = _FLAG.sub(lambda m: f"{m['flag']}{m['sp']}{MASK}" if is_secret_key(m["name"]) else m[0], text)
    text = _REDIS_AUTH.sub(lambda m: f"{m['cmd']}{m['sp']}{MASK}", text)
    text = _REDIS_CLI_A.sub(lambda m: f"{m['head']}{MASK}", text)
    return text


def _mask_assignment(m: re.Match[str]) -> str:
    words = key_words(m["name"])
    if not is_secret_key(m["name"]) or words[-1] == "authorization" or m["value"] == MASK:
        return m[0]  # headers were masked whole above, keeping their scheme
    return f"{m['name']}{m['sep']}{MASK}"


def _mask_header(value: str) -> str:
    scheme = value.split(None, 1)[0] if value.strip() else ""
    return f"{scheme} {MASK}" if scheme.lower() in ("bearer", "basic", "token") else MASK


def redact(value: Any) -> Any:
    """A redacted copy of a JSON-like value (dicts, lists, strings; other leaves unchanged)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return _redact_mapping(value)
    if isinstance(value, list):
        return _redact_list(value)
    return value


def _redact_list(items: list[Any]) -> list[Any]:
    """Argument lists (``["redis-cli", "-a", "pw"]``, ``["AUTH", "pw"]``) keep the secret in the next element."""
    out: list[Any] = []
    mask_rest = mask_next = False
    for item in items:
        if isinstance(item, str) and (mask_rest or mask_next):
            out.append(MASK)
            mask_next = False
            continue
        out.append(redact(item))
        if isinstance(item, str):
            word = item.strip()
            mask_rest = mask_rest or word.upper() == "AUTH"
            mask_next = word.lower() in _ARGV_SECRET_NEXT or (
                word.startswith("-") and "=" not in word and is_secret_key(word.lstrip("-"))
            )
    return out


def _redact_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    # Kubernetes env entries hide the secret's name in a sibling key: {"name": "REDIS_PASSWORD", "value": "..."}
    env_secret = isinstance(mapping.get("name"), str) and is_secret_key(mapping["name"])
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if value is not None and (is_secret_key(str(key)) or (env_secret and key == "value")):
            out[key] = MASK if value != "" else ""
        else:
            out[key] = redact(value)
    return out
