"""A variant's evaluation over its training seeds: the seed-averaged block the report prints,
with the spread between seeds and the per-seed blocks the significance tests pair up. In-domain
intervals resample the held-out frame blocks (``clusters``), not single frames."""
from __future__ import annotations

import numpy as np

from asl import stats


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


def accuracy_interval(correct: np.ndarray, clusters=None, binary: bool = False) -> list[float]:
    """95 % interval of an accuracy from per-photo correctness: a block bootstrap over the
    frame blocks when the photos come in blocks, else Wilson (one seed) or a t-interval
    (correctness averaged over seeds)."""
    if clusters is not None:
        return list(stats.cluster_bootstrap_interval(correct, clusters))
    if binary:
        return list(stats.wilson_ci(int(np.sum(correct)), len(correct)))
    return photo_interval(correct)


def combine(blocks: list[dict], clusters: list | None = None) -> dict | None:
    """One block for a variant's seeds: mean accuracy, its interval over test photos (over
    frame blocks when ``clusters`` names each photo's block), the standard deviation and range
    over seeds, mean per-class figures; ``runs`` keeps each seed's own block."""
    blocks = [b for b in blocks if b]
    if not blocks:
        return None
    accuracies = np.array([b["accuracy"] for b in blocks], dtype=float)
    spread = {"seeds": accuracies.tolist(), "sd": float(accuracies.std(ddof=1))
              if len(blocks) > 1 else 0.0, "min": float(accuracies.min()),
              "max": float(accuracies.max()), "runs": blocks, "clusters": clusters,
              "n_clusters": len(set(clusters)) if clusters else None}
    first = blocks[0]
    y_true = np.asarray(first["y_true"])
    correct = np.mean([np.asarray(b["y_pred"]) == y_true for b in blocks], axis=0)
    if len(blocks) == 1:
        interval = (first["accuracy_ci"] if clusters is None
                    else accuracy_interval(correct, clusters))
        return {**first, **spread, "accuracy_ci": interval}
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
            "accuracy_ci": accuracy_interval(correct, clusters), **macro,
            "per_class": per_class, "ids": first["ids"], "y_true": first["y_true"], **spread}
