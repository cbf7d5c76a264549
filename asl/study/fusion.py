"""Late fusion of two models' class probabilities, weighted by what works on validation."""
from __future__ import annotations

import numpy as np

WEIGHTS = np.round(np.linspace(0.0, 1.0, 11), 2)


def fuse(first: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` x the first model's probabilities + (1 - weight) x the second's."""
    return weight * np.asarray(first) + (1 - weight) * np.asarray(second)


def choose_weight(first_val: np.ndarray, second_val: np.ndarray, y_val) -> tuple[float, list]:
    """The weight (0 = only the second model, 1 = only the first) most accurate on the
    validation photos; ties go to the weight nearest 0.5. Returns it and every grid point."""
    grid = [{"weight": float(w), "val_accuracy": float(
        (fuse(first_val, second_val, w).argmax(1) == np.asarray(y_val)).mean())}
        for w in WEIGHTS]
    best = max(grid, key=lambda point: (point["val_accuracy"], -abs(point["weight"] - 0.5)))
    return best["weight"], grid
