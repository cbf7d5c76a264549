"""The keypoint classifiers: no hand means `nothing`, settings are chosen on validation."""
import numpy as np
import pytest

from asl import CLASSES, config
from asl.study.hands import classifiers
from asl.study.hands.detector import find_hand_models
from hand_fixtures import hands_of

NOTHING = CLASSES.index("nothing")
WEIGHTS = config.shared_paths()["weights"]


def test_a_photo_without_a_hand_is_answered_nothing_with_certainty():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(6), 10)
    model, _ = classifiers.fit("logistic_regression", hands_of(labels, rng), labels,
                             hands_of(labels, rng), labels, seed=0, copies=0, trees=10,
                             threads=1)
    found = hands_of(labels[:3], rng)
    found.keypoints[1] = np.nan
    found.attempt[1] = -1
    probabilities = model.predict_proba_keypoints(found)
    assert probabilities[1].tolist() == np.eye(len(CLASSES))[NOTHING].tolist()
    assert probabilities[0].argmax() != NOTHING
    assert np.allclose(probabilities.sum(axis=1), 1)


def test_settings_are_chosen_on_the_validation_photos():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(5), 20)
    train, val = hands_of(labels, rng), hands_of(labels, rng)
    _, search = classifiers.fit("random_forest", train, labels, val, labels, seed=0, copies=1,
                              trees=20, threads=1)
    best = max(search["grid"], key=lambda point: point["val_accuracy"])
    assert search["best_params"] == best["params"]
    assert search["val_accuracy"] == best["val_accuracy"] > 0.9


@pytest.mark.skipif(not WEIGHTS.parent.exists(), reason="the shared hand models are not here")
def test_a_blank_photo_is_answered_nothing():
    find_hand_models(str(WEIGHTS))
    rng = np.random.default_rng(2)
    labels = np.repeat(np.arange(4), 10)
    model, _ = classifiers.fit("logistic_regression", hands_of(labels, rng), labels,
                             hands_of(labels, rng), labels, seed=0, copies=0, trees=10,
                             threads=1)
    blank = np.full((2, 64, 64, 3), 128, np.uint8)
    predicted = model.predictor(str(WEIGHTS))(blank).argmax(1)
    assert predicted.tolist() == [NOTHING, NOTHING]


def test_a_forest_kept_for_a_later_choice_on_validation_has_not_seen_the_validation_photos():
    """The fusion weight is chosen on the validation photos, so its forest must not be
    refitted on them: there it must score exactly what the grid search measured."""
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(8), 15)
    train = hands_of(labels, rng)
    val = hands_of(labels, np.random.default_rng(4))
    val.keypoints[:] += np.random.default_rng(5).normal(0, 4, val.keypoints.shape)  # harder
    kept, search = classifiers.fit("extra_trees", train, labels, val, labels, seed=0, copies=0,
                                 trees=20, threads=1, refit_on_validation=False)
    accuracy = (kept.predict_proba_keypoints(val).argmax(1) == labels).mean()
    assert accuracy == search["val_accuracy"] < 1.0
    refitted, _ = classifiers.fit("extra_trees", train, labels, val, labels, seed=0, copies=0,
                                trees=20, threads=1)
    assert (refitted.predict_proba_keypoints(val).argmax(1) == labels).mean() > accuracy


def test_the_validation_answers_kept_for_the_recommendation_are_from_before_the_refit():
    """The refitted classifier has seen the validation photos; the answers the metrics keep
    there (and the recommendation weighs) are those of the model chosen before the refit."""
    from asl.study.hands import keypoint_steps

    labels = np.repeat(np.arange(8), 15)
    train = hands_of(labels, np.random.default_rng(3))
    val = hands_of(labels, np.random.default_rng(4))
    val.keypoints[:] += np.random.default_rng(5).normal(0, 4, val.keypoints.shape)  # harder
    refitted, search = classifiers.fit("extra_trees", train, labels, val, labels, seed=0,
                                       copies=0, trees=20, threads=1)
    kept = np.asarray(search[classifiers.VAL_ANSWERS])
    assert (kept == labels).mean() == search["val_accuracy"] < 1.0
    assert (refitted.predict_proba_keypoints(val).argmax(1) == labels).mean() > \
        search["val_accuracy"]
    assert classifiers.VAL_ANSWERS not in keypoint_steps.search_record(search)
