"""The adaptation finding: its sentence and curve follow the planted study, it shows the
recommended variant's study when there is one, and it never changes the recommendation."""
from __future__ import annotations

from asl import metrics_file
from asl.files import write_json_atomic
from asl.report.context import build_context
from asl.report.formatting import fmt_acc
from asl.report.render import render_html
from report_builds import make_build, plant_wild


def study(accuracies: dict[int, list[float]], seed: int = 1) -> dict:
    """An ``extra.adaptation`` block as the keypoints notebook writes it."""
    return {"classifier": "random_forest", "added_from": "selection half",
            "scored_on": "report half", "selection_photos": 435, "report_photos": 435,
            "training_rows": 41223, "draws": max(len(v) for v in accuracies.values()),
            "seed": seed, "weighting": "none", "seconds": 90.0,
            "points": [{"k": k, "accuracies": values, "photos_added": [29 * k] * len(values),
                        "hands_added": [28 * k] * len(values), "added_ids": [[]] * len(values)}
                       for k, values in accuracies.items()]}


def plant(out_dir, variant: str, block: dict) -> None:
    folder = out_dir / "variants" / variant
    metrics = metrics_file.read(folder)
    metrics["extra"] = {**(metrics.get("extra") or {}), "adaptation": block}
    write_json_atomic(folder / metrics_file.FILENAME, metrics_file.validate(metrics))


def test_the_finding_follows_the_planted_numbers(tmp_path):
    args = make_build(tmp_path)
    plant(args[0], "cnn_augment", study({0: [0.5], 1: [0.55, 0.56], 5: [0.70, 0.80],
                                         10: [0.9, 0.92]}))
    context = build_context(*args)
    text = next(f.text for f in context["findings"] if f.title == "Photos of new people")
    assert "With 5 photos a class of other people" in text
    assert f"right on {fmt_acc(0.75)} [{fmt_acc(0.70)}–{fmt_acc(0.80)}] of the report half" in text
    assert f"against {fmt_acc(0.5)} as chosen" in text
    assert f"and {fmt_acc(0.91)} with 10" in text
    assert "Title of cnn_augment" in text
    caption = context["adaptation"]["figure"].caption
    assert "selection half" in caption and "report half" in caption and "never scored" in caption
    assert (args[0] / context["adaptation"]["figure"].src).exists()

    page = render_html(context)
    assert "Photos of new people" in page[page.index('id="findings"'):page.index('id="next-steps"')]
    appendix = page[page.index('id="appendix-variants"'):]
    shown = appendix[appendix.index('id="appendix-variant-cnn_augment"'):]
    assert 'id="figure-adaptation"' in shown[:shown.index('id="appendix-variant-', 10)]


def test_no_study_no_finding(tmp_path):
    context = build_context(*make_build(tmp_path))
    assert context["adaptation"] is None
    assert all(f.title != "Photos of new people" for f in context["findings"])


def test_the_recommended_variants_study_is_shown_and_changes_no_choice(tmp_path):
    args = make_build(tmp_path)
    chosen = build_context(*args)["recommendation"]["chosen"]
    other = next(name for name in ("cnn_augment", "cnn_scratch") if name != chosen.variant)
    plant(args[0], other, study({0: [0.2], 5: [1.0]}))
    context = build_context(*args)
    assert context["adaptation"]["variant"] == other        # the only study there is
    assert context["recommendation"]["chosen"].key == chosen.key

    plant(args[0], chosen.variant, study({0: [0.6], 5: [0.65]}))
    context = build_context(*args)
    assert context["adaptation"]["variant"] == chosen.variant
    assert context["adaptation"]["recommended"]
    assert context["recommendation"]["chosen"].key == chosen.key


def test_a_random_split_variants_study_is_not_shown_before_a_comparable_one(tmp_path):
    """Shown when the recommended variant has none: the study of the model the recommendation
    would pick among those with one, never a random-split model however good on the wild."""
    args = make_build(tmp_path)
    chosen = build_context(*args)["recommendation"]["chosen"]
    plant_wild(args[0] / "variants" / "cnn_random_split", 0.99, 0.99)
    plant(args[0], "cnn_random_split", study({0: [0.9], 5: [0.95]}))
    plant(args[0], "cnn_scratch", study({0: [0.3], 5: [0.4]}))
    context = build_context(*args)
    assert chosen.variant not in ("cnn_random_split", "cnn_scratch")
    assert context["adaptation"]["variant"] == "cnn_scratch"
    assert not context["adaptation"]["recommended"]
