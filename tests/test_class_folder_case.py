"""Issue 23: class folders that differ only in letter case (``A/`` and ``a/``) are one class,
said on the console and in the report; no photo is dropped, even with the same file name."""
from __future__ import annotations

import pytest

from asl import CLASSES
from asl.report.sections import data_notes
from asl.study import data
from conftest import write_photo


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")


def mixed_case(root):
    for folder in ("A", "a"):
        for frame in (1, 2, 3):
            write_photo(root / folder / f"A{frame}.png")
    write_photo(root / "a" / "A9.png")
    write_photo(root / "B" / "B1.png")
    return root


def test_same_file_names_in_a_and_A_are_all_read(tmp_path):
    photos = data.load_images(mixed_case(tmp_path), image_size=8)
    assert len(photos) == 8 and photos.skipped == 0
    assert sorted(CLASSES[label] for label in photos.labels) == ["A"] * 7 + ["B"]
    assert len(set(photos.ids)) == 8
    assert {"A/A1.png", "a/A1.png", "a/A9.png", "B/B1.png"} <= set(photos.ids)


def test_the_merge_is_printed_and_noted_in_the_report(tmp_path):
    listing = data.survey(mixed_case(tmp_path))
    assert any("class folders A/ and a/ differ only in letter case: read as one class A" in line
               for line in listing.warnings())
    notes = data.load_images(tmp_path, image_size=8).notes()
    assert notes["merged_folders"] == {"A": ["A", "a"]}
    assert any("A/ and a/" in note for note in data_notes(notes))


def test_one_folder_per_class_keeps_the_class_name_in_ids(tmp_path):
    write_photo(tmp_path / "Del" / "del1.png")
    write_photo(tmp_path / "a" / "A1.png")
    photos = data.load_images(tmp_path, image_size=8)
    assert photos.ids == ["A/A1.png", "del/del1.png"]        # the wild halves stay the same
    assert photos.notes()["merged_folders"] == {}


def test_a_second_copy_of_a_photo_is_read_once_and_said(tmp_path):
    write_photo(tmp_path / "one" / "A" / "A1.png")
    write_photo(tmp_path / "two" / "A" / "A1.png")
    listing = data.survey(tmp_path)
    assert len(listing.entries) == 1
    assert any("1 photo(s) found twice" in line for line in listing.warnings())
