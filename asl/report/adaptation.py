"""The adaptation finding: how a keypoint variant's report-half accuracy grows when k photos per
class of other people (from the wild selection half) are added to its training, as a curve and
one sentence. A finding only: the recommendation is chosen before it and never reads it."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from asl.files import atomic_write, sha256
from asl.report import decision
from asl.report.candidates import Candidate
from asl.report.facts import Finding
from asl.report.formatting import fmt_acc
from asl.report.print_figures import PrintFigures
from asl.report.results import Figure, VariantResult, relative

ID = "figure-adaptation"
TITLE = "Photos of new people"
QUOTED = 5          # the k the finding names first (then the largest)


@dataclass
class Point:
    """One k of the curve: the report-half accuracy of every run and draw."""

    k: int
    mean: float
    low: float
    high: float
    values: list[float]


@dataclass
class Curve:
    variant: str
    title: str
    points: list[Point]
    seeds: int
    draws: int
    report_photos: int
    selection_photos: int


def studies(result: VariantResult) -> list[dict]:
    """The adaptation study of each of the variant's runs (seeds) that has one."""
    return [run["extra"]["adaptation"] for run in result.runs
            if ((run.get("extra") or {}).get("adaptation") or {}).get("points")]


def source(results: list[VariantResult], models: list[Candidate],
           recommended: Candidate | None) -> VariantResult | None:
    """The variant whose study the report shows: the recommended one if it has a study, else
    of those with a study the one the recommendation would choose (``decision.best`` on the
    choosing sets: trained, frame-block split)."""
    with_study = {r.name: r for r in results if r.metrics and studies(r)}
    if recommended is not None and recommended.variant in with_study:
        return with_study[recommended.variant]
    mains = [c for c in models if c.key == c.variant and c.variant in with_study]
    ranked = decision.best(mains, decision.choosing_blocks(mains))
    return with_study[ranked.variant] if ranked else None


def curve(result: VariantResult) -> Curve:
    """Every k's accuracies pooled over the variant's seeds and draws."""
    found = studies(result)
    by_k: dict[int, list[float]] = {}
    for study in found:
        for point in study["points"]:
            by_k.setdefault(int(point["k"]), []).extend(point["accuracies"])
    points = [Point(k, float(np.mean(v)), float(min(v)), float(max(v)), list(v))
              for k, v in sorted(by_k.items())]
    return Curve(result.name, result.title, points, len(found),
                 max(int(s.get("draws") or 1) for s in found),
                 int(found[0].get("report_photos") or 0),
                 int(found[0].get("selection_photos") or 0))


def caption(data: Curve) -> str:
    runs = (f"{data.seeds} training seed{'s' * (data.seeds > 1)} × {data.draws} draw"
            f"{'s' * (data.draws > 1)}")
    return (f"{data.title}: accuracy on the report half of the wild photos ({data.report_photos} "
            f"photos of other people, never added) when k labelled photos per class, drawn from "
            f"the selection half ({data.selection_photos} photos, never scored), are added to "
            f"its training keypoints and the classifier is refitted; k = 0 is the model as "
            f"chosen. Dots: one per training seed and draw of the added photos (here {runs}); "
            f"line: their mean. A finding only: the recommendation is chosen before any photo "
            f"is added.")


def finding(data: Curve) -> Finding | None:
    """One sentence from the curve: the accuracy at ``QUOTED`` photos (or the largest k) and at
    the largest k, against k = 0."""
    by_k = {p.k: p for p in data.points}
    if 0 not in by_k or len(by_k) < 2:
        return None
    largest = max(by_k)
    quoted = QUOTED if QUOTED in by_k else largest
    text = (f"With {quoted} photo{'s' * (quoted > 1)} a class of other people added to its "
            f"training (drawn from the wild selection half), {data.title} is right on "
            f"{_value(by_k[quoted])} of the report half, against {fmt_acc(by_k[0].mean)} as "
            f"chosen")
    if largest != quoted:
        text += f" and {fmt_acc(by_k[largest].mean)} with {largest}"
    runs = len(by_k[quoted].values)
    spread = (f"mean of {runs} runs, {data.seeds} training seed{'s' * (data.seeds > 1)} × "
              f"{data.draws} draw{'s' * (data.draws > 1)}, lowest to highest in brackets"
              if runs > 1 else "one training seed and one draw: no spread measured")
    return Finding(TITLE, f"{text} ({spread}; curve in its appendix section). The "
                   "recommendation is chosen without them.")


def _value(point: Point) -> str:
    """The mean, with the lowest and highest run when they differ."""
    if point.low == point.high:
        return fmt_acc(point.mean)
    return f"{fmt_acc(point.mean)} [{fmt_acc(point.low)}–{fmt_acc(point.high)}]"


def draw(data: Curve, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    ks = [p.k for p in data.points]
    for p in data.points:
        ax.scatter([p.k] * len(p.values), p.values, s=12, color="#d9822b", alpha=0.6, zorder=2)
    ax.plot(ks, [p.mean for p in data.points], color="#1f5a96", marker="o", zorder=3,
            label="mean")
    low = min(p.low for p in data.points)
    ax.set_ylim(max(0.0, low - 0.05), min(1.0, max(p.high for p in data.points) + 0.03))
    ax.set_xticks(ks)
    ax.set_xlabel("photos per class of other people added (k)", fontsize=8)
    ax.set_ylabel("accuracy, report half", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=200, format="png"))
    plt.close(fig)


def section(results: list[VariantResult], models: list[Candidate],
            recommended: Candidate | None, out_dir, prints: PrintFigures) -> dict | None:
    """The figure (drawn again only when the numbers change), added to the shown variant's
    figures (its appendix section: the body has no room for it), and the finding; None when
    no variant ran the study."""
    chosen = source(results, models, recommended)
    if chosen is None:
        return None
    data = curve(chosen)
    folder = Path(out_dir) / "figures"
    path = folder / f"adaptation-{sha256(asdict(data))[:12]}.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("adaptation-*.png"):
            old.unlink()
        draw(data, path)
    copy = prints.prepare(path, "adaptation")
    figure = Figure("adaptation", caption(data), relative(copy.path, out_dir), path.name, True,
                    copy.blank, copy.width_mm, ID)
    chosen.figures.append(figure)
    return {"figure": figure, "finding": finding(data), "variant": chosen.name,
            "recommended": recommended is not None and recommended.variant == chosen.name}
