"""The checks before anything runs (asl/engine/inputs.py): weights and wild photos, each with its
own hint, checked only for the variants that read them."""
from __future__ import annotations

import h5py
import numpy as np

from asl.engine import cli
from conftest import project_with_notebook


def uses_weights(book):
    """tiny.ipynb, whose code reads the weights file like the transfer notebook."""
    book["cells"][2]["source"] = "".join(book["cells"][2]["source"]) + "\nprint(weights_path)\n"


def test_weights_are_checked_only_for_variants_that_need_them(tiny_project, tmp_path, capsys):
    assert tiny_project.build("--force", "alpha", "--weights", "nope.h5") == 0
    project, args = project_with_notebook(tmp_path, uses_weights)
    assert cli.main([*args, "--weights", "nope.h5"]) == 2
    err = capsys.readouterr().err
    assert "weights not found at nope.h5: give --weights PATH or set ASL_WEIGHTS" in err


def test_a_truncated_weights_file_is_named_before_anything_runs(tmp_path, capsys):
    weights = tmp_path / "mobilenet.h5"
    with h5py.File(weights, "w") as handle:
        handle["kernel"] = np.zeros((64, 64))
    weights.write_bytes(weights.read_bytes()[:1000])
    project, args = project_with_notebook(tmp_path, uses_weights)
    assert cli.main([*args, "--weights", str(weights)]) == 2
    captured = capsys.readouterr()
    assert f"the weights file {weights} cannot be read" in captured.err
    assert "damaged or incomplete; download it again" in captured.err
    assert "running" not in captured.out


def test_a_missing_wild_set_gets_its_own_hint(tmp_path, capsys):

    def uses_wild(book):
        book["cells"][2]["source"] = "".join(book["cells"][2]["source"]) + "\nprint(wild_path)\n"
    project, args = project_with_notebook(tmp_path, uses_wild)
    assert cli.main([*args, "--wild", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "wild not found at" in err and "--wild PATH or set ASL_WILD" in err
    assert "training" not in err and "Kaggle" not in err
