"""The cascade inside the fused hand model: where no hand is found the keypoint forest can only
say `nothing`, so there the crop network's answer on the whole photo (a photo without a hand
is its own crop) is taken instead, when the network is confident enough; below that
confidence the answer stays `nothing`.

The confidence threshold is chosen on the validation photos (in domain). Measured with
bench/crop_backbone.py: on the in-domain test photos without a detected hand the crop
MobileNet is right on 0.98 (the whole-photo MobileNet 0.99); a plain cascade costs 0.03 on the
wild photos, where every photo without a hand is `nothing`, and the threshold keeps the
in-domain gain at a cost of 0.004 to 0.011 there.
"""
from __future__ import annotations

import numpy as np

THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.0, 1.001, 0.05), 2))


def apply(fused: np.ndarray, network: np.ndarray, hand_found, threshold: float) -> np.ndarray:
    """``fused`` where a hand was found; where none was, ``network`` if its top probability is
    at least ``threshold``, else ``fused`` (the forest's `nothing`, through the fusion)."""
    network = np.asarray(network)
    image = ~np.asarray(hand_found, dtype=bool) & (network.max(axis=1) >= threshold)
    return np.where(image[:, None], network, np.asarray(fused))


def choose_threshold(fused: np.ndarray, network: np.ndarray, hand_found, labels
                     ) -> tuple[float, list[dict]]:
    """The threshold most accurate on these (validation) photos; ties go to the highest, the
    one that answers fewest no-hand photos with a letter. Returns it and every grid point."""
    labels = np.asarray(labels)
    grid = [{"threshold": t, "val_accuracy": float(
        (apply(fused, network, hand_found, t).argmax(1) == labels).mean())} for t in THRESHOLDS]
    best = max(grid, key=lambda point: (point["val_accuracy"], point["threshold"]))
    return best["threshold"], grid


def record(threshold: float, grid: list[dict], hand_found_val) -> dict:
    """What the metrics keep about the cascade: the threshold, where it was chosen, the grid."""
    return {"threshold": threshold, "chosen_on": "validation photos", "grid": grid,
            "val_no_hand_share": float(1 - np.mean(hand_found_val)) if len(hand_found_val)
            else None}
