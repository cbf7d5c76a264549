"""Sweeps: one table per sweep (its swept values against validation, in-domain and
out-of-domain accuracy), and the one member that enters the comparison: the most accurate on
its validation photos, never chosen on the test or wild photos."""
from __future__ import annotations

from asl.report.candidates import candidates
from asl.report.formatting import fmt_acc, fmt_spread
from asl.report.results import VariantResult


def validation_accuracy(metrics: dict) -> float | None:
    """A run's accuracy on its validation photos: ``val_accuracy`` if the notebook wrote it,
    else that of the epoch whose weights the model kept (Keras early stopping that stopped
    early restores the epoch of lowest validation loss; otherwise the last epoch's)."""
    if metrics.get("val_accuracy") is not None:
        return float(metrics["val_accuracy"])
    training = metrics.get("training") or {}
    history = training.get("history") or {}
    accuracy, loss = history.get("val_accuracy") or [], history.get("val_loss") or []
    if not accuracy:
        return None
    planned = (metrics.get("parameters") or {}).get("epochs")
    stopped_early = bool(planned) and len(accuracy) < planned and len(loss) == len(accuracy)
    return float(accuracy[loss.index(min(loss))] if stopped_early else accuracy[-1])


def mean_validation(result: VariantResult) -> float | None:
    """Validation accuracy averaged over the member's seeds (None if any lacks it)."""
    values = [validation_accuracy(run) for run in result.runs]
    return sum(values) / len(values) if values and None not in values else None


def choose(results: list[VariantResult]) -> tuple[list[VariantResult], list[dict]]:
    """The results the report compares (each sweep reduced to its best member) and one table
    per sweep."""
    sweeps: dict[str, list[VariantResult]] = {}
    for result in results:
        if result.sweep:
            sweeps.setdefault(result.sweep, []).append(result)
    tables, left_out = [], set()
    for name, members in sweeps.items():
        scored = [(mean_validation(m), i) for i, m in enumerate(members) if m.metrics]
        scored = [(score, i) for score, i in scored if score is not None]
        best = members[max(scored, key=lambda item: (item[0], -item[1]))[1]] if scored else None
        for member in members:
            if member is not best:
                member.in_comparison = False
                left_out.add(member.name)
        tables.append(table(name, members, best))
    return [r for r in results if r.name not in left_out], tables


def table(name: str, members: list[VariantResult], best: VariantResult | None) -> dict:
    """The sweep's rows: swept values, validation, test and wild accuracy (mean over seeds,
    with their spread), which member was chosen."""
    keys = list(members[0].swept)
    rows = []
    for member in members:
        found = candidates([member]) if member.metrics and member.kind == "model" else []
        main = found[0] if found else None
        rows.append({
            "name": member.name, "anchor": member.anchor, "chosen": member is best,
            "values": [member.swept.get(key) for key in keys],
            "val": fmt_acc(mean_validation(member)) if member.metrics else "",
            "test": fmt_acc(main.accuracy("test")) if main else "",
            "test_spread": fmt_spread(main.test) if main else "",
            "wild": fmt_acc(main.accuracy("wild")) if main and main.wild else "not evaluated",
            "wild_spread": fmt_spread(main.wild) if main and main.wild else "",
            "status": None if member.metrics else (member.reason or member.status)})
    return {"name": name, "anchor": f"sweep-{name}", "parameters": keys, "rows": rows,
            "title": best.title if best else name, "chosen": best.name if best else None,
            "best_anchor": best.anchor if best else None}
