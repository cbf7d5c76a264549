"""Which ideas worked: each idea declared in variants.yaml is a pair of variants that differ
in it alone, and its effect is the accuracy difference, in domain and out of domain, with the
interval and verdict of the pair's test (asl.report.significance): one procedure for both."""
from __future__ import annotations

from dataclasses import dataclass

from asl.report.candidates import Candidate
from asl.report.significance import PairTest, Significance


@dataclass
class Effect:
    """An idea's effect on one set of photos."""

    difference: float            # accuracy with the idea minus without (seed means)
    interval: list[float]        # Holm-adjusted interval of the difference (the test's dual)
    significant: bool | None     # the same test's verdict after Holm
    pair: PairTest | None = None


@dataclass
class Idea:
    name: str
    with_: str                   # the variant that has the idea
    without: str                 # the variant that does not
    test: Effect | None = None
    wild: Effect | None = None
    missing: str | None = None   # why it could not be measured
    titles: tuple[str, str] = ("", "")   # the two variants' titles, for the prose


def effect(a: Candidate, b: Candidate, block: str, significance: Significance) -> Effect | None:
    """A minus B on ``block``, from the pair's test; None when the two were not tested."""
    pair = significance.pair(block, a, b)
    if pair is None:
        return None
    difference, interval = pair.seen_from(a)
    return Effect(difference, interval, pair.significant, pair)


def measure(declared: list[dict], models: list[Candidate],
            significance: Significance, titles: dict | None = None) -> list[Idea]:
    """Each declared idea's effect, or why it is missing; ``titles`` names the variants."""
    mains = {c.variant: c for c in models if c.key == c.variant}
    titles = titles or {}
    ideas = []
    for item in declared:
        idea = Idea(item["name"], item["with"], item["without"])
        idea.titles = tuple(titles.get(name, name) for name in (idea.with_, idea.without))
        absent = [title for name, title in zip((idea.with_, idea.without), idea.titles)
                  if name not in mains or not mains[name].comparable]
        if absent:
            idea.missing = (f"{' and '.join(absent)} "
                            f"{'has' if len(absent) == 1 else 'have'} no comparable results")
        else:
            a, b = mains[idea.with_], mains[idea.without]
            idea.test, idea.wild = (effect(a, b, block, significance) for block in ("test", "wild"))
        ideas.append(idea)
    return ideas
