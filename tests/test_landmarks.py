"""The keypoint classifiers: no hand means `nothing`, settings are chosen on validation."""
import numpy as np
import pytest

from asl import CLASSES, config
from asl.study import landmarks
from asl.study.hand_keypoints import HandKeypoints
from asl.study.hands import find_hand_models

NOTHING = CLASSES.index("nothing")
WEIGHTS = config.shared_paths()["weights"]


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


def test_a_photo_without_a_hand_is_answered_nothing_with_certainty():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(6), 10)
    model, _ = landmarks.fit("logistic_regression", hands_of(labels, rng), labels,
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
    _, search = landmarks.fit("random_forest", train, labels, val, labels, seed=0, copies=1,
                              trees=20, threads=1)
    best = max(search["grid"], key=lambda point: point["val_accuracy"])
    assert search["best_params"] == best["params"]
    assert search["val_accuracy"] == best["val_accuracy"] > 0.9


@pytest.mark.skipif(not WEIGHTS.parent.exists(), reason="the shared hand models are not here")
def test_a_blank_photo_is_answered_nothing():
    find_hand_models(str(WEIGHTS))
    rng = np.random.default_rng(2)
    labels = np.repeat(np.arange(4), 10)
    model, _ = landmarks.fit("logistic_regression", hands_of(labels, rng), labels,
                             hands_of(labels, rng), labels, seed=0, copies=0, trees=10,
                             threads=1)
    blank = np.full((2, 64, 64, 3), 128, np.uint8)
    predicted = model.predictor(str(WEIGHTS))(blank).argmax(1)
    assert predicted.tolist() == [NOTHING, NOTHING]


def test_detection_rates_leave_the_nothing_class_apart():
    labels = np.array([0, 0, 1, NOTHING])
    found = HandKeypoints(np.zeros((4, 21, 3)), np.ones(4), np.ones(4), np.array([0, 2, -1, 0]))
    summary = landmarks.detection_summary(found, labels, ("plain", "pad1.5", "mirror"))
    assert summary["first_pass"] == pytest.approx(1 / 3)
    assert summary["after_retries"] == pytest.approx(2 / 3)
    assert summary["nothing_with_hand"] == 1.0
    assert summary["by_attempt"] == {"plain": 2, "pad1.5": 0, "mirror": 1}


def test_without_retries_keeps_only_what_the_first_pass_found():
    found = HandKeypoints(np.ones((3, 21, 3)), np.ones(3), np.ones(3), np.array([0, 2, -1]))
    single = landmarks.first_pass_only(found)
    assert single.attempt.tolist() == [0, -1, -1]
    assert not np.isnan(single.keypoints[0]).any() and np.isnan(single.keypoints[1]).all()
    assert found.attempt.tolist() == [0, 2, -1]          # the cached detections are untouched


def test_forests_are_capped_so_the_saved_model_stays_under_50_mb():
    """100 trees (the notebooks' default) of any training set must pickle to under 50 MB."""
    import pickle

    from asl.study import forests

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(20000, 10))
    labels = rng.integers(0, 29, size=20000)  # noise: an uncapped tree grows a leaf per row
    forest = forests.make("random_forest", 4, seed=0).fit(rows, labels)
    assert max(tree.get_n_leaves() for tree in forest.estimators_) <= forests.MAX_LEAVES
    assert len(pickle.dumps(forest)) * 100 / 4 < 50e6


def test_a_saved_forest_is_compressed_and_loads_back_the_same(tmp_path):
    """``forests.save`` writes a fraction of the pickle's size; the loaded model predicts
    the same, and a plain pickle (as older builds wrote) still loads."""
    import pickle

    from asl.study import forests

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5000, 10))
    labels = rng.integers(0, 29, size=5000)
    forest = forests.make("extra_trees", 10, seed=0).fit(rows, labels)
    path = forests.save({"forest": forest}, tmp_path / "landmarks.pkl")
    assert path.stat().st_size * 4 < len(pickle.dumps({"forest": forest}))
    loaded = forests.load(path)["forest"]
    assert np.array_equal(loaded.predict_proba(rows[:50]), forest.predict_proba(rows[:50]))
    (tmp_path / "old.pkl").write_bytes(pickle.dumps(forest))
    assert np.array_equal(forests.load(tmp_path / "old.pkl").predict(rows[:50]),
                          forest.predict(rows[:50]))


def test_a_forest_kept_for_a_later_choice_on_validation_has_not_seen_the_validation_photos():
    """The fusion weight is chosen on the validation photos, so its forest must not be
    refitted on them: there it must score exactly what the grid search measured."""
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(8), 15)
    train = hands_of(labels, rng)
    val = hands_of(labels, np.random.default_rng(4))
    val.keypoints[:] += np.random.default_rng(5).normal(0, 4, val.keypoints.shape)  # harder
    kept, search = landmarks.fit("extra_trees", train, labels, val, labels, seed=0, copies=0,
                                 trees=20, threads=1, refit_on_validation=False)
    accuracy = (kept.predict_proba_keypoints(val).argmax(1) == labels).mean()
    assert accuracy == search["val_accuracy"] < 1.0
    refitted, _ = landmarks.fit("extra_trees", train, labels, val, labels, seed=0, copies=0,
                                trees=20, threads=1)
    assert (refitted.predict_proba_keypoints(val).argmax(1) == labels).mean() > accuracy
