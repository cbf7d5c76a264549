"""The executive summary and the body's compact view of significance: the recommended model,
the explainable alternative, three findings, and each model against the baseline and the
recommended model."""
from __future__ import annotations

from asl.report.candidates import Candidate
from asl.report.decision import Recommendation
from asl.report.formatting import fmt_acc, fmt_ci, fmt_diff, fmt_p
from asl.report.narrative import GLANCE, Finding
from asl.report.results import Figure
from asl.report.significance import Significance
from asl.report.summary_figure import Point


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
                      plotted: list[Point]) -> dict:
    explainable = None
    if rec and rec.explainable is not None:
        explainable = {**headline(rec.explainable), "chosen": rec.explainable_chosen,
                       "significant": rec.explainable_significant}
    return {"recommended": headline(rec.chosen) if rec else None, "explainable": explainable,
            "figure": figure, "points": plotted, "findings": top_findings(found)}


def _cell(significance: Significance, block: str, model: Candidate, reference: Candidate | None
          ) -> dict | None:
    if reference is None or model is reference or not getattr(model, block) \
            or not getattr(reference, block):
        return None
    pair = significance.pair(block, model, reference)
    return {"diff": fmt_diff(model.accuracy(block) - reference.accuracy(block)),
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
