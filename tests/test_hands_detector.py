"""The hand detector: its model files, and what it finds on blank and real photos."""
import subprocess
import sys

import numpy as np
import pytest

from asl.errors import WeightsError
from asl.study.hands import detector
from hand_fixtures import hand_detector, needs_models, weights_dir, wild_photo  # noqa: F401


def test_missing_models_raise_weights_error(tmp_path, monkeypatch):
    monkeypatch.delenv(detector.MODELS_ENV, raising=False)
    monkeypatch.setattr(detector, "DEFAULT_MODELS_DIR", tmp_path / "nowhere")
    (tmp_path / detector.PALM_FILE).write_bytes(b"")
    with pytest.raises(WeightsError) as error:
        detector.find_hand_models(str(tmp_path))
    message = str(error.value)
    assert detector.LANDMARK_FILE in message and "pip download mediapipe==0.10.21 --no-deps" in message


@needs_models
def test_models_found_from_a_file_in_their_folder():
    palm, landmark = detector.find_hand_models(str(weights_dir() / detector.PALM_FILE))
    assert palm.name == detector.PALM_FILE and landmark.name == detector.LANDMARK_FILE


@needs_models
def test_blank_image_gives_no_detection(hand_detector):
    assert hand_detector.detect(np.full((200, 200, 3), 128, np.uint8)) is None


@needs_models
def test_real_photo_gives_21_keypoints_inside_the_image(hand_detector):
    image = wild_photo()
    found = hand_detector.detect(image)
    assert found is not None and found.presence > 0.9
    assert found.keypoints.shape == (21, 3)
    height, width = image.shape[:2]
    assert (found.keypoints[:, 0] >= 0).all() and (found.keypoints[:, 0] < width).all()
    assert (found.keypoints[:, 1] >= 0).all() and (found.keypoints[:, 1] < height).all()


@needs_models
def test_detector_does_not_import_tensorflow():
    code = ("import sys; from asl.study.hands import detector, features; "
            f"detector.HandDetector({str(weights_dir())!r}); "
            "print('tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
