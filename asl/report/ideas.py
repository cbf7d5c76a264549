"""Which ideas worked: each idea declared in variants.yaml is a pair of variants that differ
in it alone, and its effect is the accuracy difference, in domain and out of domain, with an
interval over the test photos and the across-seed significance test."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl.report.candidates import Candidate
from asl.report.seeds import photo_interval
from asl.report.significance import Significance


@dataclass
class Effect:
    """An idea's effect on one set of photos."""

    difference: float            # accuracy with the idea minus without (seed means)
    interval: list[float]        # 95 % interval of the difference over the photos
    significant: bool | None     # across-seed McNemar test, Holm-corrected; None: not tested


@dataclass
class Idea:
    name: str
    with_: str                   # the variant that has the idea
    without: str                 # the variant that does not
    test: Effect | None = None
    wild: Effect | None = None
    missing: str | None = None   # why it could not be measured


def _correct(block: dict) -> np.ndarray:
    """Per-photo correctness averaged over the seeds."""
    runs = block.get("runs") or [block]
    y_true = np.asarray(runs[0]["y_true"])
    return np.mean([np.asarray(run["y_pred"]) == y_true for run in runs], axis=0)


def effect(a: Candidate, b: Candidate, block: str, significance: Significance) -> Effect | None:
    first, second = getattr(a, block), getattr(b, block)
    if not first or not second or first["ids"] != second["ids"]:
        return None
    difference = _correct(first) - _correct(second)
    low, high = photo_interval(difference, (-1.0, 1.0))
    return Effect(first["accuracy"] - second["accuracy"], [low, high],
                  significance.between(block, a, b))


def measure(declared: list[dict], models: list[Candidate],
            significance: Significance) -> list[Idea]:
    """Each declared idea's effect, or why it is missing."""
    mains = {c.variant: c for c in models if c.key == c.variant}
    ideas = []
    for item in declared:
        idea = Idea(item["name"], item["with"], item["without"])
        absent = [name for name in (idea.with_, idea.without)
                  if name not in mains or not mains[name].comparable]
        if absent:
            idea.missing = (f"{' and '.join(absent)} "
                            f"{'has' if len(absent) == 1 else 'have'} no comparable results")
        else:
            a, b = mains[idea.with_], mains[idea.without]
            idea.test, idea.wild = (effect(a, b, block, significance) for block in ("test", "wild"))
        ideas.append(idea)
    return ideas
