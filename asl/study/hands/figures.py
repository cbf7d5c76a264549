"""Figures of the hand family: where hands were found, the keypoints drawn on photos, and the
features the keypoint classifiers rely on."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.study import figures
from asl.study.figures import entry, plt
from asl.study.hands import classifiers
from asl.study.hands.crops import BONES
from asl.study.hands.features import FEATURE_NAMES


def detection_rates(per_set: dict[str, dict], path, classes=CLASSES) -> str:
    """Share of photos with a hand found, per class and photo set, in one pass (light) and
    after the retries (dark)."""
    fig, ax = plt.subplots(figsize=(8, 3))
    x = np.arange(len(classes))
    width = 0.8 / max(1, len(per_set))
    for k, (name, per_class) in enumerate(per_set.items()):
        offset = (k - (len(per_set) - 1) / 2) * width
        after = [(per_class.get(c) or {}).get("after_retries") or 0 for c in classes]
        first = [(per_class.get(c) or {}).get("first_pass") or 0 for c in classes]
        bars = ax.bar(x + offset, after, width, label=f"{name}, after retries")
        ax.bar(x + offset, first, width, color=bars.patches[0].get_facecolor(), alpha=0.45,
               hatch="//", label=f"{name}, first pass")
    return figures._save_class_bars(fig, ax, classes, "hand found", path)


def keypoint_examples(images, keypoints, titles, path, columns: int = 8) -> str:
    """Photos with their 21 hand keypoints and bones drawn on (none where no hand was found)."""
    fig, axes = figures._photo_grid(images, columns, (1.2, 1.35))
    for ax, points, title in zip(axes, keypoints, titles):
        ax.set_title(title, fontsize=6)
        if not np.isnan(points).any():
            for a, b in BONES:
                ax.plot(points[[a, b], 0], points[[a, b], 1], color="#00e000", linewidth=0.8)
            ax.scatter(points[:, 0], points[:, 1], s=3, color="red", zorder=3)
    return figures._save(fig, path)


def keypoint_figures(detection: dict, data, found, fitted: dict, reported: str, output_dir,
                     variant: str) -> list[dict]:
    """The keypoint notebook's own figures: detection rates per class, keypoints on 16 wild
    photos, and the most influential features of the logistic regression and of the
    reported classifier."""
    out = Path(output_dir)
    made = [entry("detection_rates", f"{variant}: share of photos in which a hand was found, "
                  "per class, in the first pass and after the retries.", detection_rates(
                      {name: summary["per_class"] for name, summary in detection.items()},
                      out / "detection_rates.png"))]
    if data.wild is not None:
        pick = np.linspace(0, len(data.wild) - 1, 16).round().astype(int)
        made.append(entry("keypoint_examples", f"{variant}: hand keypoints found on photos of "
                          f"other people (no lines: no hand found); {len(pick)} photos spread "
                          f"evenly through all {len(data.wild)} wild photos.", keypoint_examples(
                              data.wild.images[pick], found.wild.keypoints[pick],
                              [CLASSES[label] for label in data.wild.labels[pick]],
                              out / "keypoint_examples.png")))
    for name in ("logistic_regression", reported):
        scale = ("mean |coefficient| (standardised features)" if name == "logistic_regression"
                 else "impurity importance")
        made.append(entry(f"importance_{name}", f"{variant}: the 15 keypoint features most "
                          f"influential in the {name.replace('_', ' ')}.", figures.importance_bars(
                              classifiers.importances(fitted[name]), FEATURE_NAMES,
                              out / f"importance_{name}.png", scale)))
    return made
