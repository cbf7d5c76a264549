"""The models the report compares: each variant's main model, plus any extra classifier a
notebook marks as explainable (e.g. the logistic regression beside the autoencoder's forest)."""
from __future__ import annotations

from dataclasses import dataclass, field

from asl.report import halves, seeds
from asl.report.clusters import frame_blocks
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
    val: dict | None = None               # validation photos (in domain): for choosing only
    train_accuracy: float | None = None   # on its own training photos, inference mode (mean)
    fitted: bool = True                   # reached the study's minimum training accuracy
    calibration: dict = field(default_factory=dict)
    latency_ms: float | None = None
    batched_ms: float | None = None
    batch_size: int | None = None          # photos per batch behind ``batched_ms``
    parameters: int | None = None
    size_bytes: int | None = None
    training_seconds: float | None = None
    split: dict = field(default_factory=dict)       # the split's settings (kind, block size)
    ablation: bool = False    # a variant with one part taken out: compared, never recommended

    @property
    def comparable(self) -> bool:
        """Trained properly and evaluated on held-out frame blocks (a random split leaks
        near-duplicates; a model that did not fit its training photos is a bug, not a result)."""
        return self.split_kind != "random" and self.fitted

    @property
    def n_seeds(self) -> int:
        """Training runs behind its figures."""
        return len(self.test.get("runs") or [self.test])

    def accuracy(self, block: str) -> float | None:
        evaluated = getattr(self, block)
        return evaluated["accuracy"] if evaluated else None


def classifier_blocks(extra: dict | None) -> dict:
    """Evaluated classifiers a notebook put in ``extra.classifiers`` (blocks with ``test``)."""
    return {key: value for key, value in ((extra or {}).get("classifiers") or {}).items()
            if isinstance(value, dict) and isinstance(value.get("test"), dict)
            and "accuracy" in value["test"]}


def _blocks(owners: list[dict], split_settings: dict | None) -> dict:
    """Seed-combined test and validation blocks (clustered by frame block) and wild halves
    (each photo on its own: nothing groups them by person) of a model evaluated once per seed;
    validation only when every seed has it."""
    split = [halves.split(owner.get("wild")) for owner in owners]
    test = owners[0]["test"]
    val = [owner.get("val") for owner in owners]
    return {"test": seeds.combine([owner["test"] for owner in owners],
                                  frame_blocks(test.get("ids") or [], split_settings)),
            "val": seeds.combine(val, frame_blocks(val[0].get("ids") or [], split_settings))
            if all(val) else None,
            "wild_select": seeds.combine([select for select, _ in split]),
            "wild": seeds.combine([report for _, report in split])}


def _calibration(owner: dict) -> dict:
    """In domain as recorded; on the wild photos, on the report half like the accuracy."""
    table = dict(owner.get("calibration") or {})
    if table.get("wild"):
        table["wild"] = halves.calibration(table["wild"], owner.get("wild"))
    return table


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _main(result: VariantResult) -> Candidate:
    metrics, runs = result.metrics, result.runs
    inference, model = metrics.get("inference") or {}, metrics.get("model") or {}
    return Candidate(
        key=result.name, variant=result.name, title=result.title, short=result.name,
        anchor=result.anchor, family=metrics.get("family"),
        split_kind=(metrics.get("split") or {}).get("kind", "not recorded"),
        explainable=bool(metrics.get("explainable")), **_blocks(runs, metrics.get("split")),
        train_accuracy=_mean(run.get("train_accuracy") for run in runs),
        calibration=_calibration(metrics),
        latency_ms=inference.get("ms_per_image_batch1"),
        batched_ms=inference.get("ms_per_image_batched"), batch_size=inference.get("batch_size"),
        parameters=model.get("parameters"),
        size_bytes=model.get("size_bytes"),
        training_seconds=_mean((run.get("training") or {}).get("seconds") for run in runs),
        split=metrics.get("split") or {})


def _extra(main: Candidate, name: str, owners: list[dict]) -> Candidate:
    block = owners[0]
    inference, model = block.get("inference") or {}, block.get("model") or {}
    return Candidate(
        key=f"{main.variant}:{name}", variant=main.variant,
        title=block.get("title") or f"{main.title}: {name.replace('_', ' ')}",
        short=f"{main.variant} ({block.get('abbreviation') or name})", anchor=main.anchor,
        family=main.family, split_kind=main.split_kind, explainable=True,
        **_blocks(owners, main.split),
        train_accuracy=_mean(owner.get("train_accuracy") for owner in owners),
        calibration=_calibration(block),
        latency_ms=inference.get("ms_per_image_batch1", main.latency_ms),
        batched_ms=inference.get("ms_per_image_batched", main.batched_ms),
        batch_size=inference.get("batch_size", main.batch_size),
        parameters=model.get("parameters", main.parameters),
        size_bytes=model.get("size_bytes", main.size_bytes),
        training_seconds=main.training_seconds, split=main.split)


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
        main.ablation = result.role == "ablation"
        found.append(main)
        reported = (result.metrics.get("extra") or {}).get("reported_classifier")
        for name, block in classifier_blocks(result.metrics.get("extra")).items():
            if block.get("explainable") and name != reported:
                owners = [classifier_blocks(run.get("extra"))[name] for run in result.runs]
                found.append(_extra(main, name, owners))
                found[-1].ablation = main.ablation
    titles = [candidate.title for candidate in found]
    mains = {c.variant: c.title for c in found if c.key == c.variant}
    for candidate in found:
        candidate.fitted = candidate.train_accuracy is None or \
            candidate.train_accuracy >= min_train_accuracy
        if titles.count(candidate.title) > 1 and candidate.key != candidate.variant:
            candidate.title = f"{candidate.title} ({mains[candidate.variant]})"
    return found
