"""Parameters and -p overrides: typed like the notebook's defaults, the names the build sets
refused, one message naming the valid names (asl/engine/parameters.py)."""
from __future__ import annotations

import pytest

from asl.engine import parameters, plan, variants
from conftest import FIXTURES
from helpers import build_real, run_fixtures


def test_unknown_parameter_lists_the_valid_ones_with_types(capsys):
    code, _, err = run_fixtures(capsys, "--variant", "alpha", "-p", "epoch=3")
    assert code == 2
    assert "unknown parameter 'epoch'" in err
    assert "epochs (int, default 2)" in err and "rate (float, default 0.5)" in err
    assert "output_dir" not in err                  # set by the build, not offered


@pytest.mark.parametrize("override, message", [
    ("epochs=3.5", "epochs must be int (default 2), got 3.5"),
    ("epochs=many", "epochs must be int (default 2), got 'many'"),
    ("fail=1", "fail must be bool (default False), got 1"),
    ("rate=fast", "rate must be float (default 0.5), got 'fast'"),
])
def test_wrong_type_is_refused(capsys, override, message):
    code, _, err = run_fixtures(capsys, "-p", override)
    assert code == 2 and message in err and "Traceback" not in err


def test_reserved_parameters_are_set_by_the_build(capsys):
    code, _, err = run_fixtures(capsys, "-p", "output_dir=/tmp")
    assert code == 2 and "output_dir is set by the build" in err


def test_malformed_override(capsys):
    code, _, err = run_fixtures(capsys, "-p", "epochs")
    assert code == 2 and "expected key=value" in err


def test_values_are_typed_like_the_defaults():
    table = variants.load(FIXTURES / "variants.yaml", FIXTURES)
    overrides = parameters.parse_overrides(["rate=2", "fail=true", "label=007", "epochs=4"])
    alpha, = plan.select(table, ["alpha"], overrides, quick=False)
    assert alpha.parameters == {"epochs": 4, "rate": 2.0, "label": "007", "fail": True,
                                "sleep": 0.0}
    assert type(alpha.parameters["rate"]) is float


@pytest.mark.parametrize("literal, value", [("1e-3", 0.001), ("1E-4", 0.0001), (".5", 0.5),
                                            ("2", 2.0), ("1_0.5", 10.5)])
def test_every_python_float_literal_is_accepted(capsys, tmp_path, literal, value):
    code, out, err = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "--list",
                                "-p", f"learning_rate={literal}")
    assert code == 0, err
    assert f"-> {value!r} (-p)" in out
