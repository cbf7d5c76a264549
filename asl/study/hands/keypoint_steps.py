"""The steps of notebooks/keypoints.ipynb: fit every keypoint classifier, evaluate each one
from the cached keypoints, and the family's part of the metrics."""
from __future__ import annotations

from asl.progress import write as report_progress
from asl.study import evaluate, experiment
from asl.study.hands import classifiers
from asl.study.hands.detections import SplitKeypoints, rows

FORESTS = ("random_forest", "extra_trees")
"""The classifiers ``classifier="best"`` chooses between (on validation accuracy)."""


def fit_all(found: SplitKeypoints, data, *, seed: int, copies: int, trees: int, threads: int,
            mirror_left: bool, output_dir, variety: str = "none") -> tuple[dict, dict]:
    """Every classifier of ``classifiers.CLASSIFIERS``, each with its settings chosen on the
    validation photos: (fitted classifiers, their grid searches), by name. ``variety``: see
    ``classifiers.fit``."""
    fitted, searches = {}, {}
    for name in classifiers.CLASSIFIERS:
        report_progress(output_dir, f"fitting {name}")
        fitted[name], searches[name] = classifiers.fit(
            name, found.train, data.train.labels, found.val, data.val.labels, seed=seed,
            copies=copies, trees=trees, threads=threads, mirror_left=mirror_left,
            variety=variety)
        print(name, searches[name]["best_params"],
              f"validation {searches[name]['val_accuracy']:.3f}")
    return fitted, searches


def reported(classifier: str, searches: dict) -> str:
    """The classifier the variant reports: ``classifier``, or for "best" the forest more
    accurate on the validation photos."""
    if classifier != "best":
        return classifier
    return max(FORESTS, key=lambda name: searches[name]["val_accuracy"])


def evaluate_all(fitted: dict, searches: dict, reported_name: str, found: SplitKeypoints,
                 data, model_path, weights_path: str, output_dir
                 ) -> dict[str, experiment.Results]:
    """Each classifier scored from the cached keypoints (on the validation photos, as chosen
    before its refit on them: from ``searches``); the latency, measured on the reported one,
    includes finding the hand."""
    sample = rows(found.train, experiment.train_sample(data))
    report_progress(output_dir, "latency")
    inference = evaluate.latency(fitted[reported_name].predictor(weights_path), data.test.images,
                                 batch_size=16, repeats=5)
    evaluated = {}
    for name, model in fitted.items():
        report_progress(output_dir, f"evaluating {name}")
        evaluated[name] = experiment.evaluate_probabilities(
            model.predict_proba_keypoints(sample), model.predict_proba_keypoints(found.test),
            None if found.wild is None else model.predict_proba_keypoints(found.wild),
            data, inference, evaluate.model_summary(model_path, None),
            searches[name][classifiers.VAL_ANSWERS])
        result = evaluated[name]
        print(name, f"train {result.train_accuracy:.3f}", f"test {result.test['accuracy']:.3f}",
              f"wild {result.wild['accuracy']:.3f}" if result.wild else "")
    return evaluated


def extra(reported_name: str, detection: dict, fitted: dict, searches: dict,
          evaluated: dict) -> dict:
    """The metrics' ``extra``: the reported classifier, detection rates, every classifier's
    search and results, and the logistic regression's most telling features per letter."""
    return {"reported_classifier": reported_name, "detection": detection,
            "classifiers": {name: {**search_record(searches[name]),
                                   "test": evaluated[name].test, "val": evaluated[name].val,
                                   "wild": evaluated[name].wild,
                                   "train_accuracy": evaluated[name].train_accuracy,
                                   **classifiers.EXPLAINABLE.get(name, {})}
                            for name in fitted},
            "top_features": classifiers.top_features(fitted["logistic_regression"])}


def search_record(search: dict) -> dict:
    """A classifier's search as the metrics keep it (its validation answers are in ``val``)."""
    return {key: value for key, value in search.items() if key != classifiers.VAL_ANSWERS}


def training_record(searches: dict) -> dict:
    """The metrics' ``training``: the seconds of every final fit, no epochs."""
    return {"seconds": sum(s["fit_seconds"] for s in searches.values()), "epochs_run": 0,
            "history": {}}
