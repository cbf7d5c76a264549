"""Figures the report draws itself: a variant's learning curves with every training seed."""
from __future__ import annotations

from pathlib import Path

from asl.files import atomic_write, sha256
from asl.report.print_figures import PrintFigures
from asl.report.results import Figure, VariantResult, relative

SEED_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")


def learning_curves(result: VariantResult, out_dir: Path, prints: PrintFigures) -> Figure | None:
    """Training and validation loss and accuracy per epoch, one colour per seed (validation
    dashed); None for a variant with one run or no training history. Drawn again only when
    the histories change."""
    histories = [((run.get("training") or {}).get("history") or {}, seed)
                 for run, seed in zip(result.runs, result.seeds)]
    if len(histories) < 2 or not all(h.get("loss") for h, _ in histories):
        return None
    folder = Path(out_dir) / "figures"
    path = folder / f"{result.name}-learning-curves-{sha256(histories)[:12]}.png"
    if not path.exists():
        for old in folder.glob(f"{result.name}-learning-curves*.png"):
            old.unlink()
        draw(histories, path)
    copy = prints.prepare(path, "learning_curves")
    return Figure("learning_curves", f"{result.title}: learning curves of every training seed, "
                  "one colour each (solid: training; dashed: validation, on held-out frame "
                  "blocks).", relative(copy.path, out_dir),
                  path.name, True, copy.blank, copy.width_mm,
                  f"figure-{result.name}-learning_curves")


def draw(histories: list[tuple[dict, int]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [m for m in ("loss", "accuracy") if all(h.get(m) for h, _ in histories)]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for (history, seed), colour in zip(histories, SEED_COLOURS * 4):
            epochs = range(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], color=colour, label=f"seed {seed}")
            if history.get(f"val_{metric}"):
                ax.plot(range(1, len(history[f"val_{metric}"]) + 1), history[f"val_{metric}"],
                        color=colour, linestyle="--")
        ax.set_xlabel("epoch")
        ax.set_title(f"{metric} (solid: training, dashed: validation)", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7)
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png"))
    plt.close(fig)


def with_seed_curves(result: VariantResult, out_dir: Path, prints: PrintFigures) -> None:
    """Replace the first seed's learning curves by the figure with every seed (none is drawn
    for a run that shows no curves, such as one reusing another run's network)."""
    if not any(f.key == "learning_curves" for f in result.figures):
        return
    combined = learning_curves(result, out_dir, prints)
    if combined is not None:
        result.figures = [combined if f.key == "learning_curves" else f for f in result.figures]
