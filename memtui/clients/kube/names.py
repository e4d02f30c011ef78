"""Kubernetes' own rules for object names (DNS-1123), with no client library behind them.

Names go into API paths: a name with ``/`` or ``..`` could walk the path.  The settings check a
namespace or deployment typed by the user against these rules before memtui connects, and the
executor's namespace guard checks every name again before a request is built; one home for the
rules keeps the two from drifting (and the settings from importing the executor).
"""

from __future__ import annotations

import re

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


class InvalidName(ValueError):
    """A name Kubernetes would refuse; ``str()`` is one line that says which rule it breaks."""


def check_subdomain(name: str, what: str) -> str:
    """Pods, ConfigMaps, Deployments: a DNS-1123 subdomain of at most 253 characters."""
    if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.fullmatch(name):
        raise InvalidName(f"{what} {name!r} is not a valid Kubernetes name (DNS-1123: lowercase letters, digits, '-', '.')")
    return name


def check_label(name: str, what: str) -> str:
    """Namespaces and container names: a DNS-1123 label of at most 63 characters."""
    if not isinstance(name, str) or len(name) > 63 or not DNS1123_LABEL.fullmatch(name):
        raise InvalidName(f"{what} {name!r} is not a valid Kubernetes name (DNS-1123 label)")
    return name
