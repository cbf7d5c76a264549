"""Uncertainty and significance: Wilson intervals, McNemar tests, Holm correction."""
from __future__ import annotations

import numpy as np


def wilson_ci(correct: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion (95 % by default)."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(int(correct), int(n), alpha=alpha, method="wilson")
    return float(low), float(high)


def mcnemar_test(y_true, pred_a, pred_b) -> dict:
    """McNemar's test on paired predictions: exact binomial when discordant pairs are few."""
    from statsmodels.stats.contingency_tables import mcnemar

    y_true, pred_a, pred_b = map(np.asarray, (y_true, pred_a, pred_b))
    a_ok, b_ok = pred_a == y_true, pred_b == y_true
    table = [[int((a_ok & b_ok).sum()), int((a_ok & ~b_ok).sum())],
             [int((~a_ok & b_ok).sum()), int((~a_ok & ~b_ok).sum())]]
    discordant = table[0][1] + table[1][0]
    exact = discordant < 25
    result = mcnemar(table, exact=exact, correction=True)
    return {"a_only": table[0][1], "b_only": table[1][0], "statistic": float(result.statistic),
            "p_value": float(result.pvalue), "exact": exact}


def holm(p_values, alpha: float = 0.05) -> tuple[list[bool], list[float]]:
    """Holm-Bonferroni correction: (reject, adjusted p-values).

    The step-down rule in NumPy: statsmodels' ``multipletests(method="holm")`` gives the same
    answers (a test checks it) but runs a full garbage collection on every call, 0.2-0.5 s in
    a process that holds a laid-out report."""
    p = np.asarray(list(p_values), dtype=float)
    if len(p) == 0:
        return [], []
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p))))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [bool(a <= alpha) for a in adjusted], [float(a) for a in adjusted]
