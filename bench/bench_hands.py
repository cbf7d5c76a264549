"""Hand detection rates before and after each retry, per class, and seconds per photo.

    python bench/bench_hands.py [--train ZIP] [--wild ZIP] [--per-class 100] [--workers 2]
                                [--classify]

Data come from --train/--wild, else ASL_DATA/ASL_WILD, else ../shared/data; the models from
--weights, else ASL_HAND_MODELS, else the folder of ASL_WEIGHTS, else ../shared/weights.

--classify also runs the sanity check: keypoint features of all training photos (cached in
.cache/keypoints), a random forest and a logistic regression trained on them with keypoint
augmentation, evaluated on held-out blocks of training frames and on the whole wild set with
"no hand found" answered as `nothing`; once with hands the model calls left mirrored, once not.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.config import shared_paths
from asl.study.hands import detector as hands
from asl.study.hands import features as kf
from asl.study.hands import keypoints as hand_keypoints
from asl.study.data import load_images

SHARED = shared_paths()
NOTHING = CLASSES.index("nothing")


def rate_table(name: str, labels: np.ndarray, attempt: np.ndarray, attempts) -> None:
    """Cumulative detection rate after each attempt, overall (classes with a hand) and per class."""
    columns = [attempts[0]] + [f"+{a}" for a in attempts[1:]]
    print(f"\n{name}: {len(labels)} photos; share with a hand found after each pass "
          "(cumulative)")
    print(f"{'class':>8} {'n':>5} " + " ".join(f"{c:>14}" for c in columns))
    for label in sorted(set(labels.tolist())):
        mask = labels == label
        row = [np.mean((attempt[mask] >= 0) & (attempt[mask] <= k)) for k in range(len(attempts))]
        print(f"{CLASSES[label]:>8} {mask.sum():>5} " + " ".join(f"{r:>14.3f}" for r in row))
    hand = labels != NOTHING
    row = [np.mean((attempt[hand] >= 0) & (attempt[hand] <= k)) for k in range(len(attempts))]
    print(f"{'ALL*':>8} {hand.sum():>5} " + " ".join(f"{r:>14.3f}" for r in row)
          + "   (* classes other than nothing)")


def measure(name: str, path: str, image_size: int, per_class: int, args) -> None:
    images = load_images(path, image_size=image_size, max_per_class=per_class)
    start = time.perf_counter()
    found = hand_keypoints.detect_many(images.images, args.weights, workers=args.workers, progress=False)
    seconds = time.perf_counter() - start
    attempts = hands.HandDetector(args.weights).attempts
    rate_table(f"{name} ({Path(path).name}, loaded at {image_size} px)", images.labels,
               found.attempt, attempts)
    print(f"time: {seconds / len(images):.4f} s per photo with {args.workers} worker processes "
          f"({seconds * args.workers / len(images):.4f} CPU-s per photo, incl. pool start-up)")
    right = found.handedness[found.found] >= 0.5
    print(f"handedness: {right.mean():.3f} of found hands called right (as seen in the photo)")


def training_features(labels, found, rng, n_copies: int, mirror_left: bool):
    """Features of training photos with a hand, plus augmented copies; and their labels."""
    keep = found.found
    points, handed, labels = found.keypoints[keep], found.handedness[keep], labels[keep]
    copies = kf.augment(points, rng, n_copies=n_copies, max_rotation_deg=15,
                        scale_range=(0.85, 1.15))
    x = np.vstack([kf.features(points, handed, mirror_left),
                   kf.features(copies, np.tile(handed, n_copies), mirror_left)])
    y = np.concatenate([labels, np.tile(labels, n_copies)])
    ok = np.isfinite(x).all(axis=1)
    return x[ok], y[ok]


def predict(model, found, mirror_left: bool) -> np.ndarray:
    """Class per photo: the model's answer where a hand was found, else `nothing`."""
    x = kf.features(found.keypoints, found.handedness, mirror_left)
    predicted = np.full(len(x), NOTHING)
    ok = np.isfinite(x).all(axis=1)
    if ok.any():
        predicted[ok] = model.predict(x[ok])
    return predicted


def subset(found, index):
    return hand_keypoints.HandKeypoints(*(array[index] for array in found))


def models(workers: int) -> dict:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"random forest": RandomForestClassifier(n_estimators=300, n_jobs=workers,
                                                    random_state=0),
            "logistic regression": make_pipeline(StandardScaler(),
                                                 LogisticRegression(max_iter=3000))}


def classify(args) -> None:
    train = load_images(args.train, image_size=64)
    wild = load_images(args.wild, image_size=200)
    found_train = hand_keypoints.extract_keypoints(train, cache_key=f"train:{args.train}",
                                          workers=args.workers, weights_path=args.weights)
    found_wild = hand_keypoints.extract_keypoints(wild, cache_key=f"wild:{args.wild}",
                                         workers=args.workers, weights_path=args.weights)
    hand = train.labels != NOTHING
    print(f"\nsanity check: hands found in {found_train.found[hand].mean():.3f} of {hand.sum()} "
          f"training photos and {found_wild.found[wild.labels != NOTHING].mean():.3f} of "
          f"{(wild.labels != NOTHING).sum()} wild photos (classes other than nothing)")
    held_out = (train.frames // 300) % 5 == 0     # blocks of 300 frames: no near-duplicates
    for mirror_left in (False, True):
        for name, model in models(args.workers).items():
            rng = np.random.default_rng(0)
            x, y = training_features(train.labels[~held_out], subset(found_train, ~held_out),
                                     rng, args.copies, mirror_left)
            model.fit(x, y)
            block = np.mean(predict(model, subset(found_train, held_out), mirror_left)
                            == train.labels[held_out])
            x, y = training_features(train.labels, found_train, rng, args.copies, mirror_left)
            model.fit(x, y)
            accuracy = np.mean(predict(model, found_wild, mirror_left) == wild.labels)
            print(f"mirror_left={mirror_left!s:5} {name:>19}: held-out training blocks "
                  f"{block:.3f} ({held_out.sum()} photos); trained on all {len(y)} rows -> "
                  f"wild accuracy {accuracy:.3f} ({len(wild)} photos)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=os.environ.get("ASL_DATA")
                        or str(SHARED["data"]))
    parser.add_argument("--wild", default=os.environ.get("ASL_WILD")
                        or str(SHARED["wild"]))
    parser.add_argument("--weights", default=os.environ.get("ASL_HAND_MODELS")
                        or os.environ.get("ASL_WEIGHTS") or str(SHARED["weights"].parent),
                        help="folder of the two .tflite files (or a file in it)")
    parser.add_argument("--per-class", type=int, default=100,
                        help="training photos per class for the rate table (0 = all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--classify", action="store_true", help="also run the sanity check")
    parser.add_argument("--copies", type=int, default=3, help="augmented copies per photo")
    args = parser.parse_args()
    print(f"settings: {hands.DetectorSettings()}")
    measure("training photos", args.train, 64, args.per_class, args)
    measure("wild photos", args.wild, 200, 0, args)
    if args.classify:
        classify(args)


if __name__ == "__main__":
    main()
