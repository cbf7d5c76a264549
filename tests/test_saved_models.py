"""Each family's saved model is loaded the way the table says, not guessed from its files."""
import re

import numpy as np
import pytest

from asl import CLASSES, config
from asl.errors import AslError
from asl.study import forests, own_photos, saved_models
from asl.study.hands import classifiers
from hand_fixtures import hands_of


def test_every_family_a_notebook_writes_has_a_loader():
    written = {match for notebook in config.NOTEBOOKS_DIR.glob("*.ipynb")
               for match in re.findall(r'family=\\"(\w+)\\"', notebook.read_text())}
    assert written == set(own_photos.LOADERS)


def test_an_unknown_family_is_refused_with_a_rebuild_hint(tmp_path):
    with pytest.raises(AslError, match="model family 'landmarks'.*rebuild it with --force"):
        saved_models.load(tmp_path / "hands.seed1", {"family": "landmarks"})


def test_a_keypoint_run_loads_its_classifier_even_beside_a_network_file(tmp_path, monkeypatch):
    """The family decides: a stray model.keras in a keypoint run's folder is not loaded."""
    class NoHands:
        def __init__(self, weights_path="", settings=None, num_threads=1):
            pass

        def detect(self, image):
            return None

    monkeypatch.setattr(classifiers, "HandDetector", NoHands)
    labels = np.repeat(np.arange(3), 6)
    rng = np.random.default_rng(0)
    model, _ = classifiers.fit("logistic_regression", hands_of(labels, rng), labels,
                               hands_of(labels, rng), labels, seed=0, copies=0, trees=5,
                               threads=1)
    forests.save(model, tmp_path / saved_models.KEYPOINT_CLASSIFIER_FILE)
    (tmp_path / saved_models.NETWORK_FILE).write_bytes(b"not a network")
    predict = saved_models.load(tmp_path, {"family": "keypoints"})
    answer = predict(np.zeros((2, 16, 16, 3), np.uint8)).argmax(1)
    assert answer.tolist() == [CLASSES.index("nothing")] * 2


def test_a_missing_model_file_names_the_file(tmp_path):
    with pytest.raises(AslError, match=f"{saved_models.KEYPOINT_CLASSIFIER_FILE} is missing"):
        saved_models.load(tmp_path, {"family": "keypoints"})
