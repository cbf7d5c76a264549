"""`build.py predict NAME --images PATH`: a flat folder or zip of photos -> CSV and contact sheet,
from a variant's saved Keras model (a tiny one made here whose answers are known)."""
from __future__ import annotations

import csv
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from asl import CLASSES, metrics_file
from conftest import ROOT
from report_builds import model_metrics

SIZE = 16
WEIGHT = 0.01     # logit of A per unit of red, of B per unit of blue
RED, BLUE = (255, 0, 0), (0, 0, 255)


def confidence(logit: float) -> float:
    """Softmax probability of the one class with ``logit`` when the other 28 are at 0."""
    return math.exp(logit) / (math.exp(logit) + len(CLASSES) - 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """An output folder whose cnn_scratch.seed1 holds a saved colour-to-letter model."""
    import numpy as np
    import keras

    out = tmp_path_factory.mktemp("predict") / "report"
    run = out / "variants" / "cnn_scratch.seed1"
    metrics = model_metrics("cnn_scratch", "cnn", "frame_block", 0.9, 0.5, 0)
    metrics["parameters"].update(image_size=SIZE, color_mode="rgb")
    metrics_file.write(run, metrics)
    model = keras.Sequential([keras.Input((SIZE, SIZE, 3)), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(len(CLASSES), activation="softmax")])
    weights = np.zeros((3, len(CLASSES)), dtype="float32")
    weights[0, CLASSES.index("A")] = weights[2, CLASSES.index("B")] = WEIGHT
    model.layers[-1].set_weights([weights, np.zeros(len(CLASSES), dtype="float32")])
    model.save(run / "model.keras")
    return out


def photos(folder: Path) -> Path:
    """Two red photos (one in a sub-folder), one blue, a broken JPEG and a text file."""
    (folder / "more").mkdir(parents=True)
    Image.new("RGB", (40, 30), RED).save(folder / "red.png")
    Image.new("RGB", (20, 20), RED).save(folder / "more" / "red-too.png")
    Image.new("RGB", (64, 64), BLUE).save(folder / "blue.png")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    (folder / "notes.txt").write_text("taken on Monday")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


def predict(out: Path, images: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "predict", "cnn_scratch",
                           "--out", str(out), "--images", str(images), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def read_rows(path: Path) -> dict[str, dict]:
    with open(path, newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def test_predict_writes_one_row_per_readable_photo_and_names_the_unreadable(built, tmp_path):
    result = predict(built, photos(tmp_path / "mine"))
    assert result.returncode == 0, result.stderr[-2000:]
    rows = read_rows(built / "predictions" / "predictions_cnn_scratch.seed1.csv")
    assert sorted(rows) == ["blue.png", "more/red-too.png", "red.png"]
    assert [rows[name]["predicted"] for name in sorted(rows)] == ["B", "A", "A"]
    assert float(rows["red.png"]["confidence"]) == pytest.approx(confidence(255 * WEIGHT), abs=1e-4)
    assert float(rows["blue.png"]["second_confidence"]) == pytest.approx(
        (1 - confidence(255 * WEIGHT)) / (len(CLASSES) - 1), abs=1e-4)
    assert "skipped 2 files that are not readable images: broken.jpg, notes.txt" in result.stdout
    sheet = (built / "predictions" / "predictions_cnn_scratch.seed1.html").read_text()
    assert sheet.count("<img ") == 3 and "broken.jpg" in sheet
    assert result.stderr == ""       # no TensorFlow start-up lines


def test_predict_reads_a_zip_the_same_way(built, tmp_path):
    folder = photos(tmp_path / "mine")
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*"):
            if path.is_file():
                zipped.write(path, Path("photos") / path.relative_to(folder))
    result = predict(built, archive)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = read_rows(built / "predictions" / "predictions_cnn_scratch.seed1.csv")
    assert {name: row["predicted"] for name, row in rows.items()} == {
        "photos/blue.png": "B", "photos/more/red-too.png": "A", "photos/red.png": "A"}


@pytest.mark.parametrize("case, code, expected", [
    ("empty folder", 2, "no readable photos in"),
    ("only unreadable files", 2, "(1 files, none a readable image)"),
    ("no such folder", 2, "no photos at"),
    ("variant never built", 2, "build it first (python build.py --out"),
    ("run without its model", 1, "no saved model in"),
])
def test_predict_explains_what_is_wrong_in_one_line(built, tmp_path, case, code, expected):
    out, images = built, tmp_path / "photos"
    images.mkdir()
    if case == "only unreadable files":
        (images / "broken.jpg").write_bytes(b"x")
    elif case == "no such folder":
        images = tmp_path / "nowhere"
    elif case != "empty folder":
        Image.new("RGB", (20, 20), RED).save(images / "red.png")
    if case == "variant never built":
        out = tmp_path / "empty-report"
    elif case == "run without its model":
        out = tmp_path / "report"
        metrics_file.write(out / "variants" / "cnn_scratch.seed1",
                           metrics_file.read(built / "variants" / "cnn_scratch.seed1"))
    result = predict(out, images)
    assert result.returncode == code, result.stderr
    named = {"variant never built": out / "variants",
             "run without its model": out / "variants" / "cnn_scratch.seed1"}.get(case, images)
    assert expected in result.stderr and str(named) in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_a_model_that_reads_photos_as_stored_gets_them_at_their_usual_size(tmp_path):
    """Hand-keypoint variants (detect_size 0) read photos at the size most of them have, as
    the build read its wild set."""
    from asl.study.data import load_unlabelled

    for i, side in enumerate((40, 40, 40, 24)):
        Image.new("RGB", (side, side), BLUE).save(tmp_path / f"{i}.png")
    (tmp_path / "._0.png").write_bytes(b"resource fork")       # hidden: not even counted
    photos = load_unlabelled(tmp_path, 0)
    assert photos.images.shape == (4, 40, 40, 3) and photos.unreadable == []
