"""How numbers look in the report: accuracies and intervals with three decimals, p-values,
durations, sizes and parameter values."""
from __future__ import annotations


def fmt_acc(value) -> str:
    """An accuracy or other proportion, three decimals."""
    return "not recorded" if value is None else f"{value:.3f}"


def fmt_ci(ci) -> str:
    """A 95 % interval as ``[lo, hi]``, three decimals."""
    if not ci or ci[0] is None or ci[1] is None:
        return "not recorded"
    low, high = (round(bound, 3) + 0.0 for bound in ci[:2])      # never -0.000
    return f"[{low:.3f}, {high:.3f}]"


def fmt_spread(block: dict | None) -> str:
    """``± 0.012, 0.780–0.805 over 3 seeds`` for a seed-combined block; '' for one seed."""
    if not block or len(block.get("seeds") or []) < 2:
        return ""
    return (f"± {block['sd']:.3f}, {block['min']:.3f}–{block['max']:.3f} over "
            f"{len(block['seeds'])} seeds")


def fmt_diff(value) -> str:
    """A signed difference of accuracies, three decimals; a tie is +0.000, never -0.000."""
    return f"{round(value, 3) + 0.0:+.3f}"


P_FLOOR = 1e-6  # printed as "< 1e-6"
"""Below this a p-value only says "far below any threshold": its digits rest on tail
approximations that mean nothing."""


def fmt_p(value) -> str:
    """A p-value: three decimals, scientific notation below 0.001, ``< 1e-6`` below the floor."""
    if value is None:
        return "not computed"
    if value >= 0.001:
        return f"{value:.3f}"
    return f"{value:.1e}" if value >= P_FLOOR else "< 1e-6"


def p_clause(value) -> str:
    """``p = 0.023`` in prose, or ``p < 1e-6`` below the floor (never ``p = < 1e-6``)."""
    text = fmt_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_seconds(value) -> str:
    if value is None:
        return "not recorded"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def fmt_ms(value) -> str:
    return "not recorded" if value is None else f"{value:.2f} ms"


def fmt_int(value) -> str:
    return "not recorded" if value is None else f"{int(value):,}"


def fmt_bytes(value) -> str:
    if value is None:
        return "not recorded"
    return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} kB"


def fmt_value(value) -> str:
    """Any parameter value, short."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)) and not value:
        return "none"
    if isinstance(value, (list, tuple)):
        text = ", ".join(fmt_value(v) for v in value[:12])
        return f"[{text}{', ...' if len(value) > 12 else ''}]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    if value is None:
        return "none"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return f"{value:,}"
    return str(value)


def key_values(mapping: dict | None, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten a nested dict into (dotted key, formatted value) rows."""
    rows = []
    for key, value in (mapping or {}).items():
        if isinstance(value, dict) and value:
            rows += key_values(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", fmt_value(value)))
    return rows


def size_text(size) -> str:
    """64 -> ``64 × 64 pixels``."""
    if isinstance(size, int):
        return f"{size} × {size} pixels"
    return "not recorded" if size is None else f"{fmt_value(size)} pixels"


def split_sizes(split: dict) -> str:
    """``14,000 training, 2,000 validation and 290 test photos``."""
    parts = [f"{split[k]:,} {word}" for k, word in (("train", "training"), ("val", "validation"),
                                                    ("test", "test"))
             if isinstance(split.get(k), int)]
    if not parts:
        return "sizes not recorded"
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + \
        " photos"


def split_text(split: dict) -> str:
    """``frame-block split (14,000 train, 2,000 val, 4,060 test)``."""
    kind = split.get("kind", "not recorded")
    sizes = ", ".join(f"{split[k]:,} {k}" for k in ("train", "val", "test")
                      if isinstance(split.get(k), int))
    name = {"frame_block": "frame-block split", "random": "random split"}.get(kind, kind)
    return f"{name} ({sizes})" if sizes else name
