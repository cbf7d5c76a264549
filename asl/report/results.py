"""Load what the variants left: metrics.json and figure files. The only module of the report
that reads files (images included)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from asl import metrics_file
from asl.errors import AslError
from asl.report.print_figures import PrintFigures

STATUS_TEXT = {"done": "run in this build", "cached": "reused from the cache (inputs unchanged)",
               "failed": "failed", "missing": "not run: no results from this or an earlier build"}


@dataclass
class Figure:
    """One figure of a variant, as the report shows it."""

    key: str
    caption: str
    src: str                  # its print copy, relative to the report folder
    file: str                 # file name in the variant's folder
    exists: bool
    blank: bool
    width_mm: float | None
    id: str = ""              # anchor for cross-references and the list of figures


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
    metrics: dict | None = None           # the first training seed's metrics
    runs: list[dict] = field(default_factory=list)     # every seed's metrics, in seed order
    seeds: list[int | None] = field(default_factory=list)
    not_ok: list[str] = field(default_factory=list)    # runs that failed or are missing
    figures: list[Figure] = field(default_factory=list)
    notebook_html: str | None = None
    sweep: str | None = None              # the sweep it is a member of
    swept: dict = field(default_factory=dict)          # its values of the swept parameters
    in_comparison: bool = True            # False: a sweep member other than the chosen one

    @property
    def anchor(self) -> str:
        """Where links to it lead: its section; the exploration has a chapter of its own; a
        sweep member left out of the comparison, its sweep's table."""
        if self.role == "exploration" or self.kind == "exploration":
            return "exploration"
        if not self.in_comparison:
            return f"sweep-{self.sweep}"
        return "variant-" + re.sub(r"[^\w.-]", "-", self.name)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def kind(self) -> str | None:
        return self.metrics["kind"] if self.metrics else None


def relative(path: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(out_dir).resolve())).as_posix()


def load_figures(metrics: dict, folder: Path, out_dir: Path, title: str = "",
                 prints: PrintFigures | None = None) -> list[Figure]:
    """The metrics' figures with their print copies; a caption that starts with the variant's
    name starts with its title instead."""
    prints = prints or PrintFigures(out_dir)
    figures = []
    for figure in metrics.get("figures") or []:
        path = Path(folder) / figure["file"]
        caption = figure.get("caption", "")
        if title and caption.startswith(f"{metrics['variant']}:"):
            caption = title + caption[len(metrics["variant"]):]
        key = figure.get("key", "")
        anchor = f"figure-{metrics['variant']}-{key or Path(figure['file']).stem}"
        try:
            copy = prints.prepare(path, key)
        except (OSError, ValueError):   # missing or unreadable: the report says so
            figures.append(Figure(key, caption, relative(path, out_dir), figure["file"], False,
                                  False, None, anchor))
            continue
        figures.append(Figure(key, caption, relative(copy.path, out_dir), figure["file"], True,
                              copy.blank, copy.width_mm, anchor))
    return figures


def load_variant(variant: dict, out_dir: Path, failures: dict,
                 prints: PrintFigures | None = None) -> VariantResult:
    """One variant's result: its declaration, status, the metrics of every run that succeeded
    (one per training seed), or the reason there are none."""
    result = VariantResult(variant["name"], variant.get("title") or variant["name"],
                           variant.get("description") or "", variant.get("notebook"),
                           variant.get("role"), variant.get("status", "missing"),
                           sweep=variant.get("sweep"), swept=variant.get("swept") or {})
    runs = variant.get("runs") or [{"name": variant["name"], "seed": None,
                                    "status": result.status, "dir": variant.get("dir"),
                                    "notebook_html": variant.get("notebook_html")}]
    ok = [run for run in runs if run["status"] in ("done", "cached")]
    result.not_ok = [run["name"] for run in runs if run not in ok]
    if not ok:
        default = ("the notebook stopped with an error" if result.status == "failed"
                   else "no metrics: the variant was never run")
        result.status = "failed" if result.status == "failed" else "missing"
        result.reason = failures.get(result.name) or default
        return result
    try:
        result.runs = [metrics_file.read(run["dir"]) for run in ok]
    except AslError as error:
        result.status, result.reason = "failed", str(error)
        return result
    if ok[0].get("notebook_html") and Path(ok[0]["notebook_html"]).exists():
        result.notebook_html = relative(ok[0]["notebook_html"], out_dir)
    result.metrics, result.seeds = result.runs[0], [run["seed"] for run in ok]
    result.figures = load_figures(result.metrics, Path(ok[0]["dir"]), out_dir, result.title,
                                  prints)
    return result
