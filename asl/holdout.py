"""The wild photos split in two halves: one to choose the recommended model, one to report it.

Each class's photos are ordered by a hash of their identifier and the first half goes to
selection, so the halves are stratified by class, do not depend on file order and never
change between builds. The wild set's file names carry no person or background, so the halves
cannot be grouped by them.
"""
from __future__ import annotations

import hashlib

import numpy as np

HALVES = ("select", "report")


def _rank(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()


def selection_mask(ids, labels) -> np.ndarray:
    """True for the photos of the selection half (half of each class, rounded down)."""
    ids, labels = list(ids), np.asarray(labels)
    mask = np.zeros(len(ids), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        ordered = sorted(members, key=lambda i: _rank(ids[i]))
        mask[ordered[: len(ordered) // 2]] = True
    return mask
