"""The recommendation in words: why this model, what it needs before use, what to do next."""
from __future__ import annotations

from asl.metrics_file import HAND_FAMILIES
from asl.report import letters
from asl.report.candidates import Candidate
from asl.report.decision import CHEAPER, Recommendation
from asl.report.formatting import fmt_acc, fmt_bytes, fmt_ci, fmt_int, fmt_ms
from asl.report.narrative import chosen_on, hardest_classes, where
from asl.report.significance import Significance
from asl.report.verdicts import compared


def _on_each(rec: Recommendation, *models: Candidate) -> str:
    """Each choosing set's accuracies of ``models``: "0.877 against 0.851 on the selection
    half of the wild photos, 0.931 against 0.802 on the validation photos"."""
    return ", ".join(" against ".join(fmt_acc(m.accuracy(block)) for m in models)
                     + f" {where(block)}" for block in rec.blocks)


def _not_worse(rec: Recommendation) -> str:
    return "on either set" if len(rec.blocks) > 1 else "there"


def reasons(rec: Recommendation, significance: Significance) -> list[str]:
    """One sentence each on how it was chosen, explainability and cost. ``significance`` holds
    the tests on the photos the report states (in domain and the report half): the choice used
    the choosing sets, every comparison stated is made again on the reported photos."""
    best, chosen, reported = rec.best, rec.chosen, rec.reported
    measured = "; ".join(f"{fmt_acc(getattr(best, block)['accuracy'])} "
                         f"{fmt_ci(getattr(best, block)['accuracy_ci'])} {where(block)} "
                         f"({fmt_int(getattr(best, block)['n'])} photos)" for block in rec.blocks)
    said = [f"Accuracy: {best.title} is the most accurate {chosen_on(rec.blocks)}: {measured}."]
    if rec.blocks != ("test",):
        said.append("Those photos only choose the model and are reported nowhere else. "
                    + (f"On the untouched report half of the wild photos, {chosen.title} is "
                       f"right on {fmt_acc(chosen.wild['accuracy'])} "
                       f"{fmt_ci(chosen.wild['accuracy_ci'])}; in domain " if chosen.wild else
                       f"On the in-domain test photos {chosen.title} is right ")
                    + f"on {fmt_acc(chosen.test['accuracy'])} {fmt_ci(chosen.test['accuracy_ci'])}.")
    else:
        said.append("Neither wild photos nor validation answers were given, so the in-domain "
                    "test photos chose the model and also measure it: its in-domain accuracy "
                    "is optimistic.")
    explainable = rec.explainable
    if explainable is best:
        said.append("Explainability: it is also the explainable option, a logistic "
                    "regression whose coefficients can be inspected.")
    elif explainable:
        if rec.explainable_significant is None:
            choice = f"not tested against {best.title}"
        elif rec.explainable_significant:
            choice = (f"significantly less accurate than {best.title}"
                      + (" on at least one of the two sets" if len(rec.blocks) > 1 else ""))
        else:
            choice = f"not significantly less accurate than {best.title} {_not_worse(rec)}"
        gap_text = f"{chosen_on(rec.blocks)}, it is {choice} ({_on_each(rec, explainable, best)})"
        if rec.blocks != ("test",):
            gap_text += (f". {where(reported).capitalize()}: "
                         f"{fmt_acc(explainable.accuracy(reported))} against "
                         f"{fmt_acc(best.accuracy(reported))}, "
                         f"{compared(significance.pair(reported, explainable, best), explainable)}")
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
        stated = ("" if rec.blocks == ("test",) else
                  (f"; {where('wild')} {compared(significance.pair('wild', fast, chosen), fast)}"
                   if fast.wild and chosen.wild else "")
                  + f"; in domain {compared(significance.pair('test', fast, chosen), fast)}")
        said.append(
            f"Cost: {fast.title} answers in {fmt_ms(fast.latency_ms)} per photo instead of "
            f"{fmt_ms(chosen.latency_ms)}{size}, and {chosen_on(rec.blocks)} it is not "
            f"significantly less accurate {_not_worse(rec)} ({_on_each(rec, fast, chosen)})"
            f"{stated}; it is the choice for a small device.")
    else:
        said.append(
            f"Cost: {chosen.title} answers in {fmt_ms(chosen.latency_ms)} per photo and takes "
            f"{fmt_bytes(chosen.size_bytes)} on disk; no model at least {CHEAPER:g} times "
            f"faster or smaller matches its accuracy {chosen_on(rec.blocks)}.")
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
        chosen, best_wild = rec.chosen, rec.best_wild
        reached = (f"the recommended model is right on {fmt_acc(chosen.wild['accuracy'])} of the "
                   "report half of the wild photos" if chosen.wild else "")
        if best_wild is not chosen:
            reached += (("; " if reached else "") + f"the best of any model there, "
                        f"{best_wild.title}, on {fmt_acc(best_wild.wild['accuracy'])}")
        steps.append(f"Close the remaining domain gap: {reached}. "
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
