"""Hand keypoints: anchor decoding, NMS, crop geometry, features, detector and cache."""
from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from asl.config import shared_paths
from asl.errors import WeightsError
from asl.study import hand_geometry, hand_keypoints, hands
from asl.study import keypoint_features as kf

SHARED = shared_paths()
WILD_PHOTO = "asl_alphabet_test_wild/B/B0029_test.jpg"


def _weights_dir() -> Path:
    given = os.environ.get("ASL_WEIGHTS")
    if given:
        path = Path(given)
        return path if path.is_dir() else path.parent
    return SHARED["weights"].parent


def _wild_zip() -> Path:
    return Path(os.environ.get("ASL_WILD") or SHARED["wild"])


def _have_models() -> bool:
    folder = _weights_dir()
    return (folder / hands.PALM_FILE).is_file() and (folder / hands.LANDMARK_FILE).is_file()


needs_models = pytest.mark.skipif(
    not _have_models(), reason=f"hand model files ({hands.PALM_FILE}, {hands.LANDMARK_FILE}) not "
    f"found in {_weights_dir()}: set ASL_WEIGHTS to a file or folder beside them")


@pytest.fixture(scope="module")
def detector():
    if not _have_models():
        pytest.skip("hand model files not available")
    return hands.HandDetector(str(_weights_dir()))


# --------------------------------------------------------------------------- anchors, NMS

def test_anchor_layout():
    anchors = hand_geometry.ssd_anchors()
    assert anchors.shape == (2016, 2)
    assert np.allclose(anchors[0], [0.5 / 24, 0.5 / 24]) and np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[2], [1.5 / 24, 0.5 / 24])
    assert np.allclose(anchors[24 * 24 * 2], [0.5 / 12, 0.5 / 12])
    assert np.allclose(anchors[-1], [11.5 / 12, 11.5 / 12])


def test_decode_puts_planted_box_where_it_belongs():
    anchors = hand_geometry.ssd_anchors()
    k = 24 * 24 * 2 + 6 * (12 * 5 + 7)              # a stride-16 anchor: cell x=7, y=5
    regressors = np.zeros((2016, 18), np.float32)
    regressors[k, :4] = [9.6, -19.2, 48.0, 96.0]     # 192-pixel units
    regressors[k, 4:6] = [0.0, 19.2]                 # wrist below the centre
    boxes, points = hand_geometry.decode_boxes(regressors, anchors)
    assert np.allclose(anchors[k], [7.5 / 12, 5.5 / 12])
    assert np.allclose(boxes[k], [7.5 / 12 + 0.05, 5.5 / 12 - 0.1, 0.25, 0.5], atol=1e-6)
    assert np.allclose(points[k, 0], [7.5 / 12, 5.5 / 12 + 0.1], atol=1e-6)
    assert points.shape == (2016, 7, 2)


def test_sigmoid_is_clipped_and_centred():
    assert hand_geometry.sigmoid(np.array([0.0]))[0] == 0.5
    assert np.isfinite(hand_geometry.sigmoid(np.array([-1e6, 1e6]))).all()


@pytest.mark.parametrize("weighted", [True, False])
def test_nms_keeps_best_of_overlapping_and_both_disjoint(weighted):
    rows = np.array([[0.50, 0.50, 0.2, 0.2],
                     [0.52, 0.50, 0.2, 0.2],      # overlaps the first
                     [0.10, 0.10, 0.1, 0.1]])     # far away
    scores = np.array([0.6, 0.9, 0.7])
    kept, kept_scores = hand_geometry.nms(rows, scores, iou_threshold=0.3, weighted=weighted)
    assert len(kept) == 2
    assert np.allclose(kept_scores, [0.9, 0.7])
    if weighted:
        assert 0.50 < kept[0, 0] < 0.52
    else:
        assert np.allclose(kept[0], rows[1])
    assert np.allclose(kept[1], rows[2])


# --------------------------------------------------------------------------- crop geometry

def test_crop_transform_round_trips_points():
    crop = hand_geometry.Crop(cx=80.0, cy=120.0, size=150.0, rotation=0.7)
    matrix = hand_geometry.crop_to_image(crop)
    points = np.random.default_rng(0).uniform(0, 224, (50, 2))
    back = hand_geometry.apply_affine(hand_geometry.invert_affine(matrix), hand_geometry.apply_affine(matrix, points))
    assert np.allclose(back, points)
    assert np.allclose(hand_geometry.apply_affine(matrix, [112.0, 112.0]), [80.0, 120.0])


def test_palm_crop_turns_fingers_up_and_shifts_towards_them():
    box = np.array([100.0, 100.0, 40.0, 40.0])
    upright = np.zeros((7, 2))
    upright[0], upright[2] = [100, 120], [100, 80]          # wrist below the middle knuckle
    crop = hand_geometry.palm_crop(box, upright)
    assert math.isclose(crop.rotation, 0.0, abs_tol=1e-9)
    assert np.allclose([crop.cx, crop.cy, crop.size], [100, 80, 104])
    pointing_right = np.zeros((7, 2))
    pointing_right[0], pointing_right[2] = [80, 100], [120, 100]
    crop = hand_geometry.palm_crop(box, pointing_right)
    top_centre = hand_geometry.apply_affine(hand_geometry.crop_to_image(crop), [112.0, 0.0])
    assert top_centre[0] > crop.cx + 50 and math.isclose(top_centre[1], crop.cy, abs_tol=1e-6)
    assert crop.cx > 100                                     # shifted towards the fingers


def test_cut_crop_samples_the_right_pixels():
    image = np.zeros((100, 100, 3), np.uint8)
    image[:50] = 255                                         # top half white
    cut = hand_geometry.cut_crop(image, hand_geometry.Crop(50, 50, 100, math.pi), out_size=20)
    assert cut.dtype == np.float32 and cut.max() <= 1.0
    assert cut[2:8].mean() < 0.05 and cut[12:18].mean() > 0.95   # upside down


# --------------------------------------------------------------------------- features

def _hand(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1, 1, (21, 3))
    points[0] = 0
    points[9] = [0.1, -1.0, 0.05]
    return points


def test_features_invariant_to_translation_and_scale():
    hand = _hand()
    moved = hand * 37.0 + np.array([120.0, 45.0, 3.0])
    table = kf.features(np.stack([hand, moved]), np.array([0.9, 0.9]))
    assert table.shape == (2, len(kf.FEATURE_NAMES))
    assert np.allclose(table[0], table[1], atol=1e-5)


def test_mirrored_left_hand_gives_the_right_hands_features():
    right = _hand(1) * 50 + [100, 100, 0]
    left = right.copy()
    left[:, 0] = 200 - left[:, 0]                            # the photo mirrored
    handedness = np.array([0.95, 0.05])
    table = kf.features(np.stack([right, left]), handedness, mirror_left=True)
    assert np.allclose(table[0], table[1], atol=1e-5)
    unmirrored = kf.features(np.stack([right, left]), handedness)
    assert not np.allclose(unmirrored[0], unmirrored[1], atol=1e-3)


def test_missing_hand_gives_nan_row_and_names_are_unique():
    keypoints = np.stack([_hand(), np.full((21, 3), np.nan)])
    table = kf.features(keypoints, np.array([0.9, np.nan]))
    assert np.isfinite(table[0]).all() and np.isnan(table[1]).all()
    assert len(set(kf.FEATURE_NAMES)) == len(kf.FEATURE_NAMES)


def test_augment_shapes_and_wrist_fixed():
    keypoints = np.stack([_hand(2) * 40 + 100, _hand(3) * 40 + 90])
    copies = kf.augment(keypoints, np.random.default_rng(0), n_copies=3, max_rotation_deg=10,
                        scale_range=(0.9, 1.1))
    assert copies.shape == (6, 21, 3)
    assert np.allclose(copies[:, 0], np.tile(keypoints[:, 0], (3, 1)), atol=1e-4)
    assert not np.allclose(copies[0], keypoints[0])


# --------------------------------------------------------------------------- models

def test_missing_models_raise_weights_error(tmp_path, monkeypatch):
    monkeypatch.delenv(hands.MODELS_ENV, raising=False)
    monkeypatch.setattr(hands, "DEFAULT_MODELS_DIR", tmp_path / "nowhere")
    (tmp_path / hands.PALM_FILE).write_bytes(b"")
    with pytest.raises(WeightsError) as error:
        hands.find_hand_models(str(tmp_path))
    message = str(error.value)
    assert hands.LANDMARK_FILE in message and "pip download mediapipe==0.10.21 --no-deps" in message


@needs_models
def test_models_found_from_a_file_in_their_folder():
    palm, landmark = hands.find_hand_models(str(_weights_dir() / hands.PALM_FILE))
    assert palm.name == hands.PALM_FILE and landmark.name == hands.LANDMARK_FILE


@needs_models
def test_blank_image_gives_no_detection(detector):
    assert detector.detect(np.full((200, 200, 3), 128, np.uint8)) is None


def _wild_photo() -> np.ndarray:
    if not _wild_zip().is_file():
        pytest.skip(f"wild test photos not found at {_wild_zip()} (set ASL_WILD)")
    with zipfile.ZipFile(_wild_zip()) as archive:
        return np.asarray(Image.open(io.BytesIO(archive.read(WILD_PHOTO))).convert("RGB"))


@needs_models
def test_real_photo_gives_21_keypoints_inside_the_image(detector):
    image = _wild_photo()
    found = detector.detect(image)
    assert found is not None and found.presence > 0.9
    assert found.keypoints.shape == (21, 3)
    height, width = image.shape[:2]
    assert (found.keypoints[:, 0] >= 0).all() and (found.keypoints[:, 0] < width).all()
    assert (found.keypoints[:, 1] >= 0).all() and (found.keypoints[:, 1] < height).all()


@needs_models
def test_worker_processes_keep_the_order():
    photo = _wild_photo()
    blank = np.full_like(photo, 128)
    found = hand_keypoints.detect_many([blank, photo, blank], str(_weights_dir()), workers=2,
                              progress=False)
    assert found.attempt[0] == -1 and found.attempt[1] >= 0 and found.attempt[2] == -1
    assert np.isnan(found.keypoints[0]).all() and np.isfinite(found.keypoints[1]).all()


@needs_models
def test_second_extract_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(hand_keypoints, "CACHE_DIR", tmp_path)
    calls = []
    real = hand_keypoints.detect_many

    def counting(images, *args, **kwargs):
        calls.append(len(images))
        return real(images, *args, **kwargs)

    monkeypatch.setattr(hand_keypoints, "detect_many", counting)
    images = np.full((2, 64, 64, 3), 90, np.uint8)
    first = hand_keypoints.extract_keypoints(images, ["a", "b"], "test", workers=1, progress=False,
                                    weights_path=str(_weights_dir()))
    second = hand_keypoints.extract_keypoints(images, ["a", "b"], "test", workers=1, progress=False,
                                     weights_path=str(_weights_dir()))
    assert calls == [2]
    assert (first.attempt == -1).all() and np.isnan(second.keypoints).all()
    assert list((tmp_path / "keypoints").glob("*.npz"))


@needs_models
def test_detector_does_not_import_tensorflow():
    code = ("import sys; from asl.study import hands, keypoint_features; "
            f"hands.HandDetector({str(_weights_dir())!r}); "
            "print('tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
