"""The report renders from metrics files to HTML and PDF, and prints exactly their numbers."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from asl import metrics_file
from asl.errors import AslError
from asl.report import halves, seeds
from asl.report.clusters import frame_blocks
from asl.report.render import render_html, render_report, write_pdf
from asl.report.context import SECTIONS, build_context
from asl.report.formatting import fmt_acc, fmt_ci, fmt_p
from test_report_context import make_build

FAILED = {"cnn_wide": "ResourceExhaustedError: OOM when allocating a tensor"}
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


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One quick build with a failed variant, rendered to HTML and PDF."""
    args = make_build(tmp_path_factory.mktemp("build"), quick=True, failed=FAILED)
    html, pdf = render_report(*args)
    return {"args": args, "html": html, "pdf": pdf, "text": pdf_text(pdf),
            "context": build_context(*args)}


def in_domain(test: dict, metrics: dict) -> dict:
    """The in-domain block as the report prints it: its interval resamples frame blocks."""
    return seeds.combine([test], frame_blocks(test["ids"], metrics["split"]))


def model_blocks(variants):
    """The evaluation blocks the report prints, from the metrics files: each variant's and its
    classifiers' test block and the report half of their wild block; then the selection halves,
    which only the recommendation's reason may quote."""
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
    return blocks, selection


def test_html_and_pdf_are_written_with_every_section(rendered):
    assert rendered["html"].name == "report.html" and rendered["pdf"].name == "report.pdf"
    html = rendered["html"].read_text()
    assert_every_chapter_has_its_body(rendered["text"], html)
    assert re.search(r'src="figures/print/learning_curves-[0-9a-f]+\.png"', html)


def test_pdf_has_metadata_page_numbers_and_figures(rendered):
    reader = PdfReader(str(rendered["pdf"]))
    assert reader.metadata.title.startswith("Recognising the American Sign Language")
    assert reader.metadata.author == "ASL report generator"
    assert reader.metadata["/CreationDate"].startswith("D:20261124")
    assert f"Page 3 of {len(reader.pages)}" in rendered["text"]
    assert sum(len(page.images) for page in reader.pages) >= 10


def test_quick_build_banner(rendered, tmp_path):
    assert "QUICK BUILD — not for submission" in rendered["text"]
    full = render_html(build_context(*make_build(tmp_path, quick=False)))
    assert "QUICK BUILD" not in full


def test_every_accuracy_and_interval_equals_the_metrics(rendered):
    text = rendered["text"]
    blocks, selection = model_blocks(rendered["args"][1])
    intervals = {fmt_ci(block["accuracy_ci"]) for block in blocks + selection}
    intervals |= {fmt_ci(pair.seen_from(model)[1])         # differences: the pairs' own tests
                  for group in rendered["context"]["tests"] for pair in group.pairs
                  for model in (pair.a, pair.b)}
    for block in blocks:
        assert fmt_acc(block["accuracy"]) in text
        assert fmt_ci(block["accuracy_ci"]) in text
    printed = set(re.findall(r"\[\d\.\d{3}, \d\.\d{3}\]", text))
    assert printed and printed <= intervals


def test_every_p_value_equals_the_computed_test(rendered):
    text = rendered["text"]
    groups = rendered["context"]["tests"]
    assert sum(len(group.pairs) for group in groups) >= 20
    for group in groups:
        for pair in group.pairs:
            better = "A" if pair.better is pair.a else "B"
            row = (f"{pair.a.short} {pair.b.short} {fmt_acc(pair.a.accuracy(group.block))} "
                   f"{fmt_acc(pair.b.accuracy(group.block))} {pair.difference:+.3f} "
                   f"{fmt_ci(pair.interval)} {pair.a_only} / {pair.b_only} {pair.seeds} "
                   f"{fmt_p(pair.p_value)} {fmt_p(pair.p_holm)} "
                   f"{better + ' better' if pair.significant else 'no'}")
            assert row in text, row


def test_failed_variant_is_shown_with_its_reason(rendered):
    assert "This variant failed: ResourceExhaustedError: OOM" in rendered["text"]


def test_missing_wild_set_is_said_plainly(tmp_path):
    html = render_html(build_context(*make_build(tmp_path, wild=False)))
    assert "No out-of-domain photos were given to this build" in html
    assert "no wild set" in html


def test_interrupted_pdf_write_keeps_the_previous_pdf(rendered, monkeypatch):
    import weasyprint

    before = rendered["pdf"].read_bytes()

    def broken_write_pdf(self, target=None, **options):
        with open(target, "wb") as handle:
            handle.write(b"%PDF-1.7 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken_write_pdf)
    with pytest.raises(KeyboardInterrupt):
        write_pdf("<p>new</p>", rendered["pdf"], rendered["pdf"].parent)
    assert rendered["pdf"].read_bytes() == before
    assert sorted(p.name for p in rendered["pdf"].parent.iterdir() if p.name.startswith(".")) == []


def test_missing_weasyprint_gives_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(AslError, match="pip install weasyprint"):
        write_pdf("<p>x</p>", tmp_path / "report.pdf", tmp_path)
    assert not (tmp_path / "report.pdf").exists()


def test_outputs_get_the_usual_file_permissions(rendered):
    import os

    umask = os.umask(0)
    os.umask(umask)
    for path in (rendered["pdf"], rendered["html"]):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_summary_body_and_appendices_keep_their_budget(rendered):
    assert_within_budget(rendered["pdf"])


def test_budget_check_fails_on_a_long_body(rendered, tmp_path):
    html = rendered["html"].read_text().replace(
        "<p>Each variant is one notebook run",
        '<p style="break-after: page">more</p>' * 20 + "<p>Each variant is one notebook run")
    pdf = write_pdf(html, tmp_path / "long.pdf", rendered["html"].parent)
    with pytest.raises(AssertionError, match="the body has"):
        assert_within_budget(pdf)


def summary_text(path) -> str:
    """Text of pages 1-2, whitespace collapsed."""
    pages = PdfReader(str(path)).pages[:2]
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages).replace("\u00a0", " "))


def test_executive_summary_numbers_equal_the_metrics(rendered):
    context, text = rendered["context"], summary_text(rendered["pdf"])
    chosen = context["recommendation"]["chosen"]
    variant = next(v for v in rendered["args"][1] if v["name"] == chosen.variant)
    metrics = metrics_file.read(variant["dir"])
    owner = metrics if chosen.key == chosen.variant else \
        metrics["extra"]["classifiers"][chosen.key.split(":")[1]]
    report_half = halves.split(owner["wild"])[1]
    recommended = (f"Recommended: {chosen.title}. In domain it is right on "
                   f"{fmt_acc(owner['test']['accuracy'])} "
                   f"{fmt_ci(in_domain(owner['test'], metrics)['accuracy_ci'])}"
                   f" of unseen frames; out of domain on {fmt_acc(report_half['accuracy'])} "
                   f"{fmt_ci(report_half['accuracy_ci'])}")
    assert recommended in text
    assert "The explainable alternative." in text
    assert "The three most important findings" in text
    assert len(context["summary"]["findings"]) == 3
    for finding in context["summary"]["findings"]:
        assert finding.text[:60] in text


def test_summary_figure_plots_the_metrics_of_every_trained_model(rendered):
    points = {p.label: p for p in rendered["context"]["summary"]["points"]}
    blocks, _ = model_blocks(rendered["args"][1])
    for variant in rendered["args"][1]:
        if variant["status"] not in ("done", "cached") or variant["name"] == "explore":
            continue
        metrics = metrics_file.read(variant["dir"])
        point = points[variant["title"] + (" (random split)"
                                           if metrics["split"]["kind"] == "random" else "")]
        report_half = halves.split(metrics["wild"])[1]
        assert (point.test, point.test_ci) == (metrics["test"]["accuracy"],
                                               in_domain(metrics["test"], metrics)["accuracy_ci"])
        assert (point.wild, point.wild_ci) == (report_half["accuracy"],
                                               list(report_half["accuracy_ci"]))
    figure = rendered["html"].read_text()
    assert 'id="figure-summary"' in figure and figure.count("summary-accuracy-") == 1


def test_every_internal_link_has_its_target_and_pages_are_cross_referenced(rendered):
    html = rendered["html"].read_text()
    targets = set(re.findall(r'id="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= targets, links - targets
    assert {f"appendix-variant-{name}" for name in ("cnn_scratch", "mobilenet")} <= links
    text = rendered["text"]
    assert re.search(r"the comparison table \(Table \d+, page \d+\)", text)
    assert re.search(r"the summary's figure \(Figure 1, page [12]\)", text)   # the summary
    assert re.search(r"Figure 1\. Accuracy of every model .*\.{3,} ?[12] ", text)


def test_pdf_is_tagged_in_english_with_the_manifest_attached(rendered):
    reader = PdfReader(str(rendered["pdf"]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    attached = reader.attachments["manifest.json"]
    assert [json.loads(content) for content in attached] == [rendered["args"][2]]
    html = rendered["html"].read_text()
    assert all(re.search(r'<img [^>]*alt="[^"]+"', tag) for tag in re.findall(r"<img [^>]*>", html))
