"""Issue 23 item 10: a truncated zip says so; empty, truncated and too-small photos are named
on the console before the build, and skipped and counted rather than trained on."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from asl import config
from asl.engine import cli
from asl.errors import DataError
from asl.study import data
from conftest import project_with_notebook, write_photo


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")


def jpeg_bytes(size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def odd_photos(root):
    write_photo(root / "A" / "A1.png", size=16)
    write_photo(root / "B" / "B1.png", size=16)
    (root / "A" / "A2.jpg").write_bytes(b"")
    (root / "A" / "A3.jpg").write_bytes(jpeg_bytes()[:200])
    write_photo(root / "B" / "B2.png", size=1)
    return root


def test_a_truncated_zip_is_named_as_damaged(tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for index in range(20):
            handle.writestr(f"A/A{index}.jpg", jpeg_bytes())
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(DataError, match="damaged or truncated zip archive"):
        data.survey(archive)
    (tmp_path / "empty.zip").write_bytes(b"")
    with pytest.raises(DataError, match="is an empty file"):
        data.survey(tmp_path / "empty.zip")


def test_tiny_empty_and_truncated_photos_are_skipped_and_counted(tmp_path):
    photos = data.load_images(odd_photos(tmp_path), image_size=8)
    assert sorted(photos.ids) == ["A/A1.png", "B/B1.png"]     # the 1x1 photo is not trained on
    assert photos.skipped == 3
    assert sorted(photos.skipped_files) == ["A/A2.jpg", "A/A3.jpg", "B/B2.png"]


def test_unusable_photos_are_named_on_the_console_before_the_build(tmp_path, stub_renderer,
                                                                   capsys):
    project, args = project_with_notebook(tmp_path, lambda book: None)
    odd_photos(project.data)
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    before = out[: out.index("build:")]                         # printed before any run starts
    assert "1 photo(s) skipped, empty file: A/A2.jpg" in before
    assert "1 photo(s) skipped, truncated or damaged: A/A3.jpg" in before
    assert "1 photo(s) skipped, too small to use: B/B2.png (1x1 pixels)" in before
