"""Shared helpers for the runbook catalogue tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from memtui.runbook import load_catalogue


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture
def user_file(tmp_path: Path):
    """Write a user runbook file (dedented) and return its path."""

    def write(text: str, name: str = "runbook.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
