"""A variant's saved model on your own photos: load it, and score it on labelled photos (class
folders, folder or zip)."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from asl import metrics_file
from asl.errors import AslError, DataError
from asl.files import write_json_atomic
from asl.study import saved_models
from asl.study.hands import gate

LOADERS = {**saved_models.LOADERS, "gate": gate.saved_predictor}
"""Every family's loader: ``saved_models.LOADERS`` and the gated fusion's, which stays in
``asl.study.hands.gate`` (saved_models is imported by every notebook, so every run's
fingerprint holds it)."""


@contextmanager
def quiet_stderr():
    """What C++ code writes to stderr goes nowhere (TensorFlow's start-up lines come before its
    logging starts, so TF_CPP_MIN_LOG_LEVEL cannot stop them; LiteRT announces its delegate);
    Python's own warnings still show."""
    python_stderr = sys.stderr
    python_stderr.flush()
    saved = os.dup(2)
    try:
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.close()
        sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)


def load_predictor(variant_dir: Path, weights_path: str = ""):
    """(predict_proba, metrics) for the model a variant saved beside its metrics.json, loaded
    as its family's entry in ``LOADERS`` says; hand models are looked up from
    ``weights_path`` (its folder) like in the build."""
    variant_dir = Path(variant_dir)
    metrics = metrics_file.read(variant_dir)
    if metrics["kind"] != "model":
        raise AslError(f"'{variant_dir.name}' is not a model variant")
    with quiet_stderr():
        family = metrics.get("family")
        if family not in LOADERS:
            return saved_models.load(variant_dir, metrics, weights_path), metrics  # says why
        return LOADERS[family](variant_dir, metrics, weights_path), metrics


def photo_format(metrics: dict) -> tuple[int, str]:
    """The size (0: as the photos are stored) and colour mode of the photos a saved model
    reads."""
    parameters = metrics["parameters"]
    size = parameters.get("detect_size", parameters.get("image_size", 0))
    return int(size or 0), parameters.get("color_mode", "rgb")


def check_built(variant_dir: Path) -> None:
    """A clear error if the variant's run has no results (it was never built)."""
    if not (variant_dir / metrics_file.FILENAME).exists():
        variant = variant_dir.name.split(".seed")[0]
        raise AslError(f"variant '{variant_dir.name}' has no results in {variant_dir.parent}: "
                       f"build it first (python build.py --variant {variant})")


def evaluate_photos(variant_dir: Path, images_path, out_dir: Path, weights_path: str = "") -> dict:
    """Accuracy with its 95 % interval, per-class accuracy and a confusion-matrix figure."""
    from asl.study.data import load_images
    from asl.study.evaluate import evaluation_block, predict_in_batches
    from asl.study.figures import confusion_matrix

    variant_dir = Path(variant_dir)
    check_built(variant_dir)
    predict, metrics = load_predictor(variant_dir, weights_path)
    size, color_mode = photo_format(metrics)
    photos = load_images(images_path, size, color_mode, use_cache=False)
    if len(photos) == 0:
        raise DataError(f"no readable photos in {images_path}")
    probabilities = predict_in_batches(predict, photos.images)
    block = evaluation_block(photos.labels, probabilities.argmax(1), photos.ids)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = out_dir / f"confusion_{variant_dir.name}.png"
    confusion_matrix(block["confusion_matrix"], figure,
                     f"{variant_dir.name} on {Path(str(images_path)).name}")
    result = {"variant": variant_dir.name, "images": str(images_path),
              "skipped": photos.skipped, "figure": str(figure), **block}
    write_json_atomic(out_dir / f"evaluation_{variant_dir.name}.json", result)
    return result


def summary(result: dict) -> str:
    """What the command prints: overall accuracy with its interval, then each class."""
    low, high = result["accuracy_ci"]
    skipped = f", {result['skipped']} unreadable files skipped" if result["skipped"] else ""
    lines = [f"{result['variant']} on {result['images']}: accuracy {result['accuracy']:.3f} "
             f"[{low:.3f}, {high:.3f}] (95 % Wilson) on {result['n']} photos{skipped}",
             f"macro F1 {result['f1_macro']:.3f}", "per class (accuracy, photos):"]
    present = [(name, row) for name, row in result["per_class"].items() if row["support"]]
    lines += [f"  {name:<8} {row['accuracy']:.3f}  {row['support']}" for name, row in present]
    lines.append(f"confusion matrix: {result['figure']}")
    return "\n".join(lines)

