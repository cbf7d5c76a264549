"""The hand-crop network of a run: the crops it reads, the network trained here or taken from
the run this one builds on (``uses:`` in variants.yaml: fusion uses handcrop's network of the
same seed), and the saved crop model as a function photos -> class probabilities."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from asl.errors import AslError
from asl.files import write_json_atomic
from asl.study import reuse
from asl.study.hands import cascade, crops, fusion
from asl.study.hands.keypoints import detect_here
from asl.study.saved_models import CROP_SETTINGS_FILE, fusion_model, keypoint_classifier

FUSION_ONLY = ("fuse", "trees", "cascade", "fusion_fit")
"""Parameters that change only the fusion, not the crop network: a fusion run may reuse a
network trained with other values of these."""


def collect_parameters(namespace: dict) -> dict:
    """The notebook's parameters as ``experiment.collect_parameters`` records them, without the
    folder of the used run (where the build put it, not a setting)."""
    from asl.study import experiment

    parameters = experiment.collect_parameters(namespace)
    parameters.pop(reuse.PARAMETER, None)
    return parameters


def hand_crops(data, found, image_size: int, margin: float, background: str, share: float,
               seed: int):
    """``data`` with every photo replaced by the square crop around its hand (the whole photo
    where none was found); with ``background="random"``, ``share`` of the training hands first
    get a random background."""
    from asl.study import experiment

    train_photos = data.train.images
    if background == "random":
        train_photos = crops.randomise_backgrounds(train_photos, found.train.keypoints,
                                                   train_photos.shape[1],
                                                   np.random.default_rng(seed), share)

    def cut(images, keypoints):
        return crops.crop_hands(images, keypoints.keypoints, images.shape[1], image_size, margin)

    return experiment.with_images(
        data, train=cut(train_photos, found.train), val=cut(data.val.images, found.val),
        test=cut(data.test.images, found.test),
        **({} if data.wild is None else {"wild": cut(data.wild.images, found.wild)}))


def network(cropped, parameters: dict, output_dir, uses_dir: str = "", weights_path: str = ""):
    """The crop network: loaded from the run in ``uses_dir`` when given (trained once there),
    else built and trained here (``pretrained``: an ImageNet backbone whose weights file is
    ``weights_path``, else the CNN from scratch). Returns the model, its training record and
    the ``Reused`` record (None when trained here)."""
    from asl import CLASSES
    from asl.study import models, training

    if uses_dir:
        model, reused = reuse.load(uses_dir, parameters, own=FUSION_ONLY)
        return model, reused.training, reused
    p = parameters
    if p.get("pretrained"):
        return (*pretrained_network(cropped, p, output_dir, weights_path), None)
    model = models.build_cnn(cropped.input_shape, len(CLASSES), p["architecture"], p["dropout"],
                             p["augment"], p["train_seed"])
    training.compile_model(model, p["optimizer"], p["learning_rate"])
    record = training.fit(model, cropped.train.images, cropped.train.labels, cropped.val.images,
                          cropped.val.labels, epochs=p["epochs"], batch_size=p["batch_size"],
                          patience=p["patience"], output_dir=output_dir,
                          schedule=p.get("schedule", "constant"))
    return model, record, None


def pretrained_network(cropped, p: dict, output_dir, weights_path: str = ""):
    """The transfer notebook's schedule on the crops: a new head trained on the frozen ImageNet
    backbone (``models.build_transfer``), then the backbone fine-tuned at a low learning rate.
    Returns the model and the merged training record (one stage per step)."""
    from asl import CLASSES
    from asl.study import models, training

    model, base = models.build_transfer(cropped.input_shape, len(CLASSES), p["backbone"],
                                        p["alpha"], p["backbone_size"], weights_path,
                                        p["dropout"], p["augment"], p["train_seed"])
    train, val = cropped.train, cropped.val
    training.compile_model(model, p["optimizer"], p["learning_rate"])
    runs = [training.fit(model, train.images, train.labels, val.images, val.labels,
                         epochs=p["epochs"], batch_size=p["batch_size"], patience=p["patience"],
                         output_dir=output_dir, stage="training the head")]
    if p["fine_tune_epochs"] > 0:
        models.unfreeze_top(base, p["fine_tune_layers"])
        training.compile_model(model, p["optimizer"], p["fine_tune_learning_rate"])
        runs.append(training.fit(model, train.images, train.labels, val.images, val.labels,
                                 epochs=p["fine_tune_epochs"], batch_size=p["batch_size"],
                                 patience=p["patience"], output_dir=output_dir,
                                 stage="fine-tuning"))
    return model, training.merge_runs(*runs)


def evaluate(model, cropped, output_dir, reused=None):
    """Evaluate the network; save it beside the metrics unless it was taken from another run
    (then the metrics name that run's file)."""
    from asl.study import experiment

    if reused is None:
        return experiment.evaluate_keras(model, cropped, output_dir)
    from asl.study import evaluate as evaluation

    summary = {**evaluation.model_summary(reused.path, model.count_params()),
               "file": f"{reused.path.parent.name}/{reused.path.name}"}
    return experiment.evaluate_predictor(evaluation.keras_predictor(model), cropped, summary)


def figures(model, network, results, cropped, training: dict, output_dir, variant: str,
            fused: bool = False, reused: bool = False) -> list[dict]:
    """The run's figures. Confusion matrix, errors and reliability are of ``results`` (the
    fused model's when ``fused``); the learning curves and saliency maps are always the
    network's (``network``: its own results), and for a fused model their captions say so.
    A network ``reused`` from another run has its learning curves, training crops and saliency
    maps in that run's section, so they are not drawn again."""
    from asl.study import run_figures
    from asl.study.figures import entry, example_grid

    made = run_figures.standard(results, cropped, None if reused else training, output_dir,
                                variant, curves_of=fusion.NETWORK_CURVES if fused else "")
    if reused:
        return made + [run_figures.reliability(results, cropped, output_dir, variant)]
    pick = np.linspace(0, len(cropped.train) - 1, 16).round().astype(int)
    made.append(entry("training_crops", f"{variant}: training crops as the network saw them "
                      "(backgrounds replaced where a hand was found).", example_grid(
                          cropped.train.images[pick], cropped.train.labels[pick],
                          cropped.train.labels[pick], Path(output_dir) / "training_crops.png")))
    made += run_figures.saliency(model, network, cropped, output_dir, variant,
                                 looker=fusion.NETWORK_LOOKS if fused else "the model")
    made.append(run_figures.reliability(results, cropped, output_dir, variant))
    return made


def save_settings(output_dir, image_size: int, margin: float, fused: bool,
                  reused=None, cascade_threshold: float | None = None) -> Path:
    """The crop settings file: what a saved crop model needs to read new photos, whether it is
    fused with a keypoint forest (and from which confidence the network answers photos without
    a hand), and where its network is when it was taken from another run."""
    settings = {"image_size": image_size, "margin": margin, "fused": bool(fused),
                "cascade_threshold": cascade_threshold}
    if reused is not None:
        settings["network"] = reused.pointer()
    return write_json_atomic(Path(output_dir) / CROP_SETTINGS_FILE, settings)


def predictor(network, detector, image_size: int, margin: float, classifier=None,
              stacker=None, cascade_threshold: float | None = None):
    """photos -> probabilities: find each hand once, crop it, run the network and, with a
    keypoint ``classifier``, fuse its answer on the same keypoints by the ``stacker``; with a
    ``cascade_threshold``, the network answers where no hand was found (``hands.cascade``)."""
    def predict(images: np.ndarray) -> np.ndarray:
        found = detect_here(detector, images)
        alone = network(crops.crop_hands(images, found.keypoints, images.shape[1], image_size,
                                         margin))
        if classifier is None:
            return alone
        fused = fusion.combine(stacker, alone, classifier.predict_proba_keypoints(found))
        if cascade_threshold is None:
            return fused
        return cascade.apply(fused, alone, found.found, cascade_threshold)

    return predict


def saved_predictor(variant_dir, network, weights_path: str = ""):
    """The crop model a run saved (its crop settings, and the keypoint classifier and stacking
    model it is fused with, if any) around ``network``, a function crops -> probabilities."""
    from asl.study.hands.detector import DetectorSettings, HandDetector

    variant_dir = Path(variant_dir)
    settings = json.loads((variant_dir / CROP_SETTINGS_FILE).read_text())
    if settings.get("fusion_weight") is not None:   # written before the stacking model
        raise AslError(f"{variant_dir.name} was built with an earlier fusion (one weight chosen "
                       "on validation), which this version no longer runs: rebuild it with "
                       "--force")
    fused = settings.get("fused")
    classifier = keypoint_classifier(variant_dir) if fused else None
    detector = HandDetector(weights_path, classifier.detector if classifier else
                            DetectorSettings())
    return predictor(network, detector, settings["image_size"], settings["margin"], classifier,
                     fusion_model(variant_dir) if fused else None,
                     settings.get("cascade_threshold"))
