"""Key findings and the ideas table are computed from the metrics files."""
from __future__ import annotations

from asl import metrics_file
from asl.report import halves
from asl.report.context import build_context
from asl.report.formatting import fmt_acc, fmt_ci
from report_builds import DEFAULT_MODELS, make_build
from report_checks import in_domain


def test_findings_are_computed_from_the_metrics(tmp_path):
    context = build_context(*make_build(tmp_path / "a"))
    leakage = next(f.text for f in context["findings"] if f.title == "Leakage gap")
    scratch_metrics = metrics_file.read(tmp_path / "a/report/variants/cnn_scratch")
    scratch = scratch_metrics["test"]
    random_cnn = metrics_file.read(tmp_path / "a/report/variants/cnn_random_split")["test"]
    assert f"{random_cnn['accuracy'] - scratch['accuracy']:+.3f}" in leakage
    assert fmt_ci(in_domain(scratch, scratch_metrics)["accuracy_ci"]) in leakage   # by block

    changed = dict(DEFAULT_MODELS, cnn_random_split=("cnn", "random", 0.9, 0.3))
    context2 = build_context(*make_build(tmp_path / "b", changed))
    leakage2 = next(f.text for f in context2["findings"] if f.title == "Leakage gap")
    assert leakage2 != leakage
    assert fmt_acc(0.9) in leakage2

    domain = next(f.text for f in context["findings"] if f.title == "Domain gap")
    best = metrics_file.read(tmp_path / "a/report/variants/mobilenet")
    report_half = halves.split(best["wild"])[1]
    assert f"{best['test']['accuracy'] - report_half['accuracy']:+.3f}" in domain
    assert " drops from " in domain

    better_outside = dict(DEFAULT_MODELS, mobilenet=("transfer", "frame_block", 0.931, 0.97))
    context3 = build_context(*make_build(tmp_path / "c", better_outside))
    domain3 = next(f.text for f in context3["findings"] if f.title == "Domain gap")
    assert " rises from " in domain3 and " drops " not in domain3

def test_an_idea_that_hurts_gets_a_negative_interval(tmp_path):
    args = make_build(tmp_path)
    context = build_context(*args[:5], {"ideas": [
        {"name": "Pretraining", "with": "cnn_scratch", "without": "mobilenet"}]})
    idea = context["ideas"][0]
    assert idea["test"]["diff"].startswith("-")
    low, high = (float(v) for v in idea["test"]["ci"].strip("[]").split(", "))
    assert low < high < 0
    assert idea["test"]["sig"].startswith("significant (Holm")
