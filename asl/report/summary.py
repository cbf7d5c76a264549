"""The executive summary and the body's compact view of significance: the recommended model,
the explainable alternative, three findings, and each model against the baseline and the
recommended model."""
from __future__ import annotations

from asl.report import letters
from asl.report.candidates import Candidate
from asl.report.decision import Recommendation
from asl.report.formatting import fmt_acc, fmt_ci, fmt_diff, fmt_int, fmt_ms, fmt_p
from asl.report.narrative import GLANCE, Finding, chosen_on, where
from asl.report.results import Figure
from asl.report.significance import Significance
from asl.report.summary_figure import Point
from asl.report.verdicts import compared


def headline(candidate: Candidate) -> dict:
    """A model's name, link and accuracies with intervals, in domain and out of domain."""
    wild = candidate.wild
    return {"title": candidate.title, "anchor": candidate.anchor,
            "appendix": f"appendix-{candidate.anchor}",
            "test_acc": fmt_acc(candidate.test["accuracy"]),
            "test_ci": fmt_ci(candidate.test["accuracy_ci"]),
            "wild_acc": fmt_acc(wild["accuracy"]) if wild else None,
            "wild_ci": fmt_ci(wild["accuracy_ci"]) if wild else None}


def top_findings(found: list[Finding], count: int = 3) -> list[Finding]:
    """The three findings a reader most needs: the GLANCE ones, else the first others."""
    chosen = [item for item in found if item.title in GLANCE]
    chosen += [item for item in found if item not in chosen][:count - len(chosen)]
    return sorted(chosen, key=found.index)[:count]


def executive_summary(rec: Recommendation | None, found: list[Finding], figure: Figure | None,
                      plotted: list[Point], significance: Significance | None = None,
                      n_classes: int | None = None) -> dict:
    """Page 1. Its comparisons are on the photos the report states: the report half of the
    wild photos (or, without them, the in-domain test photos), never the selection half."""
    explainable = None
    if rec and rec.explainable is not None:
        explainable = {**headline(rec.explainable), "chosen": rec.explainable_chosen,
                       "chosen_on": chosen_on(rec.blocks, brief=True),
                       "significant": rec.explainable_significant}
        if significance is not None and rec.explainable is not rec.best:
            block = rec.reported
            explainable["comparison"] = (
                f"{where(block)}, against {rec.best.title}: "
                f"{compared(significance.pair(block, rec.explainable, rec.best), rec.explainable)}")
    return {"recommended": headline(rec.chosen) if rec else None, "explainable": explainable,
            "figure": figure, "points": plotted, "findings": top_findings(found),
            "limits": limits(rec, significance, n_classes) if rec and significance else [],
            "terms": list(TERMS) if rec else []}


TERMS = ("Wild photos: photos of other people's hands, cut once into a selection half that only "
         "chooses the model and a report half on which every out-of-domain figure is given.",
         "Hand keypoints: the positions of the joints and finger tips of the hand that a "
         "hand detector finds in a photo.",
         "Forest: a random forest, many decision trees that vote.",
         "Significant after Holm over N pairs: the difference survives the Holm correction for "
         "testing N pairs of models on the same photos; its interval is widened to match.")


def limits(rec: Recommendation, significance: Significance, n_classes: int | None) -> list[str]:
    """What page 1 must not hide: one signer, the seeds, photos per letter, the recommended
    model's in-domain cost and latency against the best in-domain model, the chance level."""
    chosen, top = rec.chosen, rec.best_test
    seeds = chosen.n_seeds
    runs = ("once (one training run: differences between models do not cover the noise of "
            "training)" if seeds == 1 else f"{seeds} times, with different training seeds")
    said = ["The training photos show one signer in one place; the wild photos show other "
            "people.", f"Each model was trained {runs}."]
    if chosen.wild:
        supports = [row["support"] for row in chosen.wild["per_class"].values()
                    if row.get("support")]
        if supports:
            low, high = min(supports), max(supports)
            said.append(f"The report half of the wild photos holds {fmt_int(chosen.wild['n'])} "
                        f"photos, {low if low == high else f'{low} to {high}'} per letter: "
                        "per-letter figures are rough.")
        failed = letters.failing(letters.per_letter(chosen.wild))
        if failed:
            said.append(f"There the recommended model fails {letters.listed(failed)} (accuracy "
                        f"below {letters.THRESHOLD:.2f}; the recommendation's figure draws every "
                        "letter).")
    if top is not None and top is not chosen:
        said.append(f"In domain the recommended model's accuracy differs from the best "
                    f"in-domain model's, {top.title}, by "
                    f"{compared(significance.pair('test', chosen, top), chosen)}.")
        if chosen.latency_ms and top.latency_ms:
            ratio = chosen.latency_ms / top.latency_ms
            said.append(f"It answers in {fmt_ms(chosen.latency_ms)} per photo, " + (
                f"{ratio:.1f} times the {fmt_ms(top.latency_ms)} of {top.title}."
                if f"{ratio:.1f}" != "1.0" else f"as fast as {top.title}."))
    if n_classes:
        said.append(f"Chance level: guessing among the {n_classes} classes is right on "
                    f"{fmt_acc(1 / n_classes)} of photos.")
    return said


def _cell(significance: Significance, block: str, model: Candidate, reference: Candidate | None
          ) -> dict | None:
    if reference is None or model is reference or not getattr(model, block) \
            or not getattr(reference, block):
        return None
    pair = significance.pair(block, model, reference)
    return {"diff": fmt_diff(model.accuracy(block) - reference.accuracy(block)),
            "ci": fmt_ci(pair.seen_from(model)[1]) if pair else "",
            "p": fmt_p(pair.p_holm) if pair else "not tested",
            "significant": bool(pair and pair.significant)}


def against_rows(models: list[Candidate], baseline: Candidate | None,
                 recommended: Candidate | None, significance: Significance) -> list[dict]:
    """Each comparable model's accuracy difference from the baseline and from the recommended
    model, in domain and out of domain, with the Holm-corrected p-value."""
    return [{"title": c.title, "anchor": c.anchor,
             "cells": [_cell(significance, block, c, reference)
                       for block in ("test", "wild") for reference in (baseline, recommended)]}
            for c in models if c.comparable]
