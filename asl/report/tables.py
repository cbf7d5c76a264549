"""The model chapters: each variant's section, the comparison table and the model card."""
from __future__ import annotations

import re

from asl.report import halves, seeds
from asl.report.candidates import Candidate, classifier_blocks
from asl.report.clusters import frame_blocks
from asl.report.decision import Recommendation, best
from asl.report.formatting import (fmt_acc, fmt_bytes, fmt_ci, fmt_diff, fmt_int, fmt_ms,
                                   fmt_seconds, fmt_spread, fmt_value, key_values, size_text,
                                   split_text)
from asl.report.method import cascade_choice, fusion_choice, gate_choice
from asl.report.narrative import hardest_classes
from asl.report.results import VariantResult
from asl.report.significance import Significance

OWN_TABLES = ("classifiers", "detection", "top_features", "fusion", "network_alone", "gate",
              "fusion_alone")
"""Keys of ``extra`` the variant section shows in tables of their own."""
CLASSIFIER_RESULTS = ("test", "wild", "val", "inference", "model", "calibration", "explainable",
                      "title", "abbreviation", "train_accuracy")


def _mark(candidate: Candidate, top: Candidate | None, block: str,
          significance: Significance) -> str:
    """``best``, ``worse`` (significantly below the best) or ``""`` for one accuracy cell."""
    if top is None or not getattr(candidate, block) or not candidate.comparable:
        return ""
    if candidate is top:
        return "best"
    return "worse" if significance.between(block, candidate, top) else ""


def common_batch(models: list[Candidate]) -> int | None:
    """The batch size most models' batched latency was timed at: the column's one size."""
    sizes = [c.batch_size for c in models if c.batch_size and c.fitted]
    return max(set(sizes), key=sizes.count) if sizes else None


def _timed_elsewhere(candidate: Candidate, size: int | None) -> bool:
    """Its batched latency was timed at another batch size than the column's."""
    return bool(candidate.batch_size and size and candidate.batch_size != size)


def _batched(candidate: Candidate, size: int | None) -> str:
    if _timed_elsewhere(candidate, size):
        return f"not timed at {size} ({fmt_ms(candidate.batched_ms)} at {candidate.batch_size})"
    return fmt_ms(candidate.batched_ms)


def comparison_rows(models: list[Candidate], results: list[VariantResult],
                    significance: Significance) -> list[dict]:
    """One row per model (failed variants included), in declaration order."""
    tops = {block: best(models, block) for block in ("test", "wild")}
    size = common_batch(models)
    by_variant: dict[str, list[Candidate]] = {}
    for candidate in models:
        by_variant.setdefault(candidate.variant, []).append(candidate)
    rows = []
    for result in results:
        if result.name not in by_variant:
            rows.append({"title": result.title, "anchor": result.anchor, "failed": True,
                         "reason": f"{result.status_text}: no results"})
            continue
        for c in by_variant[result.name]:
            test, wild = c.test, c.wild
            if not c.fitted:
                rows.append({"title": c.title, "anchor": c.anchor, "failed": True,
                             "reason": f"failed training run: training accuracy "
                                       f"{fmt_acc(c.train_accuracy)}, left out of the comparison"})
                continue
            rows.append({
                "title": c.title, "anchor": c.anchor, "failed": False,
                "train_acc": fmt_acc(c.train_accuracy),
                "comparable": c.comparable, "split_kind": c.split_kind,
                "test_acc": fmt_acc(test["accuracy"]), "test_ci": fmt_ci(test["accuracy_ci"]),
                "test_spread": fmt_spread(test), "wild_spread": fmt_spread(wild),
                "wild_acc": fmt_acc(wild["accuracy"]) if wild else "no wild set",
                "wild_ci": fmt_ci(wild["accuracy_ci"]) if wild else "",
                "f1": fmt_acc(test.get("f1_macro")),
                "training": fmt_seconds(c.training_seconds), "latency": fmt_ms(c.latency_ms),
                "batched": _batched(c, size),
                "batched_elsewhere": _timed_elsewhere(c, size),
                "parameters": fmt_int(c.parameters),
                "size": fmt_bytes(c.size_bytes), "explainable": c.explainable,
                "test_mark": _mark(c, tops["test"], "test", significance),
                "wild_mark": _mark(c, tops["wild"], "wild", significance)})
    return rows


def eval_rows(evaluated: dict) -> list[dict]:
    """Metric rows for one model (its metrics or a classifier block): test and wild columns."""
    test, wild = evaluated["test"], evaluated.get("wild")
    rows = []
    if len(test.get("seeds") or []) > 1:
        rows.append({"label": "Accuracy per training seed",
                     "test": ", ".join(fmt_acc(v) for v in test["seeds"]),
                     "wild": ", ".join(fmt_acc(v) for v in wild["seeds"]) if wild
                     else "no wild set"})
    for label, key, fmt in (("Photos evaluated", "n", fmt_int),
                            ("Accuracy", "accuracy", fmt_acc),
                            ("95 % confidence interval", "accuracy_ci", fmt_ci),
                            ("Macro precision", "precision_macro", fmt_acc),
                            ("Macro recall", "recall_macro", fmt_acc),
                            ("Macro F1", "f1_macro", fmt_acc)):
        rows.append({"label": label, "test": fmt(test.get(key)),
                     "wild": fmt(wild.get(key)) if wild else "no wild set"})
    calibration = evaluated.get("calibration") or {}
    if calibration.get("test"):
        rows.append({"label": "Expected calibration error",
                     "test": fmt_acc(calibration["test"].get("ece")),
                     "wild": f"{fmt_acc(calibration['wild'].get('ece'))} "
                             f"({calibration['wild'].get('photos', 'all wild photos')})"
                     if calibration.get("wild")
                     else "not recorded" if wild else "no wild set"})
    return rows


def _grid_text(grid) -> str:
    """A grid search's validation accuracies, one ``setting: accuracy`` per grid point."""
    return "; ".join(", ".join(f"{k} {fmt_value(v)}" for k, v in (point.get("params") or {})
                               .items())
                     + f": {fmt_acc(point.get('val_accuracy'))}" for point in grid)


def _extra_tables(extra: dict | None, split: dict | None = None
                  ) -> tuple[list[dict], list[tuple[str, str]]]:
    """Classifier results found in ``extra.classifiers`` and the other values of ``extra``;
    in-domain intervals resample the frame blocks of ``split``."""
    blocks = classifier_blocks(extra)
    classifiers = []
    for key, value in blocks.items():
        wild = halves.split(value.get("wild"))[1]
        settings = []
        for name, setting in value.items():
            if name in CLASSIFIER_RESULTS:
                continue
            if name == "grid" and isinstance(setting, list):
                settings.append(("validation accuracy per grid point", _grid_text(setting)))
            elif name == "val_accuracy":
                settings.append(("best validation accuracy", fmt_acc(setting)))
            else:
                settings.append((name.replace("_", " "), fmt_value(setting)))
        classifiers.append({
            "name": key.replace("_", " "), "test_acc": fmt_acc(value["test"]["accuracy"]),
            "test_ci": fmt_ci(seeds.combine([value["test"]], frame_blocks(
                value["test"].get("ids") or [], split))["accuracy_ci"]),
            "f1": fmt_acc(value["test"].get("f1_macro")),
            "wild_acc": fmt_acc(wild["accuracy"]) if wild else "no wild set",
            "wild_ci": fmt_ci(wild.get("accuracy_ci")) if wild else "",
            "train_acc": fmt_acc(value.get("train_accuracy")), "settings": settings})
    other = key_values({k.replace("_", " "): v for k, v in (extra or {}).items()
                        if k not in OWN_TABLES})
    fusion = (extra or {}).get("fusion")
    if fusion and "weight" in fusion:   # a build before the stacking model
        other.append(("fusion weight of the network (chosen on validation)",
                      fmt_value(fusion.get("weight"))))
    elif fusion:
        other.append(("fusion of the two sources", fusion_choice(fusion)))
        if isinstance(fusion.get("cascade"), dict):
            other.append(("where no hand is found (cascade)", cascade_choice(fusion["cascade"])))
    if isinstance((extra or {}).get("gate"), dict):
        other.append(("which model answers (gate)", gate_choice(extra["gate"])))
    for key, name in (("network_alone", "network alone"), ("fusion_alone", "fusion alone")):
        alone = (extra or {}).get(key)
        if alone:
            wild = halves.split(alone.get("wild"))[1]
            other += [(f"{name}: test accuracy", fmt_acc(alone["test"]["accuracy"])),
                      (f"{name}: wild accuracy (report half)",
                       fmt_acc(wild["accuracy"]) if wild else "no wild set")]
    return classifiers, other


def detection_rows(extra: dict | None) -> list[dict]:
    """How often a hand was found, per photo set: first pass, after retries."""
    return [{"set": name, "photos": fmt_int(summary.get("photos")),
             "first": fmt_acc(summary.get("first_pass")),
             "after": fmt_acc(summary.get("after_retries")),
             "nothing": fmt_acc(summary.get("nothing_with_hand"))}
            for name, summary in ((extra or {}).get("detection") or {}).items()]


def feature_rows(extra: dict | None, letters: str = "ABEMNSTVK") -> list[tuple[str, str]]:
    """The explainable model's strongest named features for a few letters that look alike."""
    top = (extra or {}).get("top_features") or {}
    return [(letter, "; ".join(top[letter])) for letter in letters if letter in top]


def idea_rows(measured) -> list[dict]:
    """The ideas table: effect in domain and out of domain, interval, significance."""
    def cell(effect):
        if effect is None:
            return {"diff": "not measured", "ci": "", "sig": ""}
        pair = effect.pair
        runs = "; one training run" if pair is not None and pair.seeds == 1 else ""
        return {"diff": fmt_diff(effect.difference), "ci": fmt_ci(effect.interval),
                "sig": "not tested" if pair is None else
                f"{'' if pair.significant else 'not '}significant (Holm, {pair.family} pairs"
                f"{runs})"}
    return [{"name": idea.name, "with": idea.titles[0] or idea.with_,
             "without": idea.titles[1] or idea.without,
             "missing": idea.missing, "test": cell(idea.test), "wild": cell(idea.wild)}
            for idea in measured]


def network_source(run: str | None) -> dict | None:
    """The variant whose trained network a run took (``uses:``), and its appendix anchor."""
    if not run:
        return None
    name = re.sub(r"\.seed\d+$", "", run)
    return {"name": name, "appendix": "appendix-variant-" + re.sub(r"[^\w.-]", "-", name)}


def model_section(result: VariantResult, main: Candidate | None) -> dict:
    """What one variant's summary (body) and appendix show; ``main`` is its model over every
    training seed."""
    section = {**vars(result), "anchor": result.anchor, "appendix": f"appendix-{result.anchor}",
               "status_text": result.status_text}
    metrics = result.metrics
    if metrics is None:
        return section
    split = metrics.get("split") or {}
    training, inference, model = (metrics.get(k) or {} for k in ("training", "inference", "model"))
    classifiers, other = _extra_tables(metrics.get("extra"), split)
    test, wild = main.test, main.wild
    parameters = key_values(metrics.get("parameters"))
    return {**section, "figures": result.figures, "parameters": parameters,
            "network_from": network_source((metrics.get("extra") or {}).get("network_reused_from")),
            "headline": {"test_acc": fmt_acc(test["accuracy"]),
                         "test_ci": fmt_ci(test["accuracy_ci"]),
                         "wild_acc": fmt_acc(wild["accuracy"]) if wild else "no wild set",
                         "wild_ci": fmt_ci(wild["accuracy_ci"]) if wild else "",
                         "latency": fmt_ms(inference.get("ms_per_image_batch1"))},
            "evaluation": eval_rows({"test": test, "wild": wild,
                                     "calibration": main.calibration}),
            "classifiers": classifiers, "extra": other,
            "detection": detection_rows(metrics.get("extra")),
            "top_features": feature_rows(metrics.get("extra")),
            "seeds": ", ".join(str(seed) for seed in result.seeds if seed is not None),
            "multi_seed": sum(seed is not None for seed in result.seeds) > 1,
            "not_ok": ", ".join(result.not_ok),
            "split_text": split_text(split), "comparable": split.get("kind") != "random",
            "hardest_test": hardest_classes(test),
            "hardest_wild": hardest_classes(wild) if wild else "no wild set",
            "train_accuracy": fmt_acc(main.train_accuracy), "fitted": main.fitted,
            "cost": [("Training time", fmt_seconds(training.get("seconds"))),
                     ("Epochs run", fmt_value(training.get("epochs_run"))),
                     ("Latency, 1 photo", fmt_ms(inference.get("ms_per_image_batch1"))),
                     (f"Latency in batches of {inference.get('batch_size', 'n')}",
                      fmt_ms(inference.get("ms_per_image_batched"))),
                     ("Parameters", fmt_int(model.get("parameters"))),
                     ("Size on disk", fmt_bytes(model.get("size_bytes")))]}


def model_card(rec: Recommendation | None, results: list[VariantResult], dataset: dict,
               limitations: list[str]) -> dict | None:
    """The model-card appendix for the recommended model."""
    if rec is None:
        return None
    chosen = rec.chosen
    result = next(r for r in results if r.name == chosen.variant)
    metrics = result.metrics
    data = metrics.get("data") or {}
    return {"title": chosen.title, "variant": chosen.variant,
            "family": fmt_value(chosen.family), "notebook": result.notebook,
            "split": split_text(metrics.get("split") or {}),
            "data": f"{fmt_int(data.get('n_images'))} photos from "
                    f"{data.get('source') or dataset['source']}",
            "image_size": size_text(data.get("image_size")),
            "color_mode": fmt_value(data.get("color_mode", "not recorded")),
            "evaluation": eval_rows({"test": chosen.test, "wild": chosen.wild,
                                     "calibration": chosen.calibration}),
            "hardest_test": hardest_classes(chosen.test),
            "hardest_wild": hardest_classes(chosen.wild) if chosen.wild else "no wild set",
            "latency": fmt_ms(chosen.latency_ms), "size": fmt_bytes(chosen.size_bytes),
            "parameters": fmt_int(chosen.parameters),
            "model_file": fmt_value((metrics.get("model") or {}).get("file", "not recorded")),
            "limitations": limitations}
