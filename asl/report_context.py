"""From the variants' metrics.json files to the report's context: tables, tests, findings.

Every number the report prints is formatted here from the metrics files (or from the original
study's published figures in ``ORIGINAL_STUDY``); the template only lays the strings out.
Accuracies and confidence intervals always use three decimals (``fmt_acc``, ``fmt_ci``).
"""
from __future__ import annotations

import datetime as dt
import os
from itertools import combinations
from pathlib import Path

from . import CLASSES, metrics_file, stats
from .errors import AslError

ALPHA = 0.05
BASELINE = "cnn_scratch"
RANDOM_SPLIT = "cnn_random_split"
EXPLORATION_KIND = "exploration"

# Figures of merit of the original notebook project (reference README), all on a random split.
ORIGINAL_STUDY = {"cnn": 0.998, "autoencoder_forest": 0.995, "vgg16_frozen": 0.149}

SECTIONS = [
    ("dataset", "Dataset"),
    ("objectives", "Objectives"),
    ("evaluation", "How we evaluated"),
    ("exploration", "Exploration, cleaning and feature engineering"),
    ("variants", "Model variants"),
    ("comparison", "Comparison of the variants"),
    ("significance", "Which differences are significant"),
    ("recommendation", "Recommendation"),
    ("findings", "Key findings"),
    ("next-steps", "Next steps"),
    ("model-card", "Appendix A: model card"),
    ("reproducibility", "Appendix B: reproducibility"),
]

GLANCE = ("Leakage gap", "Domain gap", "Best out of domain")   # findings on the title page
STATUS_TEXT = {"done": "run in this build", "cached": "reused from the cache (inputs unchanged)",
               "failed": "failed", "missing": "not run: no results from this or an earlier build"}


# ---------------------------------------------------------------- formatting

def fmt_acc(value) -> str:
    """An accuracy or other proportion, three decimals."""
    return "not recorded" if value is None else f"{value:.3f}"


def fmt_ci(ci) -> str:
    """A 95 % interval as ``[lo, hi]``, three decimals."""
    if not ci or ci[0] is None or ci[1] is None:
        return "not recorded"
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def fmt_diff(value) -> str:
    """A signed difference of accuracies, three decimals."""
    return f"{value:+.3f}"


def fmt_p(value) -> str:
    """A p-value: three decimals, or scientific notation below 0.001."""
    if value is None:
        return "not computed"
    if value >= 0.001:
        return f"{value:.3f}"
    return f"{value:.1e}" if value > 0 else "< 1e-300"  # below double precision


def fmt_seconds(value) -> str:
    if value is None:
        return "not recorded"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def fmt_ms(value) -> str:
    return "not recorded" if value is None else f"{value:.2f} ms"


def fmt_int(value) -> str:
    return "not recorded" if value is None else f"{int(value):,}"


def fmt_bytes(value) -> str:
    if value is None:
        return "not recorded"
    return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} kB"


def fmt_value(value) -> str:
    """Any parameter value, short."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)) and not value:
        return "none"
    if isinstance(value, (list, tuple)):
        text = ", ".join(fmt_value(v) for v in value[:12])
        return f"[{text}{', ...' if len(value) > 12 else ''}]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    if value is None:
        return "none"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return f"{value:,}"
    return str(value)


def key_values(mapping: dict | None, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten a nested dict into (dotted key, formatted value) rows."""
    rows = []
    for key, value in (mapping or {}).items():
        if isinstance(value, dict) and value:
            rows += key_values(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", fmt_value(value)))
    return rows


# ---------------------------------------------------------------- loading

def _relative(path: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(out_dir).resolve())).as_posix()


FIGURE_MAX_MM = (170.0, 115.0)   # width, height available for one figure on the page


def figure_size(path: Path) -> tuple[float, bool]:
    """Print width in mm of a PNG (its size at the resolution it was saved with, fitted to the
    page) and whether it is blank (a single colour)."""
    from PIL import Image

    with Image.open(path) as image:
        (width, height), dpi = image.size, image.info.get("dpi", (150, 150))[0] or 150
        low, high = image.convert("L").getextrema()
    width_mm, height_mm = width / dpi * 25.4, height / dpi * 25.4
    scale = min(1.0, FIGURE_MAX_MM[0] / width_mm, FIGURE_MAX_MM[1] / height_mm)
    return round(width_mm * scale, 1), low == high


def _figures(metrics: dict, folder: Path, out_dir: Path, title: str = "") -> list[dict]:
    """The metrics' figures with paths relative to the report folder; a caption that starts
    with the variant's name starts with its title instead."""
    figures = []
    for figure in metrics.get("figures") or []:
        path = Path(folder) / figure["file"]
        caption = figure.get("caption", "")
        if title and caption.startswith(f"{metrics['variant']}:"):
            caption = title + caption[len(metrics["variant"]):]
        try:
            width, blank = figure_size(path)
        except (OSError, ValueError):   # missing or unreadable: the report says so
            width, blank = None, False
        figures.append({"key": figure.get("key", ""), "caption": caption,
                        "src": _relative(path, out_dir), "exists": width is not None,
                        "blank": blank, "width_mm": width, "file": figure["file"]})
    return figures


def load_variant(variant: dict, out_dir: Path, failures: dict) -> dict:
    """One variant's entry: its declaration, status, metrics (or the reason there are none)."""
    entry = {"name": variant["name"], "title": variant.get("title") or variant["name"],
             "description": variant.get("description") or "", "notebook": variant.get("notebook"),
             "status": variant.get("status", "missing"), "metrics": None, "reason": None,
             "figures": [], "notebook_html": None, "anchor": f"variant-{variant['name']}"}
    entry["status_text"] = STATUS_TEXT.get(entry["status"], entry["status"])
    if variant.get("notebook_html") and Path(variant["notebook_html"]).exists():
        entry["notebook_html"] = _relative(variant["notebook_html"], out_dir)
    if entry["status"] == "failed":
        entry["reason"] = failures.get(variant["name"]) or "the notebook stopped with an error"
        return entry
    if entry["status"] == "missing":
        entry["reason"] = failures.get(variant["name"]) or "no metrics: the variant was never run"
        return entry
    try:
        entry["metrics"] = metrics_file.read(variant["dir"])
    except AslError as error:
        entry["status"], entry["status_text"], entry["reason"] = "failed", "failed", str(error)
        return entry
    entry["kind"] = entry["metrics"]["kind"]
    entry["figures"] = _figures(entry["metrics"], Path(variant["dir"]), out_dir, entry["title"])
    return entry


# ---------------------------------------------------------------- candidates and tests

def _classifier_blocks(extra: dict | None) -> dict:
    """Evaluated classifiers in ``extra`` (``extra.classifiers.<name>`` or ``extra.<name>``)."""
    extra = extra or {}
    found = {}
    for source in (extra, extra.get("classifiers") or {}):
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(value.get("test"), dict) \
                    and "accuracy" in value["test"]:
                found[key] = value
    return found


def _explainable_block(extra: dict | None) -> tuple[str, dict] | None:
    """The logistic regression on autoencoder codes, unless it is already the variant's result."""
    extra = extra or {}
    if "logistic" in str(extra.get("reported_classifier", "")):
        return None
    return next(((key, value) for key, value in _classifier_blocks(extra).items()
                 if "logistic" in key.lower()), None)


def candidates(models: list[dict]) -> list[dict]:
    """Every evaluated model: each variant's main model plus the explainable classifier."""
    found = []
    for entry in models:
        metrics = entry["metrics"]
        if metrics is None:
            continue
        inference, model = metrics.get("inference") or {}, metrics.get("model") or {}
        base = {"variant": entry["name"], "anchor": entry["anchor"],
                "comparable": (metrics.get("split") or {}).get("kind") != "random",
                "split_kind": (metrics.get("split") or {}).get("kind", "not recorded"),
                "latency_ms": inference.get("ms_per_image_batch1"),
                "batched_ms": inference.get("ms_per_image_batched"),
                "parameters": model.get("parameters"), "size_bytes": model.get("size_bytes"),
                "training_seconds": (metrics.get("training") or {}).get("seconds"),
                "classes": metrics.get("classes") or []}
        reported = str((metrics.get("extra") or {}).get("reported_classifier", ""))
        found.append({**base, "key": entry["name"], "title": entry["title"], "short": entry["name"],
                      "test": metrics["test"], "wild": metrics.get("wild"),
                      "explainable": "logistic" in reported, "family": metrics.get("family"),
                      "calibration": metrics.get("calibration") or {}})
        explainable = _explainable_block(metrics.get("extra"))
        if explainable:
            key, block = explainable
            own_inference, own_model = block.get("inference") or {}, block.get("model") or {}
            found.append({**base, "key": f"{entry['name']}:{key}",
                          "title": "Logistic regression on the autoencoder codes",
                          "short": f"{entry['name']} (LR)", "test": block["test"],
                          "wild": block.get("wild"), "explainable": True, "family": "autoencoder",
                          "calibration": block.get("calibration") or {},
                          "latency_ms": own_inference.get("ms_per_image_batch1",
                                                          base["latency_ms"]),
                          "batched_ms": own_inference.get("ms_per_image_batched",
                                                          base["batched_ms"]),
                          "parameters": own_model.get("parameters", base["parameters"]),
                          "size_bytes": own_model.get("size_bytes", base["size_bytes"])})
    return found


def pairwise_tests(models: list[dict], alpha: float = ALPHA) -> list[dict]:
    """McNemar tests between every pair evaluated on the same photos, Holm-corrected per set."""
    groups = {}
    for candidate in models:
        for block_name in ("test", "wild"):
            block = candidate.get(block_name)
            if block and block.get("ids"):
                photos = (block_name, tuple(block["ids"]), tuple(block["y_true"]))
                groups.setdefault(photos, []).append(candidate)
    results = []
    for (block_name, ids, _), members in groups.items():
        if len(members) < 2:
            continue
        pairs = []
        for a, b in combinations(members, 2):
            block_a, block_b = a[block_name], b[block_name]
            test = stats.mcnemar_test(block_a["y_true"], block_a["y_pred"], block_b["y_pred"])
            pairs.append({"a": a, "b": b, "acc_a": block_a["accuracy"],
                          "acc_b": block_b["accuracy"], **test})
        reject, adjusted = stats.holm([pair["p_value"] for pair in pairs], alpha)
        for pair, significant, p_adjusted in zip(pairs, reject, adjusted):
            better = pair["a"] if pair["acc_a"] >= pair["acc_b"] else pair["b"]
            result = ("no" if not significant
                      else f"yes: {'A' if better is pair['a'] else 'B'} better")
            pair.update(significant=significant, p_holm=p_adjusted, better=better, result=result,
                        p_text=fmt_p(pair["p_value"]), p_holm_text=fmt_p(p_adjusted),
                        acc_a_text=fmt_acc(pair["acc_a"]), acc_b_text=fmt_acc(pair["acc_b"]))
        pairs.sort(key=lambda pair: pair["p_value"])
        results.append({"block": block_name, "n": len(ids), "pairs": pairs,
                        "members": [m["short"] for m in members],
                        "n_significant": sum(reject),
                        "label": ("in-domain test photos" if block_name == "test"
                                  else "out-of-domain (wild) photos")})
    results.sort(key=lambda group: (group["block"] != "test", -len(group["members"])))
    return results


def _significance(groups: list[dict]) -> dict:
    """(block, key_a, key_b) -> pair, both orders."""
    lookup = {}
    for group in groups:
        for pair in group["pairs"]:
            lookup[(group["block"], pair["a"]["key"], pair["b"]["key"])] = pair
            lookup[(group["block"], pair["b"]["key"], pair["a"]["key"])] = pair
    return lookup


def _acc(candidate: dict, block: str):
    evaluated = candidate.get(block)
    return evaluated["accuracy"] if evaluated else None


# ---------------------------------------------------------------- tables

def _mark(candidate: dict, best: dict | None, block: str, lookup: dict) -> str:
    """``best``, ``worse`` (significantly below the best) or ``""`` for one accuracy cell."""
    if best is None or not candidate.get(block) or not candidate["comparable"]:
        return ""
    if candidate is best:
        return "best"
    return "worse" if _significant(lookup, block, candidate, best) else ""


def comparison_rows(models: list[dict], entries: list[dict], lookup: dict) -> list[dict]:
    """One row per model (failed variants included), in declaration order."""
    best = {block: _best(models, block) for block in ("test", "wild")}
    rows = []
    by_variant = {}
    for candidate in models:
        by_variant.setdefault(candidate["variant"], []).append(candidate)
    for entry in entries:
        if entry["name"] not in by_variant:
            rows.append({"title": entry["title"], "anchor": entry["anchor"], "failed": True,
                         "reason": entry["status_text"]})
            continue
        for candidate in by_variant[entry["name"]]:
            test, wild = candidate["test"], candidate["wild"]
            rows.append({
                "title": candidate["title"], "anchor": candidate["anchor"], "failed": False,
                "comparable": candidate["comparable"], "split_kind": candidate["split_kind"],
                "test_acc": fmt_acc(test["accuracy"]), "test_ci": fmt_ci(test["accuracy_ci"]),
                "wild_acc": fmt_acc(wild["accuracy"]) if wild else "no wild set",
                "wild_ci": fmt_ci(wild["accuracy_ci"]) if wild else "",
                "f1": fmt_acc(test.get("f1_macro")),
                "wild_f1": fmt_acc(wild.get("f1_macro")) if wild else "no wild set",
                "training": fmt_seconds(candidate["training_seconds"]),
                "latency": fmt_ms(candidate["latency_ms"]),
                "batched": fmt_ms(candidate["batched_ms"]),
                "parameters": fmt_int(candidate["parameters"]),
                "size": fmt_bytes(candidate["size_bytes"]),
                "explainable": candidate["explainable"],
                "test_mark": _mark(candidate, best["test"], "test", lookup),
                "wild_mark": _mark(candidate, best["wild"], "wild", lookup)})
    return rows


def eval_rows(metrics_or_block: dict) -> list[dict]:
    """Metric rows for one model: test and wild columns."""
    test, wild = metrics_or_block["test"], metrics_or_block.get("wild")
    rows = []
    for label, key, fmt in (("Photos evaluated", "n", fmt_int),
                            ("Accuracy", "accuracy", fmt_acc),
                            ("95 % confidence interval", "accuracy_ci", fmt_ci),
                            ("Macro precision", "precision_macro", fmt_acc),
                            ("Macro recall", "recall_macro", fmt_acc),
                            ("Macro F1", "f1_macro", fmt_acc)):
        rows.append({"label": label, "test": fmt(test.get(key)),
                     "wild": fmt(wild.get(key)) if wild else "no wild set"})
    calibration = metrics_or_block.get("calibration") or {}
    if calibration.get("test"):
        rows.append({"label": "Expected calibration error",
                     "test": fmt_acc(calibration["test"].get("ece")),
                     "wild": fmt_acc(calibration["wild"].get("ece")) if calibration.get("wild")
                     else "not recorded" if wild else "no wild set"})
    return rows


def hardest_classes(block: dict | None, count: int = 3) -> str:
    """The classes with the lowest recall in an evaluation block, as text."""
    if not block or not block.get("per_class"):
        return "not recorded"
    per_class = [(name, values.get("recall", values.get("accuracy")))
                 for name, values in block["per_class"].items()
                 if values.get("support", 1) and values.get("recall", values.get("accuracy"))
                 is not None]
    per_class.sort(key=lambda item: (item[1], item[0]))
    return ", ".join(f"{name} ({fmt_acc(value)})" for name, value in per_class[:count])


def _grid_text(grid) -> str:
    """A grid search's validation accuracies, one ``setting: accuracy`` per grid point."""
    return "; ".join(", ".join(f"{k} {fmt_value(v)}" for k, v in (point.get("params") or {})
                               .items())
                     + f": {fmt_acc(point.get('val_accuracy'))}" for point in grid)


def _extra_tables(extra: dict | None) -> tuple[list[dict], list[tuple[str, str]]]:
    """Classifier results found in ``extra`` (blocks with ``test``) and its other values."""
    blocks = _classifier_blocks(extra)
    classifiers = []
    for key, value in blocks.items():
        wild = value.get("wild")
        settings = []
        for name, setting in value.items():
            if name in ("test", "wild", "inference", "model", "calibration"):
                continue
            if name == "grid" and isinstance(setting, list):
                settings.append(("validation accuracy per grid point", _grid_text(setting)))
            elif name == "val_accuracy":
                settings.append(("best validation accuracy", fmt_acc(setting)))
            else:
                settings.append((name.replace("_", " "), fmt_value(setting)))
        classifiers.append({
            "name": key.replace("_", " "), "test_acc": fmt_acc(value["test"]["accuracy"]),
            "test_ci": fmt_ci(value["test"].get("accuracy_ci")),
            "f1": fmt_acc(value["test"].get("f1_macro")),
            "wild_acc": fmt_acc(wild["accuracy"]) if wild else "no wild set",
            "wild_ci": fmt_ci(wild.get("accuracy_ci")) if wild else "",
            "latency": fmt_ms((value.get("inference") or {}).get("ms_per_image_batch1")),
            "settings": settings})
    other = key_values({k.replace("_", " "): v for k, v in (extra or {}).items()
                        if k not in blocks and k != "classifiers"})
    return classifiers, other


EXPLANATION_FIGURES = {"saliency_test", "saliency_wild", "reliability"}


def explained_variants(models: list[dict], rec: dict | None) -> set[str]:
    """Whose saliency maps and reliability diagram the report shows: the best comparable CNN,
    the transfer-learning model(s) and the recommended model (the others stay in their
    executed notebooks, to keep the report readable)."""
    comparable = [m for m in models if m["comparable"] and ":" not in m["key"]]
    cnns = [m for m in comparable if m["family"] == "cnn"]
    chosen = {m["variant"] for m in comparable if m["family"] == "transfer"}
    if cnns:
        chosen.add(max(cnns, key=lambda m: m["test"]["accuracy"])["variant"])
    if rec and rec.get("chosen"):
        chosen.add(rec["chosen"]["variant"])
    return chosen


def model_section(entry: dict, explained: set[str] = frozenset()) -> dict:
    """What one variant's section shows."""
    metrics = entry["metrics"]
    if metrics is None:
        return entry
    figures = entry["figures"]
    if entry["name"] not in explained:
        figures = [f for f in figures if f["key"] not in EXPLANATION_FIGURES]
    split = metrics.get("split") or {}
    training, inference, model = (metrics.get(k) or {} for k in ("training", "inference", "model"))
    classifiers, other = _extra_tables(metrics.get("extra"))
    return {**entry, "figures": figures,
            "explanations_elsewhere": len(figures) < len(entry["figures"]),
            "parameters": key_values(metrics.get("parameters")),
            "evaluation": eval_rows(metrics), "classifiers": classifiers, "extra": other,
            "split_text": split_text(split),
            "comparable": split.get("kind") != "random",
            "hardest_test": hardest_classes(metrics["test"]),
            "hardest_wild": hardest_classes(metrics.get("wild")) if metrics.get("wild")
            else "no wild set",
            "cost": [("Training time", fmt_seconds(training.get("seconds"))),
                     ("Epochs run", fmt_value(training.get("epochs_run"))),
                     ("Latency, 1 photo", fmt_ms(inference.get("ms_per_image_batch1"))),
                     (f"Latency in batches of {inference.get('batch_size', 'n')}",
                      fmt_ms(inference.get("ms_per_image_batched"))),
                     ("Parameters", fmt_int(model.get("parameters"))),
                     ("Size on disk", fmt_bytes(model.get("size_bytes")))]}


def split_sizes(split: dict) -> str:
    """``14,000 training, 2,000 validation and 290 test photos``."""
    parts = [f"{split[k]:,} {word}" for k, word in (("train", "training"), ("val", "validation"),
                                                    ("test", "test"))
             if isinstance(split.get(k), int)]
    if not parts:
        return "sizes not recorded"
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + \
        " photos"


def split_text(split: dict) -> str:
    kind = split.get("kind", "not recorded")
    sizes = ", ".join(f"{split[k]:,} {k}" for k in ("train", "val", "test")
                      if isinstance(split.get(k), int))
    name = {"frame_block": "frame-block split", "random": "random split"}.get(kind, kind)
    return f"{name} ({sizes})" if sizes else name


# ---------------------------------------------------------------- dataset and exploration

def _counts(mapping: dict | None) -> list[dict]:
    return [{"name": k, "count": fmt_int(v)} for k, v in (mapping or {}).items()
            if isinstance(v, (int, float))]


def _sizes_text(sizes: dict | None) -> str | None:
    """``{"200x200": 48, "150x200": 2}`` -> ``200x200 (48 of 50 sampled), 150x200 (2 of 50)``."""
    if not sizes:
        return None
    total = sum(sizes.values())
    return ", ".join(f"{size} ({count} of {total} sampled)" for size, count in sizes.items())


def _statistic_value(key: str, value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 3:
        return ", ".join(f"{channel} {v:.1f}" for channel, v in zip("RGB", value))
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return f"{value:.1f}" if isinstance(value, float) else fmt_value(value)


def statistics_table(statistics: dict | None) -> dict | None:
    """Image statistics per photo set (``{"train": {...}, "wild": {...}}``) as rows x sets."""
    if not statistics:
        return None
    if not all(isinstance(v, dict) for v in statistics.values()):
        statistics = {"train": statistics}
    columns = list(statistics)
    keys = []
    for values in statistics.values():
        keys += [k for k in values if k not in keys]
    names = {"mean_rgb": "Mean pixel value (0-255)", "std_rgb": "Pixel standard deviation",
             "brightness_mean": "Mean brightness per photo",
             "brightness_std": "Spread of brightness between photos"}
    return {"columns": [{"train": "Training photos", "wild": "Wild photos"}.get(c, c)
                        for c in columns],
            "rows": [{"label": names.get(k, k.replace("_", " ")),
                      "cells": [_statistic_value(k, statistics[c][k]) if k in statistics[c]
                                else "not recorded" for c in columns]} for k in keys]}


def size_text(size) -> str:
    """64 -> ``64 × 64 pixels``."""
    if isinstance(size, int):
        return f"{size} × {size} pixels"
    return "not recorded" if size is None else f"{fmt_value(size)} pixels"


def dataset_section(exploration: dict | None, models: list[dict]) -> dict:
    """Data facts from the exploration metrics, else from a model's ``data`` block."""
    metrics = exploration["metrics"] if exploration else None
    data = (metrics or {}).get("data") or {}
    first_model = next((m["metrics"] for m in models if m["metrics"]), None)
    if not data and first_model:
        data = first_model.get("data") or {}
    counts = data.get("per_class") or data.get("class_counts") or {}
    counts = {k: v for k, v in counts.items() if isinstance(v, (int, float))}
    wild = (metrics or {}).get("wild")
    if wild is None and first_model and first_model.get("wild"):
        wild = {"n_images": first_model["wild"]["n"],
                "source": (first_model.get("data") or {}).get("wild_source")}
    classes = (metrics or {}).get("classes") or (first_model or {}).get("classes") or CLASSES
    frame_range = data.get("frame_range")
    return {
        "available": bool(data),
        "source": data.get("source") or "not recorded",
        "n_images": fmt_int(data.get("n_images")),
        "image_size": size_text(data.get("image_size")),
        "original_sizes": _sizes_text(data.get("original_sizes")),
        "frame_range": (f"{frame_range[0]:,} to {frame_range[1]:,}"
                        if isinstance(frame_range, (list, tuple)) and len(frame_range) == 2
                        else None),
        "skipped": fmt_int(data.get("skipped")),
        "n_classes": len(classes), "classes": ", ".join(classes),
        "counts": _counts(counts),
        "count_min": fmt_int(min(counts.values())) if counts else None,
        "count_max": fmt_int(max(counts.values())) if counts else None,
        "wild": None if not wild else {
            "source": wild.get("source") or "not recorded",
            "n_images": fmt_int(wild.get("n_images")),
            "skipped": fmt_int(wild.get("skipped")) if "skipped" in wild else None,
            "original_sizes": _sizes_text(wild.get("original_sizes")),
            "counts": _counts(wild.get("per_class") or wild.get("class_counts"))},
        "statistics": statistics_table(data.get("statistics") or data.get("image_stats")),
    }


FIGURE_GROUPS = {"overview": ("class_balance", "samples", "wild_samples"),
                 "statistics": ("brightness", "mean_images"),
                 "duplicates": ("near_duplicates", "frame_pairs")}


def exploration_section(exploration: dict | None) -> dict:
    """Exploration figures grouped by topic, the splits and the near-duplicate evidence."""
    if exploration is None or exploration["metrics"] is None:
        return {"available": False,
                "reason": exploration["reason"] if exploration else
                "no exploration notebook was declared in variants.yaml"}
    metrics = exploration["metrics"]
    groups = {name: [f for f in exploration["figures"] if f["key"] in keys]
              for name, keys in FIGURE_GROUPS.items()}
    grouped = {f["key"] for figures in groups.values() for f in figures}
    groups["other"] = [f for f in exploration["figures"] if f["key"] not in grouped]
    splits = {name: values for name, values in (metrics.get("splits") or {}).items()
              if isinstance(values, dict)}
    setting_keys = []
    for values in splits.values():
        setting_keys += [k for k in values if k not in setting_keys and k != "kind"]
    duplicates, threshold = [], None
    for name, values in (metrics.get("near_duplicates") or {}).items():
        if not isinstance(values, dict):
            continue
        threshold = values.get("threshold_bits", values.get("threshold", threshold))
        duplicates.append({
            "split": name.replace("_", "-"),
            "n_test": fmt_int(values.get("test", values.get("n_test"))),
            "with_duplicate": fmt_int(values.get("with_near_duplicate",
                                                 values.get("with_duplicate"))),
            "fraction": fmt_acc(values.get("fraction")),
            "median_bits": fmt_value(values.get("median_nearest_bits", "not recorded"))})
    return {"available": True, "figures": groups,
            "splits": {"columns": [n.replace("_", "-") for n in splits],
                       "rows": [{"label": k.replace("_", " "),
                                 "cells": [fmt_value(v.get(k, "not used")) for v in
                                           splits.values()]} for k in setting_keys]},
            "near_duplicates": duplicates,
            "threshold": fmt_value(threshold) if threshold is not None else None}


def evaluation_section(entries: list[dict], models: list[dict], groups: list[dict]) -> dict:
    """Split settings and test-set sizes for the 'How we evaluated' section."""
    def split_of(kind):
        for entry in entries:
            split = ((entry.get("metrics") or {}).get("split") or {})
            if entry.get("kind") == "model" and split.get("kind") == kind:
                return split
        return None

    frame_block, random = split_of("frame_block"), split_of("random")
    wild_n = next((c["wild"]["n"] for c in models if c.get("wild")), None)
    return {
        "frame_block": None if not frame_block else {
            "sizes": split_sizes(frame_block),
            "block_size": fmt_value(frame_block.get("block_size", "not recorded")),
            "gap": fmt_value(frame_block.get("gap", "not recorded")),
            "test_fraction": fmt_value(frame_block.get("test_fraction", "not recorded")),
            "note": frame_block.get("note")},
        "random": None if not random else {"sizes": split_sizes(random),
                                           "test_fraction": fmt_value(
                                               random.get("test_fraction", "not recorded"))},
        "wild_n": fmt_int(wild_n) if wild_n else None,
        "alpha": fmt_value(ALPHA), "n_groups": len(groups),
    }


# ---------------------------------------------------------------- findings and recommendation

def _by_key(models, key):
    return next((c for c in models if c["key"] == key), None)


def _best(models, block):
    scored = [c for c in models if c["comparable"] and c.get(block)]
    if not scored:
        return None
    return max(scored, key=lambda c: (c[block]["accuracy"], _acc(c, "test") or 0,
                                      -(c["latency_ms"] or 0)))


def _significant(lookup, block, a, b):
    pair = lookup.get((block, a["key"], b["key"]))
    return None if pair is None else pair["significant"]


def _sig_words(significant) -> str:
    return {True: "significant after Holm correction",
            False: "not significant after Holm correction",
            None: "not tested (different photos)"}[significant]


def _where(block: str) -> str:
    return "on the wild photos" if block == "wild" else "on the in-domain test photos"


def recommendation(models: list[dict], lookup: dict) -> dict | None:
    """Pick the model to recommend, with the reasons, from the numbers.

    The most accurate comparable model wins, on the wild photos when a wild set was given (the
    real use is other people's hands) and otherwise in domain. The explainable logistic
    regression replaces it when neither accuracy difference is significant.
    """
    comparable = [c for c in models if c["comparable"]]
    if not comparable:
        return None
    primary = "wild" if any(c.get("wild") for c in comparable) else "test"
    best = _best(comparable, primary)
    best_test, best_wild = _best(comparable, "test"), _best(comparable, "wild")
    explainable = next((c for c in comparable if c["explainable"]), None)
    chosen = best
    reasons = [f"Accuracy: {best['title']} is the most accurate {_where(primary)}, "
               f"{fmt_acc(best[primary]['accuracy'])} {fmt_ci(best[primary]['accuracy_ci'])}."]
    if primary == "wild" and best_test is not best:
        reasons.append(
            f"In domain, {best_test['title']} is the most accurate, "
            f"{fmt_acc(best_test['test']['accuracy'])} "
            f"{fmt_ci(best_test['test']['accuracy_ci'])} against "
            f"{fmt_acc(best['test']['accuracy'])} (difference "
            f"{_sig_words(_significant(lookup, 'test', best_test, best))}); the wild photos "
            "decide, because a real user is another person in another room.")
    if explainable is best:
        reasons.append("Explainability: it is also the explainable option, a logistic "
                       "regression whose coefficients can be inspected.")
    elif explainable:
        gaps = {block: _significant(lookup, block, best, explainable)
                for block in ("test", "wild") if best.get(block) and explainable.get(block)}
        gap_text = " and ".join(
            f"{fmt_acc(explainable[block]['accuracy'])} against "
            f"{fmt_acc(best[block]['accuracy'])} {_where(block)} "
            f"({fmt_diff(explainable[block]['accuracy'] - best[block]['accuracy'])}, "
            f"{_sig_words(significant)})" for block, significant in gaps.items())
        if gaps and not any(gaps.values()):
            chosen = explainable
            reasons.append(f"Explainability: {explainable['title']} is not significantly less "
                           f"accurate: {gap_text}. Explainability therefore decides, and it "
                           "is recommended instead: its coefficients show which code "
                           "dimensions drive each letter.")
        else:
            reasons.append(f"Explainability: {explainable['title']}, the explainable option, "
                           f"is less accurate: {gap_text}. It is the choice only where every "
                           "decision must be explained.")
    else:
        reasons.append("Explainability: no explainable option (logistic regression on "
                       "autoencoder codes) has results in this build, so it could not be "
                       "weighed.")
    cheaper = [c for c in comparable if c is not chosen and c["latency_ms"] is not None
               and chosen["latency_ms"] is not None and c["latency_ms"] < chosen["latency_ms"]
               and _significant(lookup, primary, chosen, c) is False]
    if cheaper:
        fastest = min(cheaper, key=lambda c: c["latency_ms"])
        reasons.append(
            f"Cost: {fastest['title']} answers in {fmt_ms(fastest['latency_ms'])} per photo "
            f"instead of {fmt_ms(chosen['latency_ms'])} and takes "
            f"{fmt_bytes(fastest['size_bytes'])} on disk instead of "
            f"{fmt_bytes(chosen['size_bytes'])}, with an accuracy {_where(primary)} "
            f"({fmt_acc(fastest[primary]['accuracy'])}) that is not significantly different; "
            "it is the choice for a small device.")
    else:
        reasons.append(
            f"Cost: {chosen['title']} answers in {fmt_ms(chosen['latency_ms'])} per photo "
            f"and takes {fmt_bytes(chosen['size_bytes'])} on disk; no faster model matches "
            f"its accuracy {_where(primary)}.")
    return {"chosen": chosen, "primary": primary, "reasons": reasons,
            "best_test": best_test, "best_wild": best_wild, "explainable": explainable,
            "before_use": before_use(chosen)}


def before_use(chosen: dict) -> list[str]:
    """What the recommended model needs before anyone relies on it."""
    steps = []
    test, wild = chosen["test"], chosen.get("wild")
    if wild:
        steps.append(f"Out of domain it is right on {fmt_acc(wild['accuracy'])} of other people's "
                     f"photos against {fmt_acc(test['accuracy'])} in domain: it needs training "
                     "photos from many signers, hands, backgrounds and lighting conditions, and a "
                     "new out-of-domain test, before real-world use.")
        steps.append(f"Its weakest letters on the wild photos are {hardest_classes(wild)}; "
                     "these need targeted data.")
    else:
        steps.append("No out-of-domain photos were evaluated: its accuracy on other people's "
                     "hands is unknown and must be measured before any real-world use.")
    steps.append("A confidence threshold with a 'not sure' answer, checked with a calibration "
                 "view, so that uncertain photos are not given a confident wrong letter.")
    steps.append("J and Z are signed with a movement; a single photo cannot capture it, so these "
                 "two letters need video input to be recognised reliably.")
    steps.append("An evaluation on photos from its intended users and a review of its errors "
                 "with signers.")
    return steps


def findings(models: list[dict], lookup: dict, rec: dict | None, groups: list[dict],
             exploration: dict | None) -> list[dict]:
    """Key findings, each a title and a sentence with its numbers."""
    items = []
    scratch, random_cnn = _by_key(models, BASELINE), _by_key(models, RANDOM_SPLIT)
    if scratch and random_cnn:
        gap = random_cnn["test"]["accuracy"] - scratch["test"]["accuracy"]
        items.append({"title": "Leakage gap", "text":
                      f"The same CNN scores {fmt_acc(random_cnn['test']['accuracy'])} "
                      f"{fmt_ci(random_cnn['test']['accuracy_ci'])} on a random split but "
                      f"{fmt_acc(scratch['test']['accuracy'])} "
                      f"{fmt_ci(scratch['test']['accuracy_ci'])} on the frame-block split: "
                      f"a leakage gap of {fmt_diff(gap)}. The original study's "
                      f"{fmt_acc(ORIGINAL_STUDY['cnn'])} came from a random split and "
                      "overstates accuracy on unseen frames."})
    else:
        missing = [name for name, c in ((BASELINE, scratch), (RANDOM_SPLIT, random_cnn)) if not c]
        items.append({"title": "Leakage gap", "text":
                      f"Not measured: {', '.join(missing)} has no results in this build."})
    duplicates = (((exploration or {}).get("metrics") or {}).get("near_duplicates") or {})
    shares = [(name.replace("_", "-"), values["fraction"]) for name, values in duplicates.items()
              if isinstance(values, dict) and values.get("fraction") is not None]
    if shares:
        items.append({"title": "Near-duplicate frames", "text": "Share of test photos with a "
                      "near-duplicate in training: " + "; ".join(
                          f"{name} split {fmt_acc(value)}" for name, value in shares) + "."})
    best_test = rec["best_test"] if rec else None
    if best_test and best_test.get("wild"):
        gap = best_test["test"]["accuracy"] - best_test["wild"]["accuracy"]
        items.append({"title": "Domain gap", "text":
                      f"The best in-domain model, {best_test['title']}, drops from "
                      f"{fmt_acc(best_test['test']['accuracy'])} on unseen frames to "
                      f"{fmt_acc(best_test['wild']['accuracy'])} "
                      f"{fmt_ci(best_test['wild']['accuracy_ci'])} on other people's photos: "
                      f"a domain gap of {fmt_diff(gap)} (in-domain minus wild accuracy)."})
    elif best_test:
        items.append({"title": "Domain gap", "text": "Not measured: no out-of-domain (wild) "
                      "photos were given to this build."})
    if rec and rec["best_wild"] and rec["best_wild"] is not best_test:
        best_wild = rec["best_wild"]
        items.append({"title": "Best out of domain", "text":
                      f"{best_wild['title']} generalises best: "
                      f"{fmt_acc(best_wild['wild']['accuracy'])} "
                      f"{fmt_ci(best_wild['wild']['accuracy_ci'])} on the wild photos, "
                      f"{_sig_words(_significant(lookup, 'wild', best_wild, best_test))} "
                      f"against {best_test['title']}."})
    if scratch:
        changes = []
        for other in models:
            if other is scratch or not other["comparable"] or other["explainable"]:
                continue
            parts = [f"{fmt_diff(other[b]['accuracy'] - scratch[b]['accuracy'])} "
                     f"{'in domain' if b == 'test' else 'out of domain'}"
                     f"{'*' if _significant(lookup, b, other, scratch) else ''}"
                     for b in ("test", "wild") if other.get(b) and scratch.get(b)]
            changes.append(f"{other['title']}: {', '.join(parts)}")
        if changes:
            items.append({"title": "Against the baseline", "text":
                          f"Accuracy change relative to {scratch['title']} (* = significant "
                          "after Holm correction): " + "; ".join(changes) + "."})
    calibrated = [c for c in models if c["comparable"] and (c.get("calibration") or {}).get("test")]
    chosen = rec["chosen"] if rec else None
    if calibrated and not any(c is chosen for c in calibrated):
        primary = rec["primary"] if rec else "test"
        chosen = max(calibrated, key=lambda c: _acc(c, primary) or 0)
    calibration = (chosen or {}).get("calibration") or {}
    if chosen and calibration.get("test"):
        parts = []
        for block, where in (("test", "in domain"), ("wild", "on the wild photos")):
            table = calibration.get(block)
            if not table or table.get("ece") is None:
                continue
            part = f"{fmt_acc(table['ece'])} {where}"
            confidence, accuracy = table.get("mean_confidence"), _acc(chosen, block)
            if confidence is not None and accuracy is not None:
                mood = "overconfident" if confidence > accuracy else "underconfident"
                part += (f" (mean confidence {fmt_acc(confidence)} against accuracy "
                         f"{fmt_acc(accuracy)}: {mood})")
            parts.append(part)
        which = "the recommended model, " if rec and chosen is rec["chosen"] else ""
        items.append({"title": "Calibration", "text":
                      f"Expected calibration error of {which}{chosen['title']}: "
                      + "; ".join(parts) + "."})
    transfer = [c for c in models if c["family"] == "transfer" and c["comparable"]]
    if transfer:
        t = max(transfer, key=lambda c: c["test"]["accuracy"])
        items.append({"title": "Transfer learning", "text":
                      f"{t['title']} reaches {fmt_acc(t['test']['accuracy'])} in domain, against "
                      f"{fmt_acc(ORIGINAL_STUDY['vgg16_frozen'])} for the original study's "
                      "frozen VGG16."})
    n_pairs = sum(len(g["pairs"]) for g in groups)
    if n_pairs:
        items.append({"title": "Significance", "text":
                      f"{sum(g['n_significant'] for g in groups)} of {n_pairs} pairwise "
                      "differences are significant after Holm correction (" + "; ".join(
                          f"{g['n_significant']} of {len(g['pairs'])} on the {g['label']}"
                          for g in groups) + ")."})
    return items


def next_steps(rec: dict | None, models: list[dict]) -> list[str]:
    """What to do next, tied to this build's weakest numbers."""
    steps = []
    best_wild = rec["best_wild"] if rec else None
    if best_wild:
        steps.append(f"Close the domain gap: the best wild accuracy is "
                     f"{fmt_acc(best_wild['wild']['accuracy'])}. Add photos of many signers and "
                     "settings to training, and crop the hand with a hand detector before "
                     "classifying so the background stops mattering.")
    else:
        steps.append("Evaluate every variant on photos of other people (--wild): without them "
                     "the report cannot say how the models generalise.")
    if not any(c["family"] == "transfer" for c in models):
        steps.append("Add the transfer-learning variant (MobileNet with ImageNet weights); it has "
                     "no results in this build.")
    steps.append("Fine-tune a larger ImageNet backbone at a larger input size where its weights "
                 "are available, and compare it on the same frame-block and wild photos.")
    steps.append("Report calibration and add a 'not sure' answer below a confidence threshold.")
    steps.append("Move from single photos to short video clips, which J and Z need.")
    return steps


def model_card(rec: dict | None, entries: list[dict], dataset: dict) -> dict | None:
    """The model-card appendix for the recommended model."""
    if rec is None:
        return None
    chosen = rec["chosen"]
    entry = next(e for e in entries if e["name"] == chosen["variant"])
    metrics = entry["metrics"]
    return {"title": chosen["title"], "variant": chosen["variant"],
            "family": fmt_value(chosen["family"]), "notebook": entry["notebook"],
            "split": split_text(metrics.get("split") or {}),
            "data": f"{fmt_int((metrics.get('data') or {}).get('n_images'))} photos from "
                    f"{(metrics.get('data') or {}).get('source') or dataset['source']}",
            "image_size": size_text((metrics.get("data") or {}).get("image_size")),
            "color_mode": fmt_value((metrics.get("data") or {}).get("color_mode",
                                                                    "not recorded")),
            "evaluation": eval_rows(chosen), "hardest_test": hardest_classes(chosen["test"]),
            "hardest_wild": hardest_classes(chosen.get("wild")) if chosen.get("wild")
            else "no wild set",
            "latency": fmt_ms(chosen["latency_ms"]), "size": fmt_bytes(chosen["size_bytes"]),
            "parameters": fmt_int(chosen["parameters"]),
            "model_file": fmt_value((metrics.get("model") or {}).get("file", "not recorded")),
            "limitations": rec["before_use"]}


# ---------------------------------------------------------------- reproducibility

VARIANT_COLUMNS = (("seconds", "Wall time"), ("finished", "Finished (UTC)"),
                   ("fingerprint", "Fingerprint"))


def reproducibility(manifest: dict, entries: list[dict]) -> dict:
    """Manifest facts: the build's values, one row per variant, links to the notebooks."""
    manifest = dict(manifest or {})
    per_variant = manifest.pop("variants", {}) or {}
    rows = []
    for entry in entries:
        values = per_variant.get(entry["name"]) or {}
        rows.append({"name": entry["name"], "anchor": entry["anchor"],
                     "notebook": entry["notebook"], "status": entry["status"],
                     "notebook_html": entry["notebook_html"],
                     "notebook_html_name": Path(entry["notebook_html"] or "").name,
                     "cells": [_manifest_value(key, values.get(key))
                               for key, _ in VARIANT_COLUMNS]})
    sections = []
    scalars = [(k.replace("_", " "), _manifest_value(k, v))
               for k, v in manifest.items() if not isinstance(v, dict)]
    if scalars:
        sections.append({"name": "build", "rows": scalars})
    for key, value in manifest.items():
        if isinstance(value, dict):
            sections.append({"name": key.replace("_", " "), "rows": key_values(value)})
    return {"sections": sections, "columns": [label for _, label in VARIANT_COLUMNS],
            "rows": rows}


def _manifest_value(key: str, value) -> str:
    if value is None or value == {}:
        return "none" if key == "parameters" else "not recorded"
    if key == "command" and isinstance(value, list):
        return " ".join(map(str, value))
    if "seconds" in key and isinstance(value, (int, float)):
        return fmt_seconds(value)
    if key == "fingerprint" and isinstance(value, str):
        return value[:12]
    if key == "finished" and isinstance(value, str):
        return value.replace("T", " ")[:16]
    return fmt_value(value)


# ---------------------------------------------------------------- the whole context

def build_context(out_dir, variants: list[dict], manifest: dict, quick: bool,
                  failures: dict[str, str]) -> dict:
    """Everything the template needs, computed from the metrics files."""
    out_dir = Path(out_dir)
    failures = failures or {}
    entries = [load_variant(v, out_dir, failures) for v in variants]
    exploration = next((e for e in entries if e.get("kind") == EXPLORATION_KIND
                        or e["name"] == "explore"), None)
    model_entries = [e for e in entries if e is not exploration]
    models = candidates(model_entries)
    groups = pairwise_tests(models)
    lookup = _significance(groups)
    rec = recommendation(models, lookup)
    dataset = dataset_section(exploration, model_entries)
    found = findings(models, lookup, rec, groups, exploration)
    manifest = manifest or {}
    sections = [{"id": id_, "title": title,
                 "number": "" if title.startswith("Appendix") else str(i)}
                for i, (id_, title) in enumerate(SECTIONS, 1)]
    date = str(manifest.get("date") or manifest.get("created") or dt.date.today().isoformat())
    return {
        "title": "Recognising the American Sign Language alphabet from photos",
        "subtitle": "Model variants, their evaluation and a recommendation",
        "author": manifest.get("author") or "ASL report generator",
        "date": date[:10], "quick": bool(quick),
        "sections": sections, "section": {item["id"]: item for item in sections},
        "original": {k: fmt_acc(v) for k, v in ORIGINAL_STUDY.items()},
        "dataset": dataset,
        "evaluation": evaluation_section(model_entries, models, groups),
        "exploration": exploration_section(exploration),
        "variants": [model_section(e, explained_variants(models, rec)) for e in model_entries],
        "comparison": comparison_rows(models, model_entries, lookup),
        "tests": groups,
        "recommendation": rec,
        "findings": found,
        "glance": [item for item in found if item["title"] in GLANCE],
        "next_steps": next_steps(rec, models),
        "model_card": model_card(rec, model_entries, dataset),
        "reproducibility": reproducibility(manifest, entries),
        "n_failed": sum(e["status"] in ("failed", "missing") for e in entries),
    }
