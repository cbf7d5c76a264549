"""A variant's evaluation over its training seeds: the seed-averaged block the report prints,
with the spread between seeds and the per-seed blocks the significance tests pair up."""
from __future__ import annotations

import numpy as np


def photo_interval(values: np.ndarray, bounds: tuple[float, float] = (0.0, 1.0)) -> list[float]:
    """95 % t-interval of the mean of per-photo values (correctness averaged over seeds, or
    its difference between two models): the uncertainty that comes from which photos were
    drawn, kept within ``bounds``."""
    from statsmodels.stats.weightstats import DescrStatsW

    if len(values) < 2 or np.all(values == values[0]):
        value = float(values.mean()) if len(values) else float("nan")
        return [value, value]
    low, high = DescrStatsW(values).tconfint_mean()
    return [float(max(bounds[0], low)), float(min(bounds[1], high))]


def combine(blocks: list[dict]) -> dict | None:
    """One block for a variant's seeds: mean accuracy, its interval over test photos, the
    standard deviation and range over seeds, mean per-class figures; ``runs`` keeps each
    seed's own block. A single seed's block is returned as it is (with its Wilson interval)."""
    blocks = [b for b in blocks if b]
    if not blocks:
        return None
    accuracies = np.array([b["accuracy"] for b in blocks], dtype=float)
    spread = {"seeds": accuracies.tolist(), "sd": float(accuracies.std(ddof=1))
              if len(blocks) > 1 else 0.0, "min": float(accuracies.min()),
              "max": float(accuracies.max()), "runs": blocks}
    if len(blocks) == 1:
        return {**blocks[0], **spread}
    first = blocks[0]
    y_true = np.asarray(first["y_true"])
    correct = np.mean([np.asarray(b["y_pred"]) == y_true for b in blocks], axis=0)
    per_class = {}
    for name, row in first["per_class"].items():
        values = [b["per_class"][name] for b in blocks]
        per_class[name] = {key: (None if row.get(key) is None else
                                 float(np.mean([v[key] for v in values])))
                           for key in ("precision", "recall", "f1", "accuracy")}
        per_class[name]["support"] = row["support"]
    macro = {key: float(np.mean([b[key] for b in blocks])) if all(
        b.get(key) is not None for b in blocks) else None
        for key in ("precision_macro", "recall_macro", "f1_macro")}
    return {"n": first["n"], "accuracy": float(accuracies.mean()),
            "accuracy_ci": photo_interval(correct), **macro, "per_class": per_class,
            "ids": first["ids"], "y_true": first["y_true"], **spread}
