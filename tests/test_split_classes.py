"""Issue 23 item 2: a split that leaves a class without training or validation photos is
refused before anything runs, naming the class and the parameter to change."""
from __future__ import annotations

import numpy as np
import pytest

from asl import config
from asl.engine import cli
from asl.errors import DataError
from asl.study import data
from asl.study.splits import make_split
from conftest import project_with_notebook, write_photo


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")


def test_frames_in_one_block_per_class_are_refused_naming_block_size():
    labels = np.repeat([0, 1], 30)
    frames = np.tile(np.arange(1, 31), 2)                 # the wild set: G0001_test ... G0030
    with pytest.raises(DataError, match=r"leaves class\(es\) A, B without training photos "
                                        r".*block_size=150.*-p split=random"):
        make_split("frame_block", labels, frames)
    split = make_split("frame_block", labels, frames, block_size=3, gap=0)
    assert set(labels[split.train]) == set(labels[split.val]) == {0, 1}


def test_a_class_too_small_for_a_random_split_is_named():
    labels = np.array([0] * 20 + [1] * 2)
    with pytest.raises(DataError, match=r"class\(es\) B have fewer.*max_per_class"):
        make_split("random", labels, np.full(22, -1))


def test_the_build_refuses_such_a_split_before_any_run(tmp_path, stub_renderer, capsys):
    def declare_split(book):
        cell = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
        cell["source"].append('\nsplit = "frame_block"\nblock_size = 150\ngap = 20')

    project, args = project_with_notebook(tmp_path, declare_split)
    wild_like = tmp_path / "wild_like"
    for letter in "AB":
        for number in range(1, 31):
            write_photo(wild_like / letter / f"{letter}{number:04d}_test.jpg")
    args[args.index("--data") + 1] = str(wild_like)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "alpha: split=frame_block leaves class(es) A, B without training photos" in err
    assert not (project.out / "variants" / "alpha" / "metrics.json").exists()
    assert cli.main([*args, "-p", "block_size=3", "-p", "gap=0"]) == 0
