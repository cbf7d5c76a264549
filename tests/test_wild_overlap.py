"""Issue 23: wild photos that are also training photos (identical files or near-duplicates)
refuse the build before anything runs, and the report says the check ran."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from asl import config
from asl.engine import cli
from asl.errors import DataError
from asl.report.sections import overlap_notes
from asl.study import data_overlap, data_scan
from conftest import project_with_notebook


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")


def photo(path, seed: int, size: int = 48, quality: int = 95):
    """A photo of a smooth random pattern (perceptual hashes of noise are meaningless)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC).save(
        path, quality=quality)
    return path


def photo_sets(root):
    for index in range(4):
        photo(root / "train" / "A" / f"A{index}.jpg", seed=index)
        photo(root / "train" / "B" / f"B{index}.jpg", seed=10 + index)
        photo(root / "wild" / "A" / f"A{index}_test.jpg", seed=100 + index)
        photo(root / "wild" / "B" / f"B{index}_test.jpg", seed=110 + index)
    return root / "train", root / "wild"


def test_distinct_sets_pass_and_say_what_was_checked(tmp_path):
    train, wild = photo_sets(tmp_path)
    result = data_overlap.check_wild(str(train), str(wild))
    assert result["checked"] and (result["n_wild"], result["n_train"]) == (8, 8)
    assert "none of the 8 wild photos" in result["summary"]


def test_an_identical_photo_is_refused_with_the_pair_and_the_count(tmp_path):
    train, wild = photo_sets(tmp_path)
    shutil.copy(train / "B" / "B2.jpg", wild / "A" / "copy.jpg")     # another class too
    with pytest.raises(DataError) as error:
        data_overlap.check_wild(str(train), str(wild))
    message = str(error.value)
    assert message.startswith("1 of the 9 wild photos") and "1 identical" in message
    assert "A/copy.jpg = " in message and "B/B2.jpg" in message


def test_a_recompressed_smaller_copy_is_a_near_duplicate(tmp_path):
    train, wild = photo_sets(tmp_path)
    with Image.open(train / "A" / "A3.jpg") as original:
        original.resize((40, 40)).save(wild / "A" / "smaller.jpg", quality=60)
    with pytest.raises(DataError, match=r"0 identical, 1 near-duplicates"):
        data_overlap.check_wild(str(train), str(wild))


def test_the_same_file_as_data_and_wild_is_refused(tmp_path):
    train, _ = photo_sets(tmp_path)
    with pytest.raises(DataError, match=r"--data and --wild are the same file .*its 8 photos"):
        data_overlap.check_wild(str(train), str(train))


def test_hashes_are_cached_and_follow_a_changed_folder(tmp_path, monkeypatch):
    train, wild = photo_sets(tmp_path)
    data_overlap.check_wild(str(train), str(wild))
    computed = []
    monkeypatch.setattr(data_scan, "_compute",
                        lambda source, real=data_scan._compute: computed.append(1) or
                        real(source))
    data_overlap.check_wild(str(train), str(wild))
    assert computed == []                                    # both sets read from the cache
    shutil.copy(train / "A" / "A0.jpg", wild / "B" / "late.jpg")
    with pytest.raises(DataError, match="1 identical"):
        data_overlap.check_wild(str(train), str(wild))
    assert computed == [1]                                   # only the changed set again


def test_the_build_refuses_wild_photos_that_are_training_photos(tmp_path, stub_renderer, capsys):
    def read_wild(book):
        book["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": None, "id": "readwild",
                              "source": ["print(wild_path)"]})

    project, args = project_with_notebook(tmp_path, read_wild)
    train, wild = photo_sets(tmp_path / "photos")
    args[args.index("--data") + 1] = str(train)
    assert cli.main([*args, "--wild", str(train)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "same file" in err and "Traceback" not in err
    assert not (project.out / "variants" / "alpha" / "metrics.json").exists()
    assert cli.main([*args, "--wild", str(wild)]) == 0
    assert "none of the 8 wild photos is a training photo" in capsys.readouterr().out


def test_the_report_data_chapter_says_the_check_ran():
    assert overlap_notes(None) == []
    note, = overlap_notes({"overlap": {"checked": True, "n_wild": 870, "n_train": 20300,
                                       "identical": 0, "near": 0, "near_bits": 6}})
    assert "870 wild photos were checked against the 20,300 training photos" in note
