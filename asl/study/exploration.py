"""What the exploration notebook measures: image statistics per photo set and near-duplicate
frames under each split."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl.study import data_overlap, evaluate, splits
from asl.study.data import ImageSet, class_counts, original_sizes


def image_statistics(images: np.ndarray) -> dict:
    """Mean and spread of the pixel values per channel, and of the brightness per photo."""
    pixels = images.reshape(-1, images.shape[-1]).astype(np.float64)
    brightness = images.mean(axis=(1, 2, 3))
    return {"mean_rgb": pixels.mean(axis=0).tolist(), "std_rgb": pixels.std(axis=0).tolist(),
            "brightness_mean": float(brightness.mean()),
            "brightness_std": float(brightness.std())}


def near_duplicates_by_split(photos: ImageSet, settings: dict, sample: int, bits: int,
                             seed: int) -> tuple[dict, dict]:
    """(splits, near-duplicate counts) for the random and the frame-block split: how many test
    photos have a training photo of the same class within ``bits`` of its perceptual hash.
    ``sample`` test photos per split are checked (0: all)."""
    kinds = ("random", "frame_block") if (photos.frames >= 0).any() else ("random",)
    by_split = {kind: splits.make_split(kind, photos.labels, photos.frames, **settings)
                for kind in kinds}
    hashes = evaluate.perceptual_hashes(photos.images)
    rng = np.random.default_rng(seed)
    near = {}
    for kind, chosen in by_split.items():
        test = chosen.test
        if sample and len(test) > sample:
            test = np.sort(rng.choice(test, sample, replace=False))
        near[kind] = evaluate.near_duplicates(hashes, photos.labels, chosen.train, test, bits)
    return by_split, near


def data_summary(photos: ImageSet, data_path: str, image_size: int, statistics: dict) -> dict:
    """The ``data`` block of the exploration metrics."""
    frames = photos.frames[photos.frames >= 0]
    return {"source": Path(photos.source).name, "n_images": len(photos),
            "skipped": photos.skipped, "per_class": class_counts(photos.labels),
            "image_size": image_size, "original_sizes": original_sizes(data_path),
            "frame_range": [int(frames.min()), int(frames.max())] if len(frames) else None,
            "statistics": statistics, **photos.notes()}


def wild_summary(wild: ImageSet | None, wild_path: str, data_path: str = "") -> dict | None:
    """The ``wild`` block of the exploration metrics (None without a wild set), with the
    check that no wild photo is also a training photo of ``data_path`` (hashes cached)."""
    if wild is None:
        return None
    overlap = data_overlap.check_wild(data_path, wild_path) if data_path else None
    return {"source": Path(wild.source).name, "n_images": len(wild), "skipped": wild.skipped,
            "skipped_files": wild.notes()["skipped_files"],
            "per_class": class_counts(wild.labels), "original_sizes": original_sizes(wild_path),
            "overlap": overlap and {k: v for k, v in overlap.items() if k != "summary"}}


def describe_near_duplicates(near: dict) -> str:
    """One line per split: how many test photos have a near-duplicate in training."""
    return "\n".join(f"{kind}: {result['with_near_duplicate']} of {result['test']} test photos "
                     "have a near-duplicate in training" for kind, result in near.items())


def overview_figures(photos: ImageSet, wild: ImageSet | None, output_dir) -> list[dict]:
    """Photos per class in both sets, and one photo per class of each set."""
    from asl.study import figures
    from asl.study.figures import entry

    out = Path(output_dir)
    wild_counts = class_counts(wild.labels) if wild else None
    made = [entry("class_balance", "Photos per class in the training data (bars) and in the "
                  "wild set (dots).", figures.class_balance(
                      class_counts(photos.labels), out / "class_balance.png", wild_counts)),
            entry("samples", "One training photo per class.",
                  figures.sample_grid(photos.images, photos.labels, out / "samples.png"))]
    if wild:
        made.append(entry("wild_samples", "One wild photo per class: other people, hands, "
                          "backgrounds and light.", figures.sample_grid(
                              wild.images, wild.labels, out / "wild_samples.png")))
    return made
