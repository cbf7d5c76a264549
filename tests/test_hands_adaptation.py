"""The adaptation study: photos of other people are added from the wild selection half only,
scored on the report half only, and k = 0 is the chosen model's own report-half accuracy."""
import numpy as np
import pytest

from asl import holdout
from asl.report import halves
from asl.study import evaluate
from asl.study.hands import adaptation, classifiers
from asl.study.hands.keypoints import HandKeypoints
from hand_fixtures import hands_of

CLASSES_USED = 6
PER_CLASS = 30          # wild photos per class: 15 in each half
SETTINGS = dict(seed=0, copies=0, trees=15, threads=1)


def _labels(per_class: int) -> np.ndarray:
    return np.repeat(np.arange(CLASSES_USED), per_class)


def _random_hands(n: int, rng) -> HandKeypoints:
    """Hands of no class: random keypoints (the middle knuckle fixed, so features exist)."""
    keypoints = rng.uniform(0, 2, (n, 21, 3)).astype(np.float32)
    keypoints[:, 0], keypoints[:, 9] = 0.0, [0.0, 1.0, 0.0]
    return HandKeypoints(keypoints * 40 + 100, np.ones(n, np.float32), np.ones(n, np.float32),
                         np.zeros(n, int))


def _fitted(rng, copies=0, name="random_forest"):
    labels = _labels(20)
    train, val = hands_of(labels, rng), hands_of(labels, rng)
    model, search = classifiers.fit(name, train, labels, val, labels, seed=0,
                                    copies=copies, trees=15, threads=1)
    return model, search, dict(train=train, y_train=labels, val=val, y_val=labels)


def _wild():
    labels = _labels(PER_CLASS)
    ids = [f"{label}/photo{i:03d}.jpg" for i, label in enumerate(labels)]
    return labels, ids, holdout.selection_mask(ids, labels)


def _combine(select_hands: HandKeypoints, report_hands: HandKeypoints, select) -> HandKeypoints:
    parts = []
    for s, r in zip(select_hands, report_hands):
        values = np.empty((len(select), *s.shape[1:]), s.dtype)
        values[select], values[~select] = s, r
        parts.append(values)
    return HandKeypoints(*parts)


def test_added_photos_come_only_from_the_selection_half():
    """Every wild photo is a random hand its label cannot be read from: only a report-half
    photo put into training could be answered right (a leak would lift k = 10 near 1.0)."""
    rng = np.random.default_rng(0)
    model, search, fit_data = _fitted(rng)
    labels, ids, select = _wild()
    wild = _random_hands(len(labels), rng)
    without_hand = np.flatnonzero(select)[::7]
    wild.keypoints[without_hand], wild.attempt[without_hand] = np.nan, -1
    result = adaptation.study(model, search, **fit_data, wild=wild, y_wild=labels, wild_ids=ids,
                              draws=2, **SETTINGS)
    selection_ids = {i for i, s in zip(ids, select) if s}
    for point in result["points"][1:]:
        for added, photos, hands in zip(point["added_ids"], point["photos_added"],
                                        point["hands_added"]):
            assert set(added) <= selection_ids
            assert photos == len(added) == min(point["k"], 15) * CLASSES_USED
            assert hands == sum(ids.index(i) not in without_hand for i in added)
    ten = next(p for p in result["points"] if p["k"] == 10)
    assert ten["mean"] < 0.45, "report-half photos were learnt: they leaked into training"
    assert (result["selection_photos"], result["report_photos"]) == (select.sum(), (~select).sum())


def test_only_the_report_half_is_scored():
    """Report-half photos look like their own class, selection-half photos like the next
    one: the model is right on every report-half photo and wrong on every selection-half one."""
    rng = np.random.default_rng(1)
    model, search, fit_data = _fitted(rng)
    labels, ids, select = _wild()
    wild = _combine(hands_of((labels[select] + 1) % CLASSES_USED, rng),
                    hands_of(labels[~select], rng), select)
    result = adaptation.study(model, search, **fit_data, wild=wild, y_wild=labels, wild_ids=ids,
                              shots=(1,), **SETTINGS)
    assert result["points"][0]["accuracies"] == [1.0]
    assert result["points"][1]["mean"] > 0.9


def test_k_zero_is_the_models_own_report_half_accuracy():
    rng = np.random.default_rng(2)
    model, search, fit_data = _fitted(rng)
    labels, ids, _ = _wild()
    wild = hands_of(labels, rng)
    noisy = rng.random(len(labels)) < 0.4
    wild.keypoints[noisy] = _random_hands(int(noisy.sum()), rng).keypoints
    wild.keypoints[::11], wild.attempt[::11] = np.nan, -1          # no hand: answered nothing
    result = adaptation.study(model, search, **fit_data, wild=wild, y_wild=labels, wild_ids=ids,
                              shots=(1,), **SETTINGS)
    block = evaluate.evaluation_block(labels, model.predict_proba_keypoints(wild).argmax(1), ids)
    report_half = halves.split(block)[1]["accuracy"]
    assert 0.2 < report_half < 0.95
    assert result["points"][0]["accuracies"] == [report_half]


@pytest.mark.parametrize("name", ["random_forest", "logistic_regression"])
def test_the_refits_start_from_the_rows_the_chosen_model_was_fitted_on(name):
    """With nothing added, the refit is the chosen model: the same predictions."""
    rng = np.random.default_rng(3)
    model, search, fit_data = _fitted(rng, copies=2, name=name)
    x, y = adaptation.base_table(model.name, search, fit_data["train"], fit_data["y_train"],
                                 fit_data["val"], fit_data["y_val"], seed=0, copies=2,
                                 mirror_left=False)
    refit = classifiers.make_estimator(model.name, search["best_params"], 0, 15, 1).fit(x, y)
    probe = model.features(_random_hands(50, rng))
    assert search["training_rows"] == len(y)
    assert np.allclose(refit.predict_proba(probe), model.estimator.predict_proba(probe))


def test_draws_are_seeded_and_nested():
    rng = np.random.default_rng(4)
    model, search, fit_data = _fitted(rng)
    labels, ids, _ = _wild()
    wild = hands_of(labels, rng)
    runs = [adaptation.study(model, search, **fit_data, wild=wild, y_wild=labels, wild_ids=ids,
                             shots=(1, 2, 5), draws=2, **SETTINGS) for _ in range(2)]
    assert runs[0]["points"] == runs[1]["points"]
    one, two, five = runs[0]["points"][1:]
    for draw in range(2):
        assert set(one["added_ids"][draw]) <= set(two["added_ids"][draw]) \
            <= set(five["added_ids"][draw])
    assert one["added_ids"][0] != one["added_ids"][1]
