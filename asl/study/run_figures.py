"""The figures every model run draws from its results: learning curves, confusion matrix,
misclassified and wild photos, accuracy per class, saliency maps and reliability diagram."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.study import evaluate, figures
from asl.study.experiment import Data, Results
from asl.study.training import report_progress


def spread(count: int, shown: int = 16) -> np.ndarray:
    """Indices of up to ``shown`` items spread evenly through ``count`` (first and last
    included), for the example grids."""
    return np.unique(np.linspace(0, count - 1, min(shown, count)).round().astype(int))


def fine_tuning_note(stages) -> str:
    """The learning-curves caption's words for the dashed line that ``figures.learning_curves``
    draws where a second training stage (fine-tuning) begins; empty with one stage."""
    if not stages or len(stages) < 2:
        return ""
    return (f"; the dashed line marks the start of fine-tuning, after {stages[0]} epochs "
            "of training the new head on the frozen base")


def standard(results: Results, data: Data, training: dict | None, output_dir,
                     title: str, curves_of: str = "") -> list[dict]:
    """Learning curves, confusion matrix, misclassified test photos, wild predictions;
    ``curves_of`` names the model the learning curves are of when it is not the one evaluated
    (such as the network inside a fused model)."""
    report_progress(output_dir, "figures")
    out = Path(output_dir)
    made = []
    if training and training["history"].get("loss"):
        made.append(figures.entry(
            "learning_curves", f"{title}: learning curves{curves_of} (training vs validation; "
            "validation photos are held-out frame blocks"
            f"{fine_tuning_note(training.get('stages'))}).",
            figures.learning_curves(training["history"], out / "learning_curves.png",
                                    training.get("stages"))))
    made.append(figures.entry(
        "confusion_matrix", f"{title}: confusion matrix on the in-domain test photos "
        f"({data.split.kind.replace('_', '-')} split), rows normalised.",
        figures.confusion_matrix(results.test["confusion_matrix"], out / "confusion_matrix.png")))
    wrong = np.flatnonzero(np.asarray(results.test["y_true"]) != np.asarray(results.test["y_pred"]))
    if len(wrong):
        pick = wrong[spread(len(wrong))]
        made.append(_examples(
            "misclassified", f"{title}: misclassified test photos ({len(wrong)} of "
            f"{results.test['n']}), true → predicted; {len(pick)} photos spread evenly among the "
            f"{len(wrong)} misclassified ones, in the test set's order.",
            data.test, results.test, pick, out))
    if results.wild is not None:
        pick = spread(len(data.wild))
        made.append(_examples(
            "wild_examples", f"{title}: photos of other people (wild set), true → predicted; "
            f"green right, red wrong; {len(pick)} photos spread evenly through all "
            f"{len(data.wild)} wild photos (both halves), right or wrong.",
            data.wild, results.wild, pick, out))
    made.append(figures.entry(
        "per_class", f"{title}: accuracy per class, in-domain test vs the report half of the "
        "wild photos (95 % Wilson intervals; in brackets after each letter, its photos in that "
        "half).", figures.per_class_accuracy(results.test, results.wild,
                                              out / "per_class_accuracy.png")))
    return made


def _examples(key: str, caption: str, photos, block: dict, pick: np.ndarray, out: Path) -> dict:
    """A grid of the photos ``pick`` with their true and predicted letters (``block``)."""
    return figures.entry(key, caption, figures.example_grid(
        photos.images[pick], photos.labels[pick], np.asarray(block["y_pred"])[pick],
        out / f"{key}.png"))


def explanation(model, results: Results, data: Data, output_dir, title: str,
                        count: int = 6) -> list[dict]:
    """Saliency maps on right and wrong photos, in domain and in the wild, and a reliability
    diagram of the test-set confidence."""
    return [*saliency(model, results, data, output_dir, title, count),
            reliability(results, data, output_dir, title)]


def saliency(model, results: Results, data: Data, output_dir, title: str,
                     count: int = 6, looker: str = "the model") -> list[dict]:
    """Where the Keras ``model`` (named ``looker`` in the captions) looks on right and wrong
    photos (its predictions in ``results``), in domain and in the wild."""
    report_progress(output_dir, "saliency and calibration")
    from asl.study import explain

    out = Path(output_dir)
    made = []
    for name, photos, block in (("test", data.test, results.test), ("wild", data.wild, results.wild)):
        if block is None:
            continue
        y_true, y_pred = np.asarray(block["y_true"]), np.asarray(block["y_pred"])
        right, wrong = np.flatnonzero(y_true == y_pred), np.flatnonzero(y_true != y_pred)
        pick = np.r_[right[:: max(1, len(right) // (count // 2))][: count // 2],
                     wrong[:: max(1, len(wrong) // (count // 2))][: count // 2]].astype(int)
        if len(pick) == 0:
            continue
        maps = explain.saliency_maps(model, photos.images[pick], y_pred[pick])
        labels = [f"{CLASSES[t]} → {CLASSES[p]}" for t, p in zip(y_true[pick], y_pred[pick])]
        where = "in-domain test photos" if name == "test" else "wild photos"
        made.append(figures.entry(
            f"saliency_{name}", f"{title}: where {looker} looks on {where} (SmoothGrad saliency "
            "for the predicted class; right predictions first, then wrong ones).",
            figures.saliency_grid(photos.images[pick], maps, labels,
                                  out / f"saliency_{name}.png")))
    return made


def reliability(results: Results, data: Data, output_dir, title: str) -> dict:
    """Reliability diagram of the confidence of ``results`` on the in-domain test photos."""
    return figures.entry(
        "reliability", f"{title}: reliability diagram on the in-domain test photos (accuracy per "
        "confidence bin; the diagonal is perfect calibration).",
        figures.reliability_diagram(
            evaluate.calibration(results.test_probabilities, data.test.labels),
            Path(output_dir) / "reliability.png"))
