"""The hands of a data split: keypoints detected once for every photo and cut like the split,
the same detections as a single pass would give them, and how often a hand was found."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl import CLASSES
from asl.study.hands.detector import DetectorSettings
from asl.study.hands.keypoints import HandKeypoints, extract_keypoints

NOTHING = CLASSES.index("nothing")


@dataclass
class SplitKeypoints:
    """Hand keypoints of every part of a data split (and of the wild photos)."""

    train: HandKeypoints
    val: HandKeypoints
    test: HandKeypoints
    wild: HandKeypoints | None
    everything: HandKeypoints     # all training-set photos, before the split


def rows(found: HandKeypoints, index) -> HandKeypoints:
    """The detections of the photos at ``index``."""
    return HandKeypoints(*(values[index] for values in found))


def keypoints_for(data, settings: DetectorSettings, weights_path: str = "", workers: int = 0,
                  progress: bool = True) -> SplitKeypoints:
    """Keypoints of ``data`` (an ``experiment.Data``): detected once for all photos (cached,
    on every core) and cut like the split."""
    everything = extract_keypoints(data.photos, cache_key="photos", workers=workers,
                                   progress=progress, weights_path=weights_path,
                                   settings=settings)
    wild = None if data.wild is None else extract_keypoints(
        data.wild, cache_key="wild", workers=workers, progress=progress,
        weights_path=weights_path, settings=settings)
    return SplitKeypoints(rows(everything, data.split.train), rows(everything, data.split.val),
                          rows(everything, data.split.test), wild, everything)


def first_pass_only(found: HandKeypoints) -> HandKeypoints:
    """The detections as a single pass would give them: hands the retries found are dropped.
    (The first pass is the same computation with or without retries, so one cached detection
    serves both.)"""
    retried = found.attempt != 0
    keypoints, presence, handedness = (values.copy() for values in found[:3])
    keypoints[retried], presence[retried], handedness[retried] = np.nan, np.nan, np.nan
    return HandKeypoints(keypoints, presence, handedness, np.where(retried, -1, found.attempt))


def without_retries(split: SplitKeypoints) -> SplitKeypoints:
    return SplitKeypoints(*(None if part is None else first_pass_only(part)
                            for part in (split.train, split.val, split.test, split.wild,
                                         split.everything)))


def detection_summary(found: HandKeypoints, labels, attempts: tuple[str, ...]) -> dict:
    """How often a hand was found, in one pass and after the retries, overall and per class
    (the ``nothing`` class, which shows no hand, apart)."""
    labels = np.asarray(labels)
    hand_classes = labels != NOTHING
    first = found.attempt == 0

    def rate(mask, among):
        return float(mask[among].mean()) if among.any() else None

    per_class = {CLASSES[c]: {"first_pass": rate(first, labels == c),
                              "after_retries": rate(found.found, labels == c),
                              "photos": int((labels == c).sum())}
                 for c in np.unique(labels)}
    return {"photos": int(len(labels)),
            "first_pass": rate(first, hand_classes), "after_retries": rate(found.found,
                                                                           hand_classes),
            "nothing_with_hand": rate(found.found, ~hand_classes),
            "by_attempt": {name: int((found.attempt == i).sum())
                           for i, name in enumerate(attempts)},
            "per_class": per_class}


def find_hands(data, settings: DetectorSettings, weights_path: str = "", workers: int = 0,
               retries: bool = True) -> tuple[SplitKeypoints, dict]:
    """The split's keypoints (``retries=False``: as a single pass finds them) and how often a
    hand was found in the training photos and in the wild photos."""
    found = keypoints_for(data, settings, weights_path, workers=workers)
    attempts = ("plain",) + tuple(settings.retries)
    if not retries:
        found, attempts = without_retries(found), ("plain",)
    detection = {"training photos": detection_summary(found.everything, data.photos.labels,
                                                      attempts)}
    if data.wild is not None:
        detection["wild photos"] = detection_summary(found.wild, data.wild.labels, attempts)
    return found, detection


def describe(detection: dict) -> str:
    """One line per photo set: the share of photos showing a hand in which one was found."""
    return "\n".join(f"{name}: hand found in {summary['first_pass']:.3f} (first pass), "
                     f"{summary['after_retries']:.3f} (after retries) of the photos that show one"
                     for name, summary in detection.items())
