"""Late fusion of the hand-crop network with the keypoint forest: class probabilities weighted
by what works on validation, fitted and evaluated the way handcrop.ipynb reports it."""
from __future__ import annotations

from pathlib import Path

import numpy as np

WEIGHTS = np.round(np.linspace(0.0, 1.0, 11), 2)
FOREST = "extra_trees"          # the keypoint classifier fused with the network
FOREST_COPIES = 2               # augmented copies of each training hand for that forest


def fuse(first: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` x the first model's probabilities + (1 - weight) x the second's."""
    return weight * np.asarray(first) + (1 - weight) * np.asarray(second)


def choose_weight(first_val: np.ndarray, second_val: np.ndarray, y_val) -> tuple[float, list]:
    """The weight (0 = only the second model, 1 = only the first) most accurate on the
    validation photos; ties go to the weight nearest 0.5. Returns it and every grid point."""
    grid = [{"weight": float(w), "val_accuracy": float(
        (fuse(first_val, second_val, w).argmax(1) == np.asarray(y_val)).mean())}
        for w in WEIGHTS]
    best = max(grid, key=lambda point: (point["val_accuracy"], -abs(point["weight"] - 0.5)))
    return best["weight"], grid


def fused_model(network: dict, forest: Path) -> dict:
    """The fused model's files, parameters and size: the network's and the forest's."""
    return {**network, "file": f"{network['file']} + {Path(forest).name}",
            "size_bytes": network["size_bytes"] + Path(forest).stat().st_size}


def fit_and_evaluate(model, network, cropped, data, found, *, seed: int, trees: int,
                     threads: int, output_dir):
    """Fit the keypoint forest on the training photos (the validation photos stay unseen:
    the weight is chosen on them), save it, choose the weight and evaluate the fused model.
    ``network`` holds the network's own results on ``cropped``. Returns the fused results
    (latency still the network's) and the fusion record of the metrics."""
    from asl.progress import write as report_progress
    from asl.study import evaluate, experiment, forests
    from asl.study.hands import classifiers
    from asl.study.hands.detections import rows
    from asl.study.saved_models import KEYPOINT_CLASSIFIER_FILE

    report_progress(output_dir, "fitting the keypoint forest")
    forest, search = classifiers.fit(FOREST, found.train, data.train.labels, found.val,
                                     data.val.labels, seed=seed, copies=FOREST_COPIES,
                                     trees=trees, threads=threads, refit_on_validation=False)
    path = forests.save(forest, Path(output_dir) / KEYPOINT_CLASSIFIER_FILE)
    predict = evaluate.keras_predictor(model)
    net = {name: evaluate.predict_in_batches(predict, getattr(cropped, name).images)
           for name in ("val", "train")}
    weight, grid = choose_weight(net["val"], forest.predict_proba_keypoints(found.val),
                                 data.val.labels)
    sample = experiment.train_sample(data)
    keypoints_only = forest.predict_proba_keypoints
    results = experiment.evaluate_probabilities(
        fuse(net["train"][sample], keypoints_only(rows(found.train, sample)), weight),
        fuse(network.test_probabilities, keypoints_only(found.test), weight),
        None if data.wild is None else fuse(network.wild_probabilities,
                                            keypoints_only(found.wild), weight),
        data, network.inference, fused_model(network.model, path))
    print(f"fusion weight of the network {weight}")
    return results, {"weight": weight, "grid": grid, "forest": search}


NETWORK_CURVES = " of the hand-crop network alone, not of the fused model"
NETWORK_LOOKS = "the hand-crop network alone, not the fused model,"
"""How captions name the crop network inside a fused model (learning curves, saliency)."""
