"""Random forests and extra trees capped in size, and saved compressed.

An unpruned tree grows about one leaf per few training rows, and scikit-learn stores a row of
class probabilities (29 floats) per node: 200 such trees on 70,000 keypoint rows pickled to
411 MB. Capping the leaves per tree bounds the file (nodes x ~300 bytes); measured on the hand
keypoints (bench/keypoint_forest.py) the cap costs under one point of validation accuracy.
Those rows are mostly zeros, so ``save`` compresses them: 47 MB pickled become about 7 MB.
"""
from __future__ import annotations

from pathlib import Path

import joblib
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from asl.files import atomic_write

KINDS = {"random_forest": RandomForestClassifier, "extra_trees": ExtraTreesClassifier}
MAX_LEAVES = 800
"""Leaves per tree: 100 trees pickle to about 47 MB (2 x 800 nodes x 100 x ~296 bytes)."""


def make(kind: str, trees: int, seed: int, threads: int = 1, **settings):
    """An unfitted forest of ``trees`` trees with at most MAX_LEAVES leaves each."""
    if kind not in KINDS:
        raise ValueError(f"forest must be one of {sorted(KINDS)}, not {kind!r}")
    return KINDS[kind](n_estimators=trees, max_leaf_nodes=MAX_LEAVES, random_state=seed,
                       n_jobs=max(1, threads), **settings)


def save(model, path) -> Path:
    """Write a scikit-learn model (or a dict or wrapper holding some) to ``path``, compressed,
    atomically."""
    return atomic_write(path, lambda tmp: joblib.dump(model, tmp, compress=("zlib", 3)))


def load(path):
    """A model written by ``save`` (or by plain ``pickle.dump``, as older builds did)."""
    return joblib.load(path)
