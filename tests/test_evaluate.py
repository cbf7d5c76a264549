"""Confidence intervals, Holm, near-duplicate detection, evaluation blocks."""
import numpy as np
import pytest

from asl import stats
from asl.study import evaluate


def test_wilson_interval_brackets_the_estimate_and_shrinks_with_more_photos():
    widths = []
    for n in (50, 500, 5000):
        low, high = stats.wilson_ci(int(0.9 * n), n)
        assert low < 0.9 < high
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]
    assert stats.wilson_ci(10, 10)[1] == pytest.approx(1.0)


def test_holm_correction_known_values():
    reject, adjusted = stats.holm([0.01, 0.04, 0.03])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06])
    assert reject == [True, False, False]


def test_holm_correction_agrees_with_statsmodels():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    for size in (1, 2, 5, 40):
        for p_values in (rng.uniform(0, 0.1, size), rng.uniform(0, 1, size),
                         np.repeat(0.01, size), np.r_[rng.uniform(0, 1, size - 1), 0.0]):
            reject, adjusted = stats.holm(p_values)
            expected_reject, expected, _, _ = multipletests(p_values, alpha=0.05, method="holm")
            assert reject == expected_reject.tolist()
            assert adjusted == pytest.approx(expected.tolist(), abs=1e-15)
    assert stats.holm([]) == ([], [])


def test_near_duplicate_check_finds_planted_duplicates():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, (40, 32, 32, 3), dtype=np.uint8)
    labels = np.zeros(40, int)
    train, test = np.arange(0, 30), np.arange(30, 40)
    images[30] = images[3]                                       # exact copy
    images[31] = np.clip(images[7].astype(int) + 3, 0, 255)      # slightly brighter copy
    hashes = evaluate.perceptual_hashes(images)
    result = evaluate.near_duplicates(hashes, labels, train, test, threshold=6)
    assert result["with_near_duplicate"] == 2
    assert result["nearest_bits"][0] == 0


def test_evaluation_block_matches_the_predictions():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    block = evaluate.evaluation_block(y_true, y_pred, [str(i) for i in range(6)])
    assert block["accuracy"] == pytest.approx(4 / 6)
    assert block["accuracy_ci"][0] < 4 / 6 < block["accuracy_ci"][1]
    assert block["confusion_matrix"][0][:3] == [1, 1, 0]
    assert block["per_class"]["A"]["accuracy"] == pytest.approx(0.5)
    assert block["per_class"]["Z"]["support"] == 0


def test_calibration_of_a_perfectly_calibrated_model_is_near_zero():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 20000)
    correct = rng.uniform(size=20000) < confidence
    probabilities = np.zeros((20000, 2))
    probabilities[:, 0] = confidence
    probabilities[:, 1] = 1 - confidence
    y_true = np.where(correct, 0, 1)
    assert evaluate.calibration(probabilities, y_true)["ece"] < 0.02
