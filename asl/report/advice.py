"""The recommendation in words: why this model, what it needs before use, what to do next."""
from __future__ import annotations

from asl.metrics_file import HAND_FAMILIES
from asl.report import letters
from asl.report.candidates import Candidate
from asl.report.decision import CHEAPER, Recommendation
from asl.report.formatting import fmt_acc, fmt_bytes, fmt_ci, fmt_ms
from asl.report.narrative import hardest_classes, where
from asl.report.significance import Significance
from asl.report.verdicts import compared


def _reported(rec: Recommendation) -> str:
    """The photos a comparison is reported on: the report half, or the in-domain test photos
    when there is no wild set."""
    return "wild" if rec.primary == "wild_select" else "test"


def reasons(rec: Recommendation, significance: Significance) -> list[str]:
    """One sentence each on how it was chosen, explainability and cost. ``significance`` holds
    the tests on the photos the report states (in domain and the report half): the choice used
    the selection half, every comparison stated is made again on the report half."""
    best, primary, chosen = rec.best, rec.primary, rec.chosen
    chosen_on = getattr(best, primary)
    said = [f"Accuracy: {best.title} is the most accurate {where(primary)}, "
            f"{fmt_acc(chosen_on['accuracy'])} {fmt_ci(chosen_on['accuracy_ci'])} on "
            f"{chosen_on['n']} photos."]
    if primary == "wild_select":
        said.append(f"Those photos only choose the model and are reported nowhere else. On the "
                    f"untouched report half of the wild photos, {chosen.title} is right on "
                    f"{fmt_acc(chosen.wild['accuracy'])} {fmt_ci(chosen.wild['accuracy_ci'])}; "
                    f"in domain on {fmt_acc(chosen.test['accuracy'])} "
                    f"{fmt_ci(chosen.test['accuracy_ci'])}.")
    else:
        said.append("No wild photos were given, so the in-domain test photos chose the model "
                    "and also measure it: its in-domain accuracy is optimistic.")
    explainable = rec.explainable
    if explainable is best:
        said.append("Explainability: it is also the explainable option, a logistic "
                    "regression whose coefficients can be inspected.")
    elif explainable:
        reported = _reported(rec)
        choice = ("not significantly" if rec.explainable_significant is False
                  else "significantly" if rec.explainable_significant else "untested as")
        gap_text = (f"{where(primary)}, which only choose, it is {choice} less accurate than "
                    f"{best.title} ({fmt_acc(explainable.accuracy(primary))} against "
                    f"{fmt_acc(best.accuracy(primary))}). {where(reported).capitalize()}: "
                    f"{fmt_acc(explainable.accuracy(reported))} against "
                    f"{fmt_acc(best.accuracy(reported))}, "
                    f"{compared(significance.pair(reported, explainable, best), explainable)}")
        if primary == "test":
            gap_text = (f"{where(primary)} it scores {fmt_acc(explainable.accuracy(primary))} "
                        f"against {fmt_acc(best.accuracy(primary))}, "
                        f"{compared(significance.pair(primary, explainable, best), explainable)}")
        if rec.explainable_chosen:
            said.append(f"Explainability: {explainable.title} is the explainable option. "
                        f"{gap_text[0].upper()}{gap_text[1:]}. Explainability therefore decides, "
                        "and it is recommended instead: its coefficients show which features "
                        "drive each letter.")
        else:
            said.append(f"Explainability: {explainable.title} is the explainable option. "
                        f"{gap_text[0].upper()}{gap_text[1:]}. It is the choice only where every "
                        "decision must be explained.")
    else:
        said.append("Explainability: no explainable option (a logistic regression) has "
                    "results in this build, so it could not be weighed.")
    if rec.cheaper:
        fast = rec.cheaper
        size = (f" and takes {fmt_bytes(fast.size_bytes)} on disk instead of "
                f"{fmt_bytes(chosen.size_bytes)}" if fast.size_bytes and chosen.size_bytes
                and fast.size_bytes < chosen.size_bytes else "")
        in_domain = ("" if primary == "test" else
                     f"; {where('wild')} {compared(significance.pair('wild', fast, chosen), fast)}"
                     f"; in domain {compared(significance.pair('test', fast, chosen), fast)}")
        said.append(
            f"Cost: {fast.title} answers in {fmt_ms(fast.latency_ms)} per photo instead of "
            f"{fmt_ms(chosen.latency_ms)}{size}, with an accuracy {where(primary)} "
            f"({fmt_acc(fast.accuracy(primary))}) that is not significantly different"
            f"{in_domain}; it is the choice for a small device.")
    else:
        said.append(
            f"Cost: {chosen.title} answers in {fmt_ms(chosen.latency_ms)} per photo and takes "
            f"{fmt_bytes(chosen.size_bytes)} on disk; no model at least {CHEAPER:g} times "
            f"faster or smaller matches its accuracy {where(primary)}.")
    return said


def before_use(chosen: Candidate) -> list[str]:
    """What the recommended model needs before anyone relies on it."""
    steps = []
    if chosen.wild:
        steps.append(f"It is right on {fmt_acc(chosen.wild['accuracy'])} of the report half of "
                     f"other people's photos and on {fmt_acc(chosen.test['accuracy'])} of unseen "
                     "frames of the training signer. Its training photos show one signer: it "
                     "needs photos from many signers, hands, backgrounds and lighting "
                     "conditions, and a new out-of-domain test grouped by signer, before "
                     "real-world use.")
        failed = letters.failing(letters.per_letter(chosen.wild))
        if failed:
            steps.append(f"It fails {letters.listed(failed)} on the wild photos (below "
                         f"{letters.THRESHOLD:.2f}; key findings): they need targeted data.")
        else:
            steps.append(f"Its weakest letters on the wild photos are "
                         f"{hardest_classes(chosen.wild)}; these need targeted data.")
    else:
        steps.append("No out-of-domain photos were evaluated: its accuracy on other people's "
                     "hands is unknown and must be measured before any real-world use.")
    steps.append("A confidence threshold with a 'not sure' answer, checked with a calibration "
                 "view, so that uncertain photos are not given a confident wrong letter.")
    steps.append("J and Z are signed with a movement a single photo cannot show: they need "
                 "video input.")
    steps.append("An evaluation on photos from its intended users and a review of its errors "
                 "with signers.")
    return steps


def next_steps(rec: Recommendation | None, models: list[Candidate]) -> list[str]:
    """What to do next, tied to this build's weakest numbers."""
    steps = []
    if rec and rec.best_wild:
        hand_based = any(c.family in HAND_FAMILIES for c in models)
        steps.append(f"Close the remaining domain gap: the best accuracy on the report half of "
                     f"the wild photos is {fmt_acc(rec.best_wild.wild['accuracy'])}. "
                     + ("The models that look only at the hand carry over best; training photos "
                        "of many more signers, hands and rooms, and a test set grouped by signer, "
                        "are what they need next." if hand_based else
                        "Add photos of many signers and settings to training, and crop the hand "
                        "with a hand detector before classifying so the background stops "
                        "mattering."))
    else:
        steps.append("Evaluate every variant on photos of other people (--wild): without them "
                     "the report cannot say how the models generalise.")
    if not any(c.family == "transfer" for c in models):
        steps.append("Add the transfer-learning variant (MobileNet with ImageNet weights); it has "
                     "no results in this build.")
    steps.append("Fine-tune a larger ImageNet backbone at a larger input size where its weights "
                 "are available, and compare it on the same frame-block and wild photos.")
    steps.append("Report calibration and add a 'not sure' answer below a confidence threshold.")
    steps.append("Move from single photos to short video clips, which J and Z need.")
    return steps
