"""Synthetic people: training keypoints varied the way hands differ between people.

The training photos show one signer. Each varied copy of a hand gives it another person's
proportions and habits, finger by finger, while the wrist and the palm (the wrist, the thumb's
base and the four finger knuckles) stay where they were, so the hand's size and how it is
turned do not change. Per hand and finger, drawn uniformly:

- **Finger length**: every bone of the finger beyond the palm scaled by one factor within
  ±``length`` (10 %). Finger length relative to the hand varies between adults with a
  coefficient of variation of about 4-6 % (anthropometric surveys; the index-to-ring-finger
  ratio alone has a standard deviation of about 0.035), so ±10 % covers about two standard
  deviations.
- **Spread**: the whole finger turned about its base joint around the palm's normal by up to
  ±``spread_deg`` (8°). Sideways movement at the knuckles spans about 20-30° a finger; people
  holding the same handshape differ by a few degrees of it.
- **Bend**: each of the finger's three joints bent or straightened by up to ±``bend_deg``
  (10°) about the finger's flexion axis (across the finger, in the palm's plane). Joints flex
  through 80-110°; 10° is the order of how differently people hold one letter, and small enough
  that a curled finger stays curled.

The ranges were set from these figures before any measurement, not tuned on photos.
"""
from __future__ import annotations

import numpy as np

from asl.study.hands.features import FINGERS, WRIST

VARIETIES = ("none", "people")
LENGTH = 0.10
SPREAD_DEG = 8.0
BEND_DEG = 10.0


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norm > 0, norm, 1.0)


def _rotate(vectors: np.ndarray, axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rodrigues' rotation of vectors (n, ..., 3) about unit axes (n, 3) by angles (n,)."""
    axis = axis.reshape(axis.shape[:1] + (1,) * (vectors.ndim - 2) + (3,))
    angle = angle.reshape(angle.shape[:1] + (1,) * (vectors.ndim - 1))
    cos, sin = np.cos(angle), np.sin(angle)
    along = np.sum(axis * vectors, axis=-1, keepdims=True)
    return vectors * cos + np.cross(axis, vectors) * sin + axis * along * (1 - cos)


def vary_people(keypoints: np.ndarray, rng: np.random.Generator, length: float = LENGTH,
                spread_deg: float = SPREAD_DEG, bend_deg: float = BEND_DEG) -> np.ndarray:
    """One varied copy of each hand (n, 21, 3) -> (n, 21, 3): per finger, bone lengths scaled
    by a factor in [1 - length, 1 + length], the finger turned about its base by up to
    ``spread_deg`` in the palm's plane and each joint bent by up to ``bend_deg``."""
    points = np.asarray(keypoints, dtype=np.float64)
    n = len(points)
    varied = points.copy()
    wrist = points[:, WRIST]
    normal = _unit(np.cross(points[:, 5] - wrist, points[:, 17] - wrist))
    for base, *chain in FINGERS.values():
        joints = points[:, [base, *chain]]
        bones = np.diff(joints, axis=1)                                   # (n, 3, 3)
        bones *= rng.uniform(1 - length, 1 + length, n)[:, None, None]
        flexion_axis = _unit(np.cross(points[:, base] - wrist, normal))
        bends = np.radians(rng.uniform(-bend_deg, bend_deg, (n, 3))).cumsum(axis=1)
        for bone in range(3):   # a joint's bend turns every bone beyond it
            bones[:, bone] = _rotate(bones[:, bone], flexion_axis, bends[:, bone])
        bones = _rotate(bones, normal, np.radians(rng.uniform(-spread_deg, spread_deg, n)))
        varied[:, chain] = points[:, base:base + 1] + np.cumsum(bones, axis=1)
    return varied.astype(np.float32)


def vary(keypoints: np.ndarray, rng: np.random.Generator, variety: str) -> np.ndarray:
    """The hands varied as ``variety`` says: unchanged for "none", ``vary_people`` for
    "people"."""
    if variety not in VARIETIES:
        raise ValueError(f"variety must be one of {VARIETIES}, not {variety!r}")
    if variety == "none":
        return np.asarray(keypoints, dtype=np.float32)
    return vary_people(keypoints, rng)
