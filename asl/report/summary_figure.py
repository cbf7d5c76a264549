"""The executive summary's figure: every model's accuracy in domain and out of domain, with
95 % intervals, drawn from the metrics (and drawn again only when they change)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from asl.files import atomic_write
from asl.report.candidates import Candidate
from asl.report.drawn_once import drawn_once
from asl.report.print_figures import PrintFigures
from asl.report.results import Figure, relative

ID = "figure-summary"
COLOURS = {"test": "#1f5a96", "wild": "#d9822b"}


@dataclass
class Point:
    """One model's row of the figure."""

    label: str
    test: float
    test_ci: list[float]
    wild: float | None
    wild_ci: list[float] | None
    recommended: bool


def points(models: list[Candidate], recommended: Candidate | None) -> list[Point]:
    """Every trained model, most accurate out of domain first; a random-split model is
    labelled as such (its in-domain figure measures leakage)."""
    rows = [Point(c.title + ("" if c.comparable else " (random split)"), c.test["accuracy"],
                  list(c.test["accuracy_ci"]), c.accuracy("wild"),
                  list(c.wild["accuracy_ci"]) if c.wild else None, c is recommended)
            for c in models if c.fitted]
    return sorted(rows, key=lambda p: (-(p.wild if p.wild is not None else -1), -p.test))


def draw(rows: list[Point], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.7, 0.9 + 0.28 * len(rows)))
    for offset, block, label in ((-0.15, "test", "in domain (unseen frames)"),
                                 (0.15, "wild", "out of domain (other people's photos)")):
        ys, xs, errors = [], [], [[], []]
        for i, row in enumerate(rows):
            value, ci = getattr(row, block), getattr(row, f"{block}_ci")
            if value is None:
                continue
            ys.append(i + offset), xs.append(value)
            errors[0].append(max(0.0, value - ci[0])), errors[1].append(max(0.0, ci[1] - value))
        ax.errorbar(xs, ys, xerr=errors, fmt="o" if block == "test" else "s", markersize=4,
                    color=COLOURS[block], ecolor=COLOURS[block], elinewidth=1, capsize=2,
                    label=label)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([row.label for row in rows], fontsize=7)
    for tick, row in zip(ax.get_yticklabels(), rows):
        if row.recommended:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy with 95 % interval", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=200, format="png"))
    plt.close(fig)


def summary_figure(models: list[Candidate], recommended: Candidate | None, out_dir: Path,
                   prints: PrintFigures) -> tuple[Figure | None, list[Point]]:
    """The figure (None without models) and the values it shows."""
    rows = points(models, recommended)
    if not rows:
        return None, rows
    path = drawn_once(out_dir, "summary-accuracy", [asdict(r) for r in rows],
                      lambda target: draw(rows, target))
    copy = prints.prepare(path, "summary")
    caption = ("Accuracy of every model in domain (unseen frames of the training signer) and "
               "out of domain (report half of other people's photos), with 95 % intervals; "
               "the recommended model in bold.")
    return Figure("summary", caption, relative(copy.path, out_dir), path.name, True, copy.blank,
                  copy.width_mm, ID), rows
