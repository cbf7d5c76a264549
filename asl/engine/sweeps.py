"""A ``sweep:`` in variants.yaml: every combination of its values, and the names of its runs."""
from __future__ import annotations

import itertools

from asl.engine.parameters import Parameter, convert, known
from asl.errors import VariantError

NAME_UNSAFE = set("/\\[],= ")


def label(value) -> str:
    """A swept value as it appears in a run's name: ``0.0003``, ``20``, ``true``, ``adam``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sweep_name(sweep: str, combination: dict) -> str:
    """``cnn_lr[learning_rate=0.0003,epochs=20]``: stable, readable, one folder per run."""
    return f"{sweep}[{','.join(f'{key}={label(value)}' for key, value in combination.items())}]"


def combinations(sweep, declared: dict[str, Parameter], settings: dict,
                  where: str) -> list[dict]:
    """Every combination of a ``sweep:`` mapping's values, in the order written, typed."""
    example = "e.g. sweep: {learning_rate: [0.0003, 0.001], epochs: [10, 20]}"
    if not isinstance(sweep, dict) or not sweep:
        raise VariantError(f"{where}: sweep must map parameters to lists of values; {example}")
    values = {}
    for key, items in sweep.items():
        if not isinstance(items, list) or not items:
            raise VariantError(f"{where}: sweep {key} must be a non-empty list of values; "
                               f"{example}")
        if key in settings:
            raise VariantError(f"{where}: {key} is both in parameters and in sweep; keep one")
        parameter = known(declared, key, where)
        typed = [convert(parameter, item, f"{where} (sweep)") for item in items]
        unsafe = [item for item in typed if set(label(item)) & NAME_UNSAFE]
        if unsafe or len(set(map(label, typed))) < len(typed):
            raise VariantError(f"{where}: sweep {key} values must be distinct and name a folder "
                               f"(no spaces or any of / \\ [ ] , =): {unsafe or typed}")
        values[key] = typed
    return [dict(zip(values, combination)) for combination in itertools.product(*values.values())]
