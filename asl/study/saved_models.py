"""The model a run saves beside its metrics.json, by family: the file names (written by the
notebooks, read by the loaders) and, in ``LOADERS``, how each family's files become a function
photos -> class probabilities."""
from __future__ import annotations

import json
import os
from pathlib import Path

from asl.errors import AslError

NETWORK_FILE = "model.keras"                        # cnn, transfer, handcrop: the Keras network
ENCODER_FILE = "encoder.keras"                      # autoencoder: photos -> codes
CODE_CLASSIFIERS_FILE = "classifiers.pkl"           # autoencoder: {name: classifier of codes}
KEYPOINT_CLASSIFIER_FILE = "keypoint_classifier.pkl"  # keypoints, and fusion's own forest
CROP_SETTINGS_FILE = "handcrop.json"                # handcrop: crop size, margin, fused or not
FUSION_FILE = "fusion.pkl"                          # fusion: the stacking model of both sources


def load_file(path: Path, load):
    """``load(path)``, or an error naming the file when it is damaged (a truncated copy)."""
    if not Path(path).exists():
        raise AslError(f"no saved model in {Path(path).parent} ({Path(path).name} is missing): "
                       "rebuild the variant")
    try:
        return load(path)
    except Exception as error:   # Keras and pickle raise many kinds, some misleading
        first = (str(error).strip().splitlines() or [""])[0][:200]
        raise AslError(f"{path} cannot be loaded ({type(error).__name__}: {first}): it is "
                       f"damaged or incomplete; rebuild the variant with --force") from None


def _unpickle(path: Path):
    from asl.study import forests

    return forests.load(path)


def keypoint_classifier(variant_dir: Path):
    """The ``KeypointClassifier`` a keypoint or fusion run saved."""
    return load_file(Path(variant_dir) / KEYPOINT_CLASSIFIER_FILE, _unpickle)


def fusion_model(variant_dir: Path):
    """The stacking model a fusion run saved (``hands.fusion``)."""
    return load_file(Path(variant_dir) / FUSION_FILE, _unpickle)


def _keras(path: Path, safe_mode: bool = True):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from asl.study import models  # noqa: F401  (registers the custom layers saved models use)

    return load_file(path, lambda where: keras.saving.load_model(where, safe_mode=safe_mode))


def network_file(variant_dir: Path) -> Path:
    """A run's Keras network: its own, or the one of the run it was built on (``network`` in
    its crop settings), checked to be the same file."""
    from asl.study import reuse

    settings = variant_dir / CROP_SETTINGS_FILE
    pointer = json.loads(settings.read_text()).get("network") if settings.exists() else None
    return reuse.network_path(variant_dir, pointer) if pointer else variant_dir / NETWORK_FILE


def _network(variant_dir: Path, metrics: dict, weights_path: str):
    from asl.study.evaluate import keras_predictor

    return keras_predictor(_keras(network_file(variant_dir), safe_mode=False))


def _codes(variant_dir: Path, metrics: dict, weights_path: str):
    from asl.study.evaluate import keras_predictor

    encode = keras_predictor(_keras(variant_dir / ENCODER_FILE))
    classifier = load_file(variant_dir / CODE_CLASSIFIERS_FILE, _unpickle)[
        metrics["extra"]["reported_classifier"]]
    return lambda images: classifier.predict_proba(encode(images))


def _keypoints(variant_dir: Path, metrics: dict, weights_path: str):
    return keypoint_classifier(variant_dir).predictor(weights_path)


def _hand_crops(variant_dir: Path, metrics: dict, weights_path: str):
    from asl.study.hands import crop_network

    return crop_network.saved_predictor(variant_dir, _network(variant_dir, metrics, weights_path),
                                        weights_path)


LOADERS = {
    "cnn": _network,
    "transfer": _network,
    "autoencoder": _codes,
    "keypoints": _keypoints,
    "handcrop": _hand_crops,
}
"""A metrics file's ``family`` -> loader(variant folder, metrics, weights path) returning the
saved model as a function photos -> class probabilities."""


def load(variant_dir: Path, metrics: dict, weights_path: str = ""):
    """The saved model of the run in ``variant_dir`` whose metrics are ``metrics``."""
    family = metrics.get("family")
    if family not in LOADERS:
        raise AslError(f"{variant_dir.name} was written with model family {family!r}, which "
                       f"this version cannot load (known: {', '.join(LOADERS)}): rebuild it "
                       "with --force")
    return LOADERS[family](Path(variant_dir), metrics, weights_path)
