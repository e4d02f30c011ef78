"""Mutations (filled in below the first slice)."""

from __future__ import annotations

from . import errors


async def handle(st, request, info, now):
    raise errors.method_not_allowed()
