"""The metrics.json schema: write, read, validate.

Every notebook writes one ``metrics.json`` into its output folder. The report reads nothing else,
so every number in the PDF can be traced to one of these files.

Model variants (``kind: "model"``)::

    schema_version      1
    kind                "model"
    variant, title      name in variants.yaml and its human title
    family              "cnn" | "transfer" | "autoencoder" | "keypoints" | "handcrop": how the
                        saved model is loaded (asl/study/saved_models.py, LOADERS)
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
    val                 evaluation block on the validation photos (in domain, never reported)
                        by the model before any refit on them (a stacking model's out-of-fold
                        answers), or null; optional. The recommendation uses it beside the wild
                        selection half (asl/report/decision.py)
    train_accuracy      accuracy on (up to 3,000 of) its own training photos, in inference mode
                        (no augmentation, no dropout): far below 1 means it did not learn
    calibration         {"test": {"ece", "bins", "mean_confidence", "confidence"}, "wild": ... or
                        null} (``confidence``: each photo's top-class probability)
    test_accuracy       = test.accuracy           (top-level copies for quick reading)
    wild_accuracy       = wild.accuracy or null
    training            {"seconds", "epochs_run", "history": {"loss": [...], "accuracy": [...],
                         "val_loss": [...], "val_accuracy": [...]}}
    inference           {"ms_per_image_batch1", "ms_per_image_batched", "batch_size"}
    model               {"file", "parameters", "size_bytes"}
    figures             [{"key", "file", "caption"}]   files relative to the metrics.json folder
    extra               family-specific results; ``extra.classifiers.<name>`` holds further
                        classifiers evaluated beside the main one, each with its own ``test``,
                        ``wild``, ``val`` and ``inference`` blocks and, for one the report should
                        compare as the explainable option, ``explainable: true``, ``title``
                        and ``abbreviation``. ``extra.adaptation`` (keypoints family; null
                        when not run) is a finding no choice uses: the reported classifier
                        refitted with k photos per class of other people added, drawn from
                        the wild selection half only and scored on the report half only:
                        {"classifier", "added_from", "scored_on", "selection_photos",
                         "report_photos", "training_rows", "draws", "seed", "weighting",
                         "seconds", "points": [{"k", "accuracies" (one per draw), "mean",
                         "std", "photos_added", "hands_added", "added_ids"}]}; k = 0 is the
                        classifier as chosen (asl/study/hands/adaptation.py)
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

from asl.config import CACHE_DIR
from asl.errors import MetricsError
from asl.files import sha256, write_json_atomic

SCHEMA_VERSION = 1
FILENAME = "metrics.json"
HAND_FAMILIES = ("keypoints", "handcrop")   # the families that read the hand, not the photo

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


PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
OPTIONAL_PROBABILITY = {"anyOf": [PROBABILITY, {"type": "null"}]}
COUNTS = {"type": "array", "items": {"type": "integer", "minimum": 0}}
EVAL_SCHEMA = {
    "type": "object", "required": list(EVAL_KEYS),
    "properties": {
        "n": {"type": "integer", "minimum": 0},
        "accuracy": PROBABILITY,
        "accuracy_ci": {"type": "array", "items": PROBABILITY, "minItems": 2, "maxItems": 2},
        "precision_macro": OPTIONAL_PROBABILITY, "recall_macro": OPTIONAL_PROBABILITY,
        "f1_macro": OPTIONAL_PROBABILITY,
        "per_class": {"type": "object"},
        "confusion_matrix": {"type": "array", "items": COUNTS},
        "ids": {"type": "array"}, "y_true": COUNTS, "y_pred": COUNTS}}
OPTIONAL_EVAL = {"anyOf": [EVAL_SCHEMA, {"type": "null"}]}
ADAPTATION_SCHEMA = {"anyOf": [{"type": "null"}, {
    "type": "object", "required": ["points"], "properties": {"points": {
        "type": "array", "items": {"type": "object", "required": ["k", "accuracies"],
                                   "properties": {"k": {"type": "integer", "minimum": 0},
                                                  "accuracies": {"type": "array",
                                                                 "items": PROBABILITY}}}}}}]}
HEADER = {"type": "object", "required": ["schema_version", "kind"],
          "properties": {"schema_version": {"const": SCHEMA_VERSION},
                         "kind": {"enum": ["model", "exploration"]}}}
SCHEMA = {
    "model": {
        "required": list(MODEL_KEYS),
        "properties": {
            "classes": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "parameters": {"type": "object"}, "data": {"type": "object"},
            "split": {"type": "object"}, "figures": {"type": "array"},
            "test": EVAL_SCHEMA, "wild": OPTIONAL_EVAL, "val": OPTIONAL_EVAL,
            "test_accuracy": PROBABILITY, "wild_accuracy": OPTIONAL_PROBABILITY,
            "train_accuracy": OPTIONAL_PROBABILITY,
            "extra": {"type": ["object", "null"], "properties": {"classifiers": {
                "type": "object", "additionalProperties": {
                    "type": "object", "properties": {"test": EVAL_SCHEMA,
                                                     "wild": OPTIONAL_EVAL,
                                                     "val": OPTIONAL_EVAL}}},
                "adaptation": ADAPTATION_SCHEMA}}}},
    "exploration": {"required": list(EXPLORATION_KEYS),
             "properties": {"classes": {"type": "array"}, "figures": {"type": "array"}}},
}
"""What the report relies on, as a JSON Schema: keys, kinds and ranges (accuracies and their
intervals within [0, 1], counts whole and not negative)."""


def _field(path) -> str:
    return ".".join(str(part) for part in path) or "the top level"


def _explain(error) -> str:
    """One schema error in words: ``missing test.y_pred``, ``kind is 'x', expected ...``."""
    path = _field(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"missing {missing if path == 'the top level' else f'{path}.{missing}'}"
    if error.validator in ("const", "enum"):
        expected = error.validator_value
        expected = " or ".join(map(repr, expected)) if error.validator == "enum" else expected
        return f"{path} is {error.instance!r}, expected {expected}"
    message = error.message if len(error.message) < 160 else error.message[:157] + "..."
    return f"{path}: {message}"


def _not_finite(value, path=()):
    """The path of the first NaN or infinite number in ``value``, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _not_finite(item, (*path, key))
        if found is not None:
            return found
    return None


def validate(metrics, where: str = "metrics") -> dict:
    """Check ``metrics`` against the schema (and each confusion matrix is classes x classes);
    raise MetricsError naming the file, the field and what is wrong."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    for schema in (HEADER, None):
        schema = schema or SCHEMA[metrics["kind"]]
        error = best_match(Draft202012Validator(schema).iter_errors(metrics))
        if error is not None:
            raise MetricsError(f"{where}: {_explain(error)}")
    bad = _not_finite(metrics)
    if bad is not None:
        raise MetricsError(f"{where}: {_field(bad)}: {_get(metrics, bad)} is not a number")
    if metrics["kind"] == "model":
        size = len(metrics["classes"])
        blocks = {"test": metrics["test"], "wild": metrics["wild"], "val": metrics.get("val")}
        for name, extra in ((metrics.get("extra") or {}).get("classifiers") or {}).items():
            blocks.update({f"extra.classifiers.{name}.{key}": extra.get(key)
                           for key in ("test", "wild", "val")})
        for name, block in blocks.items():
            matrix = (block or {}).get("confusion_matrix")
            if matrix is not None and (len(matrix) != size or any(len(r) != size for r in matrix)):
                shape = f"{len(matrix)} x {sorted({len(r) for r in matrix})}"
                raise MetricsError(f"{where}: {name}.confusion_matrix: shape {shape}, expected "
                                   f"{size} x {size} (one row and column per class)")
    return metrics


def _get(value, path):
    for key in path:
        value = value[key]
    return value


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
        stat = path.stat()
        metrics = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise MetricsError(f"{path} is not valid JSON: {error}") from None
    key = str(path.resolve())
    identity = [stat.st_ino, stat.st_mtime_ns, stat.st_size, _schema_tag()]
    if _checked().get(key) != identity:   # checking is slow; a build reads each file often
        validate(metrics, str(path))
        _remember(key, identity)
    return metrics


CHECKED_FILE = "metrics-checked.json"
"""In the cache folder: each metrics file that passed ``validate`` -> [inode, modification
time, size, schema tag]. Files are written atomically (a rewrite is a new inode), so an entry
that still matches is the file that was checked, under the same schema."""
_CHECKED: dict[str, list] | None = None
_SCHEMA_TAG: str | None = None


def _schema_tag() -> str:
    global _SCHEMA_TAG
    if _SCHEMA_TAG is None:
        _SCHEMA_TAG = sha256([SCHEMA_VERSION, HEADER, SCHEMA])[:16]
    return _SCHEMA_TAG


def _checked() -> dict[str, list]:
    global _CHECKED
    if _CHECKED is None:
        try:
            _CHECKED = dict(json.loads((CACHE_DIR / CHECKED_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            _CHECKED = {}
    return _CHECKED


def _remember(key: str, identity: list) -> None:
    """Record a checked file (and forget files that are gone)."""
    checked = _checked()
    checked[key] = identity
    for gone in [name for name in checked if not Path(name).exists()]:
        del checked[gone]
    try:
        write_json_atomic(CACHE_DIR / CHECKED_FILE, checked)
    except OSError:   # a read-only cache folder only costs the check next time
        pass
