"""Issue 22 pilot: a gate that lets the whole-photo MobileNet answer the photos that look like
the training photos, and the fused hand model (`fusion`) every other photo. The variant
`fusion_gate` (gate.ipynb, asl/study/hands/gate.py) builds it; this script reads two finished
runs only, to try thresholds and neighbour counts without a build.

    nice -n 19 python bench/whole_photo_gate.py OUT [--seeds 1 2 3]

OUT is a full build's folder (its `mobilenet.seedK` and `fusion.seedK` runs, with the `val`
blocks every run writes since 2026-12-05). For each seed: the MobileNet's features before its
classifier (L2-normalised) of every photo; the gate is the mean distance to the 5 nearest
training photos (scikit-learn NearestNeighbors, fitted on the training photos only). A photo
within the threshold is answered by the whole-photo network, else by the fusion. The threshold
is chosen, among percentiles of the validation photos' distances, on the validation photos and
the wild selection half, each weighing half (as the recommendation chooses); the script then
prints the gate on those sets and the in-domain test photos. It never reads the report half's
answers. Distances are cached beside OUT (`gate_distances.seedK.npz`).

RESULTS (2026-12-05, OUT = a three-seed full build of 73cf63d; val / selection half / test,
fusion -> gated; share of photos the whole-photo network answers):

    seed  threshold  val             selection       test            routed test  routed sel.
    1     0.553      0.897 -> 0.949  0.871 -> 0.871  0.910 -> 0.948  0.842        0.009
    2     0.574      0.893 -> 0.935  0.876 -> 0.874  0.906 -> 0.952  0.896        0.025
    3     0.563      0.890 -> 0.941  0.883 -> 0.883  0.908 -> 0.949  0.870        0.016
    mean                                             0.908 -> 0.950

The distances separate the validation photos from the wild photos with an ROC AUC of 0.98
(seeds 1-3: 0.978, 0.980, 0.983).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from asl import holdout
from asl.config import shared_paths
from asl.study import evaluate, experiment, saved_models

NEIGHBOURS = 5
PERCENTILES = np.arange(50, 100.1, 2.5)


def distances(out: Path, seed: int, data_cache: dict) -> dict:
    """Mean distance of each validation, test and wild photo to its nearest training photos,
    in the whole-photo MobileNet's feature space (cached)."""
    cache = out / f"gate_distances.seed{seed}.npz"
    if cache.exists():
        return dict(np.load(cache))
    import importlib

    import keras
    from sklearn.neighbors import NearestNeighbors

    importlib.import_module("asl.study.models")   # registers the custom layers it saved

    run = out / "variants" / f"mobilenet.seed{seed}"
    model = keras.saving.load_model(saved_models.network_file(run), safe_mode=False)
    if "data" not in data_cache:
        paths = shared_paths()
        with tempfile.TemporaryDirectory() as progress:     # not the caller's folder
            data_cache["data"] = experiment.load_data(
                json.loads((run / "metrics.json").read_text())["parameters"], paths["data"],
                paths["wild"], output_dir=progress)
    data = data_cache["data"]
    features = evaluate.keras_predictor(keras.Model(model.inputs,
                                                    model.get_layer("dropout").input))
    normalised = {}
    for part in ("train", "val", "test", "wild"):
        f = evaluate.predict_in_batches(features, getattr(data, part).images)
        normalised[part] = f / np.linalg.norm(f, axis=1, keepdims=True)
    nearest = NearestNeighbors(n_neighbors=NEIGHBOURS).fit(normalised["train"])
    found = {part: nearest.kneighbors(normalised[part])[0].mean(1)
             for part in ("val", "test", "wild")}
    np.savez(cache, **found)
    return found


def answers(out: Path, variant: str, seed: int, part: str) -> tuple[np.ndarray, np.ndarray]:
    block = json.loads((out / "variants" / f"{variant}.seed{seed}" / "metrics.json")
                       .read_text())[part]
    return np.asarray(block["y_true"]), np.asarray(block["y_pred"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    data_cache: dict = {}
    print("seed  threshold  val  selection  test (fusion -> gated)  routed test  routed sel.")
    for seed in args.seeds:
        gate = distances(args.out, seed, data_cache)
        parts = {}
        for part in ("val", "test", "wild"):
            y, fused = answers(args.out, "fusion", seed, part)
            _, whole = answers(args.out, "mobilenet", seed, part)
            parts[part] = (y, fused, whole, gate[part])
        y, *_ = parts["wild"]
        ids = json.loads((args.out / "variants" / f"fusion.seed{seed}" / "metrics.json")
                         .read_text())["wild"]["ids"]
        select = holdout.selection_mask(ids, y)
        parts["select"] = tuple(a[select] for a in parts.pop("wild"))

        def accuracy(part: str, threshold: float) -> float:
            y, fused, whole, distance = parts[part]
            return float((np.where(distance <= threshold, whole, fused) == y).mean())

        grid = [0.0, *np.percentile(parts["val"][3], PERCENTILES)]
        threshold = max(grid, key=lambda t: (accuracy("val", t) + accuracy("select", t), -t))
        shown = "  ".join(f"{accuracy(p, 0.0):.3f} -> {accuracy(p, threshold):.3f}"
                          for p in ("val", "select", "test"))
        print(f"{seed}  {threshold:.3f}  {shown}  "
              f"{(parts['test'][3] <= threshold).mean():.3f}  "
              f"{(parts['select'][3] <= threshold).mean():.3f}")


if __name__ == "__main__":
    main()
