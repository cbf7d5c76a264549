"""Fit time, validation accuracy and saved size of keypoint classifiers (the hands variant).

    ASL_CACHE=... python bench/keypoint_forest.py [--threads 2]

Uses the cached hand keypoints of the shared data (the first run detects them: ~12 minutes).
Choices are read on the validation photos and, out of domain, on the wild photos' selection
half (asl.holdout), never on the half the report prints; test accuracy is for information only.
Timing figures never fail.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import (ExtraTreesClassifier, HistGradientBoostingClassifier,
                              RandomForestClassifier)

from asl.config import shared_paths
from asl.holdout import selection_mask
from asl.study import experiment, forests
from asl.study.hands import classifiers, detections
from asl.study.hands.detector import DetectorSettings
from asl.study.saved_models import KEYPOINT_CLASSIFIER_FILE

CONFIGS = {
    "rf200 leaf1 (before)": lambda t: RandomForestClassifier(200, min_samples_leaf=1, n_jobs=t, random_state=1),
    "rf100 leaf3": lambda t: RandomForestClassifier(100, min_samples_leaf=3, n_jobs=t, random_state=1),
    "rf100 leaves1500": lambda t: RandomForestClassifier(100, max_leaf_nodes=1500, n_jobs=t, random_state=1),
    "rf100 leaves800": lambda t: RandomForestClassifier(100, max_leaf_nodes=800, n_jobs=t, random_state=1),
    "rf50 leaves1500": lambda t: RandomForestClassifier(50, max_leaf_nodes=1500, n_jobs=t, random_state=1),
    "et200 leaf1": lambda t: ExtraTreesClassifier(200, min_samples_leaf=1, n_jobs=t, random_state=1),
    "et100 leaves1500": lambda t: ExtraTreesClassifier(100, max_leaf_nodes=1500, n_jobs=t, random_state=1),
    "et100 leaves800": lambda t: ExtraTreesClassifier(100, max_leaf_nodes=800, n_jobs=t, random_state=1),
    "hgb": lambda t: HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1,
                                                    early_stopping=True, random_state=1),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--copies", type=int, nargs="+", default=[5, 2])
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    paths = shared_paths()
    params = {"image_size": 0, "color_mode": "rgb", "max_per_class": 0, "split": "frame_block",
              "block_size": 150, "gap": 20, "test_fraction": 0.2, "val_fraction": 0.1,
              "seed": 42, "hash_sample": 0}
    data = experiment.load_data(params, str(paths["data"]), str(paths["wild"]), tempfile.mkdtemp())
    found = detections.keypoints_for(data, DetectorSettings(), str(paths["weights"]),
                                    workers=args.threads, progress=False)
    pick = selection_mask(data.wild.ids, data.wild.labels)
    print(f"{'classifier':24s} copies  rows    fit s   val    test   wild (selection half)   MB")
    for copies in args.copies:
        rng = np.random.default_rng(1)
        x, y = classifiers.training_table(found.train, data.train.labels, rng, copies, False)
        for name, make in CONFIGS.items():
            if args.only and not any(o in name for o in args.only):
                continue
            started = time.perf_counter()
            model = classifiers.KeypointClassifier(name, make(args.threads).fit(x, y))
            seconds = time.perf_counter() - started
            val = (model.predict_proba_keypoints(found.val).argmax(1) == data.val.labels).mean()
            test = (model.predict_proba_keypoints(found.test).argmax(1) == data.test.labels).mean()
            wild = (model.predict_proba_keypoints(found.wild).argmax(1)
                    == data.wild.labels)[pick].mean()
            saved = forests.save(model, Path(tempfile.mkdtemp()) / KEYPOINT_CLASSIFIER_FILE)
            size = saved.stat().st_size / 1e6   # as the notebook saves it
            print(f"{name:24s} {copies:6d} {len(x):6d} {seconds:7.1f} {val:.3f}  {test:.3f}  "
                  f"{wild:.3f}  {size:6.1f}", flush=True)


if __name__ == "__main__":
    main()
