"""Issue 22 item 5: keypoint classifiers with and without synthetic variety of hands, from the
runs' metrics.json (no model is run).

    python bench/hands_variety.py REPORT_DIR [--variants hands hands_variety] [--seed 1]
        [--letters M C U N S T A D]

For each variant's run and each forest: validation accuracy (the grid point chosen, fitted on
the training photos), frame-block test accuracy, and accuracy on the wild SELECTION half (the
half the project may choose on, asl.holdout); then the selection half per letter. The report
half is printed only as the build reports it (`wild report`), for the record: never choose on it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.holdout import selection_mask

FORESTS = ("random_forest", "extra_trees")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--variants", nargs="+", default=["hands", "hands_variety"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--letters", nargs="+", default=list("MCUNSTAD"))
    args = parser.parse_args()
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
