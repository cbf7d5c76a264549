"""Which differences between models are significant: McNemar tests between every two models
scored on the same photos, Holm-corrected within each set of photos. Numbers only.

With several training seeds, a difference must hold for every seed: seed k of A is tested
against seed k of B, the accuracy difference must have the same sign for every seed, and the
pair's p-value is the largest of the seeds' (an intersection-union test, valid at the same
level). One seed that disagrees makes the difference not significant.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from asl import stats
from asl.report.candidates import Candidate

ALPHA = 0.05
BLOCK_LABELS = {"test": "in-domain test photos",
                "wild": "out-of-domain (wild) photos, report half",
                "wild_select": "out-of-domain (wild) photos, selection half"}


@dataclass(eq=False)
class PairTest:
    """McNemar's test of two models on the same photos."""

    block: str
    a: Candidate
    b: Candidate
    a_only: int               # photos only A gets right (summed over the seeds)
    b_only: int
    p_value: float            # the largest seed's p-value, or 1 when the seeds disagree
    seeds: int = 1            # seeds paired up
    agree: bool = True        # every seed's difference points the same way
    p_holm: float = 1.0
    significant: bool = False

    @property
    def better(self) -> Candidate:
        return self.a if self.a.accuracy(self.block) >= self.b.accuracy(self.block) else self.b


@dataclass
class TestGroup:
    """All pairwise tests on one set of photos."""

    block: str
    n: int
    members: list[Candidate]
    pairs: list[PairTest]

    @property
    def n_significant(self) -> int:
        return sum(pair.significant for pair in self.pairs)

    @property
    def label(self) -> str:
        return BLOCK_LABELS[self.block]


def pairwise_tests(models: list[Candidate], blocks=("test", "wild"),
                   alpha: float = ALPHA) -> list[TestGroup]:
    """McNemar tests between every pair of trained models evaluated on the same photos,
    Holm-corrected per set of photos."""
    sets: dict[tuple, list[Candidate]] = {}
    for candidate in models:
        if not candidate.fitted:
            continue
        for block_name in blocks:
            block = getattr(candidate, block_name)
            if block and block.get("ids"):
                photos = (block_name, tuple(block["ids"]), tuple(block["y_true"]))
                sets.setdefault(photos, []).append(candidate)
    groups = []
    for (block_name, ids, _), members in sets.items():
        if len(members) < 2:
            continue
        pairs = [pair_test(block_name, a, b) for a, b in combinations(members, 2)]
        reject, adjusted = stats.holm([pair.p_value for pair in pairs], alpha)
        for pair, significant, p_adjusted in zip(pairs, reject, adjusted):
            pair.significant, pair.p_holm = significant, p_adjusted
        pairs.sort(key=lambda pair: pair.p_value)
        groups.append(TestGroup(block_name, len(ids), members, pairs))
    groups.sort(key=lambda group: (blocks.index(group.block), -len(group.members)))
    return groups


def pair_test(block: str, a: Candidate, b: Candidate) -> PairTest:
    """McNemar's test of A against B on each paired seed, combined across seeds."""
    runs = list(zip(getattr(a, block)["runs"], getattr(b, block)["runs"]))
    tests = [stats.mcnemar_test(run_a["y_true"], run_a["y_pred"], run_b["y_pred"])
             for run_a, run_b in runs]
    signs = {(run_a["accuracy"] > run_b["accuracy"]) - (run_a["accuracy"] < run_b["accuracy"])
             for run_a, run_b in runs}
    agree = len(signs) == 1 and 0 not in signs
    p_value = max(t["p_value"] for t in tests) if agree else 1.0
    return PairTest(block, a, b, sum(t["a_only"] for t in tests),
                    sum(t["b_only"] for t in tests), p_value, len(runs), agree)


class Significance:
    """Look up whether two models differ significantly on a set of photos."""

    def __init__(self, groups: list[TestGroup]):
        self.groups = groups
        self._pairs = {}
        for group in groups:
            for pair in group.pairs:
                self._pairs[(group.block, pair.a.key, pair.b.key)] = pair
                self._pairs[(group.block, pair.b.key, pair.a.key)] = pair

    def pair(self, block: str, a: Candidate, b: Candidate) -> PairTest | None:
        """The test of A against B on ``block``; None when the two were not tested together."""
        return self._pairs.get((block, a.key, b.key))

    def between(self, block: str, a: Candidate, b: Candidate) -> bool | None:
        """True/False after Holm correction; None when the two were not tested together."""
        pair = self.pair(block, a, b)
        return None if pair is None else pair.significant
