"""The steps of gate.ipynb: the two runs a gated fusion joins, the whole-photo network taken
from the second, the gate fitted and its threshold chosen, the gated model evaluated and its
figure. The gate itself (the model a run saves and loads) is ``asl.study.hands.gate``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl import holdout, metrics_file
from asl.errors import AslError
from asl.files import sha256
from asl.study.hands.gate import (NEIGHBOURS, Gate, both_outputs, choose_threshold, fit,
                                  in_batches, resize, route, save, saved_predictor)

SAME_PHOTOS = ("split", "seed", "block_size", "gap", "test_fraction", "val_fraction",
               "max_per_class")
"""Parameters the two runs a gate joins must share: they decide which photos are held out."""


def used_runs(uses_dirs) -> tuple[str, str]:
    """The runs a gated model joins: the hand-crop network's, then the whole-photo network's."""
    if len(uses_dirs or []) != 2:
        raise AslError("a gated fusion uses two runs, `uses: [hand-crop network variant, "
                       f"whole-photo network variant]` in variants.yaml; it got "
                       f"{len(uses_dirs or [])}")
    return tuple(uses_dirs)


def load_network(run_dir, parameters: dict):
    """The whole-photo network a run saved (``saved_models.network_file``), checked to hold out
    the same photos as this run (``parameters``), and a ``Reused`` record of it (its file and
    checksum, so a rebuilt network is noticed when loading)."""
    import keras

    from asl.study import models, reuse, saved_models  # noqa: F401  (custom layers)

    run_dir = Path(run_dir)
    metrics = metrics_file.read(run_dir)
    check_same_photos(parameters, metrics["parameters"], run_dir.name)
    path = saved_models.network_file(run_dir)
    model = saved_models.load_file(path, lambda p: keras.saving.load_model(p, safe_mode=False))
    return model, reuse.Reused(run_dir.name, path, sha256(path.read_bytes()),
                               {**(metrics.get("training") or {}), "reused_from": run_dir.name})


def check_same_photos(mine: dict, theirs: dict, run: str) -> None:
    """Refuse a whole-photo network (of ``run``, trained with ``theirs``) whose run held out
    other photos than this run."""
    for key in SAME_PHOTOS:
        if key in theirs and key in mine and theirs[key] != mine[key]:
            raise AslError(f"the whole-photo network of {run} was trained with "
                           f"{key}={theirs[key]!r}, this run has {key}={mine[key]!r}: the gate "
                           "needs both on the same held-out photos; set it on both variants")


def choosing_sets(data, val: tuple, wild: tuple | None) -> dict[str, tuple]:
    """The sets the threshold is chosen on: the validation photos and, with wild photos, their
    selection half (never the report half). ``val``, ``wild``: (whole-photo answers, fused
    answers, distances) of all validation and wild photos."""
    sets = {"val": (data.val.labels, *val)}
    if wild is not None and data.wild is not None:
        select = holdout.selection_mask(data.wild.ids, data.wild.labels)
        sets["select"] = tuple(np.asarray(part)[select] for part in (data.wild.labels, *wild))
    return sets


def record(gate: Gate, grid: list[dict], distances: dict[str, np.ndarray],
           network_run: str) -> dict:
    """What the metrics keep about the gate: threshold, where chosen, the grid, the share of
    each set's photos the whole-photo network answers and their distances (for the figure)."""
    return {"threshold": gate.threshold, "neighbours": gate.neighbours,
            "chosen_on": "validation photos and wild selection half, each weighing half",
            "network_run": network_run, "grid": grid,
            "routed": {name: float(gate.near(d).mean()) if len(d) else None
                       for name, d in distances.items()},
            "distances": {name: np.round(d, 4).tolist() for name, d in distances.items()}}


def evaluate(fused, network, network_run, data, output_dir, weights_path: str = "",
             neighbours: int = NEIGHBOURS):
    """Fit the gate in front of the fused model (``fused``: its results, whose wild answers on
    the selection half and validation answers are out of fold), choose its threshold, save it,
    and evaluate the gated model: test and wild photos from both models' answers, validation
    photos from their answers there (neither fitted on them), the fit and the latency from the
    saved model as ``build.py evaluate`` runs it, timed on photos the fusion answers (the wild
    photos, else the test photos far from the training photos). Returns the results and the
    gate's record."""
    from asl.study import evaluate as evaluation, experiment
    from asl.study.hands import fusion
    from asl.study.training import report_progress

    report_progress(output_dir, "the gate: features of every photo")
    size, whole = int(network.input_shape[1]), both_outputs(network)
    parts = {"train": data.train, "val": data.val, "test": data.test,
             **({"wild": data.wild} if data.wild is not None else {})}
    found = {name: in_batches(whole, resize(part.images, size)) for name, part in parts.items()}
    gate = fit(found.pop("train")[0], neighbours)
    distances = {name: gate.distance(features) for name, (features, _) in found.items()}
    answers = {name: probabilities for name, (_, probabilities) in found.items()}
    fused_val = np.asarray(fused.val["y_pred"]) if fused.val else np.zeros(0, dtype=int)
    wild = None if "wild" not in answers else (
        answers["wild"].argmax(1), fused.wild_probabilities.argmax(1), distances["wild"])
    gate.threshold, grid = choose_threshold(gate, choosing_sets(
        data, (answers["val"].argmax(1), fused_val, distances["val"]), wild))
    print(f"gate: the whole-photo network answers photos within {gate.threshold} of the "
          "training photos")
    files = save(gate, network_run, output_dir)
    report_progress(output_dir, "the gate: latency")
    predict = saved_predictor(output_dir, {"parameters": {}}, weights_path)
    train = evaluation.predict_in_batches(predict, data.train.images[experiment.train_sample(data)])
    test = route(gate.near(distances["test"]), answers["test"], fused.test_probabilities)
    wild_gated = None if wild is None else route(gate.near(distances["wild"]), answers["wild"],
                                                 fused.wild_probabilities)
    val = route(gate.near(distances["val"]), answers["val"].argmax(1), fused_val) \
        if len(fused_val) else None
    # timed where the slower part answers: on other people's photos, which go to the fusion
    far = data.wild.images if data.wild is not None else data.test.images[
        ~gate.near(distances["test"])]
    inference = evaluation.latency(predict, far if len(far) else data.test.images,
                                   batch_size=16, repeats=5)
    model = fusion.fused_model(fused.model, *files)
    model = {**model, "file": f"{model['file']} + {network_run.run}/{network_run.path.name}",
             "size_bytes": model["size_bytes"] + network_run.path.stat().st_size,
             "parameters": (model.get("parameters") or 0) + int(network.count_params())}
    results = experiment.evaluate_probabilities(train, test, wild_gated, data, inference, model,
                                                val)
    return results, record(gate, grid, distances, network_run.run)


def distance_figure(gated: dict, output_dir, title: str) -> dict:
    """How far the validation, test and wild photos lie from the training photos (histograms),
    and the threshold below which the whole-photo network answers."""
    import matplotlib.pyplot as plt

    from asl.study import figures

    names = {"val": "validation", "test": "test (in domain)", "wild": "wild (other people)"}
    fig, ax = plt.subplots(figsize=(6, 2.8))
    shown = [d for d in gated["distances"].values() if d]
    bins = np.linspace(0, max(max(d) for d in shown), 40) if shown else 10
    for name, distance in gated["distances"].items():
        if distance:
            ax.hist(distance, bins=bins, histtype="step", density=True, label=names[name])
    if gated["threshold"] is not None:
        ax.axvline(gated["threshold"], color="black", linestyle="--", label="threshold")
    ax.set_xlabel(f"mean distance to the {gated['neighbours']} nearest training photos")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    path = Path(output_dir) / "gate_distances.png"
    fig.savefig(path, dpi=figures.DPI, bbox_inches="tight")
    plt.close(fig)
    routed = ", ".join(f"{names[k].split(' ')[0]} {v:.0%}" for k, v in gated["routed"].items()
                       if v is not None)
    where = (f"left of the dashed line the whole-photo network answers ({routed} of the photos)"
             if gated["threshold"] is not None else "no threshold did better on the choosing "
             "photos than the fusion alone, so the fusion answers every photo")
    return figures.entry("gate_distances", f"{title}: how far photos lie from the training photos "
                         f"in the whole-photo network's features; {where}.", path.name)
