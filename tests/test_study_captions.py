"""The captions the notebooks write for their figures: each names its variant, says how the
photos of an example grid were picked (with the numbers the code used) and what a dashed line
marks."""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np

from asl import CLASSES
from asl.study import code_classifiers, experiment, run_figures
from asl.study import figures as study_figures
from asl.study.data import ImageSet
from asl.study.hands import figures as hand_figures
from asl.study.splits import Split


def _photos(n: int, seed: int) -> ImageSet:
    rng = np.random.default_rng(seed)
    return ImageSet(rng.integers(0, 255, (n, 8, 8, 3), dtype=np.uint8),
                    rng.integers(0, len(CLASSES), n), [f"A/{i}.jpg" for i in range(n)],
                    np.arange(n), 0, "planted")


def _grids(tmp_path, monkeypatch, wrong: int, wild: int, stages=None) -> tuple[dict, dict]:
    """Captions by figure key, and how many photos each example grid drew."""
    test = _photos(40, 0)
    predicted = test.labels.copy()
    predicted[:wrong] = (predicted[:wrong] + 1) % len(CLASSES)
    data = experiment.Data(test, test, test, _photos(wild, 1),
                           Split("frame_block", np.arange(40), np.arange(40), np.arange(40)), {})
    drawn = {}
    monkeypatch.setattr(study_figures, "example_grid", lambda images, labels, predictions, path:
                        drawn.setdefault(path.stem, len(images)) and path.name)
    for name in ("confusion_matrix", "per_class_accuracy", "learning_curves"):
        monkeypatch.setattr(study_figures, name, lambda *args, **kwargs: "figure.png")
    results = SimpleNamespace(
        test={"n": 40, "y_true": test.labels, "y_pred": predicted, "confusion_matrix": []},
        wild={"y_pred": data.wild.labels})
    training = {"history": {"loss": [1.0] * sum(stages or [2])}, "stages": stages}
    made = run_figures.standard(results, data, training, tmp_path, "cnn")
    return {figure["key"]: figure["caption"] for figure in made}, drawn


def test_the_example_grids_say_how_many_photos_were_picked_from_how_many(tmp_path, monkeypatch):
    captions, drawn = _grids(tmp_path, monkeypatch, wrong=25, wild=300)
    assert drawn == {"misclassified": 16, "wild_examples": 16}
    assert "16 photos spread evenly among the 25 misclassified ones" in captions["misclassified"]
    assert "16 photos spread evenly through all 300 wild photos (both halves), right or wrong" \
        in captions["wild_examples"]


def test_a_small_wild_set_is_drawn_once_each_and_the_caption_counts_it(tmp_path, monkeypatch):
    captions, drawn = _grids(tmp_path, monkeypatch, wrong=5, wild=9)
    assert drawn == {"misclassified": 5, "wild_examples": 9}
    assert "5 photos spread evenly among the 5 misclassified" in captions["misclassified"]
    assert "9 photos spread evenly through all 9 wild photos" in captions["wild_examples"]


def test_the_learning_curves_caption_explains_the_fine_tuning_line(tmp_path, monkeypatch):
    captions, _ = _grids(tmp_path, monkeypatch, wrong=5, wild=20, stages=[7, 3])
    assert "the dashed line marks the start of fine-tuning, after 7 epochs" \
        in captions["learning_curves"]
    one_stage, _ = _grids(tmp_path, monkeypatch, wrong=5, wild=20, stages=[7])
    assert "dashed" not in one_stage["learning_curves"]


def test_the_autoencoder_figures_name_their_variant(tmp_path, monkeypatch):
    monkeypatch.setattr(study_figures, "reconstructions", lambda *args: "r.png")
    monkeypatch.setattr(study_figures, "importance_bars", lambda *args: "i.png")
    monkeypatch.setattr(code_classifiers, "importances", lambda name, estimator: np.ones(4))
    autoencoder = SimpleNamespace(predict=lambda photos, verbose=0: photos)
    data = SimpleNamespace(test=_photos(16, 2))
    made = code_classifiers.figures(autoencoder, {"random_forest": None,
                                                  "logistic_regression": None},
                                    data, tmp_path, "autoencoder_forest")
    captions = {figure["key"]: figure["caption"] for figure in made}
    assert all(caption.startswith("autoencoder_forest: ") for caption in captions.values())
    assert "random forest" in captions["importance_random_forest"]
    assert "logistic regression" in captions["importance_logistic_regression"]


def test_the_keypoint_figures_name_their_variant_and_how_the_wild_photos_were_picked(
        tmp_path, monkeypatch):
    monkeypatch.setattr(hand_figures, "detection_rates", lambda *args: "d.png")
    monkeypatch.setattr(hand_figures, "keypoint_examples", lambda images, *args: "k.png")
    monkeypatch.setattr(study_figures, "importance_bars", lambda *args: "i.png")
    monkeypatch.setattr(hand_figures.classifiers, "importances", lambda fitted: np.ones(3))
    wild = _photos(50, 3)
    found = SimpleNamespace(wild=SimpleNamespace(keypoints=np.zeros((50, 21, 2))))
    made = hand_figures.keypoint_figures({"test": {"per_class": {}}}, SimpleNamespace(wild=wild),
                                         found, {"logistic_regression": None,
                                                 "random_forest": None},
                                         "random_forest", tmp_path, "keypoints_forest")
    captions = {figure["key"]: figure["caption"] for figure in made}
    assert all(caption.startswith("keypoints_forest: ") for caption in captions.values())
    assert "logistic regression" in captions["importance_logistic_regression"]
    assert re.search(r"16 photos spread evenly through all 50 wild photos",
                     captions["keypoint_examples"])
