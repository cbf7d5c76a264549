"""Pairwise tests: computed from the metrics files' predictions, on the photos both models saw, over seeds."""
from __future__ import annotations

import numpy as np
import pytest

from asl import metrics_file, stats
from asl.report import halves
from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import make_build, seeded_build


def test_pairwise_tests_match_asl_stats(tmp_path):
    args = make_build(tmp_path)
    context = build_context(*args)
    blocks = {v["name"]: metrics_file.read(v["dir"]) for v in args[1] if v["name"] != "explore"}
    assert [g.block for g in context["tests"]] == ["test", "wild"]
    for group in context["tests"]:
        assert len(group.pairs) >= 10
        raw = []
        for pair in sorted(group.pairs, key=lambda p: (p.a.key, p.b.key)):
            def block(candidate):
                metrics = blocks[candidate.variant]
                source = metrics["extra"]["classifiers"]["logistic_regression"] \
                    if candidate.explainable else metrics
                if group.block == "wild":      # the report shows the report half only
                    return halves.split(source["wild"])[1]
                return source[group.block]
            a, b = block(pair.a), block(pair.b)
            ok_a, ok_b = (np.asarray(x["y_pred"]) == np.asarray(a["y_true"]) for x in (a, b))
            clusters = getattr(pair.a, group.block).get("clusters")   # frame blocks in domain
            expected = stats.MeanTest(ok_a.astype(float) - ok_b, clusters).p_value
            assert pair.p_value == pytest.approx(expected)
            assert (pair.a_only, pair.b_only) == ((ok_a & ~ok_b).sum(), (~ok_a & ok_b).sum())
            raw.append((pair, expected))
        reject, adjusted = stats.holm([p for _, p in raw])
        for (pair, _), significant, p_holm in zip(raw, reject, adjusted):
            assert pair.significant == significant
            assert pair.p_holm == pytest.approx(p_holm)

def test_random_split_variant_is_tested_only_on_its_own_photos(tmp_path):
    context = build_context(*make_build(tmp_path))
    test_group = next(g for g in context["tests"] if g.block == "test")
    assert "cnn_random_split" not in [m.short for m in test_group.members]
    assert "autoencoder_forest (LR)" in [m.short for m in test_group.members]
    wild_group = next(g for g in context["tests"] if g.block == "wild")
    assert "cnn_random_split" in [m.short for m in wild_group.members]
    row = next(r for r in context["comparison"] if r["title"] == "Title of cnn_random_split")
    assert row["comparable"] is False

def test_comparison_marks_the_best_and_the_significantly_worse(tmp_path):
    context = build_context(*make_build(tmp_path))
    rows = {row["title"]: row for row in context["comparison"]}
    assert rows["Title of mobilenet"]["test_mark"] == "best"
    assert rows["Title of mobilenet"]["wild_mark"] == "best"
    assert rows["Title of cnn_scratch"]["wild_mark"] == "worse"
    assert rows["Title of cnn_random_split"]["test_mark"] == ""

def test_one_seed_disagreeing_makes_a_difference_not_shown(tmp_path):
    agree = build_context(*seeded_build(tmp_path / "a", {"cnn_scratch": [0.5, 0.5, 0.5],
                                                         "mobilenet": [0.9, 0.9, 0.9]}))
    pair = agree["tests"][0].pairs[0]
    assert pair.seeds == 3 and pair.agree and pair.significant
    disagree = build_context(*seeded_build(tmp_path / "b", {"cnn_scratch": [0.5, 0.5, 0.95],
                                                            "mobilenet": [0.9, 0.9, 0.9]}))
    pair = disagree["tests"][0].pairs[0]
    assert not pair.agree and not pair.significant and pair.p_value == 1.0
    assert "no: the seeds disagree" in render_html(disagree)
