"""The study's plots, one function each. Each saves a PNG and returns its file name."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from asl import CLASSES  # noqa: E402

DPI = 150


def entry(key: str, caption: str, file: str) -> dict:
    """One figure as metrics.json lists it (``file`` relative to the metrics folder)."""
    return {"key": key, "caption": caption, "file": file}


def _save(fig, path) -> str:
    path = Path(path)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _show(ax, image):
    ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray" if
              image.shape[-1] == 1 else None, vmin=0, vmax=255)
    ax.set_xticks([])
    ax.set_yticks([])


def learning_curves(history: dict, path, stages=None) -> str:
    """Loss and accuracy per epoch, training vs validation; a line marks fine-tuning."""
    metrics = [m for m in ("loss", "accuracy") if history.get(m)]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3), squeeze=False)
    axes = axes[0]
    for ax, metric in zip(axes, metrics):
        for key, label in ((metric, "training"), (f"val_{metric}", "validation")):
            if history.get(key):
                ax.plot(range(1, len(history[key]) + 1), history[key], marker="o",
                        markersize=3, label=label)
        if stages and len(stages) > 1:
            ax.axvline(stages[0] + 0.5, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
    axes[-1].legend()
    return _save(fig, path)


def confusion_matrix(matrix, path, title: str = "", classes=CLASSES) -> str:
    """Row-normalised confusion matrix (true class per row)."""
    matrix = np.asarray(matrix, dtype=float)
    normalised = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.8))
    shown = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=90, fontsize=7)
    ax.set_yticks(range(len(classes)), classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    fig.colorbar(shown, ax=ax, fraction=0.046, label="share of the true class")
    return _save(fig, path)


def _photo_grid(images, columns: int, size=(1.1, 1.25)):
    """A figure with one framed photo per cell; returns the figure and the used axes."""
    rows = max(1, int(np.ceil(len(images) / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * size[0], rows * size[1]),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    used = list(axes.ravel()[:len(images)])
    for ax, image in zip(used, images):
        _show(ax, image)
        ax.axis("on")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, used


def example_grid(images, y_true, y_pred, path, title: str = "", columns: int = 8,
                 classes=CLASSES) -> str:
    """Photos labelled 'true -> predicted' (green when right, red when wrong)."""
    fig, axes = _photo_grid(images, columns)
    for ax, true, pred in zip(axes, y_true, y_pred):
        ax.set_title(f"{classes[true]} → {classes[pred]}", fontsize=7,
                     color="green" if true == pred else "red")
    if title:
        fig.suptitle(title, fontsize=9)
    return _save(fig, path)


def _class_grid(pick, labels, path, classes=CLASSES) -> str:
    """One image per class on a 3 x 10 grid; ``pick(member_indices)`` chooses or makes it."""
    fig, axes = plt.subplots(3, 10, figsize=(10, 3.4))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, label in zip(axes.ravel(), range(len(classes))):
        members = np.flatnonzero(np.asarray(labels) == label)
        if len(members):
            _show(ax, pick(members))
        ax.set_title(classes[label], fontsize=8)
    return _save(fig, path)


def sample_grid(images, labels, path, classes=CLASSES) -> str:
    """One photo per class, labelled."""
    return _class_grid(lambda members: images[members[len(members) // 2]], labels, path, classes)


def class_balance(counts: dict, path, wild_counts: dict | None = None) -> str:
    fig, ax = plt.subplots(figsize=(8, 2.6))
    names = list(counts)
    ax.bar(names, [counts[n] for n in names], color="#4c72b0", label="training photos")
    if wild_counts:
        ax2 = ax.twinx()
        ax2.plot(names, [wild_counts.get(n, 0) for n in names], "o", color="#dd8452",
                 label="wild photos (right axis)")
        ax2.set_ylim(0, max(wild_counts.values()) * 1.3)
        ax2.legend(loc="lower right", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_ylabel("photos")
    ax.legend(loc="lower left", fontsize=7)
    return _save(fig, path)


def brightness_histogram(samples: dict, path) -> str:
    """Distribution of mean brightness per photo for several sets (e.g. training vs wild)."""
    fig, ax = plt.subplots(figsize=(5, 2.8))
    for name, images in samples.items():
        brightness = np.asarray(images, dtype=float).mean(axis=(1, 2, 3))
        ax.hist(brightness, bins=30, range=(0, 255), density=True, alpha=0.55, label=name)
    ax.set_xlabel("mean pixel brightness (0-255)")
    ax.set_ylabel("density")
    ax.legend(fontsize=7)
    return _save(fig, path)


def mean_images(images, labels, path, classes=CLASSES) -> str:
    """The average photo of each class: what a pixel-level model sees."""
    images = np.asarray(images)
    return _class_grid(lambda members: images[members].mean(axis=0).astype(np.uint8), labels,
                       path, classes)


def near_duplicate_histogram(nearest_by_split: dict, threshold: int, path) -> str:
    """Hamming distance from each test photo to its closest training photo, per split."""
    fig, ax = plt.subplots(figsize=(5, 2.8))
    for name, nearest in nearest_by_split.items():
        ax.hist(nearest, bins=np.arange(0, 34) - 0.5, alpha=0.55, label=name)
    ax.axvline(threshold + 0.5, color="black", linestyle="--", linewidth=1,
               label=f"near-duplicate (≤ {threshold} bits)")
    ax.set_xlabel("bits to the nearest training photo of the same class (pHash)")
    ax.set_ylabel("test photos")
    ax.legend(fontsize=7)
    return _save(fig, path)


def frame_pairs(images, frames, labels, path, classes=CLASSES) -> str:
    """Neighbouring frame numbers of the same class side by side: consecutive video frames."""
    frames, labels = np.asarray(frames), np.asarray(labels)
    candidates = []  # (frame step, first, second): the closest pair of each class
    for label in range(len(classes)):
        idx = np.flatnonzero((labels == label) & (frames >= 0))
        if len(idx) < 2:
            continue
        order = idx[np.argsort(frames[idx])]
        steps = np.diff(frames[order])
        best = int(np.argmin(steps))
        candidates.append((steps[best], order[best], order[best + 1]))
    pairs = [(a, b) for _, a, b in sorted(candidates, key=lambda c: c[0])[:4]]
    fig, axes = plt.subplots(1, 2 * max(1, len(pairs)), figsize=(2.2 * max(1, len(pairs)) * 2, 2.2),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, (a, b) in enumerate(pairs):
        for ax, i in zip(axes[0, 2 * k:2 * k + 2], (a, b)):
            _show(ax, images[i])
            ax.set_title(f"{classes[labels[i]]}, frame {frames[i]}", fontsize=7)
    return _save(fig, path)


def reconstructions(originals, reconstructed, path, count: int = 8) -> str:
    """Autoencoder input (top) and output (bottom)."""
    fig, axes = plt.subplots(2, count, figsize=(count * 1.1, 2.4), squeeze=False)
    for k in range(min(count, len(originals))):
        _show(axes[0, k], originals[k])
        _show(axes[1, k], np.clip(np.asarray(reconstructed[k]) * 255, 0, 255).astype(np.uint8))
    axes[0, 0].set_ylabel("input", fontsize=8)
    axes[1, 0].set_ylabel("output", fontsize=8)
    return _save(fig, path)


def per_class_accuracy(test_block: dict, wild_block: dict | None, path, classes=CLASSES) -> str:
    """Per-class accuracy in domain vs on the report half of the wild photos (the half the
    report quotes), with each letter's 95 % Wilson interval and photo count there."""
    from asl import holdout, stats

    fig, ax = plt.subplots(figsize=(8, 3))
    x = np.arange(len(classes))
    test = [test_block["per_class"][c]["accuracy"] or 0 for c in classes]
    ax.bar(x - 0.2, test, 0.4, label="in-domain test (frame-block)")
    labels = list(classes)
    if wild_block:
        y_true, y_pred = np.asarray(wild_block["y_true"]), np.asarray(wild_block["y_pred"])
        report = ~holdout.selection_mask(wild_block["ids"], y_true)
        counts = np.bincount(y_true[report], minlength=len(classes))
        right = np.bincount(y_true[report & (y_true == y_pred)], minlength=len(classes))
        share = np.divide(right, counts, out=np.zeros(len(classes)), where=counts > 0)
        low, high = np.array([stats.wilson_ci(r, n) if n else (0, 0)
                              for r, n in zip(right, counts)]).T
        ax.bar(x + 0.2, share, 0.4, yerr=[share - low, high - share],
               error_kw={"linewidth": 0.6, "capsize": 1.5},
               label="wild, report half (95 % interval; photos per letter in brackets)")
        labels = [f"{c} ({n})" for c, n in zip(classes, counts)]
    return _save_class_bars(fig, ax, labels, "accuracy", path)


def _save_class_bars(fig, ax, classes, ylabel: str, path) -> str:
    """Class names under the bars, shares from 0 to 1, the legend above; then save."""
    ax.set_xticks(np.arange(len(classes)), classes, fontsize=7, rotation=90)
    ax.set_xlim(-0.6, len(classes) - 0.4)
    ax.set_ylim(0, 1.0)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return _save(fig, path)


def reliability_diagram(calibration: dict, path, title: str = "") -> str:
    fig, ax = plt.subplots(figsize=(3.6, 3.4))
    bins = calibration["bins"]
    centres = [(b["low"] + b["high"]) / 2 for b in bins]
    ax.bar(centres, [b["accuracy"] for b in bins], width=0.09, alpha=0.7, label="accuracy")
    ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title or f"ECE {calibration['ece']:.3f}", fontsize=9)
    ax.legend(fontsize=7)
    return _save(fig, path)


def saliency_grid(images, maps, titles, path) -> str:
    """Photos with a heat map of where the model looked (top: photo, bottom: overlay)."""
    count = len(images)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.2, 2.6), squeeze=False)
    for k in range(count):
        _show(axes[0, k], images[k])
        axes[0, k].set_title(titles[k], fontsize=6)
        _show(axes[1, k], images[k])
        axes[1, k].imshow(maps[k], cmap="jet", alpha=0.45,
                          extent=(-0.5, images[k].shape[1] - 0.5, images[k].shape[0] - 0.5, -0.5))
    return _save(fig, path)


def importance_bars(values, labels, path, xlabel: str) -> str:
    order = np.argsort(values)[::-1][:15][::-1]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.barh([labels[i] for i in order], np.asarray(values)[order], color="#4c72b0")
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", labelsize=7)
    return _save(fig, path)


def augmentation_grid(images, stages: list[tuple[str, list]], path) -> str:
    """Each row applies one more augmentation layer (in training mode) to the same photos, so
    a layer that destroys the picture shows at once. ``images`` are uint8; the layers work on
    pixels in [0, 1]."""
    import keras

    rows = [("photo", np.asarray(images, dtype=np.float32) / 255)]
    batch = rows[0][1]
    for name, layer in stages:
        batch = keras.ops.convert_to_numpy(layer(batch, training=True))
        rows.append((name, batch))
    fig, axes = plt.subplots(len(rows), len(images), squeeze=False,
                             figsize=(len(images) * 0.9, len(rows) * 0.95))
    for r, (name, batch) in enumerate(rows):
        for c, image in enumerate(batch):
            ax = axes[r, c]
            ax.imshow(np.clip(image, 0, 1))
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name, fontsize=6, rotation=0, ha="right", va="center")
    return _save(fig, path)
