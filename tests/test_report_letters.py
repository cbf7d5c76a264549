"""The recommended model letter by letter on the report half of the wild photos: the figure,
the letters it fails (below 0.50) with what each is read as, and the motion letters J and Z.
Predictions are planted in the metrics files; every expected number is read back from them."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import report_builds
from asl import CLASSES, holdout, metrics_file, stats
from asl.report.context import build_context
from asl.report.formatting import fmt_ci
from asl.report.render import render_html
from report_builds import make_build, seeded_build


def plant_letters(folder: Path, letters: dict[str, tuple[int, str | list[str]]]) -> None:
    """Rewrite a run's wild predictions: right on every report-half photo except, for each
    planted letter, all but ``right`` of them, which are read as the given letter (or as the
    listed ones, in turn). The selection half, which chooses the model, stays as it was."""
    metrics = metrics_file.read(folder)
    wild = metrics["wild"]
    y_true = np.asarray(wild["y_true"])
    y_pred = np.asarray(wild["y_pred"]).copy()
    report = ~holdout.selection_mask(wild["ids"], y_true)
    y_pred[report] = y_true[report]
    for name, (right, read_as) in letters.items():
        members = np.flatnonzero(report & (y_true == CLASSES.index(name)))
        wrong = members[right:]
        read_as = [read_as] * len(wrong) if isinstance(read_as, str) else read_as
        y_pred[wrong] = [CLASSES.index(name) for name in read_as]
    wild["y_pred"] = y_pred.tolist()
    metrics_file.write(folder, metrics)


def finding(context: dict, title: str) -> str:
    return next(f.text for f in context["findings"] if f.title == title)


def chosen_folder(args) -> Path:
    """The folder of the recommended variant's (first) run."""
    chosen = build_context(*args)["recommendation"]["chosen"].variant
    return next(Path(v["dir"]) for v in args[1] if v["name"] == chosen)


def test_a_failing_letter_is_named_with_its_accuracy_and_what_it_is_read_as(tmp_path):
    args = make_build(tmp_path / "a")
    folder = chosen_folder(args)
    plant_letters(folder, {"M": (2, "N"), "C": (4, ["O"] * 4 + ["D"] * 7)})
    context = build_context(*args)
    text = finding(context, "Letters it fails")
    assert f"M 0.133 {fmt_ci(stats.wilson_ci(2, 15))}, most often read as N (13 of 15 photos)" \
        in text
    assert f"C 0.267 {fmt_ci(stats.wilson_ci(4, 15))}, most often read as D (7 of 15 photos)" \
        in text
    assert "below 0.50 on 2 of 29 classes" in text
    assert text.index("M 0.133") < text.index("C 0.267")        # weakest first
    steps = " ".join(context["recommendation"]["before_use"])
    assert "It fails M and C on the wild photos (below 0.50" in steps
    assert "the recommended model fails M and C (accuracy below 0.50" in " ".join(
        context["summary"]["limits"])

    plant_letters(folder, {"M": (3, "S")})                       # other numbers, other text
    text = finding(build_context(*args), "Letters it fails")
    assert "M 0.200" in text and "read as S (12 of 15 photos)" in text
    assert "0.133" not in text and "C 0." not in text
    assert "below 0.50 on 1 of 29 classes" in text


def test_a_letter_at_exactly_the_threshold_does_not_fail(tmp_path, monkeypatch):
    monkeypatch.setattr(report_builds, "N_WILD_PER_CLASS", 32)   # 16 a letter in each half
    args = make_build(tmp_path)
    plant_letters(chosen_folder(args), {"K": (8, "V"), "U": (7, "R")})
    context = build_context(*args)
    text = finding(context, "Letters it fails")
    assert "U 0.438" in text and "read as R (9 of 16 photos)" in text
    assert "K 0." not in text
    assert "below 0.50 on 1 of 29 classes" in text
    figure = context["recommendation"]["letters"]
    assert "Red: below 0.50" in figure.caption and "16 photos each" in figure.caption


def test_a_motion_letter_below_the_threshold_is_named_as_a_limit_of_single_photos(tmp_path):
    args = make_build(tmp_path)
    folder = chosen_folder(args)
    plant_letters(folder, {"J": (6, "I")})
    context = build_context(*args)
    text = finding(context, "Motion letters")
    assert "a photo catches one moment of it" in text
    assert f"J 0.400 {fmt_ci(stats.wilson_ci(6, 15))}, most often read as I" in text
    assert f"Z 1.000 {fmt_ci(stats.wilson_ci(15, 15))}" in text
    assert "J is below 0.50" in text

    plant_letters(folder, {})
    text = finding(build_context(*args), "Motion letters")
    assert "J 1.000" in text and "At or above 0.50" in text
    assert "read as" not in text


def test_the_figure_is_drawn_for_a_multi_seed_build(tmp_path):
    args = seeded_build(tmp_path, {"cnn_scratch": [0.80, 0.82, 0.84]})
    runs = args[1][0]["runs"]
    for run, right in zip(runs, (2, 4, 6)):                     # M: mean 4 of 15
        plant_letters(Path(run["dir"]), {"M": (right, "N")})
    context = build_context(*args)
    text = finding(context, "Letters it fails")
    assert f"M 0.267 {fmt_ci(stats.wilson_ci(4, 15))}" in text
    assert "read as N (33 of 45 answers over 3 seeds)" in text
    assert "means over 3 training seeds" in text

    figure = context["recommendation"]["letters"]
    assert figure is not None and figure.exists and not figure.blank
    assert (args[0] / "figures" / figure.file).stat().st_size > 0
    assert "means over 3 training seeds" in figure.caption and "each seed" in figure.caption
    html = render_html(context)
    recommendation = html[html.index('<h2 id="recommendation">'):html.index('<h2 id="findings">')]
    assert 'id="figure-letters"' in recommendation and figure.src in recommendation


def test_without_wild_photos_there_is_no_letter_figure_or_finding(tmp_path):
    context = build_context(*make_build(tmp_path, wild=False))
    assert context["recommendation"]["letters"] is None
    titles = {f.title for f in context["findings"]}
    assert not titles & {"Letters it fails", "Motion letters"}
