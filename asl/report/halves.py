"""An evaluation block cut to the selection or the report half of the wild photos, with its
accuracy, interval and per-class figures recomputed on that half."""
from __future__ import annotations

import numpy as np

from asl import holdout, stats


def subset(block: dict, keep: np.ndarray) -> dict:
    """The evaluation block restricted to the photos where ``keep`` is true."""
    y_true = np.asarray(block["y_true"])[keep]
    y_pred = np.asarray(block["y_pred"])[keep]
    classes = list(block["per_class"])
    per_class, precisions, recalls, f1s = {}, [], [], []
    for label, name in enumerate(classes):
        support = int((y_true == label).sum())
        predicted = int((y_pred == label).sum())
        hits = int(((y_true == label) & (y_pred == label)).sum())
        precision = hits / predicted if predicted else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1,
                           "support": support, "accuracy": recall if support else None}
        if support:
            precisions.append(precision), recalls.append(recall), f1s.append(f1)
    correct = int((y_true == y_pred).sum())
    return {"n": int(len(y_true)), "accuracy": correct / len(y_true) if len(y_true) else None,
            "accuracy_ci": list(stats.wilson_ci(correct, len(y_true))),
            "precision_macro": float(np.mean(precisions)) if precisions else None,
            "recall_macro": float(np.mean(recalls)) if recalls else None,
            "f1_macro": float(np.mean(f1s)) if f1s else None, "per_class": per_class,
            "ids": [i for i, k in zip(block["ids"], keep) if k],
            "y_true": y_true.tolist(), "y_pred": y_pred.tolist()}


def calibration(table: dict | None, wild: dict | None) -> dict | None:
    """A wild calibration table recomputed on the report half (the photos its accuracy is
    given on) from the per-photo confidences; without them, the table for all wild photos,
    marked so (``photos``)."""
    if not table:
        return table
    confidence = table.get("confidence")
    if not wild or not confidence or len(confidence) != len(wild.get("ids") or []):
        return {**table, "photos": "all wild photos"}
    keep = ~holdout.selection_mask(wild["ids"], wild["y_true"])
    correct = np.asarray(wild["y_pred"]) == np.asarray(wild["y_true"])
    return {**stats.calibration_table(np.asarray(confidence)[keep], correct[keep]),
            "photos": "report half"}


def split(block: dict | None) -> tuple[dict | None, dict | None]:
    """(selection half, report half) of a wild evaluation block."""
    if not block:
        return None, None
    select = holdout.selection_mask(block["ids"], block["y_true"])
    return subset(block, select), subset(block, ~select)
