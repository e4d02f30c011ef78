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

URL rule: the userinfo of a URL is masked whatever it contains (``/``, ``@``, ``?``, spaces, since
operators paste passwords verbatim rather than percent-encoded), keeping the scheme, the user name
before the first ``:``, the host, port and path: see ``_userinfo_end`` for where it is taken to end.
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

_URL_START = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://")
# a host (name, IPv4 or [IPv6]) with an optional port, followed by what ends an authority: once
# this has been seen, an "@" further on is in the path or query ("/@types/node", "?by=a@b.org")
_AUTHORITY_ENDED = re.compile(r"(?:[A-Za-z0-9._~\-]+|\[[0-9A-Fa-f:.]+\])(?::\d*)?[/?#\"<>`{}|\\^]")
_WHOLE_AUTHORITY = re.compile(r"(?:[A-Za-z0-9._~\-]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?(?:[/?#\"<>`{}|\\^,;)\]].*)?")
_MAX_SPACED_USERINFO = 256
"""How far past a space a password may run: a bound on how much prose a wrong guess can swallow."""
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
    text = redact_url_userinfo(text)
    text = _AUTH_HEADER.sub(lambda m: f"{m['head']}{_mask_header(m['value'])}", text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m['scheme']}{m['sp']}{MASK}", text)
    text = _ASSIGNMENT.sub(_mask_assignment, text)
    text = _FLAG.sub(lambda m: f"{m['flag']}{m['sp']}{MASK}" if is_secret_key(m["name"]) else m[0], text)
    text = _REDIS_AUTH.sub(lambda m: f"{m['cmd']}{m['sp']}{MASK}", text)
    text = _REDIS_CLI_A.sub(lambda m: f"{m['head']}{MASK}", text)
    return text


def redact_url_userinfo(text: str) -> str:
    """``scheme://user:anything@host`` → ``scheme://user:***@host``; ``scheme://token@host`` → ``scheme://***@host``."""
    out: list[str] = []
    done = 0
    for match in _URL_START.finditer(text):
        start = match.end()
        if match.start() < done:
            continue
        at = _userinfo_end(text, start)
        if at is None:
            continue
        userinfo = text[start:at]
        user, colon, _password = userinfo.partition(":")
        out.append(text[done:start])
        out.append(f"{user}:{MASK}" if colon else MASK)
        done = at
    out.append(text[done:])
    return "".join(out)


def _userinfo_end(text: str, start: int) -> int | None:
    """Index of the ``@`` that ends the userinfo of the URL whose authority starts at ``start``.

    Within the URL's first run of non-space characters it is the *last* ``@`` that comes before
    the authority has visibly ended (a ``host[:port]`` followed by ``/ ? #``, possibly after an
    earlier ``user@``): so ``:pw/with/slash@h`` and ``user:p@ss:w0rd@h`` are userinfo, while
    ``h:8443/users/@alice`` is a path.  A password with a space (``user:pa ss@h``) is recognised
    when that first run is ``something:`` yet no ``host[:port]``: the userinfo then runs on, on
    the same line, to the next ``@``.  Known blind spot: ``u:1234/x@h`` reads as host ``u``, port
    1234, and is left alone.
    """
    line_end = len(text)
    for stop in ("\n", "\r"):
        found = text.find(stop, start)
        if found != -1:
            line_end = min(line_end, found)
    chunk_end = start
    while chunk_end < line_end and not text[chunk_end].isspace():
        chunk_end += 1
    at = _last_userinfo_at(text, start, chunk_end, from_url_start=True)
    if at is not None:
        return at
    chunk = text[start:chunk_end]
    if ":" not in chunk or _WHOLE_AUTHORITY.fullmatch(chunk):
        return None
    limit = min(line_end, start + _MAX_SPACED_USERINFO)
    position = chunk_end
    while position < limit:
        while position < limit and text[position].isspace():
            position += 1
        end = position
        while end < line_end and not text[end].isspace():
            end += 1
        piece = text[position:end]
        if "://" in piece or '"' in piece:
            return None
        if "@" in piece:
            return _last_userinfo_at(text, position, end, from_url_start=False)
        position = end
    return None


def _last_userinfo_at(text: str, start: int, end: int, *, from_url_start: bool) -> int | None:
    ats = [i for i in range(start, end) if text[i] == "@"]
    for candidate in reversed(ats):
        if text[candidate + 1:candidate + 2] in ("", "/", "?", "#") or text[candidate + 1].isspace():
            continue  # no host after it
        origins = ([start - 1] if from_url_start else []) + [i for i in ats if i < candidate]
        if not any(_ended_before(text, origin + 1, candidate) for origin in origins):
            return candidate
    return None


def _ended_before(text: str, position: int, at: int) -> bool:
    ended = _AUTHORITY_ENDED.match(text, position, at + 1)
    return ended is not None and ended.end() <= at


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
