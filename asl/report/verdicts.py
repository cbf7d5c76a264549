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


VERDICTS = ("significantly more accurate", "significantly less accurate",
            "not significantly different", NOT_TESTED)


def by_verdict(others: list, baseline: Candidate, block: str, tested: dict) -> str:
    """Models named by the verdict of their test against ``baseline`` on ``block``:
    ``In domain, significantly more accurate: A · B; not significantly different: 2 others.``
    (the rest are named only when no model differs)."""
    groups: dict[str, list[str]] = {word: [] for word in VERDICTS}
    for model in (m for m in others if m.accuracy(block) is not None):
        pair, gap = tested[model.key, block], model.accuracy(block) - baseline.accuracy(block)
        word = (NOT_TESTED if pair is None else VERDICTS[2] if not pair.significant else
                VERDICTS[0] if pair.seen_from(model)[0] > 0 else VERDICTS[1])
        groups[word].append(f"{model.title} {fmt_diff(gap)}" if pair is None else model.title)
    if groups[VERDICTS[2]] and sum(map(bool, groups.values())) > 1:
        rest = len(groups[VERDICTS[2]])
        groups[VERDICTS[2]] = [f"{rest} other{'s' if rest > 1 else ''}"]
    text = "; ".join(f"{word}: {' · '.join(names)}" for word, names in groups.items() if names)
    return text and f"{'In domain' if block == 'test' else 'Out of domain'}, {text}."
