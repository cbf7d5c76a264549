"""Uncertainty and significance: Wilson intervals, cluster-robust tests and
block-bootstrap intervals for photos that come in frame blocks, Holm correction."""
from __future__ import annotations

import numpy as np


def wilson_ci(correct: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion (95 % by default)."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(int(correct), int(n), alpha=alpha, method="wilson")
    return float(low), float(high)


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


def _codes(clusters, n: int) -> np.ndarray:
    """Integer cluster codes; every photo its own cluster when ``clusters`` is None."""
    if clusters is None:
        return np.arange(n)
    return np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()


def cluster_bootstrap_interval(values, clusters=None, confidence: float = 0.95,
                               resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-photo ``values`` (correctness, 0/1 or
    averaged over seeds) that resamples whole clusters (held-out frame blocks), not photos."""
    from scipy.stats import bootstrap

    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    codes = _codes(clusters, len(values))
    if np.all(values == values[0]) or codes.max() == 0:
        return (float(values.mean()), float(values.mean()))
    sums, counts = np.bincount(codes, weights=values), np.bincount(codes)
    result = bootstrap((sums, counts), lambda s, c, axis=-1: s.sum(axis) / c.sum(axis),
                       paired=True, vectorized=True, n_resamples=resamples,
                       confidence_level=confidence, method="percentile",
                       random_state=np.random.default_rng(seed))
    low, high = result.confidence_interval
    return float(low), float(high)


class MeanTest:
    """Cluster-robust t-test that per-photo differences have mean zero: the standard error of
    the mean is clustered by frame block (statsmodels' OLS with ``cov_type="cluster"`` on a
    constant gives the same numbers; a test checks it, and this is a hundred times faster),
    with ``G - 1`` degrees of freedom for ``G`` clusters. Its interval at ``1 - a`` excludes
    zero exactly when the p-value is at most ``a``."""

    def __init__(self, differences, clusters=None):
        from scipy.stats import t

        values = np.asarray(differences, dtype=float)
        self.estimate = float(values.mean()) if len(values) else float("nan")
        codes = _codes(clusters, len(values))
        self.clusters = int(codes.max() + 1) if len(values) else 0
        self._t, self.se = t(max(1, self.clusters - 1)), 0.0
        if self.clusters < 2 or np.all(values == values[0]):
            self.p_value = 1.0 if not self.estimate else 0.0
            return
        sums = np.bincount(codes, weights=values - self.estimate)
        g = self.clusters
        self.se = float(np.sqrt(g / (g - 1) * np.sum(sums ** 2)) / len(values))
        self.p_value = float(2 * self._t.sf(abs(self.estimate) / self.se)) if self.se else \
            float(self.estimate == 0)

    def interval(self, alpha: float = 0.05) -> tuple[float, float]:
        half = float(self._t.ppf(1 - alpha / 2)) * self.se
        return self.estimate - half, self.estimate + half


def holm_levels(p_values, alpha: float = 0.05) -> list[float]:
    """Per hypothesis, the level its interval must use so that the interval excludes zero
    exactly when Holm rejects it: alpha / (m - k + 1) at its step k, and after the first step
    that is not rejected, that step's level for every later one."""
    p = np.asarray(list(p_values), dtype=float)
    m = len(p)
    levels = np.empty(m)
    stop = None
    for rank, index in enumerate(np.argsort(p, kind="stable")):
        level = alpha / (m - rank)
        if stop is None and p[index] > level:
            stop = level
        levels[index] = level if stop is None else stop
    return [float(level) for level in levels]


def calibration_table(confidence, correct, bins: int = 10) -> dict:
    """Reliability table and expected calibration error of top-class confidences."""
    confidence, correct = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=bool)
    edges = np.linspace(0, 1, bins + 1)
    rows, ece = [], 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            gap = abs(correct[inside].mean() - confidence[inside].mean())
            ece += inside.mean() * gap
            rows.append({"low": float(low), "high": float(high), "n": int(inside.sum()),
                         "accuracy": float(correct[inside].mean()),
                         "confidence": float(confidence[inside].mean())})
    return {"ece": float(ece), "bins": rows,
            "mean_confidence": float(confidence.mean()) if len(confidence) else None}
