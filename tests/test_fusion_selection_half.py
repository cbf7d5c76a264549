"""Fusion's stacking model is fitted on the selection half of the wild photos only: planted
predictions where the two halves disagree on which source is right."""
import numpy as np

from asl import CLASSES, holdout
from asl.study.hands import fusion

LETTERS = 6
PER_LETTER = 20


def _wild():
    labels = np.repeat(np.arange(LETTERS), PER_LETTER)
    ids = [f"{CLASSES[label]}/photo{i}.jpg" for i, label in enumerate(labels)]
    return labels, ids, holdout.selection_mask(ids, labels)


def _answers(right_answer: np.ndarray, rng) -> np.ndarray:
    """Probabilities that favour ``right_answer`` (0.5 to 0.8 on it, the rest spread)."""
    top = rng.uniform(0.5, 0.8, len(right_answer))
    out = np.tile(((1 - top) / (len(CLASSES) - 1))[:, None], (1, len(CLASSES)))
    out[np.arange(len(right_answer)), right_answer] = top
    return out


def _planted(report_half_right: str, seed: int = 0):
    """The network is right on the selection half and the forest wrong; on the report half the
    source named by ``report_half_right`` is right and the other wrong."""
    labels, ids, select = _wild()
    rng = np.random.default_rng(seed)
    wrong = (labels + 1 + rng.integers(0, LETTERS - 1, len(labels))) % LETTERS
    network_says = np.where(select | (report_half_right == "network"), labels, wrong)
    forest_says = np.where(~select & (report_half_right == "forest"), labels, wrong)
    return _answers(network_says, rng), _answers(forest_says, rng), labels, ids, select


def test_the_fitted_fusion_trusts_the_source_that_is_right_on_the_selection_half():
    network, forest, labels, ids, select = _planted(report_half_right="forest")
    stacker, wild, record = fusion.fit_on_selection_half(network, forest, labels, ids)
    report = ~select
    fused = fusion.combine(stacker, network[report], forest[report]).argmax(1)
    assert (fused == network[report].argmax(1)).all()      # the selection half's choice
    assert (fused != labels[report]).all()                 # though the forest is right there
    assert record["fitted_on"] == "wild selection half"
    assert record["photos"] == select.sum() and record["C"] in fusion.C_GRID


def test_changing_the_report_half_changes_nothing_that_was_fitted():
    first = _planted(report_half_right="forest", seed=0)
    network, forest, labels, ids, select = _planted(report_half_right="network", seed=0)
    assert not np.allclose(network[~select], first[0][~select])   # the report halves differ
    assert np.allclose(network[select], first[0][select])          # the selection halves agree
    fitted = [fusion.fit_on_selection_half(*planted[:4]) for planted in (first, (network, forest,
                                                                                labels, ids))]
    (stacker_a, wild_a, record_a), (stacker_b, wild_b, record_b) = fitted
    assert record_a == record_b
    assert np.array_equal(stacker_a.coef_, stacker_b.coef_)
    assert np.array_equal(wild_a[select], wild_b[select])   # out-of-fold scores: the same too


def test_the_selection_half_is_scored_out_of_fold():
    """Each selection-half photo is answered by a model fitted without it, so the half that
    chooses the recommended model is not flattered by the fit."""
    network, forest, labels, ids, select = _planted(report_half_right="forest")
    stacker, wild, record = fusion.fit_on_selection_half(network, forest, labels, ids)
    in_sample = fusion.combine(stacker, network[select], forest[select])
    assert record["folds"] == fusion.FOLDS
    assert not np.allclose(wild[select], in_sample)
    assert np.allclose(wild[~select], fusion.combine(stacker, network[~select], forest[~select]))


def _validation(seed: int = 1, per_letter: int = 40):
    """In-domain validation photos where both sources are mostly right."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(LETTERS), per_letter)
    return _answers(labels, rng), _answers(labels, rng), labels


def test_fitting_on_both_sets_never_reads_the_report_half():
    val = _validation()
    first = _planted(report_half_right="forest", seed=0)
    second = _planted(report_half_right="network", seed=0)
    fits = [fusion.fit_on_both(*planted[:4], *val) for planted in (first, second)]
    (stacker_a, wild_a, val_a, record_a), (stacker_b, wild_b, val_b, record_b) = fits
    select = first[4]
    assert record_a == record_b
    assert np.array_equal(stacker_a.coef_, stacker_b.coef_)
    assert np.array_equal(wild_a[select], wild_b[select]) and np.array_equal(val_a, val_b)
    assert record_a["fitted_on"] == "wild selection half and validation photos"
    assert (record_a["selection_photos"], record_a["validation_photos"]) == (select.sum(),
                                                                             len(val[2]))


def test_fitting_on_both_sets_scores_each_of_them_out_of_fold():
    network, forest, labels, ids, select = _planted(report_half_right="forest")
    val_network, val_forest, val_labels = _validation()
    stacker, wild, val_out, record = fusion.fit_on_both(network, forest, labels, ids,
                                                        val_network, val_forest, val_labels)
    assert val_out.shape == (len(val_labels), len(CLASSES))
    assert not np.allclose(val_out, fusion.combine(stacker, val_network, val_forest))
    assert not np.allclose(wild[select], fusion.combine(stacker, network[select],
                                                        forest[select]))
    assert np.allclose(wild[~select], fusion.combine(stacker, network[~select], forest[~select]))


def test_each_set_weighs_half_however_many_photos_it_has():
    """The selection half (60 photos) trusts the network, 10 times as many validation photos
    trust the forest; weighed by photo the validation photos would win."""
    network, forest, labels, ids, select = _planted(report_half_right="forest")
    rng = np.random.default_rng(3)
    val_labels = np.repeat(np.arange(LETTERS), 10 * PER_LETTER // 2)
    wrong = (val_labels + 1 + rng.integers(0, LETTERS - 1, len(val_labels))) % LETTERS
    val_network, val_forest = _answers(wrong, rng), _answers(val_labels, rng)
    stacker, *_ = fusion.fit_on_both(network, forest, labels, ids, val_network, val_forest,
                                     val_labels)
    by_photo = fusion.fit_stacker(np.vstack([network[select], val_network]),
                                  np.vstack([forest[select], val_forest]),
                                  np.concatenate([labels[select], val_labels]))[0]

    def right_on_selection_half(model):
        answers = fusion.combine(model, network[select], forest[select]).argmax(1)
        return (answers == labels[select]).mean()

    assert right_on_selection_half(stacker) > right_on_selection_half(by_photo) + 0.2
