"""Which model to recommend, and the facts behind the choice, as a record (no prose).

The choice never looks at the photos it is reported on. With a wild set, the most accurate
trained frame-block model on the *selection half* of the wild photos wins (the real use is
other people's hands); the explainable model replaces it when it is not significantly less
accurate there; a model at least CHEAPER times faster or smaller and not significantly less
accurate there is named for small devices. A variant declared as an ablation (another one with
a part taken out) is compared but never chosen. Its out-of-domain accuracy is then reported on the untouched *report half*. Without a
wild set the in-domain test photos decide, and the report says that this makes its in-domain
figure optimistic.
"""
from __future__ import annotations

from dataclasses import dataclass

from asl.report.candidates import Candidate
from asl.report.significance import Significance


CHEAPER = 2.0
"""How many times faster (per photo) or smaller (on disk) a model must be to be named as the
cheaper choice: a few per cent less is no reason to give up the recommended model."""


@dataclass
class Recommendation:
    chosen: Candidate
    primary: str                          # "wild_select" or "test": the photos that decide
    best: Candidate                       # most accurate on the primary photos
    best_test: Candidate                  # most accurate in domain (descriptive only)
    best_wild: Candidate | None           # most accurate on the report half (descriptive only)
    explainable: Candidate | None         # the explainable option, if any has results
    explainable_significant: bool | None  # best vs explainable on the primary photos
    cheaper: Candidate | None             # much cheaper and not significantly less accurate

    @property
    def explainable_chosen(self) -> bool:
        return self.explainable is not None and self.chosen is self.explainable


def best(models: list[Candidate], block: str) -> Candidate | None:
    """The most accurate comparable model on ``block``; a tie goes to the faster model."""
    scored = [c for c in models if c.comparable and getattr(c, block)]
    if not scored:
        return None
    return max(scored, key=lambda c: (c.accuracy(block), -(c.latency_ms or 0)))


def recommend(models: list[Candidate], selection: Significance) -> Recommendation | None:
    """``selection`` holds the tests on the selection half (and, without a wild set, on the
    in-domain test photos)."""
    comparable = [c for c in models if c.comparable]
    eligible = [c for c in comparable if not c.ablation]
    if not eligible:
        return None
    primary = "wild_select" if any(c.wild_select for c in comparable) else "test"
    winner = best(eligible, primary)
    explainable = best([c for c in eligible if c.explainable], primary)
    significant = None
    chosen = winner
    if explainable is not None and explainable is not winner:
        significant = selection.between(primary, winner, explainable)
        if significant is False:
            chosen = explainable
    cheaper = [c for c in eligible if c is not chosen and much_cheaper(c, chosen)
               and selection.between(primary, chosen, c) is False]
    return Recommendation(
        chosen=chosen, primary=primary, best=winner, best_test=best(comparable, "test"),
        best_wild=best(comparable, "wild"), explainable=explainable,
        explainable_significant=significant,
        cheaper=min(cheaper, key=lambda c: c.latency_ms) if cheaper else None)


def much_cheaper(candidate: Candidate, than: Candidate) -> bool:
    """At least CHEAPER times faster per photo, or that much smaller on disk (and no slower)."""
    def ratio(a, b):
        return b / a if a and b else 0.0

    faster = ratio(candidate.latency_ms, than.latency_ms)
    smaller = ratio(candidate.size_bytes, than.size_bytes)
    return faster >= CHEAPER or (smaller >= CHEAPER and faster >= 1.0)
