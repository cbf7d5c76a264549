"""Reading a rendered report back: its text, its anchors' pages, the reader's page budget, and
the evaluation blocks a report must print."""
from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from asl import metrics_file
from asl.report import halves, seeds
from asl.report.clusters import frame_blocks
from asl.report.context import SECTIONS

CHAPTER_BODIES = {   # a sentence from each chapter's body (the contents page prints the titles)
    "dataset": "Classes: A, B, C",
    "objectives": "Problem type: supervised",
    "evaluation": "A frame-block split holds out whole blocks of consecutive frames",
    "exploration": "Files that are not images or cannot be decoded are skipped and counted",
    "comparison": "All variants side by side.",
    "variants": "Each variant is one notebook run with its own parameters",
    "recommendation": "Recommended: ",
    "findings": "Share of test photos with a near-duplicate in training",
    "next-steps": "Move from single photos to short video clips",
    "appendix-variants": "Each variant's full results",
    "appendix-exploration": "The exploration notebook's other figures",
    "appendix-tests": "Tests between every two models scored on the same photos",
    "model-card": "Model card for ",
    "reproducibility": "What this report was built from.",
    "listing": "Figure 1. ",
}
BODY_PAGES_MAX, COMPARISON_PAGE_MAX, PDF_BYTES_MAX = 15, 10, 5 * 10**6


def assert_every_chapter_has_its_body(text: str, html: str) -> None:
    assert set(CHAPTER_BODIES) == {id_ for id_, _ in SECTIONS}
    for id_, title in SECTIONS:
        assert f'<h2 id="{id_}">' in html, id_
        assert CHAPTER_BODIES[id_] in text, (id_, CHAPTER_BODIES[id_])

def anchor_pages(path) -> dict[str, int]:
    """The page (from 1) of every anchor in the PDF (WeasyPrint writes them as named
    destinations)."""
    reader = PdfReader(str(path))
    return {name: reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}

def assert_within_budget(path) -> None:
    """The reader's layout: summary on pages 1-2, comparison early, a short body, a small
    file, and every variant's appendix reachable."""
    pages = anchor_pages(path)
    assert pages["summary"] == 1 and pages["figure-summary"] <= 2
    assert pages["comparison"] <= COMPARISON_PAGE_MAX, pages["comparison"]
    body = pages["appendix-variants"] - pages["dataset"]
    assert body <= BODY_PAGES_MAX, f"the body has {body} pages"
    assert Path(path).stat().st_size <= PDF_BYTES_MAX, Path(path).stat().st_size
    briefs = {name for name in pages if name.startswith("variant-")}
    assert briefs and {f"appendix-{name}" for name in briefs} <= set(pages)

def pdf_text(path) -> str:
    """All the PDF's text, whitespace collapsed."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))

def summary_text(path) -> str:
    """Text of pages 1-2, whitespace collapsed."""
    pages = PdfReader(str(path)).pages[:2]
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages).replace("\u00a0", " "))

def in_domain(test: dict, metrics: dict) -> dict:
    """The in-domain block as the report prints it: its interval resamples frame blocks."""
    return seeds.combine([test], frame_blocks(test["ids"], metrics["split"]))


def model_blocks(variants):
    """The evaluation blocks the report prints, from the metrics files: each variant's and its
    classifiers' test block and the report half of their wild block; then the choosing sets
    (selection halves and validation blocks), which only the recommendation's reasons may
    quote."""
    blocks, selection = [], []
    for variant in variants:
        if variant["status"] not in ("done", "cached"):
            continue
        metrics = metrics_file.read(variant["dir"])
        if metrics["kind"] != "model":
            continue
        owners = [metrics] + list((metrics["extra"].get("classifiers") or {}).values())
        for owner in owners:
            select, report = halves.split(owner.get("wild"))
            blocks += [in_domain(owner["test"], metrics)] + ([report] if report else [])
            selection += [select] if select else []
            selection += [in_domain(owner["val"], metrics)] if owner.get("val") else []
    return blocks, selection


def wider_than_the_page(html: str, base_url: Path) -> list[tuple[int, str]]:
    """(page, table id) of every table that reaches past the page's right margin, as WeasyPrint
    lays the report out."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    def walk(box):
        yield box
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    document = weasyprint.HTML(string=html, base_url=str(Path(base_url).resolve()) + "/").render()
    found = []
    for number, page in enumerate(document.pages, 1):
        root = page._page_box
        right = root.content_box_x() + root.width
        found += [(number, box.element.get("id") or box.element.get("class"))
                  for box in walk(root) if isinstance(box, boxes.TableBox)
                  and box.position_x + box.margin_width() > right + 0.5]
    return sorted(set(found))
