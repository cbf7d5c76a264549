"""Late fusion of the hand-crop network with the keypoint forest: a small stacking model (two
weights per letter, ``PerLetterTrust``) learns which source to trust for which letter. It carries the models over to other people, so it is fitted on the selection
half of the wild photos (``asl.holdout``) and never reads the report half: with ``"both"``
together with the validation photos, each set weighing half, so that one model serves the
training signer and other people alike; with ``"select"`` on the selection half alone.
Without wild photos it is fitted on the validation photos."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from asl import CLASSES, holdout

FOREST = "extra_trees"          # the keypoint classifier fused with the network
FOREST_COPIES = 2               # augmented copies of each training hand for that forest
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
"""Strengths of the fit against the pull towards equal trust, tried by cross-validation."""
FOLDS = 5
FITTED_ON = {"select": "wild selection half", "val": "validation photos",
             "both": "wild selection half and validation photos"}


def features(network: np.ndarray, forest: np.ndarray) -> np.ndarray:
    """What the stacking model reads: both models' class probabilities side by side."""
    return np.hstack([np.asarray(network, dtype=float), np.asarray(forest, dtype=float)])


def combine(stacker, network: np.ndarray, forest: np.ndarray) -> np.ndarray:
    """The fused class probabilities (every class a column, in ``CLASSES`` order; a class the
    stacking model never saw gets 0)."""
    out = np.zeros((len(network), len(CLASSES)))
    out[:, stacker.classes_] = stacker.predict_proba(features(network, forest))
    return out


class PerLetterTrust(ClassifierMixin, BaseEstimator):
    """Which source to trust for which letter, and nothing more: letter c scores
    ``a_c * log p_network(c) + b_c * log p_forest(c)``, a softmax over the letters gives the
    fused probabilities. Two weights per letter (58 in all), fitted by penalised maximum
    likelihood (scipy L-BFGS), the penalty pulling every weight towards 0.5 (the geometric
    mean of the two sources) with strength 1/C. A full logistic regression on both probability
    vectors (1,700 weights) also learns how the 435 selection-half photos look to each model,
    which is adaptation to those photos rather than trust in a source: with a network that had
    learned nothing (a quick build, 0.04 alone), it still lifted the keypoint forest from 0.81
    to 0.93 on the report half. Scikit-learn's estimator interface, so cross-validation works."""

    PRIOR = 0.5
    EPSILON = 1e-4

    def __init__(self, C: float = 1.0):
        self.C = C

    def _logs(self, x: np.ndarray):
        half = x.shape[1] // 2
        logs = np.log(np.asarray(x, dtype=float) + self.EPSILON)
        return logs[:, :half][:, self.classes_], logs[:, half:][:, self.classes_]

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def fit(self, x, y, sample_weight=None):
        from scipy.optimize import minimize

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        u, v = self._logs(x)
        onehot = (y[:, None] == self.classes_[None, :]).astype(float)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        k = len(self.classes_)

        def loss(theta):
            a, b = theta[:k], theta[k:]
            s = self._softmax(u * a + v * b)
            nll = -(w * np.log((s * onehot).sum(1) + 1e-12)).sum()
            g = (s - onehot) * w[:, None]
            pull = theta - self.PRIOR
            return (self.C * nll + 0.5 * pull @ pull,
                    np.concatenate([self.C * (g * u).sum(0), self.C * (g * v).sum(0)]) + pull)

        theta = minimize(loss, np.full(2 * k, self.PRIOR), jac=True, method="L-BFGS-B").x
        self.coef_ = theta.reshape(2, k)
        return self

    def predict_proba(self, x) -> np.ndarray:
        u, v = self._logs(x)
        return self._softmax(u * self.coef_[0] + v * self.coef_[1])

    def predict(self, x) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(1)]


def _model(c: float, seed: int):
    return PerLetterTrust(C=c)


def _folds(labels: np.ndarray, seed: int):
    """Stratified folds: ``FOLDS``, fewer when even the commonest class has fewer photos; None
    when no class has two."""
    from sklearn.model_selection import StratifiedKFold

    count = min(FOLDS, int(np.bincount(labels).max(initial=0)))
    return StratifiedKFold(count, shuffle=True, random_state=seed) if count >= 2 else None


def fit_stacker(network: np.ndarray, forest: np.ndarray, labels, seed: int = 0,
                weights: np.ndarray | None = None):
    """Fit the stacking model on these photos (each weighing ``weights``, default equal), its C
    chosen from ``C_GRID`` by stratified cross-validation among them (weighted accuracy).
    Returns the model, its out-of-fold probabilities (what it scores on photos it was not
    fitted on) and the record of the choice."""
    from sklearn.model_selection import cross_val_predict

    x, y = features(network, forest), np.asarray(labels)
    fit_weights = {} if weights is None else {"sample_weight": weights}
    folds = _folds(y, seed)
    grid, out_of_fold = [], {}
    with warnings.catch_warnings():   # classes rarer than the folds: sklearn warns, then copes
        warnings.simplefilter("ignore")
        for c in (C_GRID if folds else (1.0,)):
            if folds:
                guess = cross_val_predict(_model(c, seed), x, y, cv=folds, method="predict_proba",
                                          params=fit_weights)
                probabilities = np.zeros((len(y), len(CLASSES)))
                probabilities[:, np.unique(y)] = guess
                out_of_fold[c] = probabilities
                right = probabilities.argmax(1) == y
                grid.append({"C": c, "cv_accuracy": float(np.average(right, weights=weights))})
        best = max(grid, key=lambda point: (point["cv_accuracy"], -point["C"]))["C"] \
            if grid else 1.0
        stacker = _model(best, seed).fit(x, y, **fit_weights)
    record = {"model": "per-letter trust in each model (two weights per letter)", "C": best,
              "grid": grid, "folds": folds.get_n_splits() if folds else 0, "photos": len(y)}
    return stacker, out_of_fold.get(best, combine(stacker, network, forest)), record


def fit_on_selection_half(network: np.ndarray, forest: np.ndarray, labels, ids,
                          seed: int = 0):
    """``fit_stacker`` on the wild photos of the selection half only: the report half's
    probabilities and labels are never passed on. Returns the model, the wild probabilities to
    report (out of fold on the selection half, the fitted model's on the report half) and the
    record of what was chosen."""
    select = holdout.selection_mask(ids, labels)
    stacker, out_of_fold, record = fit_stacker(np.asarray(network)[select],
                                               np.asarray(forest)[select],
                                               np.asarray(labels)[select], seed)
    wild = combine(stacker, network, forest)
    wild[select] = out_of_fold
    return stacker, wild, {**record, "fitted_on": FITTED_ON["select"],
                           "selection_scores": "out of fold"}


def fit_on_both(network: np.ndarray, forest: np.ndarray, labels, ids, val_network: np.ndarray,
                val_forest: np.ndarray, val_labels, seed: int = 0):
    """``fit_stacker`` on the wild selection half and the validation photos together, each set
    weighing half (the report half is never passed on). Returns the model, the wild
    probabilities to report (out of fold on the selection half), the validation photos'
    out-of-fold probabilities and the record."""
    select = holdout.selection_mask(ids, labels)
    n_wild, n_val = int(select.sum()), len(val_labels)
    weights = np.concatenate([np.full(n_wild, 0.5 / n_wild), np.full(n_val, 0.5 / n_val)])
    stacker, out_of_fold, record = fit_stacker(
        np.vstack([np.asarray(network)[select], val_network]),
        np.vstack([np.asarray(forest)[select], val_forest]),
        np.concatenate([np.asarray(labels)[select], val_labels]), seed,
        weights * (n_wild + n_val))
    wild = combine(stacker, network, forest)
    wild[select] = out_of_fold[:n_wild]
    return stacker, wild, out_of_fold[n_wild:], {
        **record, "fitted_on": FITTED_ON["both"], "selection_photos": n_wild,
        "validation_photos": n_val, "weighting": "each set weighs half",
        "selection_scores": "out of fold"}


def fused_model(network: dict, *files: Path) -> dict:
    """The fused model's files, parameters and size: the network's and the other files'."""
    return {**network, "file": " + ".join([network["file"], *(Path(f).name for f in files)]),
            "size_bytes": network["size_bytes"] + sum(Path(f).stat().st_size for f in files)}


def fit_and_evaluate(model, network, cropped, data, found, *, seed: int, trees: int,
                     threads: int, output_dir, cascade: bool = False, fit_on: str = "both"):
    """Fit the keypoint forest on the training photos and save it; fit the stacking model on
    the wild selection half, with the validation photos if ``fit_on`` is "both" (on the
    validation photos alone without wild photos), and save it; with ``cascade``, choose its
    confidence threshold on the validation photos (out of fold if fitted on them); evaluate the fused
    model. ``network`` holds the network's own results on ``cropped``. Returns the fused
    results (latency still the network's) and the fusion record of the metrics."""
    from asl.progress import write as report_progress
    from asl.study import evaluate, experiment, forests
    from asl.study.hands import cascade as cascading, classifiers
    from asl.study.hands.detections import rows
    from asl.study.saved_models import FUSION_FILE, KEYPOINT_CLASSIFIER_FILE

    report_progress(output_dir, "fitting the keypoint forest")
    forest, search = classifiers.fit(FOREST, found.train, data.train.labels, found.val,
                                     data.val.labels, seed=seed, copies=FOREST_COPIES,
                                     trees=trees, threads=threads, refit_on_validation=False)
    forest_path = forests.save(forest, Path(output_dir) / KEYPOINT_CLASSIFIER_FILE)
    keypoints_only = forest.predict_proba_keypoints
    sample = experiment.train_sample(data)
    net = {name: evaluate.predict_in_batches(evaluate.keras_predictor(model), images)
           for name, images in (("train", cropped.train.images[sample]),
                                ("val", cropped.val.images))}
    report_progress(output_dir, "fitting the fusion")
    val_fused = None           # the validation photos' out-of-fold answers, if fitted on them
    if data.wild is not None and fit_on == "both":
        stacker, wild, val_fused, record = fit_on_both(
            network.wild_probabilities, keypoints_only(found.wild), data.wild.labels,
            data.wild.ids, net["val"], keypoints_only(found.val), data.val.labels, seed)
    elif data.wild is not None:
        stacker, wild, record = fit_on_selection_half(
            network.wild_probabilities, keypoints_only(found.wild), data.wild.labels,
            data.wild.ids, seed)
    else:
        stacker, val_fused, record = fit_stacker(net["val"], keypoints_only(found.val),
                                                 data.val.labels, seed)
        record, wild = {**record, "fitted_on": FITTED_ON["val"]}, None
    stacker_path = forests.save(stacker, Path(output_dir) / FUSION_FILE)
    fused = {"train": (combine(stacker, net["train"], keypoints_only(rows(found.train, sample))),
                       net["train"], found.train.found[sample]),
             "val": (combine(stacker, net["val"], keypoints_only(found.val))
                     if val_fused is None else val_fused, net["val"], found.val.found),
             "test": (combine(stacker, network.test_probabilities, keypoints_only(found.test)),
                      network.test_probabilities, found.test.found)}
    if wild is not None:
        fused["wild"] = (wild, network.wild_probabilities, found.wild.found)
    if cascade:
        threshold, grid = cascading.choose_threshold(*fused["val"], data.val.labels)
        record["cascade"] = cascading.record(threshold, grid, found.val.found)
        fused = {name: (cascading.apply(*parts, threshold), *parts[1:])
                 for name, parts in fused.items()}
        print(f"cascade: the network answers photos without a hand from confidence {threshold}")
    results = experiment.evaluate_probabilities(
        fused["train"][0], fused["test"][0], fused["wild"][0] if wild is not None else None,
        data, network.inference, fused_model(network.model, forest_path, stacker_path),
        fused["val"][0])
    print(f"fusion: C {record['C']} chosen on the {record['fitted_on']} "
          f"({record['photos']} photos)")
    return results, {**record, "forest": {key: value for key, value in search.items()
                                          if key != classifiers.VAL_ANSWERS}}


NETWORK_CURVES = " of the hand-crop network alone, not of the fused model"
NETWORK_LOOKS = "the hand-crop network alone, not the fused model,"
"""How captions name the crop network inside a fused model (learning curves, saliency)."""
