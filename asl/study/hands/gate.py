"""A gate in front of the fused hand model: a photo that looks like the training photos is
answered by the whole-photo network, every other photo by the fusion.

"Looks like" is measured in the whole-photo network's own features (the input of its softmax
layer, scaled to length 1): the mean distance to the ``NEIGHBOURS`` nearest training photos
(scikit-learn ``NearestNeighbors``, fitted on the training photos only). The threshold is chosen
on the validation photos and the wild selection half, each weighing half, as the recommendation
chooses; the report half is never read. Where the fusion is wrong in domain the whole-photo
network is often right, and it is wrong on other people's photos, which lie far from the
training photos (bench/whole_photo_gate.py measured it first).

A gated run saves ``GATE_FILE`` (threshold, neighbours, a pointer to the whole-photo network)
and ``INDEX_FILE`` (the training photos' features) beside the fusion's own files; its metrics
have ``family: "gate"`` and ``extra.gate`` (``record``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from asl import holdout, metrics_file
from asl.errors import AslError
from asl.files import sha256, write_json_atomic

NEIGHBOURS = 5
PERCENTILES = tuple(float(p) for p in np.arange(50, 100.1, 2.5))
"""Candidate thresholds: these percentiles of the validation photos' distances (and never)."""
GATE_FILE = "gate.json"
INDEX_FILE = "gate_index.npz"
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


def both_outputs(network):
    """photos -> (features before the softmax layer, class probabilities), in one pass."""
    import keras
    import tensorflow as tf

    model = keras.Model(network.inputs, [network.layers[-1].input, network.output])
    infer = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def predict(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        features, probabilities = infer(tf.convert_to_tensor(images))
        return features.numpy(), probabilities.numpy()

    return predict


def in_batches(predict, images: np.ndarray, batch_size: int = 256):
    """``predict`` of two outputs over ``images`` in batches."""
    parts = [predict(images[i:i + batch_size]) for i in range(0, len(images), batch_size)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def resize(images: np.ndarray, size: int) -> np.ndarray:
    """Photos scaled to ``size`` pixels a side as the photo loader scales them (bilinear)."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    from PIL import Image

    return np.stack([np.asarray(Image.fromarray(image.squeeze()).resize(
        (size, size), Image.Resampling.BILINEAR)).reshape(size, size, -1) for image in images])


class Gate:
    """How far photos lie from the training photos, and which the whole-photo network answers."""

    def __init__(self, train_features: np.ndarray, neighbours: int = NEIGHBOURS,
                 threshold: float | None = None):
        from sklearn.neighbors import NearestNeighbors

        # kept as float16 in the saved model, so the notebook measures with the same values
        self.train = np.asarray(train_features, dtype=np.float16)
        self.neighbours, self.threshold = neighbours, threshold
        self.index = NearestNeighbors(n_neighbors=neighbours, algorithm="brute").fit(
            self.train.astype(np.float32))

    @staticmethod
    def normalise(features: np.ndarray) -> np.ndarray:
        features = np.asarray(features, dtype=np.float32)
        return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)

    def distance(self, features: np.ndarray) -> np.ndarray:
        """Mean distance of each photo to its nearest training photos."""
        from threadpoolctl import threadpool_limits

        if not len(features):
            return np.zeros(0)
        with threadpool_limits(1):   # many threads make one photo's search 20 times slower
            return self.index.kneighbors(self.normalise(features))[0].mean(axis=1)

    def near(self, distance: np.ndarray, threshold: float | None = "own") -> np.ndarray:
        """True where the whole-photo network answers (never with threshold None)."""
        threshold = self.threshold if threshold == "own" else threshold
        if threshold is None:
            return np.zeros(len(distance), dtype=bool)
        return np.asarray(distance) <= threshold


def fit(train_features: np.ndarray, neighbours: int = NEIGHBOURS) -> Gate:
    """A gate on the training photos' features (threshold still to choose)."""
    return Gate(Gate.normalise(train_features), neighbours)


def route(near: np.ndarray, whole, fused) -> np.ndarray:
    """The whole-photo network's answers (classes or probabilities) where ``near``, else the
    fusion's."""
    near = np.asarray(near, dtype=bool)
    whole, fused = np.asarray(whole), np.asarray(fused)
    return np.where(near[:, None] if whole.ndim == 2 else near, whole, fused)


def choose_threshold(gate: Gate, sets: dict[str, tuple]) -> tuple[float | None, list[dict]]:
    """The threshold with the highest mean accuracy over ``sets`` (name -> labels, whole-photo
    answers, fused answers, distances; each set weighing the same whatever its size); ties go to
    the one that routes fewer photos. Candidates: never (None) and ``PERCENTILES`` of the
    first set's distances. Returns it and every grid point."""
    first = next(iter(sets.values()))[3]
    candidates = [None, *sorted({float(t) for t in np.percentile(first, PERCENTILES)})] \
        if len(first) else [None]
    grid = []
    for threshold in candidates:
        scores = {name: float((route(gate.near(distance, threshold), whole, fused)
                               == np.asarray(labels)).mean())
                  for name, (labels, whole, fused, distance) in sets.items() if len(labels)}
        grid.append({"threshold": threshold, **scores,
                     "mean": float(np.mean(list(scores.values()))) if scores else 0.0})
    best = max(enumerate(grid), key=lambda item: (item[1]["mean"], -item[0]))[1]
    return best["threshold"], grid


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


def save(gate: Gate, network, output_dir) -> list[Path]:
    """The gate's files beside the run's metrics: settings with a pointer to the whole-photo
    network's file (``Reused``), and the training photos' features."""
    out = Path(output_dir)
    index = out / INDEX_FILE
    tmp = index.with_name(".gate_index.tmp.npz")
    np.savez_compressed(tmp, train=gate.train)
    tmp.replace(index)
    settings = write_json_atomic(out / GATE_FILE, {
        "threshold": gate.threshold, "neighbours": gate.neighbours, "network": network.pointer()})
    return [Path(settings), index]


def predictor(fused, whole, gate: Gate, size: int):
    """photos -> probabilities: the whole-photo network (``whole``: photos -> features and
    probabilities) where the gate says near, the fused model (``fused``, run only on the other
    photos) elsewhere."""
    def predict(images: np.ndarray) -> np.ndarray:
        features, answers = whole(resize(images, size))
        near = gate.near(gate.distance(features))
        if not near.all():
            answers[~near] = fused(images[~near])
        return answers

    return predict


def saved_predictor(variant_dir, metrics: dict, weights_path: str = ""):
    """The gated model a run saved: its fusion (the run's own crop-model files), the whole-photo
    network it points to, and the gate."""
    import keras

    from asl.study import models, reuse, saved_models  # noqa: F401  (custom layers)

    variant_dir = Path(variant_dir)
    settings = saved_models.load_file(variant_dir / GATE_FILE,
                                      lambda p: json.loads(Path(p).read_text()))
    fused = saved_models.LOADERS["handcrop"](variant_dir, metrics, weights_path)
    network = saved_models.load_file(reuse.network_path(variant_dir, settings["network"]),
                                     lambda p: keras.saving.load_model(p, safe_mode=False))
    train = saved_models.load_file(variant_dir / INDEX_FILE, lambda p: np.load(p)["train"])
    gate = Gate(train, settings["neighbours"], settings["threshold"])
    return predictor(fused, both_outputs(network), gate, int(network.input_shape[1]))


def evaluate(fused, network, network_run, data, output_dir, weights_path: str = "",
             neighbours: int = NEIGHBOURS):
    """Fit the gate in front of the fused model (``fused``: its results, whose wild answers on
    the selection half and validation answers are out of fold), choose its threshold, save it,
    and evaluate the gated model: test and wild photos from both models' answers, validation
    photos from their answers there (neither fitted on them), the fit and the latency from the
    saved model as ``build.py evaluate`` runs it. Returns the results and the gate's record."""
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
    inference = evaluation.latency(predict, data.test.images, batch_size=16, repeats=5)
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
