"""Which model to recommend, and the facts behind the choice, as a record (no prose).

The most accurate comparable model wins, on the wild photos when a wild set was given (the
real use is other people's hands) and otherwise in domain. The explainable model replaces it
when neither accuracy difference is significant. A cheaper model whose accuracy is not
significantly different is named as the choice for small devices.
"""
from __future__ import annotations

from dataclasses import dataclass

from asl.report.candidates import Candidate
from asl.report.significance import Significance


@dataclass
class Recommendation:
    chosen: Candidate
    primary: str                          # "wild" or "test": the photos that decide
    best: Candidate                       # most accurate on the primary photos
    best_test: Candidate
    best_wild: Candidate | None
    explainable: Candidate | None         # the explainable option, if any has results
    explainable_gaps: dict                # block -> significant difference best vs explainable
    cheaper: Candidate | None             # faster and not significantly less accurate

    @property
    def explainable_chosen(self) -> bool:
        return self.explainable is not None and self.chosen is self.explainable


def best(models: list[Candidate], block: str) -> Candidate | None:
    """The most accurate comparable model on ``block``; ties go to in-domain accuracy, then
    to the faster model."""
    scored = [c for c in models if c.comparable and getattr(c, block)]
    if not scored:
        return None
    return max(scored, key=lambda c: (c.accuracy(block), c.accuracy("test") or 0,
                                      -(c.latency_ms or 0)))


def recommend(models: list[Candidate], significance: Significance) -> Recommendation | None:
    comparable = [c for c in models if c.comparable]
    if not comparable:
        return None
    primary = "wild" if any(c.wild for c in comparable) else "test"
    winner = best(comparable, primary)
    explainable = next((c for c in comparable if c.explainable), None)
    gaps = {}
    chosen = winner
    if explainable is not None and explainable is not winner:
        gaps = {block: significance.between(block, winner, explainable)
                for block in ("test", "wild")
                if getattr(winner, block) and getattr(explainable, block)}
        if gaps and not any(gaps.values()):
            chosen = explainable
    cheaper = [c for c in comparable if c is not chosen and c.latency_ms is not None
               and chosen.latency_ms is not None and c.latency_ms < chosen.latency_ms
               and significance.between(primary, chosen, c) is False]
    return Recommendation(
        chosen=chosen, primary=primary, best=winner, best_test=best(comparable, "test"),
        best_wild=best(comparable, "wild"), explainable=explainable, explainable_gaps=gaps,
        cheaper=min(cheaper, key=lambda c: c.latency_ms) if cheaper else None)
