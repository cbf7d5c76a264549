"""Issue 22, bad input: a photo with two hands, a hand cut off by the frame edge, an all-black
photo, a grayscale photo and a 16 x 16 photo are each answered (a letter or ``nothing``),
never a crash, on the way `build.py evaluate` (class folders) and `predict` (any folder) read
photos and run a keypoint model or a hand-crop model; a 1 x 1 photo is skipped and named."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from asl import CLASSES
from asl.config import shared_paths
from asl.study import data, forests
from asl.study.evaluate import evaluation_block, predict_in_batches
from asl.study.hands import crops, features
from asl.study.hands.classifiers import KeypointClassifier
from asl.study.hands.detector import LANDMARK_FILE, PALM_FILE, HandDetector
from asl.study.hands.keypoints import detect_here

SHARED = shared_paths()
WEIGHTS = SHARED["weights"].parent
WILD = SHARED["wild"]
needs_models = pytest.mark.skipif(
    not ((WEIGHTS / PALM_FILE).is_file() and (WEIGHTS / LANDMARK_FILE).is_file()
         and WILD.is_file()), reason="hand models or the wild photos not found (ASL_SHARED)")
BAD = ["B/two_hands.png", "B/cut_off.png", "nothing/black.png", "B/gray.png", "B/tiny.png"]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")


def wild_photo(name: str) -> Image.Image:
    with zipfile.ZipFile(WILD) as archive:
        return Image.open(io.BytesIO(archive.read(name))).convert("RGB")


def bad_photos(root):
    hand = wild_photo("asl_alphabet_test_wild/B/B0029_test.jpg")
    other = wild_photo("asl_alphabet_test_wild/B/B0002_test.jpg").resize(hand.size)
    two = Image.new("RGB", (hand.width * 2, hand.height))
    two.paste(hand, (0, 0))
    two.paste(other, (hand.width, 0))
    for name, image in zip(BAD, [two, hand.crop((0, 0, hand.width // 2, hand.height)),
                                 Image.new("RGB", hand.size), hand.convert("L"),
                                 hand.resize((16, 16))]):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        image.save(root / name)
    Image.new("RGB", (1, 1), (90, 60, 40)).save(root / "B" / "speck.png")
    return root


def keypoint_model() -> KeypointClassifier:
    """A forest on random hands: what it answers does not matter, only that it answers."""
    rng = np.random.default_rng(0)
    table = features.features(rng.uniform(0, 200, (60, 21, 3)), rng.uniform(0, 1, 60))
    forest = forests.make("extra_trees", 5, seed=0).fit(table, np.repeat([0, 1, 27], 20))
    return KeypointClassifier("extra_trees", forest)


def answered(probabilities: np.ndarray, n: int) -> None:
    assert probabilities.shape == (n, len(CLASSES))
    assert np.isfinite(probabilities).all() and np.allclose(probabilities.sum(1), 1)


@needs_models
def test_predict_answers_every_bad_photo_and_names_the_speck(tmp_path):
    photos = data.load_unlabelled(bad_photos(tmp_path), 0)       # 0: as stored, like predict
    assert sorted(photos.names) == sorted(BAD) and photos.unreadable == ["B/speck.png"]
    answered(predict_in_batches(keypoint_model().predictor(str(WEIGHTS)), photos.images), 5)


@needs_models
def test_evaluate_scores_every_bad_photo(tmp_path):
    photos = data.load_images(bad_photos(tmp_path), 0, use_cache=False)
    assert sorted(photos.ids) == sorted(BAD) and photos.skipped_files == ["B/speck.png"]
    probabilities = keypoint_model().predictor(str(WEIGHTS))(photos.images)
    answered(probabilities, 5)
    assert evaluation_block(photos.labels, probabilities.argmax(1), photos.ids)["n"] == 5


@needs_models
def test_the_hand_crop_model_gets_a_crop_of_every_bad_photo(tmp_path):
    photos = data.load_unlabelled(bad_photos(tmp_path), 0)
    found = detect_here(HandDetector(str(WEIGHTS)), photos.images)
    assert not found.found[photos.names.index("nothing/black.png")]
    cropped = crops.crop_hands(photos.images, found.keypoints, photos.images.shape[1], 32)
    assert cropped.shape == (5, 32, 32, 3) and cropped.dtype == photos.images.dtype
