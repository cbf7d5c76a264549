"""The keypoint family: classifiers on features of the 21 hand keypoints.

A photo where no hand is found is answered ``nothing``: right for ``nothing`` photos, wrong
for every other class, and never dropped from an accuracy. Settings are chosen on the
validation photos; the test and wild photos only evaluate.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from asl import CLASSES
from asl.study import forests
from asl.study.hands import features as keypoint_features
from asl.study.hands import variety as hand_variety
from asl.study.hands.detector import DetectorSettings, HandDetector
from asl.study.hands.keypoints import HandKeypoints, detect_here

NOTHING = CLASSES.index("nothing")
CLASSIFIERS = ("logistic_regression", "random_forest", "extra_trees")
GRIDS = {
    "logistic_regression": [{"C": c} for c in (0.1, 1.0, 10.0)],
    "random_forest": [{"max_features": share} for share in ("sqrt", 0.25)],
    "extra_trees": [{"max_features": share} for share in ("sqrt", 0.25)],
}
LINEAR_COPIES = 1
"""Augmented copies per hand for the logistic regression: its fit time grows with the rows
and a linear model gains little from more (measured: 4 fits took over 10 minutes with 5)."""
EXPLAINABLE = {"logistic_regression": {"explainable": True, "abbreviation": "LR",
                                       "title": "Logistic regression on hand keypoints"}}


def make_estimator(name: str, settings: dict, seed: int, trees: int, threads: int):
    """An unfitted classifier: a size-capped forest of ``trees`` trees, or a logistic regression
    on standardised features."""
    if name == "logistic_regression":
        return make_pipeline(StandardScaler(), LogisticRegression(
            C=settings["C"], max_iter=2000, tol=1e-3, random_state=seed))
    if name not in CLASSIFIERS:
        raise ValueError(f"classifier must be one of {CLASSIFIERS}, not {name!r}")
    return forests.make(name, trees, seed, threads, **settings)


@dataclass
class KeypointClassifier:
    """A fitted classifier and how it reads keypoints; picklable, so `build.py evaluate` can
    run it on new photos (detecting their hands first)."""

    name: str
    estimator: object
    mirror_left: bool = False
    detector: DetectorSettings = field(default_factory=DetectorSettings)

    def features(self, found: HandKeypoints) -> np.ndarray:
        return keypoint_features.features(found.keypoints, found.handedness, self.mirror_left)

    def predict_proba_keypoints(self, found: HandKeypoints) -> np.ndarray:
        """Class probabilities; a photo without a hand is ``nothing`` with certainty."""
        table = self.features(found)
        has_hand = ~np.isnan(table).any(axis=1)
        probabilities = np.zeros((len(table), len(CLASSES)))
        probabilities[:, NOTHING] = 1.0
        if has_hand.any():
            known = self.estimator.predict_proba(table[has_hand])
            probabilities[has_hand] = 0.0
            probabilities[np.ix_(has_hand, self.estimator.classes_)] = known
        return probabilities

    def predictor(self, weights_path: str = ""):
        """photos -> probabilities, detecting hands on the way (one process, no cache)."""
        detector = HandDetector(weights_path, self.detector)

        def predict(images: np.ndarray) -> np.ndarray:
            return self.predict_proba_keypoints(detect_here(detector, images))

        return predict


def training_table(found: HandKeypoints, labels: np.ndarray, rng: np.random.Generator,
                   copies: int, mirror_left: bool,
                   variety: str = "none") -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the training photos with a hand, plus ``copies`` randomly
    rotated and stretched copies of each (keypoint augmentation), each copy also varied as
    another person's hand when ``variety`` is "people" (see ``variety.vary``)."""
    has_hand = found.found
    keypoints, handedness = found.keypoints[has_hand], found.handedness[has_hand]
    labels = np.asarray(labels)[has_hand]
    if copies:
        augmented = keypoint_features.augment(keypoints, rng, copies)
        keypoints = np.concatenate([keypoints, hand_variety.vary(augmented, rng, variety)])
        handedness = np.tile(handedness, copies + 1)
        labels = np.tile(labels, copies + 1)
    table = keypoint_features.features(keypoints, handedness, mirror_left)
    usable = ~np.isnan(table).any(axis=1)
    return table[usable], labels[usable]


VAL_ANSWERS = "val_answers"
"""The search summary's key for the validation photos' answers of the chosen model before any
refit on them; the metrics keep them in the ``val`` block, not in the search record."""


def fit(name: str, train: HandKeypoints, y_train, val: HandKeypoints, y_val, *, seed: int,
        copies: int, trees: int, threads: int, mirror_left: bool = False,
        refit_on_validation: bool = True, variety: str = "none") -> tuple[KeypointClassifier, dict]:
    """Each grid point fitted on the training photos and scored on the validation photos
    (photos without a hand counted as answered ``nothing``); the best is refitted on both
    (its answers on the validation photos before that refit are kept, ``VAL_ANSWERS``),
    unless the validation photos must stay unseen (``refit_on_validation=False``) because a
    later choice, such as a fusion weight, is made on them. ``variety`` varies the augmented
    copies as other people's hands ("none" or "people")."""
    rng = np.random.default_rng(seed)
    if name == "logistic_regression":
        copies = min(copies, LINEAR_COPIES)
    x_train, t_train = training_table(train, y_train, rng, copies, mirror_left, variety)
    grid, models = [], []
    for settings in GRIDS[name]:
        started = time.perf_counter()
        model = KeypointClassifier(name, make_estimator(name, settings, seed, trees, threads)
                                   .fit(x_train, t_train), mirror_left)
        seconds = time.perf_counter() - started
        accuracy = float((model.predict_proba_keypoints(val).argmax(1) == y_val).mean())
        grid.append({"params": settings, "val_accuracy": accuracy})
        models.append((model, seconds))
    best = max(range(len(grid)), key=lambda i: grid[i]["val_accuracy"])
    final, seconds = models[best]
    val_answers = final.predict_proba_keypoints(val).argmax(1)   # before any refit on them
    rows = len(x_train)
    if refit_on_validation:
        x_val, t_val = training_table(val, y_val, rng, copies, mirror_left, variety)
        started = time.perf_counter()
        final = KeypointClassifier(name, make_estimator(
            name, grid[best]["params"], seed, trees, threads).fit(
            np.concatenate([x_train, x_val]), np.concatenate([t_train, t_val])), mirror_left)
        seconds, rows = time.perf_counter() - started, rows + len(x_val)
    summary = {"best_params": grid[best]["params"], "val_accuracy": grid[best]["val_accuracy"],
               "grid": grid, "fit_seconds": round(seconds, 1), "training_rows": int(rows),
               "refit_on_validation": refit_on_validation,
               VAL_ANSWERS: val_answers.astype(int).tolist()}
    return final, summary


def top_features(classifier: KeypointClassifier, count: int = 3) -> dict[str, list[str]]:
    """For the logistic regression: per class, the features whose standardised coefficients
    push most towards it (named, with the sign of the push)."""
    regression = classifier.estimator[-1]
    names = keypoint_features.FEATURE_NAMES
    explained = {}
    for row, label in zip(regression.coef_, regression.classes_):
        order = np.argsort(-np.abs(row))[:count]
        explained[CLASSES[label]] = [f"{names[i]} ({'+' if row[i] > 0 else '−'})" for i in order]
    return explained


def importances(classifier: KeypointClassifier) -> np.ndarray:
    """How much each feature matters: mean |standardised coefficient| or impurity importance."""
    estimator = classifier.estimator
    if hasattr(estimator, "feature_importances_"):
        return estimator.feature_importances_
    return np.abs(estimator[-1].coef_).mean(axis=0)
