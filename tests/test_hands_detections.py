"""How often a hand was found, and the detections a single pass would give."""
import numpy as np
import pytest

from asl import CLASSES
from asl.study.hands import detections
from asl.study.hands.keypoints import HandKeypoints

NOTHING = CLASSES.index("nothing")


def test_detection_rates_leave_the_nothing_class_apart():
    labels = np.array([0, 0, 1, NOTHING])
    found = HandKeypoints(np.zeros((4, 21, 3)), np.ones(4), np.ones(4), np.array([0, 2, -1, 0]))
    summary = detections.detection_summary(found, labels, ("plain", "pad1.5", "mirror"))
    assert summary["first_pass"] == pytest.approx(1 / 3)
    assert summary["after_retries"] == pytest.approx(2 / 3)
    assert summary["nothing_with_hand"] == 1.0
    assert summary["by_attempt"] == {"plain": 2, "pad1.5": 0, "mirror": 1}


def test_without_retries_keeps_only_what_the_first_pass_found():
    found = HandKeypoints(np.ones((3, 21, 3)), np.ones(3), np.ones(3), np.array([0, 2, -1]))
    single = detections.first_pass_only(found)
    assert single.attempt.tolist() == [0, -1, -1]
    assert not np.isnan(single.keypoints[0]).any() and np.isnan(single.keypoints[1]).all()
    assert found.attempt.tolist() == [0, 2, -1]          # the cached detections are untouched
