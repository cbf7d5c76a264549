"""Load what the variants left: metrics.json and figure files. The only module of the report
that reads files (images included)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from asl import metrics_file
from asl.errors import AslError

STATUS_TEXT = {"done": "run in this build", "cached": "reused from the cache (inputs unchanged)",
               "failed": "failed", "missing": "not run: no results from this or an earlier build"}
FIGURE_MAX_MM = (170.0, 115.0)   # width, height available for one figure on the page


@dataclass
class Figure:
    """One figure of a variant, as the report shows it."""

    key: str
    caption: str
    src: str                  # path relative to the report folder
    file: str                 # file name in the variant's folder
    exists: bool
    blank: bool
    width_mm: float | None


@dataclass
class VariantResult:
    """One declared variant: its declaration, how its build went, its metrics if any."""

    name: str
    title: str
    description: str
    notebook: str | None
    role: str | None
    status: str               # done | cached | failed | missing
    reason: str | None = None
    metrics: dict | None = None
    figures: list[Figure] = field(default_factory=list)
    notebook_html: str | None = None

    @property
    def anchor(self) -> str:
        return f"variant-{self.name}"

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def kind(self) -> str | None:
        return self.metrics["kind"] if self.metrics else None


def relative(path: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(out_dir).resolve())).as_posix()


def figure_size(path: Path) -> tuple[float, bool]:
    """Print width in mm of a PNG (its size at the resolution it was saved with, fitted to the
    page) and whether it is blank (a single colour)."""
    from PIL import Image

    with Image.open(path) as image:
        (width, height), dpi = image.size, image.info.get("dpi", (150, 150))[0] or 150
        low, high = image.convert("L").getextrema()
    width_mm, height_mm = width / dpi * 25.4, height / dpi * 25.4
    scale = min(1.0, FIGURE_MAX_MM[0] / width_mm, FIGURE_MAX_MM[1] / height_mm)
    return round(width_mm * scale, 1), low == high


def load_figures(metrics: dict, folder: Path, out_dir: Path, title: str = "") -> list[Figure]:
    """The metrics' figures with paths relative to the report folder; a caption that starts
    with the variant's name starts with its title instead."""
    figures = []
    for figure in metrics.get("figures") or []:
        path = Path(folder) / figure["file"]
        caption = figure.get("caption", "")
        if title and caption.startswith(f"{metrics['variant']}:"):
            caption = title + caption[len(metrics["variant"]):]
        try:
            width, blank = figure_size(path)
        except (OSError, ValueError):   # missing or unreadable: the report says so
            width, blank = None, False
        figures.append(Figure(figure.get("key", ""), caption, relative(path, out_dir),
                              figure["file"], width is not None, blank, width))
    return figures


def load_variant(variant: dict, out_dir: Path, failures: dict) -> VariantResult:
    """One variant's result: its declaration, status, metrics (or the reason there are none)."""
    result = VariantResult(variant["name"], variant.get("title") or variant["name"],
                           variant.get("description") or "", variant.get("notebook"),
                           variant.get("role"), variant.get("status", "missing"))
    if variant.get("notebook_html") and Path(variant["notebook_html"]).exists():
        result.notebook_html = relative(variant["notebook_html"], out_dir)
    if result.status == "failed":
        result.reason = failures.get(result.name) or "the notebook stopped with an error"
        return result
    if result.status == "missing":
        result.reason = failures.get(result.name) or "no metrics: the variant was never run"
        return result
    try:
        result.metrics = metrics_file.read(variant["dir"])
    except AslError as error:
        result.status, result.reason = "failed", str(error)
        return result
    result.figures = load_figures(result.metrics, Path(variant["dir"]), out_dir, result.title)
    return result
