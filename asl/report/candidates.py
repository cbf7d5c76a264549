"""The models the report compares: each variant's main model, plus any extra classifier a
notebook marks as explainable (e.g. the logistic regression beside the autoencoder's forest)."""
from __future__ import annotations

from dataclasses import dataclass, field

from asl.report import halves
from asl.report.results import VariantResult


@dataclass(eq=False)
class Candidate:
    """One evaluated model and everything the comparison needs about it."""

    key: str                  # the variant's name, or "<variant>:<classifier>"
    variant: str
    title: str
    short: str                # name in the pairwise tables
    anchor: str
    family: str | None
    split_kind: str
    explainable: bool
    test: dict
    wild: dict | None                     # the report half of the wild photos
    wild_select: dict | None              # the selection half: for choosing, never reported
    train_accuracy: float | None = None   # on its own training photos, inference mode
    fitted: bool = True                   # reached the study's minimum training accuracy
    calibration: dict = field(default_factory=dict)
    latency_ms: float | None = None
    batched_ms: float | None = None
    parameters: int | None = None
    size_bytes: int | None = None
    training_seconds: float | None = None

    @property
    def comparable(self) -> bool:
        """Trained properly and evaluated on held-out frame blocks (a random split leaks
        near-duplicates; a model that did not fit its training photos is a bug, not a result)."""
        return self.split_kind != "random" and self.fitted

    def accuracy(self, block: str) -> float | None:
        evaluated = getattr(self, block)
        return evaluated["accuracy"] if evaluated else None


def classifier_blocks(extra: dict | None) -> dict:
    """Evaluated classifiers a notebook put in ``extra.classifiers`` (blocks with ``test``)."""
    return {key: value for key, value in ((extra or {}).get("classifiers") or {}).items()
            if isinstance(value, dict) and isinstance(value.get("test"), dict)
            and "accuracy" in value["test"]}


def _main(result: VariantResult) -> Candidate:
    metrics = result.metrics
    inference, model = metrics.get("inference") or {}, metrics.get("model") or {}
    select, report = halves.split(metrics.get("wild"))
    return Candidate(
        key=result.name, variant=result.name, title=result.title, short=result.name,
        anchor=result.anchor, family=metrics.get("family"),
        split_kind=(metrics.get("split") or {}).get("kind", "not recorded"),
        explainable=bool(metrics.get("explainable")), test=metrics["test"], wild=report,
        wild_select=select, train_accuracy=metrics.get("train_accuracy"),
        calibration=metrics.get("calibration") or {},
        latency_ms=inference.get("ms_per_image_batch1"),
        batched_ms=inference.get("ms_per_image_batched"), parameters=model.get("parameters"),
        size_bytes=model.get("size_bytes"),
        training_seconds=(metrics.get("training") or {}).get("seconds"))


def _extra(main: Candidate, name: str, block: dict) -> Candidate:
    inference, model = block.get("inference") or {}, block.get("model") or {}
    select, report = halves.split(block.get("wild"))
    return Candidate(
        key=f"{main.variant}:{name}", variant=main.variant,
        title=block.get("title") or f"{main.title}: {name.replace('_', ' ')}",
        short=f"{main.variant} ({block.get('abbreviation') or name})", anchor=main.anchor,
        family=main.family, split_kind=main.split_kind, explainable=True, test=block["test"],
        wild=report, wild_select=select, train_accuracy=block.get("train_accuracy"),
        calibration=block.get("calibration") or {},
        latency_ms=inference.get("ms_per_image_batch1", main.latency_ms),
        batched_ms=inference.get("ms_per_image_batched", main.batched_ms),
        parameters=model.get("parameters", main.parameters),
        size_bytes=model.get("size_bytes", main.size_bytes),
        training_seconds=main.training_seconds)


def candidates(results: list[VariantResult], min_train_accuracy: float = 0.0
               ) -> list[Candidate]:
    """Every evaluated model: each variant's main model, then the explainable classifiers its
    notebook evaluated beside it (unless that classifier already is the main model). A model
    below ``min_train_accuracy`` on its own training photos is marked as not fitted."""
    found = []
    for result in results:
        if result.metrics is None or result.kind != "model":
            continue
        main = _main(result)
        found.append(main)
        reported = (result.metrics.get("extra") or {}).get("reported_classifier")
        for name, block in classifier_blocks(result.metrics.get("extra")).items():
            if block.get("explainable") and name != reported:
                found.append(_extra(main, name, block))
    for candidate in found:
        candidate.fitted = candidate.train_accuracy is None or \
            candidate.train_accuracy >= min_train_accuracy
    return found
