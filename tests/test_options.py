"""Every option is checked when it is parsed: one line naming the option and the value, exit 2,
before anything is read, run or served (asl/engine/option_types.py)."""
from __future__ import annotations

import time

import pytest

from helpers import run_cli, run_fixtures


@pytest.mark.parametrize("command, option, value, message", [
    ("preview", "--port", "80000", "--port must be a port number from 0 to 65535, not '80000'"),
    ("preview", "--port", "-1", "--port must be a port number from 0 to 65535, not '-1'"),
    ("preview", "--port", "http", "--port must be a port number from 0 to 65535, not 'http'"),
    ("build", "--jobs", "0", "--jobs must be a whole number of at least 1, not '0'"),
    ("build", "--seeds", "0", "--seeds must be a whole number of at least 1, not '0'"),
    ("build", "--max-runs", "-3", "--max-runs must be a whole number of at least 1, not '-3'"),
    ("build", "--timeout", "-5", "--timeout must be a number of seconds above 0, not '-5'"),
    ("build", "--timeout", "inf", "--timeout must be a number of seconds above 0, not 'inf'"),
    ("evaluate", "--seed", "0", "--seed must be a whole number of at least 1, not '0'"),
    ("predict", "--seed", "x", "--seed must be a whole number of at least 1, not 'x'"),
])
def test_a_bad_option_value_is_one_line_and_exit_2(capsys, tmp_path, command, option, value,
                                                   message):
    args = {"build": [], "preview": ["preview"],
            "evaluate": ["evaluate", "cnn_scratch", "--images", str(tmp_path)],
            "predict": ["predict", "cnn_scratch", "--images", str(tmp_path)]}[command]
    started = time.monotonic()
    code, out, err = run_cli(capsys, [*args, "--out", str(tmp_path / "out"), option, value])
    assert code == 2 and time.monotonic() - started < 5
    assert err.startswith(f"error: {message}") and "--help" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [[], ["preview"], ["evaluate", "cnn_scratch", "--images", "."],
                                     ["predict", "cnn_scratch", "--images", "."]])
def test_out_naming_a_file_is_a_usage_error(capsys, tmp_path, command):
    file = tmp_path / "report.pdf"
    file.write_bytes(b"%PDF")
    code, _, err = run_cli(capsys, [*command, "--out", str(file)])
    assert code == 2 and f"--out {file} is a file, not a folder" in err
    assert len(err.strip().splitlines()) == 1 and file.read_bytes() == b"%PDF"


def test_an_unknown_option_is_one_line(capsys):
    code, _, err = run_fixtures(capsys, "--frobnicate", "3")
    assert code == 2 and "unrecognized arguments: --frobnicate 3 (see build.py --help)" in err


@pytest.mark.parametrize("override", ["epochs=", "rate= ", "fail="])
def test_an_empty_value_says_so(capsys, override):
    code, _, err = run_fixtures(capsys, "-p", override)
    name = override.split("=")[0]
    assert code == 2 and f"{name} has no value: give one, e.g. {name}=" in err
    assert "None" not in err
