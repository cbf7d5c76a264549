"""The report's context is computed from the metrics files: tests, findings, recommendation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from asl import CLASSES, holdout, metrics_file, stats
from asl.report import halves, seeds
from asl.report.clusters import frame_blocks
from asl.report.context import build_context
from asl.report.formatting import fmt_acc, fmt_ci

N_TEST_PER_CLASS = 10
N_WILD_PER_CLASS = 30

# name -> (family, split kind, test accuracy, wild accuracy)
DEFAULT_MODELS = {
    "cnn_scratch": ("cnn", "frame_block", 0.771, 0.331),
    "cnn_random_split": ("cnn", "random", 0.988, 0.302),
    "cnn_augment": ("cnn", "frame_block", 0.852, 0.644),
    "mobilenet": ("transfer", "frame_block", 0.931, 0.713),
    "autoencoder_forest": ("autoencoder", "frame_block", 0.703, 0.218),
}
LOGISTIC = (0.652, 0.195)
ROLES = {"cnn_scratch": "baseline", "cnn_random_split": "leakage_control"}
REFERENCE = {"cnn": 0.998, "autoencoder_forest": 0.995, "vgg16_frozen": 0.149}


def predictions(accuracy: float, n_per_class: int, seed: int):
    """Labels and predictions with (about) the given accuracy, errors spread at random."""
    rng = np.random.default_rng(seed)
    y_true = np.repeat(np.arange(len(CLASSES)), n_per_class)
    y_pred = y_true.copy()
    wrong = rng.choice(len(y_true), size=round((1 - accuracy) * len(y_true)), replace=False)
    y_pred[wrong] = (y_true[wrong] + rng.integers(1, len(CLASSES), len(wrong))) % len(CLASSES)
    return y_true, y_pred


def eval_block(accuracy: float, n_per_class: int, seed: int, prefix: str) -> dict:
    """An evaluation block as a notebook writes it."""
    y_true, y_pred = predictions(accuracy, n_per_class, seed)
    k = len(CLASSES)
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (y_true, y_pred), 1)
    per_class = {}
    for i, name in enumerate(CLASSES):
        tp, support, predicted = confusion[i, i], confusion[i].sum(), confusion[:, i].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1,
                           "support": int(support), "accuracy": recall}
    mean = lambda key: float(np.mean([v[key] for v in per_class.values()]))  # noqa: E731
    return {"n": len(y_true), "accuracy": float((y_true == y_pred).mean()),
            "accuracy_ci": list(stats.wilson_ci(int((y_true == y_pred).sum()), len(y_true))),
            "precision_macro": mean("precision"), "recall_macro": mean("recall"),
            "f1_macro": mean("f1"), "per_class": per_class, "confusion_matrix": confusion,
            "ids": [f"{prefix}/{CLASSES[t]}/{i}.jpg" for i, t in enumerate(y_true)],
            "y_true": y_true, "y_pred": y_pred}


def tiny_png(path: Path, color=(90, 120, 200), size=(240, 160), blank=False) -> None:
    """A small PNG: a coloured box on white, or all white."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, "white")
    if not blank:
        image.paste(color, (10, 10, size[0] - 10, size[1] - 10))
    image.save(path, dpi=(150, 150))


def model_metrics(name, family, split_kind, test_acc, wild_acc, seed, wild=True, quick=False,
                  folder=None, train_accuracy=0.97):
    figures = [{"key": "learning_curves", "file": "learning_curves.png",
                "caption": f"Learning curves of {name}."},
               {"key": "confusion", "file": "confusion.png",
                "caption": f"Confusion matrix of {name} on the test photos."}]
    if folder is not None:
        for i, figure in enumerate(figures):
            tiny_png(Path(folder) / figure["file"], (40 * i + 60, 120, 180))
    test = eval_block(test_acc, N_TEST_PER_CLASS, seed,
                      "random" if split_kind == "random" else "block")
    wild_block = eval_block(wild_acc, N_WILD_PER_CLASS, seed + 1000, "wild") if wild else None
    extra = {}
    if family == "autoencoder":   # as notebooks/autoencoder.ipynb writes it
        extra = {"reported_classifier": "random_forest", "reconstruction_mse": 0.0123,
                 "classifiers": {
                     "random_forest": {"best_params": {"n_estimators": 300},
                                       "val_accuracy": 0.5, "test": test, "wild": wild_block,
                                       "inference": {"ms_per_image_batch1": 3.0}},
                     "logistic_regression": {
                         "explainable": True, "abbreviation": "LR",
                         "title": "Logistic regression on the autoencoder codes",
                         "best_params": {"C": 0.1}, "val_accuracy": 0.4,
                         "grid": [{"params": {"C": 0.01}, "val_accuracy": 0.35},
                                  {"params": {"C": 0.1}, "val_accuracy": 0.4}],
                         "iterations": 812, "converged": True,
                         "test": eval_block(LOGISTIC[0], N_TEST_PER_CLASS, seed + 7, "block"),
                         "wild": eval_block(LOGISTIC[1], N_WILD_PER_CLASS, seed + 1007, "wild")
                         if wild else None,
                         "inference": {"ms_per_image_batch1": 2.0}}}}
    return {
        "kind": "model", "variant": name, "title": name.replace("_", " "), "family": family,
        "notebook": f"{family}.ipynb", "parameters": {"epochs": 12, "learning_rate": 0.001,
                                                       "split": split_kind},
        "quick": quick, "classes": CLASSES,
        "data": {"source": "/data/asl.zip", "n_images": 20300, "image_size": 64,
                 "color_mode": "rgb", "skipped": 0},
        "split": {"kind": split_kind, "train": 14000, "val": 2000, "test": test["n"],
                  "seed": 42, "block_size": 150, "gap": 20, "test_fraction": 0.2},
        "test": test, "wild": wild_block, "test_accuracy": test["accuracy"],
        "train_accuracy": train_accuracy,
        "wild_accuracy": wild_block["accuracy"] if wild_block else None,
        "training": {"seconds": 300.0 + seed, "epochs_run": 12,
                     "history": {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8],
                                 "val_loss": [1.1, 0.7], "val_accuracy": [0.4, 0.7]}},
        "inference": {"ms_per_image_batch1": 5.0 + seed, "ms_per_image_batched": 0.5 + seed / 10,
                      "batch_size": 64},
        "model": {"file": "model.keras", "parameters": 100000 * (seed + 1),
                  "size_bytes": 400000 * (seed + 1)},
        "calibration": {"test": {"ece": 0.051, "bins": [], "mean_confidence": 0.8},
                        "wild": {"ece": 0.412, "bins": [], "mean_confidence": 0.7}
                        if wild else None},
        "figures": figures, "extra": extra}


def exploration_metrics(folder, wild=True):
    figures = [{"key": "class_balance", "file": "class_balance.png",
                "caption": "Photos per class."},
               {"key": "samples", "file": "samples.png", "caption": "One photo per class."}]
    for figure in figures:
        tiny_png(Path(folder) / figure["file"], (200, 160, 90), (400, 220))
    return {"kind": "exploration", "variant": "explore", "title": "Data exploration",
            "notebook": "explore.ipynb", "parameters": {"hash_sample": 200}, "quick": False,
            "classes": CLASSES,
            "data": {"source": "asl.zip", "n_images": 20300, "image_size": 64, "skipped": 2,
                     "per_class": {c: 700 for c in CLASSES}, "original_sizes": {"64x64": 50},
                     "frame_range": [1, 3000],
                     "statistics": {"train": {"mean_rgb": [130.2, 120.1, 110.5],
                                              "brightness_mean": 120.3},
                                    "wild": {"mean_rgb": [140.0, 128.4, 115.9],
                                             "brightness_mean": 128.1}}},
            "wild": {"source": "wild.zip", "n_images": 87, "skipped": 0,
                     "per_class": {c: 3 for c in CLASSES},
                     "original_sizes": {"200x200": 48, "150x200": 2}} if wild else None,
            "splits": {"random": {"kind": "random", "train": 14210, "val": 2030, "test": 4060},
                       "frame_block": {"kind": "frame_block", "train": 14000, "val": 2000,
                                       "test": 4060, "block_size": 150}},
            "near_duplicates": {"random": {"threshold_bits": 6, "test": 200,
                                           "with_near_duplicate": 187, "fraction": 0.935,
                                           "median_nearest_bits": 2.0},
                                "frame_block": {"threshold_bits": 6, "test": 200,
                                                "with_near_duplicate": 3, "fraction": 0.015,
                                                "median_nearest_bits": 14.0}},
            "figures": figures}


def make_build(root: Path, models: dict | None = None, wild: bool = True, quick: bool = False,
               failed: dict | None = None):
    """Write synthetic metrics for a whole build; return render_report's arguments."""
    models = DEFAULT_MODELS if models is None else models
    out_dir = Path(root) / "report"
    variants = []
    folder = out_dir / "variants" / "explore"
    metrics_file.write(folder, exploration_metrics(folder, wild))
    (folder / "explore.html").write_text("<html>notebook</html>")
    variants.append({"name": "explore", "title": "Data exploration",
                     "description": "Class balance and near-duplicates.",
                     "notebook": "explore.ipynb", "status": "done", "dir": folder,
                     "notebook_html": folder / "explore.html"})
    for seed, (name, (family, split_kind, test_acc, wild_acc)) in enumerate(models.items()):
        folder = out_dir / "variants" / name
        metrics_file.write(folder, model_metrics(name, family, split_kind, test_acc, wild_acc,
                                                 seed, wild, quick, folder))
        variants.append({"name": name, "title": f"Title of {name}",
                         "description": f"Description of {name}.", "notebook": f"{family}.ipynb",
                         "role": ROLES.get(name), "status": "cached" if seed % 2 else "done",
                         "dir": folder, "notebook_html": None})
    for name, reason in (failed or {}).items():
        variants.append({"name": name, "title": f"Title of {name}",
                         "description": f"Description of {name}.", "notebook": "cnn.ipynb",
                         "status": "failed", "dir": out_dir / "variants" / name,
                         "notebook_html": None})
    manifest = {"created": "2026-11-24T01:00:00+00:00", "quick": quick,
                "command": ["build.py", "--quick"], "git": {"commit": "abc1234", "dirty": False},
                "packages": {"python": "3.11.7", "tensorflow": "2.18.0"},
                "data": {"data": {"path": "/data/asl.zip", "fingerprint": "f" * 64}},
                "machine": {"cores": 2, "gpus": [], "platform": "Linux"},
                "wall_seconds": 321.5,
                "variants": {v["name"]: {"fingerprint": "e" * 64, "seconds": 12.5,
                                         "finished": "2026-11-24T00:59:00+00:00",
                                         "parameters": {"split": "random"},
                                         "status": v["status"], "cached": v["status"] == "cached"}
                             for v in variants}}
    return out_dir, variants, manifest, quick, dict(failed or {}), REFERENCE


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


def test_findings_are_computed_from_the_metrics(tmp_path):
    context = build_context(*make_build(tmp_path / "a"))
    leakage = next(f.text for f in context["findings"] if f.title == "Leakage gap")
    scratch_metrics = metrics_file.read(tmp_path / "a/report/variants/cnn_scratch")
    scratch = scratch_metrics["test"]
    random_cnn = metrics_file.read(tmp_path / "a/report/variants/cnn_random_split")["test"]
    assert f"{random_cnn['accuracy'] - scratch['accuracy']:+.3f}" in leakage
    in_blocks = seeds.combine([scratch], frame_blocks(scratch["ids"], scratch_metrics["split"]))
    assert fmt_ci(in_blocks["accuracy_ci"]) in leakage    # resampled by frame block

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


def test_recommendation_follows_the_numbers(tmp_path):
    context = build_context(*make_build(tmp_path / "a"))
    assert context["recommendation"]["chosen"].key == "mobilenet"
    assert context["model_card"]["variant"] == "mobilenet"

    changed = dict(DEFAULT_MODELS, cnn_augment=("cnn", "frame_block", 0.852, 0.85))
    context = build_context(*make_build(tmp_path / "b", changed))
    assert context["recommendation"]["chosen"].key == "cnn_augment"
    assert context["recommendation"]["best_test"].key == "mobilenet"
    assert any(f.title == "Best out of domain" for f in context["findings"])


def test_explainable_model_wins_when_accuracy_is_tied(tmp_path):
    tied = {"cnn_scratch": ("cnn", "frame_block", 0.662, 0.20),
            "autoencoder_forest": ("autoencoder", "frame_block", 0.60, 0.18)}
    context = build_context(*make_build(tmp_path, tied))
    assert context["recommendation"]["chosen"].explainable is True
    reasons = " ".join(context["recommendation"]["reasons"])
    assert "Explainability therefore decides" in reasons or "also the explainable option" in reasons


def test_without_wild_set_the_report_says_so(tmp_path):
    context = build_context(*make_build(tmp_path, wild=False))
    assert context["dataset"]["wild"] is None
    assert context["recommendation"]["primary"] == "test"
    assert all(row["wild_acc"] == "no wild set" for row in context["comparison"])
    assert next(f.text for f in context["findings"]
                if f.title == "Domain gap").startswith("Not measured")


def test_failed_and_missing_variants_keep_their_reason(tmp_path):
    args = make_build(tmp_path, failed={"cnn_wide": "cell 7: ResourceExhaustedError"})
    context = build_context(*args)
    section = next(v for v in context["variants"] if v["name"] == "cnn_wide")
    assert section["metrics"] is None
    assert "ResourceExhaustedError" in section["reason"]
    row = next(r for r in context["comparison"] if r["title"] == "Title of cnn_wide")
    assert row["failed"]
    assert context["n_failed"] == 1


def test_comparison_marks_the_best_and_the_significantly_worse(tmp_path):
    context = build_context(*make_build(tmp_path))
    rows = {row["title"]: row for row in context["comparison"]}
    assert rows["Title of mobilenet"]["test_mark"] == "best"
    assert rows["Title of mobilenet"]["wild_mark"] == "best"
    assert rows["Title of cnn_scratch"]["wild_mark"] == "worse"
    assert rows["Title of cnn_random_split"]["test_mark"] == ""


def test_a_build_with_one_model_and_no_exploration_still_renders(tmp_path):
    from asl.report.render import render_html

    out_dir, variants, manifest, quick, failures, reference = make_build(
        tmp_path, {"cnn_scratch": ("cnn", "frame_block", 0.771, 0.331)})
    variants[0].update(status="missing")
    context = build_context(out_dir, variants, {}, quick, failures, reference)
    assert context["tests"] == []
    assert context["exploration"]["available"] is False
    html = render_html(context)
    assert "Fewer than two models were scored on the same photos" in html
    assert "Not measured: the leakage control has no results in this build." in html


def test_a_missing_figure_is_reported_not_fatal(tmp_path):
    args = make_build(tmp_path)
    (args[0] / "variants" / "mobilenet" / "confusion.png").unlink()
    (args[0] / "variants" / "cnn_scratch" / "confusion.png").write_bytes(b"not a png")
    context = build_context(*args)
    figures = {(v["name"], f.file): f for v in context["variants"] for f in v["figures"]}
    assert figures[("mobilenet", "confusion.png")].exists is False
    assert figures[("cnn_scratch", "confusion.png")].exists is False
    assert figures[("cnn_scratch", "learning_curves.png")].exists is True


def test_a_blank_figure_is_named_not_shown(tmp_path):
    args = make_build(tmp_path)
    tiny_png(args[0] / "variants" / "mobilenet" / "confusion.png", blank=True)
    context = build_context(*args)
    figure = next(f for v in context["variants"] if v["name"] == "mobilenet"
                  for f in v["figures"] if f.file == "confusion.png")
    assert figure.blank is True


def plant_wild(folder: Path, select_accuracy: float, report_accuracy: float) -> None:
    """Rewrite a variant's wild predictions: right on the given share of each wild half."""
    metrics = metrics_file.read(folder)
    wild = metrics["wild"]
    y_true = np.asarray(wild["y_true"])
    select = holdout.selection_mask(wild["ids"], y_true)
    y_pred = (y_true + 1) % len(CLASSES)
    for part, accuracy in ((select, select_accuracy), (~select, report_accuracy)):
        members = np.flatnonzero(part)
        right = members[: round(accuracy * len(members))]
        y_pred[right] = y_true[right]
    wild["y_pred"] = y_pred.tolist()
    metrics_file.write(folder, metrics)


def test_the_recommendation_is_chosen_on_the_selection_half_never_the_report_half(tmp_path):
    args = make_build(tmp_path)
    variants = args[0] / "variants"
    plant_wild(variants / "mobilenet", select_accuracy=0.95, report_accuracy=0.40)
    plant_wild(variants / "cnn_augment", select_accuracy=0.40, report_accuracy=0.95)
    context = build_context(*args)
    rec = context["recommendation"]
    assert rec["chosen"].key == "mobilenet"            # better where the choice is made
    rows = {row["title"]: row for row in context["comparison"]}
    assert rows["Title of cnn_augment"]["wild_mark"] == "best"     # better where it is reported
    assert fmt_acc(rec["chosen"].wild["accuracy"]) in " ".join(rec["reasons"])
    assert rec["chosen"].wild["n"] + rec["chosen"].wild_select["n"] == 29 * N_WILD_PER_CLASS


def test_a_model_that_did_not_fit_its_training_photos_is_ranked_nowhere(tmp_path):
    args = make_build(tmp_path)
    folder = args[0] / "variants" / "mobilenet"
    metrics = metrics_file.read(folder)
    metrics["train_accuracy"] = 0.057
    metrics_file.write(folder, metrics)
    context = build_context(*args[:5], {"min_train_accuracy": 0.5})
    assert context["recommendation"]["chosen"].key != "mobilenet"
    assert all("mobilenet" not in [m.key for m in g.members] for g in context["tests"])
    row = next(r for r in context["comparison"] if r["title"] == "Title of mobilenet")
    assert row["failed"] and "failed training run: training accuracy 0.057" in row["reason"]
    quick = build_context(args[0], args[1], args[2], True, args[4], {"min_train_accuracy": 0.5})
    assert quick["recommendation"]["chosen"].key == "mobilenet"    # not applied to quick builds


def seeded_build(root: Path, accuracies: dict[str, list[float]], n_per_class: int = 20):
    """A build whose model variants each ran once per seed, with the given test accuracies."""
    out_dir = Path(root) / "report"
    variants = []
    for index, (name, per_seed) in enumerate(accuracies.items()):
        runs = []
        for seed, accuracy in enumerate(per_seed, 1):
            folder = out_dir / "variants" / f"{name}.seed{seed}"
            metrics = model_metrics(name, "cnn", "frame_block", 0.5, 0.3, index, folder=folder)
            metrics["test"] = eval_block(accuracy, n_per_class, 100 * index + seed, "block")
            metrics["test_accuracy"] = metrics["test"]["accuracy"]
            metrics_file.write(folder, metrics)
            runs.append({"name": folder.name, "seed": seed, "status": "done", "dir": folder,
                         "notebook_html": None})
        variants.append({"name": name, "title": f"Title of {name}", "description": "",
                         "notebook": "cnn.ipynb", "status": "done", "runs": runs,
                         "dir": runs[0]["dir"], "notebook_html": None})
    return out_dir, variants, {}, False, {}, {"reference": REFERENCE}


def test_mean_and_spread_over_seeds_come_from_the_per_seed_metrics(tmp_path):
    args = seeded_build(tmp_path, {"cnn_scratch": [0.70, 0.76, 0.73], "mobilenet": [0.9, 0.92, 0.91]})
    context = build_context(*args)
    row = next(r for r in context["comparison"] if r["title"] == "Title of cnn_scratch")
    per_seed = [metrics_file.read(run["dir"])["test"]["accuracy"] for run in args[1][0]["runs"]]
    assert row["test_acc"] == fmt_acc(np.mean(per_seed))
    assert row["test_spread"] == (f"± {np.std(per_seed, ddof=1):.3f}, {min(per_seed):.3f}–"
                                  f"{max(per_seed):.3f} over 3 seeds")
    section = next(v for v in context["variants"] if v["name"] == "cnn_scratch")
    curves = next(f for f in section["figures"] if f.key == "learning_curves")
    assert curves.exists and curves.file.startswith("cnn_scratch-learning-curves-")
    assert (args[0] / "figures" / curves.file).exists()
    assert curves.src.startswith("figures/print/cnn_scratch-learning-curves-")


def test_one_seed_disagreeing_makes_a_difference_not_shown(tmp_path):
    agree = build_context(*seeded_build(tmp_path / "a", {"cnn_scratch": [0.5, 0.5, 0.5],
                                                         "mobilenet": [0.9, 0.9, 0.9]}))
    pair = agree["tests"][0].pairs[0]
    assert pair.seeds == 3 and pair.agree and pair.significant
    disagree = build_context(*seeded_build(tmp_path / "b", {"cnn_scratch": [0.5, 0.5, 0.95],
                                                            "mobilenet": [0.9, 0.9, 0.9]}))
    pair = disagree["tests"][0].pairs[0]
    assert not pair.agree and not pair.significant and pair.p_value == 1.0
    from asl.report.render import render_html

    assert "no: the seeds disagree" in render_html(disagree)


def test_an_idea_that_hurts_gets_a_negative_interval(tmp_path):
    args = make_build(tmp_path)
    context = build_context(*args[:5], {"ideas": [
        {"name": "Pretraining", "with": "cnn_scratch", "without": "mobilenet"}]})
    idea = context["ideas"][0]
    assert idea["test"]["diff"].startswith("-")
    low, high = (float(v) for v in idea["test"]["ci"].strip("[]").split(", "))
    assert low < high < 0
    assert idea["test"]["sig"].startswith("significant (Holm")


def test_figures_are_sized_once_for_print_photos_as_jpeg(tmp_path):
    from asl.report.print_figures import PRINT_DPI, PrintFigures

    photo, plot = tmp_path / "samples.png", tmp_path / "curves.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (1200, 3000, 4), dtype=np.uint8), "RGBA").save(
        photo, dpi=(300, 300))
    tiny_png(plot, size=(3000, 1200))
    prints = PrintFigures(tmp_path / "report")
    photo_copy, plot_copy = prints.prepare(photo, "samples"), prints.prepare(plot, "curves")
    prints.finish()
    with Image.open(photo_copy.path) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.width <= photo_copy.width_mm / 25.4 * PRINT_DPI[True] + 1
    with Image.open(plot_copy.path) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.width <= plot_copy.width_mm / 25.4 * PRINT_DPI[False] + 1
    assert photo_copy.path.stat().st_size < photo.stat().st_size / 4
    again = PrintFigures(tmp_path / "report")          # unchanged source: the same copy
    before = photo_copy.path.stat().st_mtime_ns
    assert again.prepare(photo, "samples").path == photo_copy.path
    assert photo_copy.path.stat().st_mtime_ns == before
    again.finish()                                     # the plot was not used: removed
    assert not plot_copy.path.exists() and photo_copy.path.exists()


def test_a_sweep_is_one_table_and_only_its_best_member_on_validation_is_compared(tmp_path):
    out_dir, variants, *rest = seeded_build(tmp_path, {"cnn_scratch": [0.7, 0.72]})
    # lr=0.01 is better on test and wild, lr=0.001 on the validation photos: validation decides
    members = {"lr[learning_rate=0.01]": (0.01, [0.9, 0.88], 0.8, 0.6),
               "lr[learning_rate=0.001]": (0.001, [0.8, 0.84], 0.5, 0.75)}
    for index, (name, (rate, tests, wild, val)) in enumerate(members.items(), 1):
        runs = []
        for seed, accuracy in enumerate(tests, 1):
            folder = out_dir / "variants" / f"{name}.seed{seed}"
            metrics = model_metrics(name, "cnn", "frame_block", accuracy, wild, 10 * index + seed,
                                    folder=folder)
            metrics["training"]["history"]["val_accuracy"] = [0.3, val]
            metrics_file.write(folder, metrics)
            runs.append({"name": folder.name, "seed": seed, "status": "done", "dir": folder,
                         "notebook_html": None})
        variants.append({"name": name, "title": f"LR sweep (learning_rate {rate})",
                         "description": "", "notebook": "cnn.ipynb", "status": "done",
                         "runs": runs, "dir": runs[0]["dir"], "notebook_html": None,
                         "sweep": "lr", "swept": {"learning_rate": rate}})
    context = build_context(out_dir, variants, *rest)
    [sweep] = context["sweeps"]
    assert sweep["chosen"] == "lr[learning_rate=0.001]" and sweep["parameters"] == ["learning_rate"]
    rows = {row["name"]: row for row in sweep["rows"]}
    assert rows["lr[learning_rate=0.001]"]["chosen"] and not rows["lr[learning_rate=0.01]"]["chosen"]
    assert rows["lr[learning_rate=0.01]"]["val"] == "0.600"
    tests = [metrics_file.read(run["dir"])["test"]["accuracy"] for run in variants[1]["runs"]]
    assert rows["lr[learning_rate=0.01]"]["test"] == fmt_acc(np.mean(tests))
    assert "over 2 seeds" in rows["lr[learning_rate=0.01]"]["test_spread"]
    assert rows["lr[learning_rate=0.01]"]["wild"] not in ("", "not evaluated")
    compared = [row["title"] for row in context["comparison"]]
    assert "LR sweep (learning_rate 0.001)" in compared
    assert "LR sweep (learning_rate 0.01)" not in compared
    assert [v["name"] for v in context["variants"]] == ["cnn_scratch", "lr[learning_rate=0.001]"]

    from asl.report.render import render_html

    html = render_html(context)
    assert '<h3 id="sweep-lr">Sweep lr</h3>' in html
    assert 'href="#variant-lr-learning_rate-0.001-"' in html      # the chosen member's section


def test_two_variants_whose_explainable_models_share_a_title_are_told_apart(tmp_path):
    models = {**DEFAULT_MODELS,
              "autoencoder_small": ("autoencoder", "frame_block", 0.69, 0.21)}
    context = build_context(*make_build(tmp_path, models))
    titles = [row["title"] for row in context["comparison"] if not row.get("failed")]
    assert len(titles) == len(set(titles)), titles


def test_the_fused_network_alone_is_two_numbers_not_a_dump_of_its_evaluation(tmp_path):
    out_dir, variants, *rest = make_build(tmp_path)
    folder = out_dir / "variants" / "cnn_augment"
    metrics = metrics_file.read(folder)
    metrics["extra"] = {"network_alone": {"test": metrics["test"], "wild": metrics["wild"]}}
    metrics_file.write(folder, metrics)
    context = build_context(out_dir, variants, *rest)
    section = next(v for v in context["variants"] if v["name"] == "cnn_augment")
    assert [key for key, _ in section["extra"]] == [
        "network alone: test accuracy", "network alone: wild accuracy (report half)"]
