"""The recommendation: which model is chosen, and which is offered as the explainable one."""
from asl.report.candidates import Candidate
from asl.report.decision import recommend
from asl.report.significance import Significance


def candidate(key, test, wild, explainable=False):
    return Candidate(key=key, variant=key.split(":")[0], title=key, short=key, anchor=key,
                     family="f", split_kind="frame_block", explainable=explainable,
                     test={"accuracy": test}, wild={"accuracy": wild},
                     wild_select={"accuracy": wild})


def test_the_explainable_alternative_is_the_most_accurate_explainable_model_not_the_first():
    models = [candidate("best", 0.9, 0.88),
              candidate("autoencoder:lr", 0.53, 0.06, explainable=True),
              candidate("hands:lr", 0.77, 0.82, explainable=True)]
    recommendation = recommend(models, Significance([]))
    assert recommendation.chosen.key == "best"
    assert recommendation.explainable.key == "hands:lr"
