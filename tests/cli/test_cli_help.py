"""`memtui --help` names every command memtui has, so `audit`, `sim` and `replay` can be found from it."""

from __future__ import annotations

import re

import pytest

from memtui.cli import main


def _help(capsys, *args: str) -> str:
    try:
        code = main([*args, "--help"])
    except SystemExit as exited:  # argparse's own --help
        code = exited.code
    assert code == 0
    return capsys.readouterr().out


def test_help_lists_the_audit_sim_and_replay_commands(capsys):
    text = _help(capsys)
    commands = text.split("\ncommands:\n", 1)[1]
    listed = re.findall(r"^  memtui (\w+)", commands, flags=re.M)
    assert listed == ["audit", "sim", "replay"]


@pytest.mark.parametrize("command, usage", [("audit", "usage: memtui audit"), ("sim", "usage: memtui sim"),
                                            ("replay", "usage: memtui replay")])
def test_each_listed_command_has_its_own_help(capsys, command, usage):
    assert _help(capsys, command).startswith(usage)
