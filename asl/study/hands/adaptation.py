"""How many photos of a new person does it take? The variant's keypoint classifier refitted on
its own training keypoints plus k labelled photos per class of other people, drawn only from
the selection half of the wild photos and scored only on the report half.

A finding, not a choice: it runs after the classifier is chosen and nothing is selected with
its numbers. Each added photo is treated like a training photo (the same rotated and stretched
copies, the same weight: with nothing but the report half left to tune a weight on, none is
tuned); one where no hand is found adds nothing, as in training, and a report-half photo
without a hand is answered ``nothing``, as the model answers it.
"""
from __future__ import annotations

import time

import numpy as np

from asl import holdout
from asl.study.hands import classifiers
from asl.study.hands.detections import rows
from asl.study.hands.keypoints import HandKeypoints

SHOTS = (1, 2, 5, 10)
"""Photos added per class; k = 0 is the classifier as chosen."""
DRAWS = 1
"""Seeded draws of the added photos per k; the k photos of a draw include its smaller k's
photos, so the curve compares like with like. Each draw costs one refit per k (a forest on
41,000 rows: about 25 s on 2 cores), so one per training seed keeps a run within 2 minutes;
each seed draws other photos, so the build's seeds give the spread."""


def _copies(name: str, copies: int) -> int:
    """Augmented copies per hand as ``classifiers.fit`` makes them for ``name``."""
    return min(copies, classifiers.LINEAR_COPIES) if name == "logistic_regression" else copies


def base_table(name: str, search: dict, train: HandKeypoints, y_train, val: HandKeypoints, y_val,
               *, seed: int, copies: int, mirror_left: bool) -> tuple[np.ndarray, np.ndarray]:
    """The rows the chosen classifier was finally fitted on, as ``classifiers.fit`` makes them
    (same seed, same augmented copies; validation rows only if it was refitted on them)."""
    rng = np.random.default_rng(seed)
    copies = _copies(name, copies)
    x, y = classifiers.training_table(train, y_train, rng, copies, mirror_left)
    if search.get("refit_on_validation", True):
        x_val, y_val = classifiers.training_table(val, y_val, rng, copies, mirror_left)
        x, y = np.concatenate([x, x_val]), np.concatenate([y, y_val])
    return x, y


def draw_order(labels, pool: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Per class, the indices of its photos in ``pool`` (a mask) in a random order."""
    labels = np.asarray(labels)
    return [rng.permutation(np.flatnonzero(pool & (labels == c))) for c in np.unique(labels[pool])]


def first(order: list[np.ndarray], k: int) -> np.ndarray:
    """The first ``k`` photos of each class (all of a class that has fewer)."""
    return np.sort(np.concatenate([members[:k] for members in order]).astype(int))


def _accuracy(model: classifiers.KeypointClassifier, found: HandKeypoints, labels) -> float:
    return float((model.predict_proba_keypoints(found).argmax(1) == np.asarray(labels)).mean())


def study(model: classifiers.KeypointClassifier, search: dict, *, train: HandKeypoints, y_train,
          val: HandKeypoints, y_val, wild: HandKeypoints, y_wild, wild_ids, seed: int,
          copies: int, trees: int, threads: int, shots=SHOTS, draws: int = DRAWS) -> dict:
    """Report-half accuracy of ``model`` (k = 0) and of its refits with k selection-half photos
    per class added, for every k in ``shots`` and ``draws`` seeded draws."""
    started = time.perf_counter()
    y_wild = np.asarray(y_wild)
    select = holdout.selection_mask(wild_ids, y_wild)
    report = ~select
    scored, y_scored = rows(wild, report), y_wild[report]
    x_base, y_base = base_table(model.name, search, train, y_train, val, y_val, seed=seed,
                                copies=copies, mirror_left=model.mirror_left)
    points = [{"k": 0, "accuracies": [_accuracy(model, scored, y_scored)], "photos_added": [0],
               "hands_added": [0], "added_ids": [[]]}]
    points += [{"k": k, "accuracies": [], "photos_added": [], "hands_added": [], "added_ids": []}
               for k in shots]
    for draw in range(draws):
        rng = np.random.default_rng([seed, draw])
        order = draw_order(y_wild, select, rng)
        for point in points[1:]:
            picked = first(order, point["k"])
            added = rows(wild, picked)
            x_new, y_new = classifiers.training_table(added, y_wild[picked], rng,
                                                      _copies(model.name, copies),
                                                      model.mirror_left)
            refit = classifiers.KeypointClassifier(model.name, classifiers.make_estimator(
                model.name, search["best_params"], seed, trees, threads).fit(
                np.concatenate([x_base, x_new]), np.concatenate([y_base, y_new])),
                model.mirror_left, model.detector)
            point["accuracies"].append(_accuracy(refit, scored, y_scored))
            point["photos_added"].append(int(len(picked)))
            point["hands_added"].append(int(added.found.sum()))
            point["added_ids"].append([wild_ids[i] for i in picked])
    for point in points:
        point["mean"] = float(np.mean(point["accuracies"]))
        point["std"] = float(np.std(point["accuracies"]))
    return {"classifier": model.name, "added_from": "selection half", "scored_on": "report half",
            "selection_photos": int(select.sum()), "report_photos": int(report.sum()),
            "training_rows": int(len(y_base)), "draws": int(draws), "seed": int(seed),
            "weighting": "none", "seconds": round(time.perf_counter() - started, 1),
            "points": points}


def run(model: classifiers.KeypointClassifier, search: dict, found, data, *, draws: int = DRAWS,
        **settings) -> dict | None:
    """``study`` on a variant's split keypoints (``detections.SplitKeypoints``) and data; None
    without wild photos or with no draws."""
    if found.wild is None or data.wild is None or not draws:
        return None
    return study(model, search, train=found.train, y_train=data.train.labels, val=found.val,
                 y_val=data.val.labels, wild=found.wild, y_wild=data.wild.labels,
                 wild_ids=list(data.wild.ids), draws=draws, **settings)


def describe(result: dict | None) -> str:
    """One line per k: mean and spread of the report-half accuracy over the draws."""
    if not result:
        return "no adaptation study (no wild photos, or no draws asked for)"
    return "\n".join(f"k = {p['k']:>2} per class: report half {p['mean']:.3f} "
                     f"(± {p['std']:.3f} over {len(p['accuracies'])} draw(s))"
                     for p in result["points"])
