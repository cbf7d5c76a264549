"""A gate in front of the fused hand model: a photo that looks like the training photos is
answered by the whole-photo network, every other photo by the fusion.

"Looks like" is measured in the whole-photo network's own features (the input of its softmax
layer, scaled to length 1): the mean distance to the ``NEIGHBOURS`` nearest training photos
(scikit-learn ``NearestNeighbors``, fitted on the training photos only). The threshold is chosen
on the validation photos and the wild selection half, each weighing half, as the recommendation
chooses; the report half is never read. Where the fusion is wrong in domain the whole-photo
network is often right, and it is wrong on other people's photos, which lie far from the
training photos (bench/whole_photo_gate.py measured it first).

A gated run saves ``GATE_FILE`` (threshold, neighbours, a pointer to the whole-photo network)
and ``INDEX_FILE`` (the training photos' features) beside the fusion's own files; its metrics
have ``family: "gate"`` and ``extra.gate`` (``gate_steps.record``). The notebook's steps are in
``gate_steps``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from asl.files import write_json_atomic

NEIGHBOURS = 5
PERCENTILES = tuple(float(p) for p in np.arange(50, 100.1, 2.5))
"""Candidate thresholds: these percentiles of the validation photos' distances (and never)."""
GATE_FILE = "gate.json"
INDEX_FILE = "gate_index.npz"


def both_outputs(network):
    """photos -> (features before the softmax layer, class probabilities), in one pass."""
    import keras
    import tensorflow as tf

    model = keras.Model(network.inputs, [network.layers[-1].input, network.output])
    infer = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def predict(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        features, probabilities = infer(tf.convert_to_tensor(images))
        return features.numpy(), probabilities.numpy()

    return predict


def in_batches(predict, images: np.ndarray, batch_size: int = 256):
    """``predict`` of two outputs over ``images`` in batches."""
    parts = [predict(images[i:i + batch_size]) for i in range(0, len(images), batch_size)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def resize(images: np.ndarray, size: int) -> np.ndarray:
    """Photos scaled to ``size`` pixels a side as the photo loader scales them (bilinear)."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    from PIL import Image

    return np.stack([np.asarray(Image.fromarray(image.squeeze()).resize(
        (size, size), Image.Resampling.BILINEAR)).reshape(size, size, -1) for image in images])


class Gate:
    """How far photos lie from the training photos, and which the whole-photo network answers."""

    def __init__(self, train_features: np.ndarray, neighbours: int = NEIGHBOURS,
                 threshold: float | None = None):
        from sklearn.neighbors import NearestNeighbors

        # kept as float16 in the saved model, so the notebook measures with the same values
        self.train = np.asarray(train_features, dtype=np.float16)
        self.neighbours, self.threshold = neighbours, threshold
        self.index = NearestNeighbors(n_neighbors=neighbours, algorithm="brute").fit(
            self.train.astype(np.float32))

    @staticmethod
    def normalise(features: np.ndarray) -> np.ndarray:
        features = np.asarray(features, dtype=np.float32)
        return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)

    def distance(self, features: np.ndarray) -> np.ndarray:
        """Mean distance of each photo to its nearest training photos."""
        from threadpoolctl import threadpool_limits

        if not len(features):
            return np.zeros(0)
        with threadpool_limits(1):   # many threads make one photo's search 20 times slower
            return self.index.kneighbors(self.normalise(features))[0].mean(axis=1)

    def near(self, distance: np.ndarray, threshold: float | None = "own") -> np.ndarray:
        """True where the whole-photo network answers (never with threshold None)."""
        threshold = self.threshold if threshold == "own" else threshold
        if threshold is None:
            return np.zeros(len(distance), dtype=bool)
        return np.asarray(distance) <= threshold


def fit(train_features: np.ndarray, neighbours: int = NEIGHBOURS) -> Gate:
    """A gate on the training photos' features (threshold still to choose)."""
    return Gate(Gate.normalise(train_features), neighbours)


def route(near: np.ndarray, whole, fused) -> np.ndarray:
    """The whole-photo network's answers (classes or probabilities) where ``near``, else the
    fusion's."""
    near = np.asarray(near, dtype=bool)
    whole, fused = np.asarray(whole), np.asarray(fused)
    return np.where(near[:, None] if whole.ndim == 2 else near, whole, fused)


def choose_threshold(gate: Gate, sets: dict[str, tuple]) -> tuple[float | None, list[dict]]:
    """The threshold with the highest mean accuracy over ``sets`` (name -> labels, whole-photo
    answers, fused answers, distances; each set weighing the same whatever its size); ties go to
    the one that routes fewer photos. Candidates: never (None) and ``PERCENTILES`` of the
    first set's distances. Returns it and every grid point."""
    first = next(iter(sets.values()))[3]
    candidates = [None, *sorted({float(t) for t in np.percentile(first, PERCENTILES)})] \
        if len(first) else [None]
    grid = []
    for threshold in candidates:
        scores = {name: float((route(gate.near(distance, threshold), whole, fused)
                               == np.asarray(labels)).mean())
                  for name, (labels, whole, fused, distance) in sets.items() if len(labels)}
        grid.append({"threshold": threshold, **scores,
                     "mean": float(np.mean(list(scores.values()))) if scores else 0.0})
    best = max(enumerate(grid), key=lambda item: (item[1]["mean"], -item[0]))[1]
    return best["threshold"], grid


def save(gate: Gate, network, output_dir) -> list[Path]:
    """The gate's files beside the run's metrics: settings with a pointer to the whole-photo
    network's file (``Reused``), and the training photos' features."""
    out = Path(output_dir)
    index = out / INDEX_FILE
    tmp = index.with_name(".gate_index.tmp.npz")
    np.savez_compressed(tmp, train=gate.train)
    tmp.replace(index)
    settings = write_json_atomic(out / GATE_FILE, {
        "threshold": gate.threshold, "neighbours": gate.neighbours, "network": network.pointer()})
    return [Path(settings), index]


def predictor(fused, whole, gate: Gate, size: int):
    """photos -> probabilities: the whole-photo network (``whole``: photos -> features and
    probabilities) where the gate says near, the fused model (``fused``, run only on the other
    photos) elsewhere."""
    def predict(images: np.ndarray) -> np.ndarray:
        features, answers = whole(resize(images, size))
        near = gate.near(gate.distance(features))
        if not near.all():
            answers[~near] = fused(images[~near])
        return answers

    return predict


def saved_predictor(variant_dir, metrics: dict, weights_path: str = ""):
    """The gated model a run saved: its fusion (the run's own crop-model files), the whole-photo
    network it points to, and the gate."""
    import keras

    from asl.study import models, reuse, saved_models  # noqa: F401  (custom layers)

    variant_dir = Path(variant_dir)
    settings = saved_models.load_file(variant_dir / GATE_FILE,
                                      lambda p: json.loads(Path(p).read_text()))
    fused = saved_models.LOADERS["handcrop"](variant_dir, metrics, weights_path)
    network = saved_models.load_file(reuse.network_path(variant_dir, settings["network"]),
                                     lambda p: keras.saving.load_model(p, safe_mode=False))
    train = saved_models.load_file(variant_dir / INDEX_FILE, lambda p: np.load(p)["train"])
    gate = Gate(train, settings["neighbours"], settings["threshold"])
    return predictor(fused, both_outputs(network), gate, int(network.input_shape[1]))
