"""Redis: the one way memtui opens a connection from ``--redis-url``, and the URL's shown form.

The pane's ``INFO`` and the executor's Redis words both connect here, with short timeouts and no
retry on timeout (a hung Redis must not hang a refresh or a confirmed step).  The URL's password
never leaves memtui unredacted: what is shown, logged and audited is ``redact_url``'s form, and
error texts have the URL replaced by it (``clean``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import redis


def redact_url(url: str) -> str:
    """``redis://:secret@host:6379/0`` → ``redis://:***@host:6379/0``; an IPv6 host keeps its brackets."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    # the host part as written: urlsplit's ``hostname`` drops an IPv6 literal's brackets (and
    # lower-cases), which made ``redis://:***@::1:6379`` out of ``redis://:pw@[::1]:6379``
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def clean(text: str, url: str) -> str:
    """``text`` (an error message) with ``url`` replaced by its redacted form."""
    return text.replace(url, redact_url(url)) if url else text


def connect(url: str, *, timeout: float, decode_responses: bool = False) -> redis.Redis:
    """A redis-py client for ``url``: ``timeout`` seconds to connect and per command, no retry on timeout.

    Raises ``ValueError`` for a URL redis-py cannot read (its message may contain the URL: ``clean`` it)."""
    import redis

    return redis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry_on_timeout=False,
    )
