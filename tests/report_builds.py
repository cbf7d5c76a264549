"""Synthetic builds for the report tests: metrics files as the notebooks write them, with
planted accuracies, and the arguments render_report and build_context take."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from asl import CLASSES, holdout, metrics_file, stats

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

def plant_val(folder: Path, accuracy: float, seed: int = 0) -> None:
    """Give a variant (and each classifier beside it) answers on the validation photos, right
    on about ``accuracy`` of them; the photos are the same for every variant."""
    metrics = metrics_file.read(folder)
    metrics["val"] = eval_block(accuracy, 10, seed, "val")
    for offset, block in enumerate(((metrics.get("extra") or {}).get("classifiers") or {})
                                   .values(), 1):
        block["val"] = eval_block(accuracy, 10, seed + offset, "val")
    metrics_file.write(folder, metrics)
