"""The recommended model letter by letter on the report half of the wild photos: each class's
accuracy with its interval and what it is most often read as, the letters it fails and the
motion letters, and the findings that name them. Numbers come from each seed's predictions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from asl.report.facts import Facts, Finding
from asl.report.formatting import fmt_acc, fmt_ci

THRESHOLD = 0.50
"""A class below this accuracy on the report half is one the model fails."""
MOTION = ("J", "Z")
"""Letters signed with a movement: a photo catches one moment of it."""


@dataclass
class Letter:
    """One class on the report half, over the training seeds."""

    name: str
    accuracy: float           # the seed mean
    interval: list[float]     # 95 % Wilson over the class's photos
    photos: int               # photos of the class (the same photos in every seed)
    seeds: list[float]        # each seed's accuracy
    read_as: str | None       # the most frequent wrong answer over all seeds
    read_as_count: int        # how many answers (photos x seeds) were that one

    @property
    def fails(self) -> bool:
        return self.accuracy < THRESHOLD

    @property
    def answers(self) -> int:
        return self.photos * len(self.seeds)


def _wilson(correct: float, n: int) -> list[float]:
    """95 % Wilson interval; ``correct`` may be a seed mean, counted over the same ``n``."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(correct, n, alpha=0.05, method="wilson")
    return [float(low), float(high)]


def per_letter(block: dict | None) -> list[Letter]:
    """Every class with photos in ``block`` (a seed-combined report-half block, its seeds in
    ``runs``), in class order."""
    if not block or not block.get("per_class"):
        return []
    runs = block.get("runs") or [block]
    names = list(block["per_class"])
    y_true = np.asarray(runs[0]["y_true"])
    predictions = [np.asarray(run["y_pred"]) for run in runs]
    letters = []
    for label, name in enumerate(names):
        members = y_true == label
        photos = int(members.sum())
        if not photos:
            continue
        right = [int((pred[members] == label).sum()) for pred in predictions]
        wrong = Counter(int(p) for pred in predictions for p in pred[members] if p != label)
        top = min(wrong.items(), key=lambda item: (-item[1], item[0])) if wrong else None
        mean_right = float(np.mean(right))
        letters.append(Letter(name, mean_right / photos, _wilson(mean_right, photos), photos,
                              [r / photos for r in right],
                              names[top[0]] if top else None, top[1] if top else 0))
    return letters


def failing(letters: list[Letter]) -> list[Letter]:
    """The classes below THRESHOLD, weakest first."""
    return sorted((x for x in letters if x.fails), key=lambda x: (x.accuracy, x.name))


def motion(letters: list[Letter]) -> list[Letter]:
    return [x for x in letters if x.name in MOTION]


def listed(letters: list[Letter]) -> str:
    """``M, C and U``."""
    names = [x.name for x in letters]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def describe(letter: Letter) -> str:
    """``M 0.133 [0.037, 0.379], most often read as N (13 of 15 photos)``; the counts are
    answers over the seeds when there are several."""
    text = f"{letter.name} {fmt_acc(letter.accuracy)} {fmt_ci(letter.interval)}"
    if letter.read_as is None:
        return text
    of = (f"{letter.read_as_count} of {letter.photos} photos" if len(letter.seeds) == 1 else
          f"{letter.read_as_count} of {letter.answers} answers over {len(letter.seeds)} seeds")
    return f"{text}, most often read as {letter.read_as} ({of})"


def photos_text(letters: list[Letter]) -> str:
    """``15 photos`` or ``14 to 16 photos`` per class."""
    counts = sorted({x.photos for x in letters})
    return f"{counts[0]} photos" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} photos"


def seeds_note(letters: list[Letter]) -> str:
    """What the accuracies and intervals are, as a sentence for findings and the caption."""
    n = len(letters[0].seeds) if letters else 1
    if n == 1:
        return "Intervals: 95 % Wilson over the class's photos, from one training run."
    return (f"Accuracies: means over {n} training seeds; intervals: 95 % Wilson over the "
            f"class's photos (the seeds answer the same photos, so they add none).")


def _chosen(facts: Facts):
    rec = facts.recommendation
    return rec.chosen if rec and rec.chosen.wild else None


def failing_letters(facts: Facts) -> Finding | None:
    """The classes the recommended model fails on the report half, and what it reads them as."""
    chosen = _chosen(facts)
    letters = per_letter(chosen.wild) if chosen else []
    if not letters:
        return None
    failed = failing(letters)
    lead = (f"On the report half of the wild photos ({photos_text(letters)} per class), the "
            f"recommended model, {chosen.title}, ")
    if failed:
        text = (lead + f"is below {THRESHOLD:.2f} on {len(failed)} of {len(letters)} classes: "
                + "; ".join(describe(x) for x in failed) + ".")
    else:
        weakest = sorted(letters, key=lambda x: (x.accuracy, x.name))[:3]
        text = (lead + f"is at or above {THRESHOLD:.2f} on every class; its weakest: "
                + "; ".join(describe(x) for x in weakest) + ".")
    return Finding("Letters it fails", f"{text} {seeds_note(letters)}")


def motion_letters(facts: Facts) -> Finding | None:
    """J and Z: signed with a movement that a single photo cannot show."""
    chosen = _chosen(facts)
    moving = motion(per_letter(chosen.wild)) if chosen else []
    if not moving:
        return None
    below = [x for x in moving if x.fails]
    one = len(below) == 1
    verdict = (f"{listed(below)} {'is' if one else 'are'} below {THRESHOLD:.2f}: the moment "
               f"photographed does not tell {'it' if one else 'them'} from other letters."
               if below else
               f"At or above {THRESHOLD:.2f}: on these photos the moment photographed sufficed.")
    scores = " and ".join(describe(x) for x in moving)
    return Finding("Motion letters",
                   f"{listed(moving)} {'are' if len(moving) > 1 else 'is'} signed with a "
                   f"movement, and a photo catches one moment of it. {chosen.title} scores "
                   f"{scores} on the report half. {verdict} The movement itself needs video.")
