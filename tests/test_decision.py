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


def chooser(key, select, val, test=0.9, explainable=False, latency_ms=None):
    """A model scored on both choosing sets (the wild selection half and validation)."""
    model = candidate(key, test, select, explainable=explainable, latency_ms=latency_ms)
    model.val = {"accuracy": val}
    return model


class SignificantOn(Significance):
    """Every pair differs significantly on ``blocks`` and on no other set of photos."""

    def __init__(self, *blocks):
        super().__init__([])
        self.blocks = blocks

    def between(self, block, a, b):
        return block in self.blocks


def test_the_validation_photos_choose_beside_the_selection_half():
    """The last full build: the fusion tied with the keypoint forest on the selection half
    (0.877) and the explainable regression was not significantly below them there, so a rule
    that looked at the selection half alone recommended the regression, 0.12 worse in domain.
    The validation photos, unseen frames of the training signer, now weigh half."""
    fusion = chooser("fusion", 0.877, 0.93, latency_ms=47)
    forest = chooser("hands", 0.877, 0.80, latency_ms=43)
    regression = chooser("hands:lr", 0.86, 0.78, explainable=True, latency_ms=43)
    rec = recommend([forest, regression, fusion], SignificantOn("val"))
    assert rec.blocks == ("wild_select", "val")
    assert rec.best is fusion and rec.chosen is fusion
    assert rec.explainable is regression and rec.explainable_significant is True
    for model in (fusion, forest, regression):      # without validation answers: the old rule
        model.val = None
    assert recommend([forest, regression, fusion], SignificantOn("val")).chosen is regression


def test_a_model_strong_on_one_set_alone_does_not_win():
    """Each set weighs half: the whole-photo network, near perfect on the training signer and
    poor on other people, loses to the model good on both."""
    whole_photo = chooser("mobilenet", 0.42, 0.97, test=0.94)
    fusion = chooser("fusion", 0.88, 0.92)
    keypoints = chooser("hands", 0.90, 0.79)
    rec = recommend([whole_photo, fusion, keypoints], SignificantOn("val", "wild_select"))
    assert rec.chosen is fusion


def test_the_explainable_model_replaces_the_winner_only_if_not_worse_on_either_set():
    winner = chooser("fusion", 0.88, 0.93)
    regression = chooser("hands:lr", 0.87, 0.80, explainable=True)
    assert recommend([winner, regression], SignificantOn("val")).chosen is winner
    assert recommend([winner, regression], SignificantOn("wild_select")).chosen is winner
    assert recommend([winner, regression], SignificantOn()).chosen is regression


def test_the_in_domain_test_photos_never_choose_when_validation_answers_exist():
    """Without wild photos the validation photos choose alone, so the reported in-domain
    accuracy is not the one that chose."""
    best_on_test = candidate("a", 0.99, None)
    best_on_val = candidate("b", 0.90, None)
    for model, val in ((best_on_test, 0.85), (best_on_val, 0.91)):
        model.wild = model.wild_select = None
        model.val = {"accuracy": val}
    rec = recommend([best_on_test, best_on_val], NothingSignificant())
    assert rec.blocks == ("val",) and rec.reported == "test"
    assert rec.chosen is best_on_val


def test_a_set_one_model_was_not_scored_on_does_not_choose():
    scored = chooser("a", 0.80, 0.99)
    unscored = candidate("b", 0.90, 0.85)      # an older run without validation answers
    rec = recommend([scored, unscored], NothingSignificant())
    assert rec.blocks == ("wild_select",) and rec.chosen is unscored
