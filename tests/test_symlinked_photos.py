"""Issue 23 item 6: linked class folders and linked photos are read wherever photos are read
(the build's --data and --wild, evaluate's labelled photos, predict's photos), and a link loop
neither hangs nor reads a photo twice."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from asl import config
from asl.engine import cli
from asl.files import path_fingerprint
from asl.study import data
from conftest import project_with_notebook, write_photo


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")


def linked_tree(root):
    """``root/linked``: class folder A is a link to a folder elsewhere, B holds a linked
    photo, and A holds a link back to ``linked`` (a loop)."""
    store = root / "store"
    for number in (1, 2):
        write_photo(store / "letters_a" / f"A{number}.png")
    write_photo(store / "b3.png")
    linked = root / "linked"
    (linked / "B").mkdir(parents=True)
    (linked / "A").symlink_to(store / "letters_a", target_is_directory=True)
    (linked / "B" / "B3.png").symlink_to(store / "b3.png")
    (store / "letters_a" / "loop").symlink_to(linked, target_is_directory=True)
    return linked


def test_linked_class_folders_and_photos_are_read_once(tmp_path):
    photos = data.load_images(linked_tree(tmp_path), image_size=8)
    assert sorted(photos.ids) == ["A/A1.png", "A/A2.png", "B/B3.png"]


def test_predict_reads_photos_in_linked_folders(tmp_path):
    photos = data.load_unlabelled(linked_tree(tmp_path), image_size=8)
    assert sorted(photos.names) == ["A/A1.png", "A/A2.png", "B/B3.png"]
    assert photos.unreadable == []


def test_a_photo_added_behind_a_link_changes_the_fingerprint(tmp_path):
    linked = linked_tree(tmp_path)
    before = path_fingerprint(str(linked))
    write_photo(tmp_path / "store" / "letters_a" / "A9.png")
    assert path_fingerprint(str(linked)) != before


def test_the_build_reads_linked_data_and_wild_folders(tmp_path, stub_renderer, capsys):
    def read_wild(book):
        book["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "id": "wild",
                              "execution_count": None, "source": ["print(wild_path)"]})

    project, args = project_with_notebook(tmp_path, read_wild)
    linked = linked_tree(tmp_path)
    wild = tmp_path / "wild"
    wild.mkdir()
    (wild / "A").symlink_to(tmp_path / "store2", target_is_directory=True)
    (tmp_path / "store2").mkdir()
    pattern = np.random.default_rng(0).integers(0, 255, (6, 6, 3), dtype=np.uint8)
    Image.fromarray(pattern).resize((16, 16)).save(tmp_path / "store2" / "A0001_test.png")
    args[args.index("--data") + 1] = str(linked)
    assert cli.main([*args, "--wild", str(wild)]) == 0
    assert "none of the 1 wild photos is a training photo" in capsys.readouterr().out
