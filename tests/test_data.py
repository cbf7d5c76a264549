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


# --- bad input (issue 9): found before anything runs, never silent, never a traceback ---

def test_data_without_photos_is_refused_from_the_listing(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "texts" / "A").mkdir(parents=True)
    (tmp_path / "texts" / "A" / "notes.txt").write_text("hello")
    fakes = tmp_path / "fakes" / "A"
    fakes.mkdir(parents=True)
    for i in range(30):
        (fakes / f"A{i}.jpg").write_text("not a photo")       # non-images named *.jpg
    (tmp_path / "file.zip").write_text("not a zip")
    for name, message in (("empty", "no photos found"), ("texts", "no photos found"),
                          ("fakes", "is a readable image"), ("file.zip", "neither a folder")):
        with pytest.raises(DataError, match=message):
            data.survey(tmp_path / name)
    with pytest.raises(DataError, match="could be read as a photo"):   # not a numpy error
        data.load_images(tmp_path / "fakes", image_size=16)


def test_unknown_folders_missing_classes_and_unnumbered_files_are_listed(tmp_path):
    base = make_tree(tmp_path, classes=("A", "B"))
    make_tree(base, classes=("Spacebar", "unknown_sign"), per_class=2, nested=False)
    Image.new("RGB", (20, 20)).save(base / "A" / "A1 (copy).jpg")
    listing = data.survey(tmp_path)
    assert listing.unknown_folders == {"Spacebar": 2, "unknown_sign": 2}
    assert listing.missing_classes == [c for c in CLASSES if c not in ("A", "B")]
    assert listing.unnumbered == ["A/A1 (copy).jpg"]
    text = "\n".join(listing.warnings())
    assert "Spacebar/ (2 files)" in text and "warning: no photos for class(es) C, D" in text
    assert "set aside from frame-block splits: A/A1 (copy).jpg" in text
    photos = data.load_images(tmp_path, image_size=16)
    notes = photos.notes()
    assert notes["set_aside"] == ["A/A1 (copy).jpg"] and notes["n_set_aside"] == 1
    assert notes["unknown_folders"] == {"Spacebar": 2, "unknown_sign": 2}
    assert "C" in notes["missing_classes"] and "A" not in notes["missing_classes"]
    kaggle = data.survey(make_tree(tmp_path / "k", per_class=1).parent.parent)
    assert kaggle.unknown_folders == {}     # the layout's own nesting is not "unknown"


def test_16_bit_png_keeps_its_brightness(tmp_path):
    folder = tmp_path / "A"
    folder.mkdir()
    Image.fromarray(np.full((32, 32), 32768, dtype=np.uint16)).save(folder / "A1.png")
    photos = data.load_images(tmp_path, image_size=16)
    assert abs(float(photos.images.mean()) - 127.5) < 2       # mid grey, not solid white


def test_exif_orientation_is_applied(tmp_path):
    folder = tmp_path / "A"
    folder.mkdir()
    pixels = np.zeros((32, 32, 3), dtype=np.uint8)
    pixels[:16] = (255, 0, 0)        # stored: red on top, blue below
    pixels[16:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6                 # "rotate 90° clockwise to display", as phones write it
    Image.fromarray(pixels).save(folder / "A1.jpg", exif=exif, quality=95)
    image = data.load_images(tmp_path, image_size=32).images[0].astype(int)
    assert image[:, 24:, 0].mean() > 200 and image[:, :8, 2].mean() > 200   # red right, blue left


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels (header only, no pixel data)."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0)) + chunk(b"IEND", b""))


def test_huge_image_is_skipped_and_named(tmp_path):
    base = make_tree(tmp_path)
    (base / "A" / "A500.png").write_bytes(png_header(20000, 20000))
    photos = data.load_images(tmp_path, image_size=16)
    assert len(photos) == 12 and photos.skipped == 1
    assert any(name.endswith("A/A500.png") for name in photos.skipped_files)


def test_damaged_zip_member_is_skipped_and_named(tmp_path):
    make_tree(tmp_path / "src")
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted((tmp_path / "src").rglob("*.jpg")):
            out.write(file, file.relative_to(tmp_path / "src").as_posix())
    with zipfile.ZipFile(archive) as check:
        member = next(i for i in check.infolist() if i.filename.endswith("B/B20.jpg"))
    raw = bytearray(archive.read_bytes())
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    raw[start:start + 40] = bytes(40)           # "Error -3 while decompressing data"
    archive.write_bytes(bytes(raw))
    photos = data.load_images(archive, image_size=16)
    assert len(photos) == 11 and photos.skipped == 1
    assert photos.skipped_files == [member.filename]


def test_broken_symlink_is_skipped_and_named(tmp_path):
    from asl.files import path_fingerprint

    base = make_tree(tmp_path)
    (base / "A" / "A99.jpg").symlink_to(tmp_path / "gone.jpg")
    assert path_fingerprint(str(tmp_path))               # no traceback
    photos = data.load_images(tmp_path, image_size=16)
    assert len(photos) == 12 and photos.skipped_files[0].endswith("A/A99.jpg")
