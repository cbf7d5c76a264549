"""The cascade in the fused hand model: the image model answers exactly the photos where no hand
was found (when it is confident enough), in the rule and in the saved model that `evaluate`
and `predict` load."""
from types import SimpleNamespace

import numpy as np
import pytest

from asl import CLASSES
from asl.study import saved_models
from asl.study.hands import cascade, crop_network, detector, fusion
from hand_fixtures import hands_of, write_fused_run

NOTHING = CLASSES.index("nothing")


def _confident(answers, top=0.9):
    out = np.full((len(answers), len(CLASSES)), (1 - top) / (len(CLASSES) - 1))
    out[np.arange(len(answers)), answers] = top
    return out


def test_the_image_model_answers_exactly_where_no_hand_was_found():
    hand = np.array([True, True, False, False, False])
    fused = _confident([0, 1, NOTHING, NOTHING, NOTHING])
    network = _confident([5, 6, 7, 8, 9])
    network[4] = _confident([9], top=0.3)[0]               # unsure: stays `nothing`
    answer = cascade.apply(fused, network, hand, threshold=0.5).argmax(1)
    assert answer.tolist() == [0, 1, 7, 8, NOTHING]
    assert cascade.apply(fused, network, hand, threshold=0.0).argmax(1).tolist() == [0, 1, 7, 8,
                                                                                       9]


def test_the_threshold_is_the_most_accurate_on_the_photos_it_is_chosen_on():
    hand = np.zeros(4, bool)
    fused = _confident([NOTHING] * 4)
    network = np.vstack([_confident([3], top=0.95), _confident([4], top=0.95),
                         _confident([5], top=0.4), _confident([6], top=0.4)])
    labels = [3, 4, NOTHING, NOTHING]     # the confident answers are right, the unsure wrong
    threshold, grid = cascade.choose_threshold(fused, network, hand, labels)
    assert 0.4 < threshold <= 0.95 and len(grid) == len(cascade.THRESHOLDS)
    assert max(point["val_accuracy"] for point in grid) == 1.0


class HalfFindingDetector:
    """Stands in for HandDetector: finds a hand on the photos whose first pixel is bright, and
    counts the photos it was asked about."""

    photos = 0

    def __init__(self, weights_path="", settings=None, num_threads=1):
        self.settings = settings
        self.hand = hands_of(np.array([2]), np.random.default_rng(0))

    def detect(self, image):
        HalfFindingDetector.photos += 1
        if image[0, 0, 0] < 128:
            return None
        return SimpleNamespace(keypoints=self.hand.keypoints[0] / 10, presence=1.0,
                               handedness=1.0, attempt=0)


@pytest.fixture
def saved_cascade(tmp_path, monkeypatch):
    """A fusion run's folder with a cascade threshold of 0.5."""
    write_fused_run(tmp_path, cascade_threshold=0.5)
    monkeypatch.setattr(detector, "HandDetector", HalfFindingDetector)
    HalfFindingDetector.photos = 0
    return tmp_path


def test_the_saved_model_cascades_where_no_hand_is_found_and_detects_once(saved_cascade):
    says = CLASSES.index("Y")
    network = lambda crops: _confident([says] * len(crops))  # noqa: E731  (sure, always Y)
    photos = np.zeros((6, 32, 32, 3), np.uint8)
    photos[:3] = 255                                          # a hand on the first three
    probabilities = crop_network.saved_predictor(saved_cascade, network)(photos)
    assert HalfFindingDetector.photos == 6
    assert (probabilities[3:].argmax(1) == says).all()        # no hand: the network's answer
    assert np.allclose(probabilities[3:], network(photos[3:]))
    stacker = saved_models.fusion_model(saved_cascade)
    classifier = saved_models.keypoint_classifier(saved_cascade)
    hand = HalfFindingDetector().hand
    found = hand._replace(keypoints=np.repeat(hand.keypoints / 10, 3, axis=0),
                          presence=np.ones(3, np.float32), handedness=np.ones(3, np.float32),
                          attempt=np.zeros(3, int))
    expected = fusion.combine(stacker, network(photos[:3]),
                              classifier.predict_proba_keypoints(found))
    assert np.allclose(probabilities[:3], expected)           # a hand: the fusion's answer
