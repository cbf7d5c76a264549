"""A difference between two models in words that follow its numbers: the estimate, its
Holm-adjusted interval and the verdict of the same test, with the family size, the p-value
and how many training runs stand behind it. Never "no difference" for "not significant"."""
from __future__ import annotations

from asl.report.candidates import Candidate
from asl.report.formatting import fmt_ci, fmt_diff, p_clause
from asl.report.significance import PairTest

NOT_TESTED = "not tested (different photos)"


def runs_text(pair: PairTest) -> str:
    """``one training run`` or ``3 training seeds``: what the verdict rests on."""
    return "one training run" if pair.seeds == 1 else f"{pair.seeds} training seeds"


def verdict(pair: PairTest | None) -> str:
    """``not significant after Holm over 45 pairs (p = 0.053; one training run)``."""
    if pair is None:
        return NOT_TESTED
    if pair.seeds > 1 and not pair.agree:
        return (f"not significant: its {pair.seeds} training seeds point different ways "
                f"(Holm family of {pair.family} pairs)")
    word = "significant" if pair.significant else "not significant"
    across = "; not repeated across seeds" if pair.seeds == 1 and pair.significant else ""
    return (f"{word} after Holm over {pair.family} pairs ({p_clause(pair.p_holm)}; "
            f"{runs_text(pair)}{across})")


def difference(pair: PairTest, model: Candidate) -> str:
    """``+0.037 [-0.002, 0.071]``: ``model`` minus the other, with the Holm-adjusted interval."""
    value, interval = pair.seen_from(model)
    return f"{fmt_diff(value)} {fmt_ci(interval)}"


def compared(pair: PairTest | None, model: Candidate) -> str:
    """``+0.037 [-0.002, 0.071], not significant after Holm over 45 pairs (p = ...)``."""
    if pair is None:
        return NOT_TESTED
    return f"{difference(pair, model)}, {verdict(pair)}"
