"""Issue 22 item 5: keypoint classifiers with and without synthetic variety of hands, from the
runs' metrics.json (no model is run).

    python bench/hands_variety.py REPORT_DIR [--variants hands hands_variety] [--seed 1]
        [--letters M C U N S T A D]
    python bench/hands_variety.py --scales 0 0.5 1 2 [--parts length spread bend] [--seed 1]


For each variant's run and each forest: validation accuracy (the grid point chosen, fitted on
the training photos), frame-block test accuracy, and accuracy on the wild SELECTION half (the
half the project may choose on, asl.holdout); then the selection half per letter. The report
half is printed only as the build reports it (`wild report`), for the record: never choose on it.

``--scales`` asks how the effect depends on the ranges: each forest (the settings ``hands``
chose: random forest sqrt, extra trees 0.25) fitted on the training photos only (2 copies,
cached keypoints from $ASL_CACHE), with variety.py's three ranges multiplied by each scale (0:
no variety), scored on validation and on the wild selection half; the report half is never
predicted. ``--parts`` varies only the named parts (the others' ranges set to 0).

RESULTS (2026-12-05, 64 px data, seed 1, 2 cores shared with a timed build; nice 19).
Runs of the build (`build.py --variant hands_variety --seeds 1`, hands from the full build of
64e4843; val: the chosen settings fitted on training photos; test and wild: refitted on
training + validation, as the build does; * the reported forest):

    run           classifier     val   test  wild sel  wild rep  M   C   U   N   S   T   A   D
    hands         random_forest* .774  .786  .867      .855     .07 .40 .80 .80 .80 .87 .93 1.0
                  extra_trees    .767  .777  .878      .871     .07 .33 .93 .87 .87 .87 .93 1.0
    hands_variety random_forest* .766  .781  .853      .860     .07 .33 .73 .73 .80 .80 1.0 1.0
                  extra_trees    .759  .775  .857      .857     .07 .33 .67 .60 .87 .87 .93 1.0

(letters: selection half, 15 photos each)

`--scales` / `--parts` (fitted on the training photos only; wild sel = selection half):

    ranges                      random forest (sqrt)        extra trees (0.25)
                                val    wild sel  U          val    wild sel  U
    none (scale 0)              0.774  0.869     0.80       0.767  0.880     0.93
    all, scale 0.5              0.766  0.867     0.80       0.763  0.874     0.87
    all, scale 1 (declared)     0.762  0.846     0.60       0.759  0.867     0.67
    all, scale 2                0.751  0.834     0.53       0.752  0.846     0.60
    finger length only          0.775  0.874     0.93       0.762  0.878     0.87
    spread only                 0.758  0.862     0.60       0.759  0.874     0.67
    bend only                   0.765  0.857     0.73       0.765  0.876     0.87

More variety is worse on validation and on the selection half, step by step. Spread hurts most
on U (U and V differ only in the gap between two fingers); finger length alone is neutral (within
2 of 435 photos). No range was chosen from this: the variant keeps the declared ranges.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.holdout import selection_mask

FORESTS = ("random_forest", "extra_trees")
PARTS = ("length", "spread", "bend")


def scores(result: dict, chosen: str) -> dict:
    """Accuracies of one classifier of one run: val, test, wild selection and report halves."""
    classifier = result["extra"]["classifiers"][chosen]
    wild = classifier["wild"]
    truth, predicted = np.asarray(wild["y_true"]), np.asarray(wild["y_pred"])
    select = selection_mask(wild["ids"], truth)
    right = truth == predicted
    letters = {CLASSES[c]: float(right[select & (truth == c)].mean()) for c in np.unique(truth)}
    return {"val": classifier["val_accuracy"], "test": classifier["test"]["accuracy"],
            "wild_select": float(right[select].mean()), "wild_report": float(right[~select].mean()),
            "letters": letters}


def fit_scales(scales: list[float], parts: list[str], seed: int, threads: int) -> None:
    """Forests fitted with the variety ranges scaled; validation and wild selection accuracy."""
    import functools

    from asl.config import shared_paths
    from asl.study import experiment
    from asl.study.hands import classifiers, detections, variety
    from asl.study.hands.detector import DetectorSettings

    paths = shared_paths()
    data = experiment.load(str(paths["data"]), str(paths["wild"]), image_size=0,
                           color_mode="rgb", split="frame_block", output_dir="/tmp")
    found = detections.keypoints_for(data, DetectorSettings(), str(paths["weights"].parent),
                                     workers=threads)
    select = selection_mask(data.wild.ids, data.wild.labels)
    wild = detections.rows(found.wild, np.flatnonzero(select))
    original = variety.vary_people
    print(f"{'scale':>5} {'classifier':14} {'val':>6} {'wild sel':>8}  letters M C U N")
    for scale in scales:
        variety.vary_people = functools.partial(
            original, length=variety.LENGTH * scale * ("length" in parts),
            spread_deg=variety.SPREAD_DEG * scale * ("spread" in parts),
            bend_deg=variety.BEND_DEG * scale * ("bend" in parts))
        for name, settings in (("random_forest", {"max_features": "sqrt"}),
                               ("extra_trees", {"max_features": 0.25})):
            table, labels = classifiers.training_table(
                found.train, data.train.labels, np.random.default_rng(seed), 2, False,
                "people" if scale else "none")
            model = classifiers.KeypointClassifier(name, classifiers.make_estimator(
                name, settings, seed, 100, threads).fit(table, labels))
            val = model.predict_proba_keypoints(found.val).argmax(1) == data.val.labels
            truth = data.wild.labels[select]
            right = model.predict_proba_keypoints(wild).argmax(1) == truth
            letters = " ".join(f"{right[truth == CLASSES.index(x)].mean():.2f}" for x in "MCUN")
            print(f"{scale:5.2f} {name:14} {val.mean():6.3f} {right.mean():8.3f}  {letters}",
                  flush=True)
    variety.vary_people = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, nargs="?")
    parser.add_argument("--scales", nargs="+", type=float)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", nargs="+", default=["hands", "hands_variety"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--letters", nargs="+", default=list("MCUNSTAD"))
    args = parser.parse_args()
    if args.scales:
        return fit_scales(args.scales, args.parts, args.seed, args.threads)
    print(f"{'run':28} {'classifier':14} {'val':>6} {'test':>6} {'wild sel':>8} "
          f"{'wild rep':>8}  " + " ".join(f"{x:>4}" for x in args.letters))
    for variant in args.variants:
        path = args.report / "variants" / f"{variant}.seed{args.seed}" / "metrics.json"
        result = json.loads(path.read_text())
        reported = result["extra"]["reported_classifier"]
        for chosen in FORESTS:
            s = scores(result, chosen)
            mark = "*" if chosen == reported else " "
            print(f"{variant + '.seed' + str(args.seed):28} {chosen + mark:14} {s['val']:6.3f} "
                  f"{s['test']:6.3f} {s['wild_select']:8.3f} {s['wild_report']:8.3f}  "
                  + " ".join(f"{s['letters'][x]:4.2f}" for x in args.letters))
    print("* the reported classifier (the forest more accurate on validation)")


if __name__ == "__main__":
    main()
