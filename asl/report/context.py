"""Everything the template needs, computed from the variants' metrics files."""
from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

from asl.report import (adaptation, advice, ideas, narrative, seed_figures, sections, summary,
                        sweeps, tables)
from asl.report.candidates import candidates
from asl.report.decision import CHOOSING, recommend
from asl.report.narrative import chosen_on
from asl.report.formatting import fmt_acc
from asl.report.letters_figure import letters_figure
from asl.report.print_figures import PrintFigures
from asl.report.results import load_variant
from asl.report.significance import Significance, pairwise_tests
from asl.report.summary_figure import summary_figure

BODY = [   # the main body, numbered; the executive summary comes before it
    ("dataset", "Dataset"),
    ("objectives", "Objectives"),
    ("evaluation", "How we evaluated"),
    ("exploration", "Exploration, cleaning and feature engineering"),
    ("comparison", "Comparison of the variants"),
    ("variants", "The variants in brief"),
    ("recommendation", "Recommendation"),
    ("findings", "Key findings"),
    ("next-steps", "Next steps"),
]
APPENDICES = [
    ("appendix-variants", "Each variant in detail"),
    ("appendix-exploration", "More exploration figures"),
    ("appendix-tests", "Every pairwise test"),
    ("model-card", "Model card"),
    ("reproducibility", "Reproducibility"),
    ("listing", "Figures and tables"),
]
SECTIONS = BODY + APPENDICES


def chapters() -> list[dict]:
    """The chapters in print order, numbered 1, 2, ... and then Appendix A, B, ...; the
    template prints them in this order (templates/sections/<id>.html.j2)."""
    return ([{"id": id_, "title": title, "number": str(i), "appendix": False}
             for i, (id_, title) in enumerate(BODY, 1)]
            + [{"id": id_, "title": title, "number": letter, "appendix": True}
               for letter, (id_, title) in zip(string.ascii_uppercase, APPENDICES)])


def build_context(out_dir, variants: list[dict], manifest: dict, quick: bool,
                  failures: dict[str, str], study: dict | None = None) -> dict:
    """The template's context. ``variants`` are the declared variants with their build status
    and folder; ``study`` holds the original study's published accuracies (``reference``) and
    the minimum training accuracy of a model that learned (``min_train_accuracy``)."""
    study = study or {}
    reference = study.get("reference") or {}
    min_train = 0.0 if quick else float(study.get("min_train_accuracy") or 0.0)
    out_dir = Path(out_dir)
    prints = PrintFigures(out_dir)
    everything = [load_variant(v, out_dir, failures or {}, prints) for v in variants]
    results, sweep_tables = sweeps.choose(everything)
    exploration = next((r for r in results if r.kind == "exploration"
                        or r.role == "exploration"), None)
    model_results = [r for r in results if r is not exploration]
    for result in model_results:
        seed_figures.with_seed_curves(result, out_dir, prints)
    models = candidates(model_results, min_train)
    groups = pairwise_tests(models)
    significance = Significance(groups)
    selection = Significance(pairwise_tests(models, CHOOSING)
                             + [g for g in groups if g.block == "test"])
    rec = recommend(models, selection)
    roles = {r.role: c for r in model_results if r.role
             for c in models if c.key == r.name}
    measured = ideas.measure(study.get("ideas") or [], models, significance,
                             {r.name: r.title for r in model_results})
    detection = next((r.metrics["extra"]["detection"] for r in model_results
                      if r.metrics and (r.metrics.get("extra") or {}).get("detection")
                      and r.metrics["parameters"].get("retries", True)), {})
    found = narrative.findings(narrative.Facts(
        models, significance, rec, roles, exploration.metrics if exploration else None,
        reference, measured, detection))
    adapted = adaptation.section(model_results, models, rec.chosen if rec else None, out_dir,
                                 prints)
    found += [adapted["finding"]] if adapted and adapted["finding"] else []
    dataset = sections.dataset_section(exploration, model_results)
    before_use = advice.before_use(rec.chosen) if rec else []
    manifest = manifest or {}
    numbered = chapters()
    date = str(manifest.get("created") or dt.date.today().isoformat())
    mains = {c.variant: c for c in models if c.key == c.variant}
    figure, plotted = summary_figure(models, rec.chosen if rec else None, out_dir, prints)
    by_letter = letters_figure(rec.chosen if rec else None, out_dir, prints)
    prints.finish()
    return {
        "title": "Recognising the American Sign Language alphabet from photos",
        "subtitle": "Model variants, their evaluation and a recommendation",
        "author": manifest.get("author") or "ASL report generator",
        "date": date[:10], "quick": bool(quick),
        "sections": numbered, "section": {item["id"]: item for item in numbered},
        "original": {k: fmt_acc(v) for k, v in reference.items()},
        "dataset": dataset,
        "evaluation": sections.evaluation_section(model_results, models, groups, min_train,
                                                  quick, exploration.metrics if exploration
                                                  else None),
        "exploration": sections.exploration_section(exploration),
        "summary": summary.executive_summary(rec, found, figure, plotted, significance,
                                             dataset["n_classes"]),
        "variants": [tables.model_section(r, mains.get(r.name)) for r in model_results],
        "against": summary.against_rows(models, roles.get("baseline"),
                                        rec.chosen if rec else None, significance),
        "comparison": tables.comparison_rows(models, model_results, significance),
        "latency_batch": tables.common_batch(models),
        "not_fitted": [{"title": c.title, "train": fmt_acc(c.train_accuracy), "anchor": c.anchor}
                       for c in models if not c.fitted],
        "tests": groups,
        "ideas": tables.idea_rows(measured),
        "recommendation": None if rec is None else {
            "chosen": rec.chosen, "chosen_on": chosen_on(rec.blocks),
            "val_chooses": "val" in rec.blocks, "best_test": rec.best_test,
            "reasons": advice.reasons(rec, significance), "before_use": before_use,
            "letters": by_letter},
        "findings": found,
        "adaptation": adapted,
        "next_steps": advice.next_steps(rec, models),
        "model_card": tables.model_card(rec, model_results, dataset, before_use),
        "sweeps": sweep_tables,
        "reproducibility": sections.reproducibility(manifest, everything),
        "n_failed": sum(r.status in ("failed", "missing") for r in everything),
        "mixed_data": [{"fingerprint": key[:12], "runs": ", ".join(runs)}
                       for key, runs in (manifest.get("mixed_data") or {}).items()],
    }
