"""The steps every model notebook shares: load and split the photos, evaluate, write results
(the figures every run draws are in ``run_figures``)."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asl import CLASSES, metrics_file
from asl.config import BUILD_PARAMETERS
from asl.study import evaluate
from asl.study.data import ImageSet, load_images
from asl.study.splits import Split, make_split, split_settings  # noqa: F401 (notebooks)
from asl.progress import stage_seconds
from asl.study.training import report_progress

CONTEXT_PARAMETERS = (*BUILD_PARAMETERS, "variant")


def collect_parameters(namespace: dict) -> dict:
    """The notebook's parameters, for metrics.json: call it right after the parameters cell.

    Takes the plain values (numbers, strings, booleans) defined so far, minus paths and build
    settings; IPython's own variables start with an underscore and are left out.
    """
    return {name: value for name, value in namespace.items()
            if isinstance(value, (bool, int, float, str)) and not name.startswith("_")
            and name not in CONTEXT_PARAMETERS}


@dataclass
class Data:
    """Train/validation/test photos of one split, and the out-of-domain photos if given."""

    train: ImageSet
    val: ImageSet
    test: ImageSet
    wild: ImageSet | None
    split: Split
    summary: dict
    output_dir: str = "."       # where progress (and so the stage timings) is written
    photos: ImageSet | None = None   # every photo; split.train/val/test index into it

    @property
    def input_shape(self) -> tuple:
        return self.train.images.shape[1:]

    def describe(self) -> str:
        wild = f", wild {len(self.wild)}" if self.wild is not None else ", no wild set"
        aside = self.split.settings.get("set_aside")
        aside = f", {aside} set aside (no frame number)" if aside else ""
        return (f"{self.summary['n_images']} photos ({self.split.kind} split): train "
                f"{len(self.train)}, validation {len(self.val)}, test {len(self.test)}{aside}{wild}")


def load_data(parameters: dict, data_path, wild_path="", output_dir=".") -> Data:
    """``load`` with the image and split settings taken from a notebook's parameters."""
    return load(data_path, wild_path, image_size=parameters["image_size"],
                color_mode=parameters.get("color_mode", "rgb"), split=parameters["split"],
                max_per_class=parameters.get("max_per_class", 0), output_dir=output_dir,
                **split_settings(parameters))


def load(data_path, wild_path="", *, image_size: int, color_mode: str, split: str,
         max_per_class: int = 0, seed: int = 42, test_fraction: float = 0.2,
         val_fraction: float = 0.1, block_size: int = 150, gap: int = 20,
         output_dir=".") -> Data:
    """Load (cached), split, and load the wild set at the same size (``image_size`` 0: each
    set at the size it is stored at) and colour mode."""
    report_progress(output_dir, "loading photos")
    photos = load_images(data_path, image_size, color_mode, max_per_class, seed)
    chosen = make_split(split, photos.labels, photos.frames, test_fraction, val_fraction,
                        block_size, gap, seed)
    wild = load_images(wild_path, image_size, color_mode) if wild_path else None
    summary = {"source": Path(photos.source).name, "n_images": len(photos),
               "image_size": int(photos.images.shape[1]), "color_mode": color_mode,
               "skipped": photos.skipped, **photos.notes(frame_split=split == "frame_block"),
               "wild_source": Path(wild.source).name if wild else None,
               "wild_images": len(wild) if wild else 0}
    return Data(photos.subset(chosen.train), photos.subset(chosen.val),
                photos.subset(chosen.test), wild, chosen, summary, str(output_dir), photos)


def with_images(data: Data, **images: np.ndarray) -> Data:
    """A copy of ``data`` whose parts (``train=``, ``val=``, ``test=``, ``wild=``) hold other
    pictures of the same photos, e.g. hand crops."""
    parts = {}
    for name in ("train", "val", "test", "wild"):
        part = getattr(data, name)
        parts[name] = part if name not in images or part is None else \
            dataclasses.replace(part, images=images[name])
    return dataclasses.replace(data, **parts)


@dataclass
class Results:
    """Predictions and evaluation blocks of one trained model."""

    test: dict
    wild: dict | None
    test_probabilities: np.ndarray
    wild_probabilities: np.ndarray | None
    inference: dict
    model: dict
    train_accuracy: float | None = None
    val: dict | None = None    # on the validation photos, by a model not fitted on them


TRAIN_ACCURACY_SAMPLE = 3000


def train_sample(data: Data, seed: int = 0) -> np.ndarray:
    """Up to 3,000 training photos (their indices) on which the model's fit is measured."""
    index = np.arange(len(data.train))
    if len(index) > TRAIN_ACCURACY_SAMPLE:
        index = np.sort(np.random.default_rng(seed).choice(index, TRAIN_ACCURACY_SAMPLE,
                                                           replace=False))
    return index


def evaluate_probabilities(train: np.ndarray, test: np.ndarray, wild: np.ndarray | None,
                           data: Data, inference: dict, model_info: dict,
                           val: np.ndarray | None = None) -> Results:
    """Results from class probabilities already computed on the training sample
    (``train_sample``), the test photos, the wild photos and the validation photos (or
    predicted classes there: answers of a model not fitted on them, so the recommendation may
    use them; None where there are none). The training accuracy is in inference mode (no
    augmentation, no dropout): far below 1 means the model did not fit."""
    sample = train_sample(data)
    fit = float((train.argmax(1) == data.train.labels[sample]).mean())
    test_block = evaluate.evaluation_block(data.test.labels, test.argmax(1), data.test.ids)
    wild_block = None if wild is None else evaluate.evaluation_block(
        data.wild.labels, wild.argmax(1), data.wild.ids)
    val_block = None if val is None or not len(data.val) else evaluate.evaluation_block(
        data.val.labels, classes_of(val), data.val.ids)
    return Results(test_block, wild_block, test, wild, inference, model_info, fit, val_block)


def classes_of(answers) -> np.ndarray:
    """Predicted classes from class probabilities (one row per photo) or from classes."""
    answers = np.asarray(answers)
    return answers.argmax(1) if answers.ndim == 2 else answers.astype(int)


def evaluate_predictor(predict_proba, data: Data, model_info: dict, val=None) -> Results:
    """Evaluate a function photos -> class probabilities on the training photos (fit), the
    test photos, the wild photos and the validation photos, and time it. A model refitted on
    the validation photos passes ``val``: the answers there of the model before that refit."""
    report_progress(data.output_dir, "evaluating")
    probabilities = [evaluate.predict_in_batches(predict_proba, images) for images in (
        data.train.images[train_sample(data)], data.test.images)]
    wild = None if data.wild is None else \
        evaluate.predict_in_batches(predict_proba, data.wild.images)
    if val is None and len(data.val):
        val = evaluate.predict_in_batches(predict_proba, data.val.images)
    report_progress(data.output_dir, "latency")
    inference = evaluate.latency(predict_proba, data.test.images)
    return evaluate_probabilities(*probabilities, wild, data, inference, model_info, val)


def evaluate_keras(model, data: Data, output_dir) -> Results:
    """Save the Keras model beside the metrics, then evaluate it."""
    from asl.study.saved_models import NETWORK_FILE

    path = Path(output_dir) / NETWORK_FILE
    tmp = path.with_name(".model.tmp.keras")
    model.save(tmp)
    tmp.replace(path)
    return evaluate_predictor(evaluate.keras_predictor(model), data,
                              evaluate.model_summary(path, model.count_params()))


def write_metrics(output_dir, *, variant: str, family: str, notebook: str, parameters: dict,
                  quick: bool, data: Data, training: dict, results: Results,
                  figure_list: list[dict], extra: dict | None = None,
                  explainable: bool = False) -> Path:
    """Assemble and write metrics.json (schema in asl/metrics_file.py)."""
    path = metrics_file.write(output_dir, {
        "kind": "model", "variant": variant, "title": variant, "family": family,
        "notebook": notebook, "parameters": parameters, "quick": bool(quick),
        "classes": CLASSES, "data": data.summary, "split": data.split.summary(),
        "test": results.test, "wild": results.wild, "val": results.val,
        "test_accuracy": results.test["accuracy"], "train_accuracy": results.train_accuracy,
        "wild_accuracy": results.wild["accuracy"] if results.wild else None,
        "training": training, "inference": results.inference, "model": results.model,
        "calibration": {
            "test": evaluate.calibration(results.test_probabilities, data.test.labels),
            "wild": evaluate.calibration(results.wild_probabilities, data.wild.labels)
            if results.wild else None},
        "figures": figure_list, "extra": extra or {}, "explainable": bool(explainable),
        "stages": stage_seconds(output_dir),
        "written": time.time(),
    })
    report_progress(output_dir, "done")
    return path
