"""The hand-crop network of a run: trained here, or taken from the run this one builds on
(``uses:`` in variants.yaml: fusion uses handcrop's network of the same seed), and the settings
a saved crop model needs to read new photos."""
from __future__ import annotations

from pathlib import Path

from asl.files import write_json_atomic
from asl.study import experiment, reuse

SETTINGS_FILE = "handcrop.json"
FUSION_ONLY = ("fuse", "trees")
"""Parameters that change only the fusion, not the crop network: a fusion run may reuse a
network trained with other values of these."""


def collect_parameters(namespace: dict) -> dict:
    """The notebook's parameters as ``experiment.collect_parameters`` records them, without the
    folder of the used run (where the build put it, not a setting)."""
    parameters = experiment.collect_parameters(namespace)
    parameters.pop(reuse.PARAMETER, None)
    return parameters


def network(cropped, parameters: dict, output_dir, uses_dir: str = ""):
    """The crop network: loaded from the run in ``uses_dir`` when given (trained once there),
    else built and trained here. Returns the model, its training record and the ``Reused``
    record (None when trained here)."""
    from asl import CLASSES
    from asl.study import models, training

    if uses_dir:
        model, reused = reuse.load(uses_dir, parameters, own=FUSION_ONLY)
        return model, reused.training, reused
    p = parameters
    model = models.build_cnn(cropped.input_shape, len(CLASSES), p["architecture"], p["dropout"],
                             p["augment"], p["train_seed"])
    model.compile(optimizer=training.make_optimizer(p["optimizer"], p["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    record = training.fit(model, cropped.train.images, cropped.train.labels, cropped.val.images,
                          cropped.val.labels, epochs=p["epochs"], batch_size=p["batch_size"],
                          patience=p["patience"], output_dir=output_dir)
    return model, record, None


def evaluate(model, cropped, output_dir, reused=None) -> experiment.Results:
    """Evaluate the network; save it beside the metrics unless it was taken from another run
    (then the metrics name that run's file)."""
    if reused is None:
        return experiment.evaluate_keras(model, cropped, output_dir)
    from asl.study import evaluate as evaluation

    summary = {**evaluation.model_summary(reused.path, model.count_params()),
               "file": f"{reused.path.parent.name}/{reused.path.name}"}
    return experiment.evaluate_predictor(evaluation.keras_predictor(model), cropped, summary)


def fused_model(network: dict, forest: Path) -> dict:
    """The fused model's files, parameters and size: the network's and the forest's."""
    return {**network, "file": f"{network['file']} + {Path(forest).name}",
            "size_bytes": network["size_bytes"] + Path(forest).stat().st_size}


def save_settings(output_dir, image_size: int, margin: float, fusion_weight: float | None,
                  reused=None) -> Path:
    """``handcrop.json``: what a saved crop model needs to read new photos, and where its
    network is when it was taken from another run."""
    settings = {"image_size": image_size, "margin": margin, "fusion_weight": fusion_weight}
    if reused is not None:
        settings["network"] = reused.pointer()
    return write_json_atomic(Path(output_dir) / SETTINGS_FILE, settings)
