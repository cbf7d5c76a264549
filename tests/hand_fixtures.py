"""Shared by the hand tests: where the hand models and a wild photo are, a loaded detector,
and synthetic hands."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from asl.config import shared_paths
from asl.study.hands import crops, detector
from asl.study.hands.keypoints import HandKeypoints

SHARED = shared_paths()
WILD_PHOTO = "asl_alphabet_test_wild/B/B0029_test.jpg"


def weights_dir() -> Path:
    given = os.environ.get("ASL_WEIGHTS")
    if given:
        path = Path(given)
        return path if path.is_dir() else path.parent
    return SHARED["weights"].parent


def _wild_zip() -> Path:
    return Path(os.environ.get("ASL_WILD") or SHARED["wild"])


def _have_models() -> bool:
    folder = weights_dir()
    return (folder / detector.PALM_FILE).is_file() and (folder / detector.LANDMARK_FILE).is_file()


needs_models = pytest.mark.skipif(
    not _have_models(), reason=f"hand model files ({detector.PALM_FILE}, {detector.LANDMARK_FILE}) "
    f"not found in {weights_dir()}: set ASL_WEIGHTS to a file or folder beside them")


@pytest.fixture(scope="module")
def hand_detector():
    if not _have_models():
        pytest.skip("hand model files not available")
    return detector.HandDetector(str(weights_dir()))


def wild_photo() -> np.ndarray:
    if not _wild_zip().is_file():
        pytest.skip(f"wild test photos not found at {_wild_zip()} (set ASL_WILD)")
    with zipfile.ZipFile(_wild_zip()) as archive:
        return np.asarray(Image.open(io.BytesIO(archive.read(WILD_PHOTO))).convert("RGB"))


def random_hand(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1, 1, (21, 3))
    points[0] = 0
    points[9] = [0.1, -1.0, 0.05]
    return points


def hands_of(labels, rng):
    """Keypoints whose shape depends on the label: finger tips spread by class."""
    labels = np.asarray(labels)
    keypoints = np.zeros((len(labels), 21, 3), np.float32)
    keypoints[:, :, 0] = np.linspace(0, 1, 21) * (1 + labels[:, None] % 5)
    keypoints[:, :, 1] = np.linspace(0, 2, 21) + (labels[:, None] // 5) * 0.3
    keypoints[:, 9, :2] = [0.0, 1.0]                     # the middle knuckle fixes the scale
    keypoints += rng.normal(0, 0.01, keypoints.shape).astype(np.float32)
    n = len(labels)
    return HandKeypoints(keypoints * 40 + 100, np.ones(n, np.float32), np.ones(n, np.float32),
                         np.zeros(n, int))


def synthetic_hand(size=64):
    """A photo with a plain background and 21 keypoints of an open hand in its middle."""
    rng = np.random.default_rng(0)
    image = np.full((size, size, 3), 200, np.uint8)
    wrist = np.array([size / 2, size * 0.8])
    points = [wrist]
    for angle in np.radians([-60, -30, 0, 30, 60]):
        direction = np.array([np.sin(angle), -np.cos(angle)])
        points += [wrist + direction * size * 0.1 * k for k in (1, 2, 3, 4)]
    keypoints = np.c_[np.array(points), np.zeros(21)][None].astype(np.float32)
    mask = crops.hand_mask(keypoints[0], size) > 0.999
    image[mask] = rng.integers(0, 100, (mask.sum(), 3))         # the hand: dark, textured
    return image[None], keypoints, mask


def write_fused_run(folder: Path, **settings) -> Path:
    """A fusion run's folder: a keypoint classifier, a stacking model fitted on planted
    probabilities of both sources, and crop settings saying it is fused (plus ``settings``)."""
    import json

    from asl import CLASSES
    from asl.study import forests, saved_models
    from asl.study.hands import classifiers, fusion

    labels = np.repeat(np.arange(4), 8)
    rng = np.random.default_rng(0)
    classifier, _ = classifiers.fit("logistic_regression", hands_of(labels, rng), labels,
                                    hands_of(labels, rng), labels, seed=0, copies=0, trees=5,
                                    threads=1)
    forests.save(classifier, folder / saved_models.KEYPOINT_CLASSIFIER_FILE)
    both = rng.dirichlet(np.ones(len(CLASSES)), (2, len(labels)))
    stacker, _, _ = fusion.fit_stacker(both[0], both[1], labels)
    forests.save(stacker, folder / saved_models.FUSION_FILE)
    (folder / saved_models.CROP_SETTINGS_FILE).write_text(json.dumps(
        {"image_size": 16, "margin": 0.35, "fused": True, **settings}))
    return folder
