"""Train/validation/test splits: random, or by blocks of consecutive video frames."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from asl import CLASSES
from asl.errors import DataError
from asl.frames import block_index
from asl.study.data_listing import few_names

SPLIT_KINDS = ("frame_block", "random")
SPLIT_SETTINGS = ("test_fraction", "val_fraction", "block_size", "gap")


def split_settings(parameters: dict) -> dict:
    """The frame-block and random split settings among a notebook's parameters."""
    return {key: parameters[key] for key in SPLIT_SETTINGS if key in parameters} | \
        {"seed": parameters.get("seed", 42)}


@dataclass
class Split:
    kind: str
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    settings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Sizes and settings, for metrics.json."""
        return {"kind": self.kind, "train": len(self.train), "val": len(self.val),
                "test": len(self.test), **self.settings}


def random_split(labels, test_fraction: float, val_fraction: float, seed: int) -> Split:
    """Stratified random split, as the original study did (leaks near-duplicate frames)."""
    from sklearn.model_selection import train_test_split

    index = np.arange(len(labels))
    rest, test = train_test_split(index, test_size=test_fraction, stratify=labels,
                                  random_state=seed)
    train, val = train_test_split(rest, test_size=val_fraction / (1 - test_fraction),
                                  stratify=np.asarray(labels)[rest], random_state=seed)
    return Split("random", np.sort(train), np.sort(val), np.sort(test),
                 {"seed": seed, "test_fraction": test_fraction, "val_fraction": val_fraction})


def frame_block_split(labels, frames, test_fraction: float, val_fraction: float,
                      block_size: int, gap: int, seed: int) -> Split:
    """Hold out whole blocks of consecutive frames per class for test and validation.

    Training keeps only frames more than ``gap`` frame numbers away from every held-out frame
    of the same class, so no test photo has a near-identical neighbour in training.
    """
    labels, frames = np.asarray(labels), np.asarray(frames)
    rng = np.random.default_rng(seed)
    train, val, test = [], [], []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        blocks = block_index(frames[members], block_size)
        unique_blocks = rng.permutation(np.unique(blocks))
        n_test = max(1, round(test_fraction * len(unique_blocks)))
        n_val = max(1, round(val_fraction * len(unique_blocks))) if val_fraction > 0 else 0
        n_val = min(n_val, max(0, len(unique_blocks) - n_test - 1))
        test_blocks = unique_blocks[:n_test]
        val_blocks = unique_blocks[n_test:n_test + n_val]
        in_test = np.isin(blocks, test_blocks)
        in_val = np.isin(blocks, val_blocks)
        held_out = np.sort(frames[members][in_test | in_val])
        candidates = members[~(in_test | in_val)]
        distance = _distance_to_nearest(frames[candidates], held_out)
        train.append(candidates[distance > gap])
        val.append(members[in_val])
        test.append(members[in_test])
    return Split("frame_block", *(np.sort(np.concatenate(part)) for part in (train, val, test)),
                 {"seed": seed, "test_fraction": test_fraction, "val_fraction": val_fraction,
                  "block_size": block_size, "gap": gap})


def _distance_to_nearest(values: np.ndarray, sorted_targets: np.ndarray) -> np.ndarray:
    if len(sorted_targets) == 0:
        return np.full(len(values), np.inf)
    position = np.searchsorted(sorted_targets, values)
    left = sorted_targets[np.clip(position - 1, 0, len(sorted_targets) - 1)]
    right = sorted_targets[np.clip(position, 0, len(sorted_targets) - 1)]
    return np.minimum(np.abs(values - left), np.abs(values - right))


def make_split(kind: str, labels, frames, test_fraction: float = 0.2, val_fraction: float = 0.1,
               block_size: int = 150, gap: int = 20, seed: int = 42) -> Split:
    """The split a notebook asked for. A frame-block split sets aside the photos whose file
    name has no frame number (in none of train, validation, test; counted in the settings)
    and stops if no photo has one: it never turns into a random split on its own."""
    if kind not in SPLIT_KINDS:
        raise ValueError(f"split must be one of {SPLIT_KINDS}, not {kind!r}")
    if kind == "random":
        return _every_class_trained(random_split_of(labels, test_fraction, val_fraction, seed),
                                    labels)
    labels, frames = np.asarray(labels), np.asarray(frames)
    numbered = np.flatnonzero(frames >= 0)
    if len(numbered) == 0:
        raise DataError(
            f"split=frame_block needs frame numbers in the file names (A1234.jpg), but none "
            f"of the {len(frames)} photos has one: rename them, or use -p split=random")
    split = frame_block_split(labels[numbered], frames[numbered], test_fraction, val_fraction,
                              block_size, gap, seed)
    split.train, split.val, split.test = (numbered[part] for part in
                                          (split.train, split.val, split.test))
    if len(numbered) < len(frames):
        split.settings["set_aside"] = int(len(frames) - len(numbered))
    return _every_class_trained(split, labels)


def check_random_counts(labels) -> None:
    """Refuse a random split of a class with fewer than 3 photos (without scikit-learn, so
    the build can check it before anything runs)."""
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=len(CLASSES))
    few = [CLASSES[i] for i in np.flatnonzero((counts > 0) & (counts < 3))]
    if few:
        raise DataError(f"split=random needs at least 3 photos of each class (training, "
                        f"validation, test); class(es) {', '.join(few)} have fewer: give more "
                        f"photos, or raise max_per_class")


def random_split_of(labels, test_fraction: float, val_fraction: float, seed: int) -> Split:
    """``random_split``, with too few photos of a class said as one clear DataError."""
    check_random_counts(labels)
    try:
        return random_split(labels, test_fraction, val_fraction, seed)
    except ValueError as error:
        raise DataError(f"split=random cannot split {len(labels)} photos in {len(CLASSES)} "
                        f"classes with test_fraction={test_fraction} and val_fraction="
                        f"{val_fraction} ({error}): give more photos, or raise max_per_class "
                        f"or the fractions") from None


def _every_class_trained(split: Split, labels) -> Split:
    """Refuse a split that leaves a class without training photos, or without validation
    photos when it asks for some: the models could not learn it or be stopped on it."""
    labels = np.asarray(labels)
    parts = ("train", "val") if split.settings.get("val_fraction", 0) > 0 else ("train",)
    present = np.unique(labels[np.concatenate([split.train, split.val, split.test])])
    for part in parts:
        lacking = [CLASSES[i] for i in present if i not in set(labels[getattr(split, part)])]
        if lacking:
            raise DataError(f"split={split.kind} leaves class(es) {few_names(lacking)} without "
                            f"{'training' if part == 'train' else 'validation'} photos "
                            f"({_advice(split)})")
    return split


def _advice(split: Split) -> str:
    if split.kind == "random":
        return "too few photos per class: give more photos, or raise max_per_class"
    return (f"their frame numbers fall in too few blocks of block_size="
            f"{split.settings['block_size']} frames, or within gap={split.settings['gap']} "
            f"frames of held-out ones: lower -p block_size or -p gap, or use -p split=random")
