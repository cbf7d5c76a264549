"""The loader takes the Kaggle layout as a folder or a zip, nested or flat, at any size."""
import zipfile

import numpy as np
import pytest
from PIL import Image

from asl import CLASSES
from asl.study import data
from asl.errors import DataError


def make_tree(root, classes=("A", "B", "del"), per_class=4, size=40, nested=True, upper=False):
    base = root / "asl_alphabet_train" / "asl_alphabet_train" if nested else root
    rng = np.random.default_rng(0)
    for name in classes:
        folder = base / (name.upper() if upper else name)
        folder.mkdir(parents=True)
        for frame in range(1, per_class + 1):
            pixels = rng.integers(0, 255, (size, size + 10, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{name}{frame * 10}.jpg")
    return base


def zip_tree(folder, path):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            archive.write(file, file.relative_to(folder).as_posix())
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")


@pytest.mark.parametrize("nested", [True, False])
@pytest.mark.parametrize("as_zip", [True, False])
def test_folder_or_zip_nested_or_flat(tmp_path, nested, as_zip):
    make_tree(tmp_path / "src", nested=nested)
    source = zip_tree(tmp_path / "src", tmp_path / "a.zip") if as_zip else tmp_path / "src"
    photos = data.load_images(source, image_size=16)
    assert photos.images.shape == (12, 16, 16, 3)
    assert photos.images.dtype == np.uint8
    assert sorted(set(photos.labels)) == [0, 1, CLASSES.index("del")]
    assert sorted(photos.frames[photos.labels == 0]) == [10, 20, 30, 40]
    assert photos.skipped == 0


def test_class_folders_match_case_insensitively_and_grayscale(tmp_path):
    make_tree(tmp_path, classes=("a", "Del", "NOTHING"), upper=False)
    photos = data.load_images(tmp_path, image_size=20, color_mode="grayscale")
    assert photos.images.shape == (12, 20, 20, 1)
    assert {CLASSES[label] for label in photos.labels} == {"A", "del", "nothing"}


def test_corrupt_and_non_image_files_are_skipped_and_counted(tmp_path):
    base = make_tree(tmp_path)
    (base / "A" / "A999.jpg").write_bytes(b"not a jpeg at all")
    (base / "B" / "notes.txt").write_text("hello")
    photos = data.load_images(tmp_path, image_size=16)
    assert len(photos) == 12
    assert photos.skipped == 2
    assert "A/A999.jpg" not in photos.ids


def test_second_load_comes_from_the_cache_and_is_identical(tmp_path, monkeypatch):
    make_tree(tmp_path / "src", per_class=30, size=120)
    first = data.load_images(tmp_path / "src", image_size=32)
    assert list(data.CACHE_DIR.glob("images-*.npz"))

    def no_decoding(*args):
        raise AssertionError("decoded again instead of reading the cache")

    monkeypatch.setattr(data, "_decode_all", no_decoding)
    second = data.load_images(tmp_path / "src", image_size=32)
    assert np.array_equal(first.images, second.images) and first.ids == second.ids
    with pytest.raises(AssertionError, match="decoded again"):   # another size is a new entry
        data.load_images(tmp_path / "src", image_size=24)


def test_max_per_class_spreads_over_frames(tmp_path):
    make_tree(tmp_path, per_class=10)
    photos = data.load_images(tmp_path, image_size=16, max_per_class=3)
    assert len(photos) == 9
    assert sorted(photos.frames[photos.labels == 0]) == [10, 50, 100]


def test_missing_or_empty_data_gives_one_clear_message(tmp_path):
    with pytest.raises(DataError, match="--data PATH"):
        data.load_images(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no photos found"):
        data.load_images(tmp_path / "empty")
    (tmp_path / "file.zip").write_text("not a zip")
    with pytest.raises(DataError, match="neither a folder nor a zip"):
        data.load_images(tmp_path / "file.zip")


def test_frame_numbers_from_kaggle_names():
    assert data.frame_number("A1234.jpg") == 1234
    assert data.frame_number("nothing17.jpg") == 17
    assert data.frame_number("G0015_test.jpg") == 15
    assert data.frame_number("photo.jpg") == -1
