"""The recommended model's accuracy per class on the report half of the wild photos, with
intervals, the failing threshold and the motion letters marked (drawn again only when the
numbers change)."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from asl.files import atomic_write
from asl.report.candidates import Candidate
from asl.report.drawn_once import drawn_once
from asl.report.letters import MOTION, THRESHOLD, Letter, per_letter, photos_text, seeds_note
from asl.report.print_figures import PrintFigures
from asl.report.results import Figure, relative

ID = "figure-letters"
KEY = "letters"
VERSION = 5   # bump when the drawing changes: the file name keys on the numbers and this
COLOURS = {"pass": "#1f5a96", "fail": "#c0392b", "seed": "#7f7f7f", "motion": "#ececec"}


def draw(letters: list[Letter], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(6.7, 2.3))
    xs = range(len(letters))
    for x, letter in zip(xs, letters):
        if letter.name in MOTION:
            ax.axvspan(x - 0.5, x + 0.5, color=COLOURS["motion"], zorder=0)
        if len(letter.seeds) > 1:   # beside the mean, not under it
            ax.scatter([x + 0.28] * len(letter.seeds), letter.seeds, s=7, color=COLOURS["seed"],
                       zorder=2, linewidths=0)
        colour = COLOURS["fail" if letter.fails else "pass"]
        ax.errorbar([x], [letter.accuracy],
                    yerr=[[letter.accuracy - letter.interval[0]],
                          [letter.interval[1] - letter.accuracy]],
                    fmt="o", markersize=4, color=colour, ecolor=colour, elinewidth=1,
                    capsize=2, zorder=3)
    ax.axhline(THRESHOLD, color=COLOURS["fail"], linestyle="--", linewidth=0.8, zorder=1)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([x.name for x in letters], fontsize=7)
    for tick, letter in zip(ax.get_xticklabels(), letters):
        tick.set_rotation(90 if len(letter.name) > 2 else 0)
        if letter.fails:
            tick.set_color(COLOURS["fail"]), tick.set_fontweight("bold")
    ax.set_xlim(-0.6, len(letters) - 0.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("accuracy, report half", fontsize=7.5)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    legend = [Line2D([], [], marker="o", color=COLOURS["pass"], markersize=4,
                     label="accuracy, 95 % interval"),
              Line2D([], [], marker="o", color=COLOURS["fail"], markersize=4, linestyle="--",
                     linewidth=0.8, label=f"fails: below {THRESHOLD:.2f}")]
    if any(x.name in MOTION for x in letters):
        legend.append(Patch(color=COLOURS["motion"], label="signed with a movement"))
    if any(len(x.seeds) > 1 for x in letters):
        legend.append(Line2D([], [], marker="o", color=COLOURS["seed"], markersize=3,
                             linestyle="", label="each training seed"))
    ax.legend(handles=legend, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncol=len(legend), frameon=False)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=200, format="png"))
    plt.close(fig)


def caption(chosen: Candidate, letters: list[Letter]) -> str:
    shaded = " and ".join(x.name for x in letters if x.name in MOTION)
    seeds = len(letters[0].seeds)
    dots = " Grey dots: each seed's accuracy." if seeds > 1 else ""
    return (f"{chosen.title}, recommended: accuracy per class on the report half of the wild "
            f"photos ({photos_text(letters)} each). {seeds_note(letters)} Red: below "
            f"{THRESHOLD:.2f} (dashed), a class it fails."
            + (f" Shaded: {shaded}, signed with a movement." if shaded else "") + dots)


def letters_figure(chosen: Candidate | None, out_dir: Path, prints: PrintFigures
                   ) -> Figure | None:
    """The figure, or None without a recommended model scored on the wild photos."""
    letters = per_letter(chosen.wild) if chosen and chosen.wild else []
    if not letters:
        return None
    path = drawn_once(out_dir, "letters-accuracy", [VERSION, *(asdict(x) for x in letters)],
                      lambda target: draw(letters, target))
    copy = prints.prepare(path, KEY)
    return Figure(KEY, caption(chosen, letters), relative(copy.path, out_dir), path.name, True,
                  copy.blank, copy.width_mm, ID)
