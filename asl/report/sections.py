"""The data chapters and the appendix: dataset, exploration, how we evaluated, reproducibility."""
from __future__ import annotations

from pathlib import Path

from asl import CLASSES
from asl.report.candidates import Candidate
from asl.report.formatting import (fmt_acc, fmt_int, fmt_seconds, fmt_value, key_values,
                                   size_text, split_sizes)
from asl.report.results import VariantResult
from asl.report.method import (near_duplicate_note, selection_half_uses, statistics_notes,
                               wild_facts)
from asl.report.significance import ALPHA, TestGroup

FIGURE_GROUPS = {"overview": ("samples", "wild_samples"),   # in the body
                 "duplicates": ("near_duplicates",)}
STATISTIC_NAMES = {"mean_rgb": "Mean pixel value (0-255)", "std_rgb": "Pixel standard deviation",
                   "brightness_mean": "Mean brightness per photo",
                   "brightness_std": "Spread of brightness between photos"}
VARIANT_COLUMNS = (("seconds", "Wall time"), ("finished", "Finished (UTC)"),
                   ("threads", "Threads"), ("fingerprint", "Fingerprint"),
                   ("data_fingerprint", "Training data"))


def _counts(mapping: dict | None) -> list[dict]:
    return [{"name": k, "count": fmt_int(v)} for k, v in (mapping or {}).items()
            if isinstance(v, (int, float))]


def _sizes_text(sizes: dict | None) -> str | None:
    """``{"200x200": 48, "150x200": 2}`` -> ``200x200 (48 of 50 sampled), 150x200 (2 of 50)``."""
    if not sizes:
        return None
    total = sum(sizes.values())
    return ", ".join(f"{size} ({count} of {total} sampled)" for size, count in sizes.items())


def _statistic_value(value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 3:
        return ", ".join(f"{channel} {v:.1f}" for channel, v in zip("RGB", value))
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return f"{value:.1f}" if isinstance(value, float) else fmt_value(value)


def statistics_table(statistics: dict | None) -> dict | None:
    """Image statistics per photo set (``{"train": {...}, "wild": {...}}``) as rows x sets."""
    if not statistics:
        return None
    columns = list(statistics)
    keys = []
    for values in statistics.values():
        keys += [k for k in values if k not in keys]
    return {"columns": [{"train": "Training photos", "wild": "Wild photos"}.get(c, c)
                        for c in columns],
            "rows": [{"label": STATISTIC_NAMES.get(k, k.replace("_", " ")),
                      "cells": [_statistic_value(statistics[c][k]) if k in statistics[c]
                                else "not recorded" for c in columns]} for k in keys]}


def dataset_section(exploration: VariantResult | None, models: list[VariantResult]) -> dict:
    """Data facts from the exploration metrics, else from a model's ``data`` block."""
    metrics = exploration.metrics if exploration else None
    data = (metrics or {}).get("data") or {}
    first_model = next((m.metrics for m in models if m.metrics), None)
    if not data and first_model:
        data = first_model.get("data") or {}
    counts = {k: v for k, v in (data.get("per_class") or {}).items()
              if isinstance(v, (int, float))}
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
            "counts": _counts(wild.get("per_class")),
            "known": wild_facts(wild.get("n_images"), wild.get("per_class"))},
        "statistics": statistics_table(data.get("statistics")),
        "notes": data_notes(data) + overlap_notes((metrics or {}).get("wild")),
    }


def data_notes(data: dict) -> list[str]:
    """Sentences on what the build left out of the data or found missing."""
    def named(names, total=None) -> str:
        names = [str(n) for n in names or []]
        more = (total or len(names)) - len(names)
        return ", ".join(names) + (f" and {more} more" if more > 0 else "")

    notes = []
    if data.get("missing_classes"):
        notes.append(f"Warning: no training photos for class(es) "
                     f"{named(data['missing_classes'])}; the models cannot learn them.")
    if data.get("n_set_aside"):
        notes.append(f"{fmt_int(data['n_set_aside'])} photo(s) without a frame number in the "
                     f"file name were set aside from the frame-block split: "
                     f"{named(data.get('set_aside'), data['n_set_aside'])}.")
    if data.get("unknown_folders"):
        notes.append("Folders not named after a class were left out: " + ", ".join(
            f"{name}/ ({count} files)" for name, count in data["unknown_folders"].items()) + ".")
    if data.get("skipped_files"):
        notes.append(f"Skipped files: {named(data['skipped_files'], data.get('skipped'))}.")
    if data.get("merged_folders"):
        notes.append("Class folders that differ only in letter case were read as one class: "
                     + "; ".join(" and ".join(f"{f}/" for f in folders)
                                 for folders in data["merged_folders"].values()) + ".")
    return notes


def overlap_notes(wild: dict | None) -> list[str]:
    """The sentence saying the wild photos were checked against the training photos."""
    overlap = (wild or {}).get("overlap")
    if not overlap or not overlap.get("checked"):
        return []
    return [f"Before the build, the {fmt_int(overlap['n_wild'])} wild photos were checked "
            f"against the {fmt_int(overlap['n_train'])} training photos: none is identical to "
            f"a training photo or a near-duplicate of one of its class (perceptual hash within "
            f"{overlap['near_bits']} bits)."]


def exploration_section(exploration: VariantResult | None) -> dict:
    """Exploration figures grouped by topic, the splits and the near-duplicate evidence."""
    if exploration is None or exploration.metrics is None:
        return {"available": False,
                "reason": exploration.reason if exploration else
                "no exploration notebook was declared in variants.yaml"}
    metrics = exploration.metrics
    groups = {name: [f for f in exploration.figures if f.key in keys]
              for name, keys in FIGURE_GROUPS.items()}
    grouped = {f.key for figures in groups.values() for f in figures}
    groups["appendix"] = [f for f in exploration.figures if f.key not in grouped]
    splits = {name: values for name, values in (metrics.get("splits") or {}).items()
              if isinstance(values, dict)}
    setting_keys = []
    for values in splits.values():
        setting_keys += [k for k in values if k not in setting_keys and k != "kind"]
    duplicates, threshold = [], None
    for name, values in (metrics.get("near_duplicates") or {}).items():
        if not isinstance(values, dict):
            continue
        threshold = values.get("threshold_bits", threshold)
        duplicates.append({
            "split": name.replace("_", "-"), "n_test": fmt_int(values.get("test")),
            "with_duplicate": fmt_int(values.get("with_near_duplicate")),
            "fraction": fmt_acc(values.get("fraction")),
            "median_bits": fmt_value(values.get("median_nearest_bits", "not recorded"))})
    return {"available": True, "figures": groups,
            "splits": {"columns": [n.replace("_", "-") for n in splits],
                       "rows": [{"label": k.replace("_", " "),
                                 "cells": [fmt_value(v.get(k, "not used")) for v in
                                           splits.values()]} for k in setting_keys]},
            "near_duplicates": duplicates,
            "threshold": fmt_value(threshold) if threshold is not None else None}


def evaluation_section(results: list[VariantResult], models: list[Candidate],
                       groups: list[TestGroup], min_train: float, quick: bool,
                       exploration: dict | None = None) -> dict:
    """Split settings and test-set sizes for the 'How we evaluated' section."""
    def split_of(kind):
        for result in results:
            split = (result.metrics or {}).get("split") or {}
            if result.kind == "model" and split.get("kind") == kind:
                return split
        return None

    frame_block, random = split_of("frame_block"), split_of("random")
    wild_n = next((c.wild["n"] + c.wild_select["n"] for c in models if c.wild), None)
    halves = next(((c.wild_select["n"], c.wild["n"]) for c in models if c.wild), (None, None))
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
        "select_n": fmt_int(halves[0]) if halves[0] else None,
        "report_n": fmt_int(halves[1]) if halves[1] else None,
        "selection_uses": selection_half_uses(results),
        "ablations": [r.title for r in results if r.role == "ablation" and r.kind == "model"],
        "min_train": fmt_acc(min_train) if min_train else None, "quick": quick,
        "alpha": fmt_value(ALPHA), "n_groups": len(groups),
        "seeds": max((len(r.runs) for r in results if r.kind == "model"), default=0),
        "statistics": statistics_notes(models, groups),
        "near_duplicates": near_duplicate_note(
            exploration, (frame_block or {}).get("gap", "not recorded")),
    }


def _manifest_value(key: str, value) -> str:
    if value is None or value == {}:
        return "none" if key == "parameters" else "not recorded"
    if key == "command" and isinstance(value, list):
        return " ".join(map(str, value))
    if "seconds" in key and isinstance(value, (int, float)):
        return fmt_seconds(value)
    if key.endswith("fingerprint") and isinstance(value, str):
        return value[:12]
    if key == "finished" and isinstance(value, str):
        return value.replace("T", " ")[:16]
    return fmt_value(value)


def _seeds_text(result: VariantResult) -> str:
    """The seeds a variant ran (``seeds 1, 2, 3``); ``one run`` without a recorded seed."""
    seeds = [str(seed) for seed in result.seeds if seed is not None]
    if not seeds:
        return "one run" if result.runs else "none"
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(seeds)


def reproducibility(manifest: dict, results: list[VariantResult]) -> dict:
    """Manifest facts: the build's values, one row per variant, links to the notebooks."""
    manifest = dict(manifest or {})
    per_variant = manifest.pop("variants", {}) or {}
    rows = []
    for result in results:
        values = per_variant.get(result.name) or next(   # a seeded variant: its first run
            (v for v in per_variant.values() if v.get("variant") == result.name), {})
        exploration = result.kind == "exploration" or result.role == "exploration"
        rows.append({"name": result.name, "anchor": "exploration" if exploration else result.anchor,
                     "notebook": result.notebook,
                     "status": result.status, "notebook_html": result.notebook_html,
                     "notebook_html_name": Path(result.notebook_html or "").name,
                     "seeds": _seeds_text(result),
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
