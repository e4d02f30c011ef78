"""The recording's settings: command line > MEMTUI_* > config file > defaults, as every setting;
a bad value is one line naming where it came from, exit 2, and nothing starts."""

from __future__ import annotations

import pytest

from memtui.config.settings import SettingsError, load_settings


def write(tmp_path, file: str):
    path = tmp_path / "config.toml"
    path.write_text(file)
    return path


def settings(tmp_path, cli=None, env=None, file: str = ""):
    return load_settings(cli or {}, environ=env or {}, config_path=write(tmp_path, file))


def test_recording_is_on_by_default_with_a_week_of_retention(tmp_path):
    s = settings(tmp_path)
    assert s.record is True and s.record_path is None and s.record_retention_days == 7


def test_each_layer_sets_them_and_the_higher_one_wins(tmp_path):
    file = 'record = false\nrecord_path = "/tmp/from-file.memtui"\nrecord_retention_days = 30\n'
    from_file = settings(tmp_path, file=file)
    assert (from_file.record, from_file.record_path, from_file.record_retention_days) == (False, "/tmp/from-file.memtui", 30)
    env = {"MEMTUI_RECORD": "true", "MEMTUI_RECORD_PATH": "/tmp/from-env.memtui", "MEMTUI_RECORD_RETENTION_DAYS": "3"}
    from_env = settings(tmp_path, env=env, file=file)
    assert (from_env.record, from_env.record_path, from_env.record_retention_days) == (True, "/tmp/from-env.memtui", 3)
    cli = {"record": False, "record_retention_days": "1"}
    from_cli = settings(tmp_path, cli=cli, env=env, file=file)
    assert (from_cli.record, from_cli.record_path, from_cli.record_retention_days) == (False, "/tmp/from-env.memtui", 1)


@pytest.mark.parametrize(
    ("cli", "env", "file", "message"),
    [
        ({"record_retention_days": "a week"}, {}, "",
         "--record-retention must be a whole number between 0 and 3650 days (got a week)"),
        ({"record_retention_days": "-1"}, {}, "", "--record-retention must be a whole number between 0 and 3650 days"),
        ({}, {"MEMTUI_RECORD_RETENTION_DAYS": "1.5"}, "", "MEMTUI_RECORD_RETENTION_DAYS must be a whole number"),
        ({}, {}, "record_retention_days = 99999\n", "config.toml:1: record_retention_days must be a whole number"),
        ({}, {"MEMTUI_RECORD": "sometimes"}, "", "MEMTUI_RECORD must be true or false (got 'sometimes')"),
        ({}, {}, 'record = "yes please"\n', "config.toml:1: record must be true or false"),
        ({}, {}, "record_path = 5\n", "config.toml:1: record_path must be a string"),
        ({}, {}, 'record_path = "  "\n', "record_path must name a file"),
        ({"record_path": "DIR"}, {}, "", "--record 'DIR' is a directory"),
    ],
)
def test_bad_values_name_their_source(tmp_path, cli, env, file, message):
    cli = {k: (str(tmp_path) if v == "DIR" else v) for k, v in cli.items()}
    message = message.replace("'DIR'", repr(str(tmp_path)))
    with pytest.raises(SettingsError) as excinfo:
        settings(tmp_path, cli=cli, env=env, file=file)
    assert message in str(excinfo.value)


def test_the_command_line_options(tmp_path, capsys, monkeypatch):
    from memtui.cli import build_parser, cli_values, main

    parser = build_parser()
    args = vars(parser.parse_args(["--record", "x.memtui", "--record-retention", "2"]))
    assert (args["record_path"], args["record_retention_days"], args["record"]) == ("x.memtui", "2", None)
    assert vars(parser.parse_args(["--no-record"]))["record"] is False

    chosen = load_settings(cli_values(parser.parse_args(["--record", "x.memtui"])), environ={"MEMTUI_RECORD": "0"},
                           config_path=write(tmp_path, "record = false\n"))
    assert chosen.record is True and chosen.record_path == "x.memtui"  # --record FILE is a request to record

    monkeypatch.setenv("MEMTUI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert main(["--record-retention", "soon", "--demo"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["memtui: error: --record-retention must be a whole number between 0 and 3650 days (got soon)"]

    with pytest.raises(SystemExit) as excinfo:
        main(["--record", "x.memtui", "--no-record"])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--no-record" in err[0] and "not allowed with" in err[0]
