"""Which differences between models are significant, and by how much they differ: one rule for
every difference the report prints. Numbers only.

For two models scored on the same photos, each paired training seed gives a per-photo
difference in correctness; a cluster-robust t-test (clustered by held-out frame block in
domain; each wild photo on its own, since nothing groups them by person) gives its p-value and
its interval. With several seeds a difference must hold for every seed: the pair's p-value is
the largest of the seeds' and counts only when every seed points the same way (an
intersection-union test). Within each set of photos the pairs form one Holm family. Each
pair's interval is taken at the level of its Holm step and spans every seed's interval (the
dual of the intersection-union test), so it excludes zero exactly when Holm calls the
difference significant.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from asl import stats
from asl.report.candidates import Candidate

ALPHA = 0.05
BLOCK_LABELS = {"test": "in-domain test photos",
                "wild": "out-of-domain (wild) photos, report half",
                "wild_select": "out-of-domain (wild) photos, selection half"}


@dataclass(eq=False)
class PairTest:
    """Two models on the same photos: the difference A minus B, its test and interval."""

    block: str
    a: Candidate
    b: Candidate
    a_only: int               # photos only A gets right (summed over the seeds)
    b_only: int
    p_value: float            # the largest seed's p-value, or 1 when the seeds disagree
    seeds: int = 1            # seeds paired up (1: one training run of each)
    agree: bool = True        # every seed's difference points the same way
    p_holm: float = 1.0
    significant: bool = False
    difference: float = 0.0   # accuracy of A minus B, mean over the paired seeds
    interval: list = field(default_factory=lambda: [0.0, 0.0])   # at ``confidence``
    confidence: float = 1 - ALPHA
    family: int = 1           # pairs in its Holm family
    clustered: bool = False   # resampling unit: the frame block (True) or the photo
    tests: list = field(default_factory=list, repr=False)      # one stats.MeanTest per seed

    @property
    def better(self) -> Candidate:
        return self.a if self.a.accuracy(self.block) >= self.b.accuracy(self.block) else self.b

    def seen_from(self, model: Candidate) -> tuple[float, list[float]]:
        """(difference, interval) as ``model`` minus the other one."""
        if model is self.a:
            return self.difference, list(self.interval)
        return -self.difference, [-self.interval[1], -self.interval[0]]


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
    """Tests between every pair of trained models evaluated on the same photos, one Holm
    family per set of photos."""
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
        adjust(pairs, alpha)
        pairs.sort(key=lambda pair: pair.p_value)
        groups.append(TestGroup(block_name, len(ids), members, pairs))
    groups.sort(key=lambda group: (blocks.index(group.block), -len(group.members)))
    return groups


def adjust(pairs: list[PairTest], alpha: float = ALPHA) -> None:
    """Holm over the family; each interval at its Holm step's level, spanning the seeds."""
    p_values = [pair.p_value for pair in pairs]
    reject, adjusted = stats.holm(p_values, alpha)
    for pair, significant, p_adjusted, level in zip(pairs, reject, adjusted,
                                                    stats.holm_levels(p_values, alpha)):
        pair.significant, pair.p_holm, pair.family = significant, p_adjusted, len(pairs)
        pair.confidence = 1 - level
        seed_intervals = [test.interval(level) for test in pair.tests]
        pair.interval = [max(-1.0, min(low for low, _ in seed_intervals)),
                         min(1.0, max(high for _, high in seed_intervals))]


def pair_test(block: str, a: Candidate, b: Candidate) -> PairTest:
    """The per-seed cluster-robust tests of A against B, combined across seeds."""
    first = getattr(a, block)
    clusters = first.get("clusters")
    runs = list(zip(first["runs"], getattr(b, block)["runs"]))
    y_true = np.asarray(runs[0][0]["y_true"])
    right = [(np.asarray(ra["y_pred"]) == y_true, np.asarray(rb["y_pred"]) == y_true)
             for ra, rb in runs]
    tests = [stats.MeanTest(ok_a.astype(float) - ok_b, clusters) for ok_a, ok_b in right]
    signs = {int(np.sign(test.estimate)) for test in tests}
    agree = len(signs) == 1 and 0 not in signs
    p_value = max(test.p_value for test in tests) if agree else 1.0
    return PairTest(block, a, b, int(sum((ok_a & ~ok_b).sum() for ok_a, ok_b in right)),
                    int(sum((~ok_a & ok_b).sum() for ok_a, ok_b in right)), p_value,
                    len(runs), agree, difference=float(np.mean([t.estimate for t in tests])),
                    clustered=clusters is not None, tests=tests)


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
