"""Training time against accuracy, before and after the faster schedules (issue 21).

    python bench/training_time.py train before --seeds 3 --out /tmp/tt-before [--variant NAME ...]
    python bench/training_time.py train after  --seeds 3 --out /tmp/tt-after  [--variant NAME ...]
    python bench/training_time.py compare /tmp/tt-before /tmp/tt-after

`train before` builds the image variants with the parameters they had before the change
(constant learning rate, the old epoch counts: `BEFORE` below), `train after` with the ones
in variants.yaml. Either may also be any finished build folder (`report/`): `compare` reads
each run's metrics.json and prints, per variant, the training minutes per run (mean over seeds)
and validation, test and wild accuracy as mean +- sd over seeds, and whether the after
validation mean is within one seed sd (the larger of the two sides') of the before mean.
Validation is what restored the weights: the accuracy at the epoch of lowest validation loss
in the last training stage (the autoencoder: its reported classifier's validation accuracy).
Timing figures never fail. Data paths come from ASL_DATA / ASL_WILD / ASL_WEIGHTS, else ../shared.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from asl.config import PROJECT_ROOT as ROOT, shared_paths

IMAGE_VARIANTS = ("cnn_scratch", "cnn_gray", "cnn_augment", "mobilenet", "mobilenet_augment",
                  "autoencoder_forest", "handcrop", "handcrop_plain_background")

# The training parameters before issue 21's change (commit e13edfc).
BEFORE = {
    "cnn_scratch": {"schedule": "constant", "epochs": 15},
    "cnn_gray": {"schedule": "constant", "epochs": 15},
    "cnn_augment": {"schedule": "constant", "epochs": 20},
    "mobilenet": {"schedule": "constant", "epochs": 4, "fine_tune_epochs": 8},
    "mobilenet_augment": {"schedule": "constant", "epochs": 4, "fine_tune_epochs": 8},
    "autoencoder_forest": {"schedule": "constant", "ae_epochs": 8},
    "handcrop": {"schedule": "constant", "epochs": 12},
    "handcrop_plain_background": {"schedule": "constant", "epochs": 12},
}


def train(setting: str, variants: list[str], seeds: int, out: Path) -> None:
    env = {**os.environ, **{f"ASL_{key.upper()}": os.environ.get(f"ASL_{key.upper()}")
                            or str(path) for key, path in shared_paths().items()}}
    for name in variants:
        overrides = BEFORE[name] if setting == "before" else {}
        args = [f"-p{key}={value}" for key, value in overrides.items()]
        command = [sys.executable, str(ROOT / "build.py"), "--data", env["ASL_DATA"],
                   "--variant", name, "--seeds", str(seeds), "--out", str(out), *args]
        print(" ".join(command[1:]), flush=True)
        subprocess.run(command, cwd=ROOT, env=env, check=False)


def validation_accuracy(metrics: dict) -> float | None:
    extra = metrics.get("extra") or {}
    if "classifiers" in extra and extra.get("reported_classifier") in extra["classifiers"]:
        return extra["classifiers"][extra["reported_classifier"]].get("val_accuracy")
    training = metrics.get("training") or {}
    history = training.get("history") or {}
    losses, accuracies = history.get("val_loss"), history.get("val_accuracy")
    if not losses or not accuracies:
        return None
    start = sum((training.get("stages") or [0])[:-1])
    last = range(start, len(losses))
    return accuracies[min(last, key=lambda i: losses[i])]


def runs(folder: Path) -> dict[str, list[dict]]:
    """Each variant's runs in a build folder: training minutes and accuracies per seed."""
    found: dict[str, list[dict]] = {}
    for path in sorted((folder / "variants").glob("*.seed*/metrics.json")):
        metrics = json.loads(path.read_text())
        if metrics.get("quick"):
            continue
        found.setdefault(metrics["variant"], []).append({
            "minutes": (metrics.get("training") or {}).get("seconds", 0) / 60,
            "val": validation_accuracy(metrics), "test": metrics.get("test_accuracy"),
            "wild": metrics.get("wild_accuracy")})
    return found


def spread(values: list) -> tuple[float, float]:
    values = [v for v in values if v is not None]
    if not values:
        return float("nan"), float("nan")
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def compare(before: Path, after: Path) -> None:
    old, new = runs(before), runs(after)
    print("| variant | seeds before/after | training min per run before → after | "
          "val before | val after | within 1 sd | test before → after | wild before → after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in [v for v in IMAGE_VARIANTS if v in old or v in new]:
        a, b = old.get(name, []), new.get(name, [])
        (va, sa), (vb, sb) = spread([r["val"] for r in a]), spread([r["val"] for r in b])
        ok = "yes" if abs(vb - va) <= max(sa, sb) or vb > va else "no"
        cells = [name, f"{len(a)}/{len(b)}",
                 f"{spread([r['minutes'] for r in a])[0]:.1f} → "
                 f"{spread([r['minutes'] for r in b])[0]:.1f}",
                 f"{va:.3f} ± {sa:.3f}", f"{vb:.3f} ± {sb:.3f}", ok]
        for key in ("test", "wild"):
            (ma, da), (mb, db) = spread([r[key] for r in a]), spread([r[key] for r in b])
            cells.append(f"{ma:.3f} ± {da:.3f} → {mb:.3f} ± {db:.3f}")
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("train", help="build the image variants before or after the change")
    t.add_argument("setting", choices=["before", "after"])
    t.add_argument("--seeds", type=int, default=3)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--variant", action="append", choices=IMAGE_VARIANTS)
    c = sub.add_parser("compare", help="print the before/after table of two build folders")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.mode == "train":
        train(args.setting, args.variant or list(IMAGE_VARIANTS), args.seeds, args.out)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
