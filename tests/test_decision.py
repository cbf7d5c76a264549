"""The recommendation: which model is chosen, and which is offered as the explainable one."""
from asl.report.candidates import Candidate
from asl.report.decision import recommend
from asl.report.significance import Significance


def candidate(key, test, wild, explainable=False, latency_ms=None, size_bytes=None):
    return Candidate(key=key, variant=key.split(":")[0], title=key, short=key, anchor=key,
                     family="f", split_kind="frame_block", explainable=explainable,
                     test={"accuracy": test}, wild={"accuracy": wild},
                     wild_select={"accuracy": wild}, latency_ms=latency_ms,
                     size_bytes=size_bytes)


class NothingSignificant(Significance):
    def __init__(self):
        super().__init__([])

    def between(self, block, a, b):
        return False


def test_the_explainable_alternative_is_the_most_accurate_explainable_model_not_the_first():
    models = [candidate("best", 0.9, 0.88),
              candidate("autoencoder:lr", 0.53, 0.06, explainable=True),
              candidate("hands:lr", 0.77, 0.82, explainable=True)]
    recommendation = recommend(models, Significance([]))
    assert recommendation.chosen.key == "best"
    assert recommendation.explainable.key == "hands:lr"


def test_a_model_is_named_for_small_devices_only_when_it_is_much_cheaper():
    """A few per cent faster is no reason to leave the recommended model (the keypoint model
    without retries was offered at 66 instead of 80 ms, at the same size)."""
    chosen = candidate("hands:lr", 0.77, 0.82, latency_ms=80.0, size_bytes=47e6)
    slightly = candidate("no_retries:lr", 0.52, 0.81, latency_ms=66.0, size_bytes=47e6)
    assert recommend([chosen, slightly], NothingSignificant()).cheaper is None
    faster = candidate("cnn", 0.8, 0.8, latency_ms=30.0, size_bytes=47e6)
    assert recommend([chosen, slightly, faster], NothingSignificant()).cheaper is faster
    smaller = candidate("small", 0.8, 0.8, latency_ms=79.0, size_bytes=3e6)
    assert recommend([chosen, slightly, smaller], NothingSignificant()).cheaper is smaller
    smaller_but_slower = candidate("small", 0.8, 0.8, latency_ms=120.0, size_bytes=3e6)
    assert recommend([chosen, smaller_but_slower], NothingSignificant()).cheaper is None


def test_an_ablation_is_compared_but_never_recommended_nor_offered():
    """A variant with a part taken out (fusion fitted on the wild photos alone) may score best
    on the selection half; the recommendation goes to the best model that is not an ablation."""
    ablation = candidate("fusion_wild_only", 0.80, 0.95, latency_ms=10.0)
    ablation.ablation = True
    fusion = candidate("fusion", 0.93, 0.92, latency_ms=80.0)
    recommendation = recommend([ablation, fusion], NothingSignificant())
    assert recommendation.chosen is fusion and recommendation.best is fusion
    assert recommendation.cheaper is None               # 8 times faster, but an ablation
    assert recommendation.best_wild is ablation         # still compared
    assert recommend([ablation], NothingSignificant()) is None
