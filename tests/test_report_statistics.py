"""The report's statistics: one rule for an interval and its verdict, clustered photos treated
as clustered, comparisons on the photos they name, one-run comparisons said as such. Metrics
are planted; every number is computed by the production code."""
from __future__ import annotations

import numpy as np
import pytest

from asl import stats
from asl.report import ideas, narrative, seeds, tables
from asl.report.candidates import Candidate
from asl.report.clusters import frame_blocks
from asl.report.decision import recommend
from asl.report.formatting import fmt_ci, fmt_p
from asl.report.significance import Significance, pairwise_tests
from asl.study.evaluate import evaluation_block

N = 400
IDS = [f"A/A{i + 1}.jpg" for i in range(N)]
Y = [0] * N


def block(correct) -> dict:
    """An evaluation block (one seed) where ``correct`` says which photos are right."""
    return evaluation_block(Y, [0 if ok else 1 for ok in correct], IDS)


def model(name: str, runs_correct, test_runs=None, split=None, explainable=False,
          wild_select=None) -> Candidate:
    """A candidate whose wild (report half) photos are right where each run says."""
    wild = seeds.combine([block(c) for c in runs_correct])
    test = seeds.combine([block(c) for c in (test_runs or runs_correct)],
                         frame_blocks(IDS, split) if split else None)
    select = seeds.combine([block(c) for c in wild_select]) if wild_select else None
    return Candidate(name, name, name.title(), name, name, "cnn", "frame_block", explainable,
                     test, wild, select)


def correct_with(n_right: int, first: int = 0) -> np.ndarray:
    """Right on ``n_right`` photos starting at ``first`` (wrapping), wrong elsewhere."""
    ok = np.zeros(N, dtype=bool)
    ok[(first + np.arange(n_right)) % N] = True
    return ok


@pytest.fixture
def holm_bites():
    """An idea's pair with raw p about 0.03 in a family of ten pairs: the unadjusted 95 %
    interval excludes zero, Holm does not reject."""
    without = correct_with(200)
    with_idea = without.copy()
    with_idea[200:225] = True            # 25 photos only the idea gets right
    with_idea[0:12] = False              # 12 only the model without it gets right
    others = [model(f"other{k}", [correct_with(200, 37 * k + 100)]) for k in range(1, 4)]
    models = [model("with", [with_idea]), model("without", [without]), *others]
    significance = Significance(pairwise_tests(models))
    return models, significance


def test_unadjusted_interval_excludes_zero_but_holm_does_not_reject(holm_bites):
    models, significance = holm_bites
    pair = significance.pair("wild", models[0], models[1])
    raw = pair.tests[0]                      # the pair's own test, before Holm
    assert raw.interval(0.05)[0] > 0 and raw.p_value < 0.05      # the planted situation
    assert not pair.significant and pair.family == 10
    assert pair.interval[0] < 0 < pair.interval[1]           # the printed interval agrees


def test_idea_finding_never_says_no_difference_and_prints_one_interval(holm_bites):
    models, significance = holm_bites
    measured = ideas.measure([{"name": "Retries", "with": "with", "without": "without"}],
                             models, significance)
    facts = narrative.Facts(models, significance, None, {}, None, {}, measured)
    text = narrative.ideas_that_worked(facts).text
    assert "no difference" not in text.lower()
    assert "not significant after Holm over 10 pairs" in text
    pair = significance.pair("wild", models[0], models[1])
    printed = fmt_ci(pair.seen_from(models[0])[1])
    assert printed in text
    assert tables.idea_rows(measured)[0]["wild"]["ci"] == printed     # the table prints it too
    assert fmt_ci(raw_interval(pair)) not in text                      # not the unadjusted one


def raw_interval(pair):
    return pair.tests[0].interval(0.05)


def test_interval_excludes_zero_exactly_when_holm_rejects():
    rng = np.random.default_rng(3)
    base = rng.random(N) < 0.6
    models = [model("m0", [base])]
    for k, flips in enumerate((5, 20, 35, 60), 1):
        ok = base.copy()
        ok[np.flatnonzero(~base)[:flips]] = True
        models.append(model(f"m{k}", [ok]))
    for group in pairwise_tests(models):
        for pair in group.pairs:
            excludes = pair.interval[0] > 0 or pair.interval[1] < 0
            assert excludes == pair.significant, (pair.a.key, pair.b.key)


def clustered(n_blocks=40, per_block=50, seed=0):
    """Frames in blocks where a whole block is right or wrong together."""
    rng = np.random.default_rng(seed)
    right_blocks = rng.random(n_blocks) < 0.7
    values = np.repeat(right_blocks, per_block).astype(float)
    return values, np.repeat(np.arange(n_blocks), per_block)


def test_block_bootstrap_interval_is_wider_than_per_frame_intervals():
    values, clusters = clustered()
    low, high = stats.cluster_bootstrap_interval(values, clusters)
    wilson = stats.wilson_ci(int(values.sum()), len(values))
    frames = stats.cluster_bootstrap_interval(values)
    assert high - low > 2 * (wilson[1] - wilson[0])
    assert high - low > 2 * (frames[1] - frames[0])
    assert low <= values.mean() <= high


def test_in_domain_accuracy_interval_resamples_frame_blocks():
    values, _ = clustered(n_blocks=8, per_block=50)
    split = {"kind": "frame_block", "block_size": 50}
    blocked = model("blocked", [values > 0], split=split).test["accuracy_ci"]
    frames = model("frames", [values > 0]).test["accuracy_ci"]
    assert blocked[1] - blocked[0] > 2 * (frames[1] - frames[0])


def test_frame_blocks_follow_the_split():
    ids = ["A/A1.jpg", "A/A150.jpg", "A/A151.jpg", "B/B1.jpg"]
    split = {"kind": "frame_block", "block_size": 150}
    assert frame_blocks(ids, split) == ["A:0", "A:0", "A:1", "B:0"]
    assert frame_blocks(ids, {"kind": "random"}) is None
    assert frame_blocks(["A/odd.jpg"], split) is None


def test_cluster_robust_test_matches_statsmodels():
    import statsmodels.api as sm

    values, clusters = clustered(seed=1)
    rng = np.random.default_rng(2)
    differences = values - (rng.random(len(values)) < 0.6)
    test = stats.MeanTest(differences, clusters)
    fit = sm.OLS(differences, np.ones(len(differences))).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    assert test.p_value == pytest.approx(fit.pvalues[0], rel=1e-6)
    assert test.interval(0.01) == pytest.approx(tuple(fit.conf_int(0.01)[0]), rel=1e-6)
    per_frame = stats.MeanTest(differences)
    assert per_frame.p_value < test.p_value


def test_tiny_p_values_are_printed_below_a_floor():
    assert fmt_p(3.0e-301) == "< 1e-6"
    assert fmt_p(0.0) == "< 1e-6"
    assert fmt_p(2.5e-4) == "2.5e-04"


def test_best_out_of_domain_is_tested_against_the_runner_up():
    weak_wild = correct_with(150)
    top_wild, runner_wild = correct_with(260), correct_with(255, 150)
    top = model("top", [top_wild], test_runs=[correct_with(100)])
    runner = model("runner", [runner_wild], test_runs=[correct_with(110)])
    weak = model("weak", [weak_wild], test_runs=[correct_with(300)])
    models = [top, runner, weak]
    significance = Significance(pairwise_tests(models))
    rec = recommend(models, significance)
    facts = narrative.Facts(models, significance, rec, {}, None, {})
    text = narrative.best_out_of_domain(facts).text
    assert "runner-up, Runner" in text
    assert "not significant after Holm" in text
    assert "Weak" not in text


def test_a_comparison_with_a_one_seed_side_is_one_training_run():
    rng = np.random.default_rng(5)
    three = [rng.random(N) < 0.9 for _ in range(3)]
    one = [rng.random(N) < 0.5]
    models = [model("seeded", three), model("single", one)]
    significance = Significance(pairwise_tests(models))
    pair = significance.pair("wild", models[0], models[1])
    assert pair.seeds == 1
    measured = ideas.measure([{"name": "Seeds", "with": "seeded", "without": "single"}],
                             models, significance)
    facts = narrative.Facts(models, significance, None, {}, None, {}, measured)
    text = narrative.ideas_that_worked(facts).text
    assert "one training run" in text
    assert "3 training seeds" not in text
    assert "significant across seeds" not in text


def test_seeds_that_disagree_are_never_significant():
    rng = np.random.default_rng(6)
    a = [rng.random(N) < p for p in (0.9, 0.5, 0.9)]
    b = [rng.random(N) < p for p in (0.5, 0.9, 0.5)]
    models = [model("a", a), model("b", b)]
    pair = Significance(pairwise_tests(models)).pair("wild", *models)
    assert pair.seeds == 3 and not pair.agree and not pair.significant
    assert pair.interval[0] < 0 < pair.interval[1]


def test_calibration_word_follows_the_numbers():
    assert "under" not in narrative.calibration_word(0.08, -0.01).split("(")[0].replace(
        "over- and underconfident", "")
    assert "different confidence ranges" in narrative.calibration_word(0.08, -0.01)
    assert narrative.calibration_word(0.08, -0.07) == "underconfident on average"
    assert narrative.calibration_word(0.08, 0.07) == "overconfident on average"
