"""Claims the report makes on the photos it names, with the limits a reader needs: calibration
and accuracy on the same photos, one batch size per latency column, the explainable model
compared on the report half, page 1's limits, the seeds each variant ran. Planted metrics."""
from __future__ import annotations

import re

import numpy as np

from asl import CLASSES, holdout
from asl.report import method, narrative, sections, seeds, summary, tables
from asl.report.candidates import Candidate, _calibration
from asl.report.decision import recommend
from asl.report.formatting import fmt_acc
from asl.report.halves import split
from asl.report.results import VariantResult
from asl.report.significance import Significance, pairwise_tests
from asl.study.evaluate import evaluation_block

WILD_Y = np.repeat(np.arange(len(CLASSES)), 30)
WILD_IDS = [f"{CLASSES[k]}/{k}_{i}.jpg" for i, k in enumerate(WILD_Y)]
SELECT = holdout.selection_mask(WILD_IDS, WILD_Y)


def wild_block(right) -> dict:
    return evaluation_block(WILD_Y, np.where(right, WILD_Y, (WILD_Y + 1) % len(CLASSES)),
                            WILD_IDS)


def candidate(name, right_select, right_report, test_right=None, explainable=False,
              family="cnn", **costs) -> Candidate:
    """A model right on the given shares of the selection and report halves."""
    right = np.where(SELECT, right_select, right_report)
    select, report = split(wild_block(right))
    test_right = np.ones(60, bool) if test_right is None else test_right
    test = evaluation_block(np.zeros(60, int), np.where(test_right, 0, 1),
                            [f"A/A{i + 1}.jpg" for i in range(60)])
    return Candidate(name, name, name.title(), name, name, family, "frame_block", explainable,
                     seeds.combine([test]), seeds.combine([report]), seeds.combine([select]),
                     **costs)


def share(rate, offset=0):
    return (np.arange(len(WILD_Y)) + offset) % 100 < rate * 100


def test_explainable_is_compared_on_the_report_half_in_the_summary():
    rng = np.random.default_rng(0)
    best_right = rng.random(len(WILD_Y)) < 0.9
    lr_select = rng.random(len(WILD_Y)) < 0.6          # far worse where the model is chosen
    best = candidate("best", best_right, best_right, latency_ms=5.0)
    lr_report = best_right.copy()                       # on the report half: as good
    lr_report[np.flatnonzero(~SELECT & best_right)[:6]] = False
    lr_report[np.flatnonzero(~SELECT & ~best_right)[:4]] = True
    lr = candidate("lr", lr_select, lr_report, explainable=True, latency_ms=5.0)
    models = [best, lr]
    selection = Significance(pairwise_tests(models, ("wild_select",)))
    report = Significance(pairwise_tests(models))
    rec = recommend(models, selection)
    assert rec.explainable_significant is True and not report.between("wild", best, lr)
    page = summary.executive_summary(rec, [], None, [], report, len(CLASSES))
    comparison = page["explainable"]["comparison"]
    assert comparison.startswith("on the report half of the wild photos")
    assert "not significant after Holm" in comparison


def test_page_one_states_the_limits():
    rng = np.random.default_rng(1)
    top = candidate("top", share(0.7), share(0.7), test_right=rng.random(60) < 0.95,
                    latency_ms=1.0)
    hands = candidate("hands", share(0.8, 5), share(0.8, 5), test_right=rng.random(60) < 0.6,
                      latency_ms=26.0, family="keypoints")
    models = [top, hands]
    significance = Significance(pairwise_tests(models, ("test", "wild", "wild_select")))
    rec = recommend(models, significance)
    assert rec.chosen is hands and rec.best_test is top
    text = " ".join(summary.limits(rec, significance, len(CLASSES)))
    assert "one signer" in text
    assert "one training run" in text
    assert f"{hands.wild['n']} photos, 15 per letter" in text
    assert f"{hands.test['accuracy'] - top.test['accuracy']:+.3f}" in text
    assert "26.0 times" in text
    assert f"{fmt_acc(1 / len(CLASSES))}" in text and f"{len(CLASSES)} classes" in text


def test_wild_calibration_is_on_the_report_half_like_the_accuracy():
    right = share(0.7)
    confidence = np.where(right, 0.9, 0.4)
    owner = {"wild": wild_block(right),
             "calibration": {"test": {"ece": 0.1}, "wild": {"ece": 0.5, "confidence":
                                                           confidence.tolist()}}}
    table = _calibration(owner)["wild"]
    assert table["photos"] == "report half"
    assert sum(row["n"] for row in table["bins"]) == int((~SELECT).sum())
    old = _calibration({"wild": owner["wild"],
                        "calibration": {"wild": {"ece": 0.5, "bins": []}}})["wild"]
    assert old["photos"] == "all wild photos"       # older metrics: said, not hidden


def test_latency_column_has_one_batch_size():
    models = [candidate(name, share(0.5), share(0.5), batched_ms=1.0, batch_size=size)
              for name, size in (("a", 64), ("b", 64), ("c", 16))]
    results = [VariantResult(c.variant, c.title, "", None, None, "done") for c in models]
    rows = tables.comparison_rows(models, results, Significance([]))
    assert tables.common_batch(models) == 64
    assert [row["batched"].startswith("not timed at 64") for row in rows] == [False, False, True]


def test_reproducibility_lists_the_seeds_each_variant_ran():
    three = VariantResult("cnn", "CNN", "", "cnn.ipynb", None, "done", runs=[{}, {}, {}],
                          seeds=[1, 2, 3])
    one = VariantResult("control", "Control", "", "cnn.ipynb", None, "done", runs=[{}],
                        seeds=[1])
    table = sections.reproducibility({}, [three, one])
    assert [row["seeds"] for row in table["rows"]] == ["seeds 1, 2, 3", "seed 1"]


def test_a_negative_domain_gap_is_explained_by_the_detection_rates():
    hands = candidate("hands", share(0.9), share(0.9), test_right=np.arange(60) < 40,
                      family="keypoints")
    models = [hands]
    significance = Significance([])
    rec = recommend(models, significance)
    detection = {"training photos": {"first_pass": 0.6, "after_retries": 0.94},
                 "wild photos": {"first_pass": 0.96, "after_retries": 1.0}}
    facts = narrative.Facts(models, significance, rec, {}, None, {}, [], detection)
    text = narrative.domain_gap(facts).text
    assert "rises" in text and "0.600" in text and "0.960" in text


def test_near_duplicate_sentence_agrees_with_the_table():
    exploration = {"near_duplicates": {"frame_block": {"fraction": 0.307},
                                       "random": {"fraction": 0.98}}}
    text = method.near_duplicate_note(exploration, 20)
    assert "0.307" in text and "0.980" in text
    assert "no test photo" not in text.lower()


def test_the_statistics_notes_never_speak_of_a_spread_for_one_seed():
    one = candidate("one", share(0.5), share(0.5))
    notes = " ".join(method.statistics_notes([one], []))
    assert "one training run" in notes
    assert "spread" not in notes and "between them" not in notes


def test_per_letter_figure_draws_the_report_half_with_intervals(tmp_path, monkeypatch):
    from asl.study import figures

    right = SELECT.copy()                # right on every selection photo, wrong on the report half
    drawn = {}

    def capture(fig, ax, classes, ylabel, path):
        drawn["labels"], drawn["bars"] = list(classes), list(ax.patches)
        drawn["errors"] = [c for c in ax.containers if getattr(c, "errorbar", None)]
        return "per_class.png"

    monkeypatch.setattr(figures, "_save_class_bars", capture)
    block = wild_block(right)
    figures.per_class_accuracy(block, block, tmp_path / "per_class.png")
    wild_bars = drawn["bars"][len(CLASSES):]
    assert [bar.get_height() for bar in wild_bars] == [0.0] * len(CLASSES)
    assert drawn["labels"][0] == f"{CLASSES[0]} (15)"
    assert drawn["errors"]                       # each letter's interval is drawn


def test_a_one_seed_build_never_speaks_of_a_spread_between_seeds(tmp_path):
    from asl.report.context import build_context
    from asl.report.render import render_html
    from report_builds import seeded_build

    def words(html: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S))

    one_seed = words(render_html(build_context(*seeded_build(
        tmp_path / "one", {"cnn_scratch": [0.7], "mobilenet": [0.9]}))))
    assert "spread" not in one_seed.lower() and "one training run" in one_seed
    three_seeds = words(render_html(build_context(*seeded_build(
        tmp_path / "three", {"cnn_scratch": [0.7, 0.72, 0.71], "mobilenet": [0.9, 0.9, 0.91]}))))
    assert "spread between them" in three_seeds
