"""Every number the report prints equals the metrics files or the computed tests."""
from __future__ import annotations

import re

from asl import metrics_file, stats
from asl.report import halves
from asl.report.formatting import fmt_acc, fmt_ci, fmt_p
from report_checks import in_domain, model_blocks, summary_text


def test_every_accuracy_and_interval_equals_the_metrics(rendered):
    text = rendered["text"]
    blocks, selection = model_blocks(rendered["args"][1])
    intervals = {fmt_ci(block["accuracy_ci"]) for block in blocks + selection}
    intervals |= {fmt_ci(pair.seen_from(model)[1])         # differences: the pairs' own tests
                  for group in rendered["context"]["tests"] for pair in group.pairs
                  for model in (pair.a, pair.b)}
    per_letter = rendered["context"]["recommendation"]["chosen"].wild["per_class"]
    intervals |= {fmt_ci(stats.wilson_ci(round(row["recall"] * row["support"]), row["support"]))
                  for row in per_letter.values()}     # the letter figure and findings (one seed)
    for block in blocks:
        assert fmt_acc(block["accuracy"]) in text
        assert fmt_ci(block["accuracy_ci"]) in text
    printed = set(re.findall(r"\[\d\.\d{3}, \d\.\d{3}\]", text))
    assert printed and printed <= intervals

def test_every_p_value_equals_the_computed_test(rendered):
    text = rendered["text"].replace("_ ", "_")     # names may wrap after an underscore
    groups = rendered["context"]["tests"]
    assert sum(len(group.pairs) for group in groups) >= 20
    for group in groups:
        for pair in group.pairs:
            better = "A" if pair.better is pair.a else "B"
            row = (f"{pair.a.short} {pair.b.short} {fmt_acc(pair.a.accuracy(group.block))} "
                   f"{fmt_acc(pair.b.accuracy(group.block))} {pair.difference:+.3f} "
                   f"{fmt_ci(pair.interval)} {pair.a_only} / {pair.b_only} {pair.seeds} "
                   f"{fmt_p(pair.p_value)} {fmt_p(pair.p_holm)} "
                   f"{better + ' better' if pair.significant else 'no'}")
            assert row in text, row

def test_failed_variant_is_shown_with_its_reason(rendered):
    assert "This variant failed: ResourceExhaustedError: OOM" in rendered["text"]

def test_executive_summary_numbers_equal_the_metrics(rendered):
    context, text = rendered["context"], summary_text(rendered["pdf"])
    chosen = context["recommendation"]["chosen"]
    variant = next(v for v in rendered["args"][1] if v["name"] == chosen.variant)
    metrics = metrics_file.read(variant["dir"])
    owner = metrics if chosen.key == chosen.variant else \
        metrics["extra"]["classifiers"][chosen.key.split(":")[1]]
    report_half = halves.split(owner["wild"])[1]
    recommended = (f"Recommended: {chosen.title}. In domain it is right on "
                   f"{fmt_acc(owner['test']['accuracy'])} "
                   f"{fmt_ci(in_domain(owner['test'], metrics)['accuracy_ci'])}"
                   f" of unseen frames; out of domain on {fmt_acc(report_half['accuracy'])} "
                   f"{fmt_ci(report_half['accuracy_ci'])}")
    assert recommended in text
    assert "The explainable alternative." in text
    assert "The three most important findings" in text
    assert len(context["summary"]["findings"]) == 3
    for finding in context["summary"]["findings"]:
        assert finding.text[:60] in text

def test_summary_figure_plots_the_metrics_of_every_trained_model(rendered):
    points = {p.label: p for p in rendered["context"]["summary"]["points"]}
    blocks, _ = model_blocks(rendered["args"][1])
    for variant in rendered["args"][1]:
        if variant["status"] not in ("done", "cached") or variant["name"] == "explore":
            continue
        metrics = metrics_file.read(variant["dir"])
        point = points[variant["title"] + (" (random split)"
                                           if metrics["split"]["kind"] == "random" else "")]
        report_half = halves.split(metrics["wild"])[1]
        assert (point.test, point.test_ci) == (metrics["test"]["accuracy"],
                                               in_domain(metrics["test"], metrics)["accuracy_ci"])
        assert (point.wild, point.wild_ci) == (report_half["accuracy"],
                                               list(report_half["accuracy_ci"]))
    figure = rendered["html"].read_text()
    assert 'id="figure-summary"' in figure and figure.count("summary-accuracy-") == 1
