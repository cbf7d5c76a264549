"""Which model to recommend, and the facts behind the choice, as a record (no prose).

The choice never looks at the photos it is reported on. It is made on the *choosing photos*:
the selection half of the wild photos (other people's hands, the real use) and the validation
photos (unseen frames of the training signer, answered by each model before any refit on
them), each weighing half, so that the chosen model serves both. The most accurate trained
frame-block model there wins; the explainable model replaces it when it is not significantly
less accurate on either set; a model at least CHEAPER times faster or smaller and not
significantly less accurate on either set is named for small devices. A variant declared as an
ablation (another one with a part taken out) is compared but never chosen. Its accuracy is then
reported on the untouched report half and the in-domain test photos. A set some model was not
scored on does not choose; with neither set, the in-domain test photos decide, and the report
says that this makes its in-domain figure optimistic.
"""
from __future__ import annotations

from dataclasses import dataclass

from asl.report.candidates import Candidate
from asl.report.significance import Significance


CHEAPER = 2.0
"""How many times faster (per photo) or smaller (on disk) a model must be to be named as the
cheaper choice: a few per cent less is no reason to give up the recommended model."""

CHOOSING = ("wild_select", "val")
"""The sets that choose, each weighing half: never reported as a model's accuracy."""


@dataclass
class Recommendation:
    chosen: Candidate
    blocks: tuple                         # the photos that choose: CHOOSING, or ("test",)
    best: Candidate                       # most accurate on them
    best_test: Candidate                  # most accurate in domain (descriptive only)
    best_wild: Candidate | None           # most accurate on the report half (descriptive only)
    explainable: Candidate | None         # the explainable option, if any has results
    explainable_significant: bool | None  # best vs explainable: worse on a choosing set
    cheaper: Candidate | None             # much cheaper and not significantly less accurate

    @property
    def explainable_chosen(self) -> bool:
        return self.explainable is not None and self.chosen is self.explainable

    @property
    def reported(self) -> str:
        """The photos its comparisons are stated on: the report half, else in domain."""
        return "wild" if "wild_select" in self.blocks else "test"

    def score(self, model: Candidate) -> float | None:
        return score(model, self.blocks)


def choosing_blocks(models: list[Candidate]) -> tuple:
    """The sets of CHOOSING every one of ``models`` was scored on; else ("test",)."""
    blocks = tuple(b for b in CHOOSING if models and all(getattr(c, b) for c in models))
    return blocks or ("test",)


def score(model: Candidate, blocks) -> float | None:
    """Mean accuracy over ``blocks``, each set weighing the same."""
    accuracies = [model.accuracy(block) for block in blocks]
    return None if any(a is None for a in accuracies) else sum(accuracies) / len(accuracies)


def best(models: list[Candidate], blocks) -> Candidate | None:
    """The most accurate comparable model on ``blocks`` (a set's name or several, each weighing
    the same); a tie goes to the faster model."""
    blocks = (blocks,) if isinstance(blocks, str) else tuple(blocks)
    scored = [c for c in models if c.comparable and score(c, blocks) is not None]
    if not scored:
        return None
    return max(scored, key=lambda c: (score(c, blocks), -(c.latency_ms or 0)))


def worse(selection: Significance, blocks, better: Candidate, other: Candidate) -> bool | None:
    """Whether ``other`` is significantly less accurate than ``better`` on any of ``blocks``
    (None when a set did not test them together)."""
    found = [selection.between(block, better, other) for block in blocks]
    if any(found):
        return True
    return None if None in found else False


def recommend(models: list[Candidate], selection: Significance) -> Recommendation | None:
    """``selection`` holds the tests on the choosing sets (and, without them, on the in-domain
    test photos)."""
    comparable = [c for c in models if c.comparable]
    eligible = [c for c in comparable if not c.ablation]
    if not eligible:
        return None
    blocks = choosing_blocks(eligible)
    winner = best(eligible, blocks)
    explainable = best([c for c in eligible if c.explainable], blocks)
    significant = None
    chosen = winner
    if explainable is not None and explainable is not winner:
        significant = worse(selection, blocks, winner, explainable)
        if significant is False:
            chosen = explainable
    cheaper = [c for c in eligible if c is not chosen and much_cheaper(c, chosen)
               and worse(selection, blocks, chosen, c) is False]
    return Recommendation(
        chosen=chosen, blocks=blocks, best=winner, best_test=best(comparable, "test"),
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
