"""Metrics on a set of photos, latency and size, near-duplicate checks, calibration."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from asl import CLASSES
from asl.stats import calibration_table, wilson_ci


def evaluation_block(y_true, y_pred, ids, classes=CLASSES) -> dict:
    """Accuracy with its 95 % Wilson interval, macro and per-class figures, confusion matrix."""
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    labels = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    present = support > 0  # macro averages over the classes this set contains
    macro = [float(np.mean(values[present])) for values in (precision, recall, f1)]
    correct = int((y_true == y_pred).sum())
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "accuracy_ci": list(wilson_ci(correct, len(y_true))),
        "precision_macro": macro[0], "recall_macro": macro[1], "f1_macro": macro[2],
        "per_class": {name: {"precision": float(precision[i]), "recall": float(recall[i]),
                             "f1": float(f1[i]), "support": int(support[i]),
                             "accuracy": float(recall[i]) if support[i] else None}
                      for i, name in enumerate(classes)},
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "ids": list(ids), "y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
    }


def latency(predict, images: np.ndarray, batch_size: int = 64, repeats: int = 20) -> dict:
    """Milliseconds per photo: one at a time (median of ``repeats``) and in batches."""
    single = images[:1]
    predict(single)  # warm-up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict(single)
        timings.append(time.perf_counter() - started)
    batch = images[:batch_size]
    predict(batch)
    started = time.perf_counter()
    predict(batch)
    batched = (time.perf_counter() - started) / len(batch)
    return {"ms_per_image_batch1": 1000 * float(np.median(timings)),
            "ms_per_image_batched": 1000 * batched, "batch_size": int(len(batch))}


def keras_predictor(model):
    """A fast predict function for small batches (model.predict has a large fixed cost)."""
    import tensorflow as tf

    infer = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return lambda x: infer(tf.convert_to_tensor(x)).numpy()


def predict_in_batches(predict, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    return np.concatenate([predict(images[i:i + batch_size])
                           for i in range(0, len(images), batch_size)])


def model_summary(path, parameters: int | None) -> dict:
    """File name, trainable size (None for a model without weights, e.g. a forest) and bytes."""
    path = Path(path)
    size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.rglob("*"))
               if p.is_file())
    return {"file": path.name, "parameters": None if parameters is None else int(parameters),
            "size_bytes": int(size)}


def perceptual_hashes(images: np.ndarray) -> np.ndarray:
    """64-bit perceptual hash (pHash) of each photo, as a (n, 64) bool array."""
    import imagehash
    from PIL import Image

    squeeze = images[..., 0] if images.shape[-1] == 1 else images
    return np.array([imagehash.phash(Image.fromarray(image)).hash.ravel() for image in squeeze])


def near_duplicates(hashes: np.ndarray, labels, train, test, threshold: int = 6) -> dict:
    """How many test photos have a training photo of the same class within ``threshold`` bits."""
    labels = np.asarray(labels)
    nearest = np.full(len(test), 64)
    for label in np.unique(labels[test]):
        test_in = np.asarray(test)[labels[test] == label]
        train_in = np.asarray(train)[labels[train] == label]
        if len(train_in) == 0:
            continue
        distance = (hashes[test_in][:, None, :] != hashes[train_in][None, :, :]).sum(-1)
        nearest[np.isin(test, test_in)] = distance.min(axis=1)
    count = int((nearest <= threshold).sum())
    return {"threshold_bits": threshold, "test": int(len(test)), "with_near_duplicate": count,
            "fraction": count / max(1, len(test)), "median_nearest_bits": float(np.median(nearest)),
            "nearest_bits": nearest.tolist()}


def calibration(probabilities: np.ndarray, y_true, bins: int = 10) -> dict:
    """Reliability table and expected calibration error of the top-class confidence, with each
    photo's confidence (so the report can recompute it on the report half of the wild set)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(y_true)
    return {**calibration_table(confidence, correct, bins),
            "confidence": np.round(confidence, 4).tolist()}
