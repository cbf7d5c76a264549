"""The key findings, one function each (a finding or None); every number comes from the
records. The recommendation's reasons and the next steps are in advice.py."""
from __future__ import annotations

from asl.metrics_file import HAND_FAMILIES
from asl.report.candidates import Candidate
from asl.report.decision import best
from asl.report.facts import Facts, Finding  # noqa: F401 (narrative.Facts, .Finding)
from asl.report.formatting import fmt_acc, fmt_ci, fmt_diff
from asl.report.letters import failing_letters, motion_letters
from asl.report.significance import TestGroup
from asl.report.verdicts import NOT_TESTED, by_verdict, compared


def where(block: str) -> str:
    return {"wild": "on the report half of the wild photos",
            "wild_select": "on the selection half of the wild photos",
            "val": "on the validation photos"}.get(block, "on the in-domain test photos")


def chosen_on(blocks, brief: bool = False) -> str:
    """The photos that chose the recommended model (``Recommendation.blocks``), in words;
    ``brief`` for the summary page."""
    if tuple(blocks) == ("wild_select", "val"):
        return ("on the wild selection half and the validation photos" if brief else
                "on the photos that choose (the selection half of the wild photos and the "
                "validation photos, each weighing half)")
    return where(blocks[0])


def hardest_classes(block: dict | None, count: int = 3) -> str:
    """The classes with the lowest recall in an evaluation block, as text."""
    if not block or not block.get("per_class"):
        return "not recorded"
    per_class = [(name, values.get("recall", values.get("accuracy")))
                 for name, values in block["per_class"].items()
                 if values.get("support", 1) and values.get("recall", values.get("accuracy"))
                 is not None]
    per_class.sort(key=lambda item: (item[1], item[0]))
    return ", ".join(f"{name} ({fmt_acc(value)})" for name, value in per_class[:count])


# ---------------------------------------------------------------- findings

def leakage_gap(facts: Facts) -> Finding:
    baseline, control = facts.roles.get("baseline"), facts.roles.get("leakage_control")
    if not (baseline and control):
        missing = [name for name, c in (("the baseline", baseline),
                                        ("the leakage control", control)) if not c]
        return Finding("Leakage gap", f"Not measured: {' and '.join(missing)} has no results "
                       "in this build.")
    gap = control.test["accuracy"] - baseline.test["accuracy"]
    original = facts.reference.get("cnn")
    citation = (f" The original study's {fmt_acc(original)} came from a random split (and 26 "
                "classes), so it overstates accuracy on unseen frames and is not like for like."
                if original is not None else "")
    return Finding("Leakage gap",
                   f"The same CNN scores {fmt_acc(control.test['accuracy'])} "
                   f"{fmt_ci(control.test['accuracy_ci'])} on a random split but "
                   f"{fmt_acc(baseline.test['accuracy'])} {fmt_ci(baseline.test['accuracy_ci'])} "
                   f"on the frame-block split: a leakage gap of {fmt_diff(gap)} (the two splits "
                   f"test different photos, so the gap is not tested).{citation}")


def near_duplicates(facts: Facts) -> Finding | None:
    duplicates = (facts.exploration or {}).get("near_duplicates") or {}
    shares = [(name.replace("_", "-"), values["fraction"]) for name, values in duplicates.items()
              if isinstance(values, dict) and values.get("fraction") is not None]
    if not shares:
        return None
    return Finding("Near-duplicate frames", "Share of test photos with a near-duplicate in "
                   "training: " + "; ".join(f"{name} split {fmt_acc(value)}"
                                            for name, value in shares) + ".")


def detection_reason(facts: Facts) -> str:
    """Why a hand-based model can do better on the wild photos: the detector's rates."""
    train, wild = (facts.detection.get(name) or {} for name in ("training photos", "wild photos"))
    if train.get("first_pass") is None or wild.get("first_pass") is None:
        return ""
    return (f" Why a gap below zero: the hand detector finds a hand in "
            f"{fmt_acc(train['first_pass'])} of the training signer's photos on its first pass "
            f"({fmt_acc(train.get('after_retries'))} after retries) but in "
            f"{fmt_acc(wild['first_pass'])} of the wild photos "
            f"({fmt_acc(wild.get('after_retries'))}), and a photo without a hand counts as wrong.")


def _gap_sentence(model: Candidate, label: str) -> str:
    gap = model.test["accuracy"] - model.wild["accuracy"]
    moves = "drops" if gap > 0 else "rises" if gap < 0 else "stays"
    return (f"{model.title}, {label}, {moves} from {fmt_acc(model.test['accuracy'])} "
            f"{fmt_ci(model.test['accuracy_ci'])} on unseen frames of the training signer to "
            f"{fmt_acc(model.wild['accuracy'])} {fmt_ci(model.wild['accuracy_ci'])} on the report "
            f"half of other people's photos (gap {fmt_diff(gap)})")


def domain_gap(facts: Facts) -> Finding | None:
    """In-domain minus wild accuracy of the best in-domain and the recommended model."""
    best_test = facts.recommendation.best_test if facts.recommendation else None
    if best_test is None:
        return None
    if not best_test.wild:
        return Finding("Domain gap", "Not measured: no out-of-domain (wild) photos were given "
                       "to this build.")
    shown = [best_test]
    text = _gap_sentence(best_test, "the best in domain")
    chosen = facts.recommendation.chosen
    if chosen is not best_test and chosen.wild:
        shown.append(chosen)
        text += "; " + _gap_sentence(chosen, "the recommended model")
    text += (". The gap is in-domain minus wild accuracy, on different photos, so it is not "
             "tested.")
    if any(m.test["accuracy"] < m.wild["accuracy"] and m.family in HAND_FAMILIES
           for m in shown):
        text += detection_reason(facts)
    return Finding("Domain gap", text)


def best_out_of_domain(facts: Facts) -> Finding | None:
    """The most accurate model on the report half, tested against the runner-up there."""
    rec = facts.recommendation
    if not rec or not rec.best_wild:
        return None
    top = rec.best_wild
    others = [c for c in facts.models if c is not top]
    runner_up = best(others, "wild")
    text = (f"{top.title} is the most accurate on the report half of the wild photos: "
            f"{fmt_acc(top.wild['accuracy'])} {fmt_ci(top.wild['accuracy_ci'])}")
    if runner_up is None:
        return Finding("Best out of domain", text + "; no other model was scored there.")
    pair = facts.significance.pair("wild", top, runner_up)
    return Finding("Best out of domain",
                   text + f". Against the runner-up, {runner_up.title} "
                   f"({fmt_acc(runner_up.wild['accuracy'])}): {compared(pair, top)}.")


def against_baseline(facts: Facts) -> Finding | None:
    """The models by the verdict of the same Holm-adjusted test against the baseline, in and
    out of domain (their differences and intervals are in the comparison's table)."""
    baseline = facts.roles.get("baseline")
    if baseline is None or not baseline.comparable:
        return None
    others = [m for m in facts.models if m is not baseline and m.comparable and not m.explainable]
    blocks = [block for block in ("test", "wild") if baseline.accuracy(block) is not None]
    tested = {(m.key, block): facts.significance.pair(block, m, baseline)
              for m in others for block in blocks}
    pairs = [pair for pair in tested.values() if pair]
    places = [by_verdict(others, baseline, block, tested) for block in blocks]
    if not any(places):
        return None
    families = {("in domain" if p.block == "test" else "out of domain"): p.family for p in pairs}
    holm = " and ".join(f"{n} pairs {place}" for place, n in families.items())
    return Finding("Against the baseline", f"Each model against {baseline.title}. "
                   + " ".join(filter(None, places)) + " (Out of domain on the report half of "
                   "the wild photos; verdicts of the test on the same photos"
                   + (f", adjusted for Holm over {holm}" if holm else "")
                   + f"; {_runs_note(pairs)}. Each difference with its interval and p-value: "
                   "\"Which differences are significant\" in the comparison.)")


ONE_RUN_EACH = "one training run each"


def _runs_note(pairs: list) -> str:
    """What the verdicts of these pairs rest on, for a finding's closing note."""
    return (ONE_RUN_EACH if all(p.seeds == 1 for p in pairs) else
            "over the seeds both sides ran; \"one training run\" where a side ran once")


def calibration_word(ece: float, gap: float) -> str:
    """What the numbers say: over- or underconfident only when the mean gap between confidence
    and accuracy makes up most of the calibration error; otherwise the errors of different
    confidence ranges cancel in the mean."""
    if abs(gap) >= ece / 2:
        return "overconfident on average" if gap > 0 else "underconfident on average"
    return (f"over- and underconfident in different confidence ranges (the mean gap, "
            f"{fmt_diff(gap)}, is far smaller than the calibration error)")


def calibration(facts: Facts) -> Finding | None:
    rec = facts.recommendation
    calibrated = [c for c in facts.models if c.comparable and c.calibration.get("test")]
    chosen = rec.chosen if rec else None
    if calibrated and not any(c is chosen for c in calibrated):
        chosen = max(calibrated, key=lambda c: (rec.score(c) if rec else c.accuracy("test"))
                     or 0)
    if not chosen or not chosen.calibration.get("test"):
        return None
    parts = []
    for block, place in (("test", "in domain"), ("wild", "on the wild photos")):
        table = chosen.calibration.get(block)
        if not table or table.get("ece") is None:
            continue
        if block == "wild":
            place = ("on the report half of the wild photos" if table.get("photos") ==
                     "report half" else "on all wild photos")
        part = f"{fmt_acc(table['ece'])} {place}"
        evaluated = getattr(chosen, block) or {}
        accuracy = ((evaluated.get("runs") or [evaluated])[0].get("accuracy")   # its seed
                    if table.get("photos") != "all wild photos" else None)
        confidence = table.get("mean_confidence")
        if confidence is not None and accuracy is not None:
            part += (f" (mean confidence {fmt_acc(confidence)} against accuracy "
                     f"{fmt_acc(accuracy)}: {calibration_word(table['ece'], confidence - accuracy)})")
        parts.append(part)
    which = "the recommended model, " if rec and chosen is rec.chosen else ""
    return Finding("Calibration", f"Expected calibration error of {which}{chosen.title}: "
                   + "; ".join(parts) + ".")


def transfer_learning(facts: Facts) -> Finding | None:
    transfer = [c for c in facts.models if c.family == "transfer" and c.comparable]
    if not transfer:
        return None
    best = max(transfer, key=lambda c: c.test["accuracy"])
    original = facts.reference.get("vgg16_frozen")
    against = (f". The original study reports {fmt_acc(original)} for a frozen VGG16, but on a "
               "random split with near-duplicate frames on both sides and 26 classes: not a like "
               "for like comparison" if original is not None else "")
    return Finding("Transfer learning",
                   f"{best.title} reaches {fmt_acc(best.test['accuracy'])} in domain{against}.")


def significance_count(facts: Facts) -> Finding | None:
    groups: list[TestGroup] = facts.significance.groups
    n_pairs = sum(len(g.pairs) for g in groups)
    if not n_pairs:
        return None
    return Finding("Significance",
                   f"{sum(g.n_significant for g in groups)} of {n_pairs} pairwise differences "
                   "are significant after Holm correction (" + "; ".join(
                       f"{g.n_significant} of {len(g.pairs)} on the {g.label}" for g in groups)
                   + ").")


def ideas_that_worked(facts: Facts) -> Finding | None:
    """Each measured idea's effect out of domain and in domain, grouped by the out-of-domain
    verdict; the words are the verdicts of the tests whose intervals are printed."""
    measured = [idea for idea in facts.ideas if idea.wild is not None]
    if not measured:
        return None
    family = measured[0].wild.pair.family if measured[0].wild.pair else None
    holm = f" after Holm over {family} pairs" if family else ""
    groups = [(label, ideas) for label, ideas in (
        ("Raised accuracy on other people's photos, significant",
         [i for i in measured if i.wild.significant and i.wild.difference > 0]),
        ("Lowered it, significant", [i for i in measured if i.wild.significant
                                     and i.wild.difference < 0]),
        ("On other people's photos, not significant",
         [i for i in measured if not i.wild.significant])) if ideas]
    groups[0] = (groups[0][0] + holm, groups[0][1])     # said once, where the verdicts begin
    pairs = [e.pair for i in measured for e in (i.wild, i.test) if e is not None and e.pair]
    runs = _runs_note(pairs)
    in_domain = next((i.test.pair.family for i in measured if i.test and i.test.pair), None)
    families = (f" ({family} pairs out of domain, {in_domain} in domain)"
                if family and in_domain else "")
    return Finding("Which ideas worked", " ".join(
        f"{label}: {'; '.join(_idea_text(i, runs) for i in ideas)}." for label, ideas in groups)
        + f" (Each idea: two variants that differ in it alone; out of domain: the "
        f"report half of the wild photos; in domain: named where significant, every effect in "
        f"the ideas table; intervals and verdicts after Holm{families}; {runs}.)")


def _idea_text(idea, runs: str) -> str:
    """``Retries +0.030 [-0.024, 0.084] (in domain +0.259 [0.056, 0.461], significant)``; the
    in-domain effect only where it is significant."""
    text = f"{idea.name} {fmt_diff(idea.wild.difference)} {fmt_ci(idea.wild.interval)}"
    if runs != ONE_RUN_EACH and idea.wild.pair and idea.wild.pair.seeds == 1:
        text += " (one training run)"
    if idea.test is not None and idea.test.significant:
        text += (f" (in domain {fmt_diff(idea.test.difference)} {fmt_ci(idea.test.interval)}, "
                 "significant)")
    return text


def hand_detection(facts: Facts) -> Finding | None:
    rates = {name: summary for name, summary in facts.detection.items()
             if summary.get("after_retries") is not None}
    reason = detection_reason(facts)
    quoted = reason and reason in (domain_gap(facts) or Finding("", "")).text
    if not rates or quoted and set(rates) <= {"training photos", "wild photos"}:
        return None         # none measured, or the domain gap already quotes the same rates
    return Finding("Finding the hand", "The hand detector found a hand in " + "; ".join(
        f"{fmt_acc(s['after_retries'])} of the {name} that show one ({fmt_acc(s['first_pass'])}"
        " in its first pass)" for name, s in rates.items()) + ". Every photo without a detected "
        "hand is answered 'nothing', and counts as wrong unless it is one.")


FINDINGS = (leakage_gap, near_duplicates, domain_gap, best_out_of_domain, failing_letters,
            motion_letters, ideas_that_worked, hand_detection, against_baseline, calibration,
            transfer_learning, significance_count)
GLANCE = ("Domain gap", "Best out of domain", "Which ideas worked")   # the summary's three


def findings(facts: Facts) -> list[Finding]:
    return [found for found in (make(facts) for make in FINDINGS) if found]
