"""The "Against the baseline" finding follows the report's one statistical rule: each model is
named by the verdict of the same Holm-adjusted test (its difference and interval are in the
comparison's table), never by an unadjusted difference."""
from __future__ import annotations

import numpy as np

from asl.report import narrative, seeds
from asl.report.candidates import Candidate
from asl.report.formatting import fmt_ci, fmt_diff
from asl.report.significance import Significance, pairwise_tests
from asl.study.evaluate import evaluation_block

N = 400
IDS = [f"A/A{i + 1}.jpg" for i in range(N)]


def right_on(n_right: int, first: int = 0) -> np.ndarray:
    ok = np.zeros(N, dtype=bool)
    ok[(first + np.arange(n_right)) % N] = True
    return ok


def model(name: str, wild_runs, test_runs) -> Candidate:
    """A candidate right on the planted photos of each run, in domain and on the report half."""
    combined = [seeds.combine([evaluation_block([0] * N, [0 if ok else 1 for ok in run], IDS)
                               for run in runs]) for runs in (test_runs, wild_runs)]
    return Candidate(name, name, name.title(), name, name, "cnn", "frame_block", False,
                     *combined, None)


def planted():
    """Out of domain the challenger's raw p is about 0.03 in a Holm family of ten pairs: the
    unadjusted interval excludes zero, Holm does not reject. In domain it is far better."""
    base_wild = right_on(200)
    challenger_wild = base_wild.copy()
    challenger_wild[200:225] = True
    challenger_wild[0:12] = False
    baseline = model("baseline", [base_wild], [right_on(150)])
    challenger = model("challenger", [challenger_wild], [right_on(300)])
    others = [model(f"other{k}", [right_on(200, 37 * k + 100)], [right_on(150, 50 * k)])
              for k in range(1, 4)]
    models = [baseline, challenger, *others]
    significance = Significance(pairwise_tests(models))
    facts = narrative.Facts(models, significance, None, {"baseline": baseline}, None, {})
    return facts, significance, baseline, challenger


def test_each_model_is_named_by_the_verdict_of_the_holm_adjusted_test():
    facts, significance, baseline, challenger = planted()
    wild = significance.pair("wild", challenger, baseline)
    test = significance.pair("test", challenger, baseline)
    raw = wild.tests[0].interval(0.05)                    # the pair's test before Holm
    assert (raw[0] > 0 or raw[1] < 0) and not wild.significant      # the planted case
    assert test.significant
    text = narrative.against_baseline(facts).text
    assert "*" not in text and "no difference" not in text.lower()
    assert "In domain, significantly more accurate: Challenger; not significantly different: " \
           "3 others." in text
    # when no model differs significantly, the finding names them all
    assert ("Out of domain, not significantly different: Challenger · Other1 · Other2 · "
            "Other3.") in text
    assert fmt_ci(raw) not in text and fmt_ci([-raw[1], -raw[0]]) not in text   # unadjusted
    assert "adjusted for Holm over 10 pairs in domain and 10 pairs out of domain" in text
    assert "one training run each" in text
    assert "interval and p-value: \"Which differences are significant\"" in text


def test_a_significantly_worse_model_is_named_less_accurate():
    facts, significance, baseline, challenger = planted()
    facts.models.append(model("loser", [right_on(60)], [right_on(40)]))
    facts.significance = Significance(pairwise_tests(facts.models))
    text = narrative.against_baseline(facts).text
    assert "In domain, significantly more accurate: Challenger; significantly less accurate: " \
           "Loser;" in text
    assert "Out of domain, significantly less accurate: Loser; not significantly different: " \
           "4 others." in text


def test_a_model_scored_on_other_photos_is_said_to_be_untested():
    facts, significance, baseline, challenger = planted()
    stranger = model("stranger", [right_on(250)], [right_on(250)])
    stranger.wild = {**stranger.wild, "ids": [f"B/{i}.jpg" for i in range(N)]}
    stranger.test = {**stranger.test, "ids": [f"B/{i}.jpg" for i in range(N)]}
    facts.models.append(stranger)
    facts.significance = Significance(pairwise_tests(facts.models))
    text = narrative.against_baseline(facts).text
    assert "not tested (different photos): Stranger +0.250." in text


def test_a_difference_too_small_to_print_is_not_a_negative_zero():
    assert fmt_diff(-0.0004) == "+0.000" and fmt_diff(-0.0006) == "-0.001"
