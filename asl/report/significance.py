"""Which differences between models are significant: McNemar tests between every two models
scored on the same photos, Holm-corrected within each set of photos. Numbers only."""
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
    a_only: int               # photos only A gets right
    b_only: int
    p_value: float
    exact: bool
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
        pairs = []
        for a, b in combinations(members, 2):
            block_a, block_b = getattr(a, block_name), getattr(b, block_name)
            test = stats.mcnemar_test(block_a["y_true"], block_a["y_pred"], block_b["y_pred"])
            pairs.append(PairTest(block_name, a, b, test["a_only"], test["b_only"],
                                  test["p_value"], test["exact"]))
        reject, adjusted = stats.holm([pair.p_value for pair in pairs], alpha)
        for pair, significant, p_adjusted in zip(pairs, reject, adjusted):
            pair.significant, pair.p_holm = significant, p_adjusted
        pairs.sort(key=lambda pair: pair.p_value)
        groups.append(TestGroup(block_name, len(ids), members, pairs))
    groups.sort(key=lambda group: (blocks.index(group.block), -len(group.members)))
    return groups


class Significance:
    """Look up whether two models differ significantly on a set of photos."""

    def __init__(self, groups: list[TestGroup]):
        self.groups = groups
        self._pairs = {}
        for group in groups:
            for pair in group.pairs:
                self._pairs[(group.block, pair.a.key, pair.b.key)] = pair
                self._pairs[(group.block, pair.b.key, pair.a.key)] = pair

    def between(self, block: str, a: Candidate, b: Candidate) -> bool | None:
        """True/False after Holm correction; None when the two were not tested together."""
        pair = self._pairs.get((block, a.key, b.key))
        return None if pair is None else pair.significant
