"""Classifiers on autoencoder codes: a random forest and a logistic regression, grid-searched
on the frame-block validation photos (never on the test or wild photos)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from asl.study import evaluate, experiment, forests

GRIDS = {
    "random_forest": (lambda seed, threads: forests.make("random_forest", 100, seed, threads),
                      {"max_features": ["sqrt", 0.25]}),
    "logistic_regression": (lambda seed, threads: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=3000, random_state=seed)),
        {"logisticregression__C": [0.01, 0.1, 1.0]}),
}


VAL_ANSWERS = "val_answers"
"""The search summary's key for the validation photos' answers of the model not yet refitted
on them; ``record`` leaves it out of the metrics (the ``val`` block holds them)."""


def fit(name: str, codes_train, y_train, codes_val, y_val, seed: int = 42, threads: int = 1):
    """Grid search scored on the validation photos, then refit on train + validation.

    Returns the fitted estimator and a summary (best parameters, validation accuracy per grid
    point, whether the logistic regression converged).
    """
    make, grid = GRIDS[name]
    codes = np.concatenate([codes_train, codes_val])
    labels = np.concatenate([y_train, y_val])
    fold = PredefinedSplit(np.r_[np.full(len(codes_train), -1), np.zeros(len(codes_val))])
    search = GridSearchCV(make(seed, threads), grid, cv=fold, scoring="accuracy", n_jobs=1, refit=True)
    search.fit(codes, labels)
    summary = {"best_params": {k.split("__")[-1]: v for k, v in search.best_params_.items()},
               "val_accuracy": float(search.best_score_),
               "grid": [{"params": {k.split("__")[-1]: v for k, v in p.items()},
                         "val_accuracy": float(s)}
                        for p, s in zip(search.cv_results_["params"],
                                        search.cv_results_["mean_test_score"])]}
    # the validation photos' answers before the refit on them, for the recommendation
    before = clone(search.best_estimator_).fit(codes_train, y_train)
    summary[VAL_ANSWERS] = before.predict(codes_val).astype(int).tolist()
    if name == "logistic_regression":
        regression = search.best_estimator_[-1]
        summary["iterations"] = int(np.max(regression.n_iter_))
        summary["converged"] = bool(np.max(regression.n_iter_) < regression.max_iter)
    return search.best_estimator_, summary


def importances(name: str, estimator) -> np.ndarray:
    """How much each code dimension matters: forest impurity importance, or the mean absolute
    standardised coefficient of the regression across classes."""
    if name == "random_forest":
        return estimator.feature_importances_
    return np.abs(estimator[-1].coef_).mean(axis=0)


EXPLAINABLE = {"logistic_regression": {"explainable": True, "abbreviation": "LR",
                                       "title": "Logistic regression on the autoencoder codes"}}
"""Classifiers whose decisions can be read off their coefficients, as the report names them."""


def evaluate_all(classifiers: dict, searches: dict, encode, data: experiment.Data,
                 model_path: Path, encoder_parameters: int) -> dict[str, experiment.Results]:
    """Each classifier on the codes of the test and wild photos; on the validation photos, the
    answers it gave before its refit on them (from its search in ``searches``)."""
    evaluated = {}
    for name, estimator in classifiers.items():
        predict = lambda images, e=estimator: e.predict_proba(encode(images))  # noqa: E731
        evaluated[name] = experiment.evaluate_predictor(
            predict, data, evaluate.model_summary(model_path, encoder_parameters),
            val=searches[name].get(VAL_ANSWERS))
    return evaluated


def record(name: str, search: dict, results: experiment.Results) -> dict:
    """One classifier's entry in ``extra.classifiers`` of the metrics."""
    return {**{k: v for k, v in search.items() if k != VAL_ANSWERS}, "test": results.test,
            "val": results.val, "wild": results.wild,
            "train_accuracy": results.train_accuracy, "inference": results.inference,
            **EXPLAINABLE.get(name, {})}


def figures(autoencoder, classifiers: dict, data: experiment.Data, output_dir,
            variant: str) -> list[dict]:
    """Eight test photos above their reconstructions from the code, and the code dimensions
    each classifier relies on most; every caption starts with the ``variant``'s name."""
    from asl.study.figures import entry, importance_bars, reconstructions

    out = Path(output_dir)
    sample = data.test.images[::max(1, len(data.test) // 8)][:8]
    made = [entry("reconstructions", f"{variant}: test photos (top) and the autoencoder's "
                  "reconstructions of them from the code (bottom).", reconstructions(
                      sample, autoencoder.predict(sample, verbose=0), out / "reconstructions.png"))]
    for name, estimator in classifiers.items():
        weights = importances(name, estimator)
        scale = ("impurity importance" if name == "random_forest"
                 else "mean |coefficient| (standardised codes)")
        made.append(entry(f"importance_{name}", f"{variant}: the 15 code dimensions most "
                          f"influential in the {name.replace('_', ' ')}.", importance_bars(
                              weights, [f"code {i}" for i in range(len(weights))],
                              out / f"importance_{name}.png", scale)))
    return made
