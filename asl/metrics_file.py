"""The metrics.json schema: write, read, validate.

Every notebook writes one ``metrics.json`` into its output folder. The report reads nothing else,
so every number in the PDF can be traced to one of these files.

Model variants (``kind: "model"``)::

    schema_version      1
    kind                "model"
    variant, title      name in variants.yaml and its human title
    family              "cnn" | "transfer" | "autoencoder"
    notebook            notebook file name
    parameters          the final parameters the notebook ran with (no paths)
    quick               true for a --quick build
    classes             the 29 class names, in label order
    data                {"source", "n_images", "image_size", "color_mode", "skipped",
                         "skipped_files", "unknown_folders", "missing_classes", "set_aside",
                         "n_set_aside"}: what was left out (see ImageSet.notes)
    split               {"kind": "frame_block"|"random", "train", "val", "test", "seed", ...}
    test                evaluation block on the held-out in-domain test photos (see below)
    wild                evaluation block on the out-of-domain photos, or null if not given
    train_accuracy      accuracy on (up to 3,000 of) its own training photos, in inference mode
                        (no augmentation, no dropout): far below 1 means it did not learn
    calibration         {"test": {"ece", "bins", "mean_confidence"}, "wild": ... or null}
    test_accuracy       = test.accuracy           (top-level copies for quick reading)
    wild_accuracy       = wild.accuracy or null
    training            {"seconds", "epochs_run", "history": {"loss": [...], "accuracy": [...],
                         "val_loss": [...], "val_accuracy": [...]}}
    inference           {"ms_per_image_batch1", "ms_per_image_batched", "batch_size"}
    model               {"file", "parameters", "size_bytes"}
    figures             [{"key", "file", "caption"}]   files relative to the metrics.json folder
    extra               family-specific results; ``extra.classifiers.<name>`` holds further
                        classifiers evaluated beside the main one, each with its own ``test``,
                        ``wild`` and ``inference`` blocks and, for one the report should
                        compare as the explainable option, ``explainable: true``, ``title``
                        and ``abbreviation``
    explainable         true when the variant's main model is itself explainable
    stages              seconds spent in each stage of the notebook (loading photos, training,
                        evaluating, latency, figures, saliency and calibration, ...)

An evaluation block::

    n, accuracy, accuracy_ci [lo, hi] (95 %, Wilson), precision_macro, recall_macro, f1_macro,
    per_class {class: {"precision", "recall", "f1", "support", "accuracy"}},
    confusion_matrix [[int]] (rows true, columns predicted, in ``classes`` order),
    ids [str] (photo identifiers, in order), y_true [int], y_pred [int]

The exploration notebook writes ``kind: "exploration"`` with ``variant``, ``title``, ``notebook``,
``parameters``, ``quick``, ``classes``, ``data`` (per-class counts and image statistics),
``wild``, ``splits``, ``near_duplicates``, ``figures``.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from asl.errors import MetricsError
from asl.files import write_json_atomic

SCHEMA_VERSION = 1
FILENAME = "metrics.json"

MODEL_KEYS = ("variant", "title", "family", "notebook", "parameters", "quick", "classes", "data",
              "split", "test", "wild", "test_accuracy", "wild_accuracy", "train_accuracy", "training",
              "inference",
              "model", "figures", "extra")
EVAL_KEYS = ("n", "accuracy", "accuracy_ci", "precision_macro", "recall_macro", "f1_macro",
             "per_class", "confusion_matrix", "ids", "y_true", "y_pred")
EXPLORATION_KEYS = ("variant", "title", "notebook", "parameters", "quick", "classes", "data",
                    "wild", "splits", "near_duplicates", "figures")


def _plain(value):
    """Make numpy scalars/arrays and tuples JSON-friendly; NaN becomes null."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def validate(metrics: dict, where: str = "metrics") -> dict:
    """Check the keys the report relies on; raise MetricsError naming what is missing."""
    if metrics.get("schema_version") != SCHEMA_VERSION:
        raise MetricsError(f"{where}: schema_version is {metrics.get('schema_version')!r}, "
                           f"expected {SCHEMA_VERSION}")
    kind = metrics.get("kind")
    required = {"model": MODEL_KEYS, "exploration": EXPLORATION_KEYS}.get(kind)
    if required is None:
        raise MetricsError(f"{where}: kind is {kind!r}, expected 'model' or 'exploration'")
    missing = [key for key in required if key not in metrics]
    if kind == "model":
        for block in ("test", "wild"):
            if metrics.get(block):
                missing += [f"{block}.{key}" for key in EVAL_KEYS if key not in metrics[block]]
        if not metrics.get("test"):
            missing.append("test")
    if missing:
        raise MetricsError(f"{where}: missing {', '.join(missing)}")
    return metrics


def write(folder, metrics: dict) -> Path:
    """Validate and write ``metrics.json`` into ``folder`` atomically; return its path."""
    metrics = _plain({"schema_version": SCHEMA_VERSION, **metrics})
    path = Path(folder) / FILENAME
    validate(metrics, str(path))
    write_json_atomic(path, metrics)
    return path


def read(folder_or_file) -> dict:
    """Read and validate one metrics.json (give the file or its folder)."""
    path = Path(folder_or_file)
    if path.is_dir():
        path = path / FILENAME
    if not path.exists():
        raise MetricsError(f"{path} does not exist: run the variant first")
    try:
        metrics = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise MetricsError(f"{path} is not valid JSON: {error}") from None
    return validate(metrics, str(path))
