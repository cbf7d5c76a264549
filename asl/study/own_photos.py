"""A variant's saved model on your own photos: load it, and score it on labelled photos (class
folders, folder or zip)."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from asl import metrics_file
from asl.files import write_json_atomic
from asl.errors import AslError, DataError

SAVED_MODEL_KINDS = ("handcrop.json", "model.keras", "classifiers.pkl", "landmarks.pkl")


def _keypoint_model(variant_dir: Path):
    return _load(variant_dir / "landmarks.pkl", _unpickle)


def handcrop_predictor(variant_dir: Path, network, weights_path: str):
    """photos -> probabilities: find the hand, crop it, run the network, fuse if asked."""
    import json


    from asl.study import fusion, handcrop
    from asl.study.hand_keypoints import detect_here
    from asl.study.hands import HandDetector

    settings = json.loads((variant_dir / "handcrop.json").read_text())
    detector = HandDetector(weights_path)
    forest = _keypoint_model(variant_dir) if settings.get("fusion_weight") is not None else None
    keypoints_only = forest.predictor(weights_path) if forest else None

    def predict(images):
        found = detect_here(detector, images)
        crops = handcrop.crop_hands(images, found.keypoints, images.shape[1],
                                    settings["image_size"], settings["margin"])
        probabilities = network(crops)
        if forest is not None:
            probabilities = fusion.fuse(probabilities, keypoints_only(images),
                                        settings["fusion_weight"])
        return probabilities

    return predict


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


def _load(path: Path, load):
    """``load(path)``, or an error naming the file when it is damaged (a truncated copy)."""
    try:
        return load(path)
    except Exception as error:   # Keras and pickle raise many kinds, some misleading
        first = (str(error).strip().splitlines() or [""])[0][:200]
        raise AslError(f"{path} cannot be loaded ({type(error).__name__}: {first}): it is "
                       f"damaged or incomplete; rebuild the variant with --force") from None


def _unpickle(path: Path):
    from asl.study import forests

    return forests.load(path)


def load_predictor(variant_dir: Path, weights_path: str = ""):
    """(predict_proba, metrics) for the model a variant saved beside its metrics.json; hand
    models are looked up from ``weights_path`` (its folder) like in the build."""
    with quiet_stderr():
        return _load_predictor(Path(variant_dir), weights_path)


def _network_file(variant_dir: Path) -> Path:
    """A run's Keras network: its own ``model.keras``, or the one of the run it was built on
    (``network`` in its ``handcrop.json``), checked to be the same file."""
    import json

    from asl.study import reuse

    settings = variant_dir / "handcrop.json"
    pointer = json.loads(settings.read_text()).get("network") if settings.exists() else None
    return reuse.network_path(variant_dir, pointer) if pointer else variant_dir / "model.keras"


def _load_predictor(variant_dir: Path, weights_path: str):
    metrics = metrics_file.read(variant_dir)
    if metrics["kind"] != "model":
        raise AslError(f"'{variant_dir.name}' is not a model variant")
    network_file = _network_file(variant_dir)
    if (variant_dir / "landmarks.pkl").exists() and not network_file.exists():
        return _keypoint_model(variant_dir).predictor(weights_path), metrics
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from asl.study import models  # noqa: F401  (registers the custom layers saved models use)
    from asl.study.evaluate import keras_predictor

    if network_file.exists():
        network = keras_predictor(_load(network_file, lambda path:
                                        keras.saving.load_model(path, safe_mode=False)))
        if (variant_dir / "handcrop.json").exists():
            return handcrop_predictor(variant_dir, network, weights_path), metrics
        return network, metrics
    if (variant_dir / "classifiers.pkl").exists():
        encode = keras_predictor(_load(variant_dir / "encoder.keras", keras.saving.load_model))
        classifier = _load(variant_dir / "classifiers.pkl", _unpickle)[
            metrics["extra"]["reported_classifier"]]
        return (lambda images: classifier.predict_proba(encode(images))), metrics
    raise AslError(f"no saved model in {variant_dir} (expected one of "
                   f"{', '.join(SAVED_MODEL_KINDS)}): rebuild the variant")


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

